"""Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30 s) — the optional second factor of
administrators and coordinators. Written out here (a few lines of RFC 4226/6238) rather than a dependency;
tests check it against the RFC's published vectors.

Enrolment shows the secret (base32) and the otpauth:// URI as text: the user types or pastes it into an
authenticator app, then confirms with a code, so a secret is never enabled before it is known to work.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

from envgov.rules import security as policy


def new_secret() -> str:
    """160 random bits in base32 (32 characters, no padding), as authenticator apps expect."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    clean = secret.strip().replace(" ", "").upper()
    return base64.b32decode(clean + "=" * (-len(clean) % 8))


def hotp(key: bytes, counter: int, digits: int = policy.TOTP_DIGITS, digest=hashlib.sha1) -> str:  # noqa: ANN001
    """RFC 4226 §5.3: HMAC over the 8-byte counter, dynamic truncation, last `digits` decimal digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % (10 ** digits)).zfill(digits)


def step_at(when: float | None = None) -> int:
    return int((time.time() if when is None else when) // policy.TOTP_STEP_SECONDS)


def code_at(secret: str, when: float | None = None) -> str:
    return hotp(_key(secret), step_at(when))


def matching_step(secret: str, code: str, *, when: float | None = None, after: int | None = None) -> int | None:
    """The time step whose code is `code` (within the allowed drift, and later than `after`), else None."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != policy.TOTP_DIGITS or not secret:
        return None
    now = step_at(when)
    key = _key(secret)
    for step in range(now - policy.TOTP_DRIFT_STEPS, now + policy.TOTP_DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue  # a code already used (or an older one) is never accepted again
        if hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def otpauth_uri(secret: str, account: str, issuer: str = "envgov") -> str:
    """The Key URI Format of authenticator apps: otpauth://totp/Issuer:account?secret=…&issuer=…"""
    label = quote(f"{issuer}:{account}")
    return (f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&algorithm=SHA1"
            f"&digits={policy.TOTP_DIGITS}&period={policy.TOTP_STEP_SECONDS}")


def verify_for_login(user, code: str) -> bool:  # noqa: ANN001 - accounts.User
    """True when `code` is the user's current code and was not used before; the step is then spent."""
    from envgov.apps.accounts.models import User

    step = matching_step(user.totp_secret, code, after=user.totp_last_step)
    if step is None:
        return False
    # spend it atomically: of two requests with the same code, only one moves the last step forward
    from django.db.models import Q

    spent = User.objects.filter(pk=user.pk).filter(Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step)
                                                   ).update(totp_last_step=step)
    if spent:
        user.totp_last_step = step
    return bool(spent)
