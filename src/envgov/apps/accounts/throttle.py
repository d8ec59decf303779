"""Sign-in protection against password guessing, shared by /login/, /admin/login/ and API tokens.

Failures are counted in the database (LoginThrottle) under the keys of envgov.rules.security; nothing
ever locks: past a key's free failures, the next attempt under it must wait a delay that doubles with
each failure, up to a cap. The account's owner is told (a notice) when their account starts being
slowed down; the district administrator can clear the counts from the user's management page.

The client address is REMOTE_ADDR unless the deployment names a trusted proxy header
(settings.ENVGOV_TRUSTED_PROXY_HEADER, with ENVGOV_TRUSTED_PROXY_COUNT proxies in front): then it is the
entry that the outermost trusted proxy wrote, which a client cannot forge.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import math
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from envgov.rules import security as policy

KNOWN_COOKIE = "envgov_known"
_KNOWN_SALT = "envgov.accounts.known-browser"

def _model():  # noqa: ANN202
    from envgov.apps.accounts.models import LoginThrottle

    return LoginThrottle


POLICIES = {"pair": policy.PAIR, "address": policy.ADDRESS, "account": policy.ACCOUNT,
            "token": policy.TOKEN_ADDRESS}


# ---------------------------------------------------------------- who is asking

def client_address(request: HttpRequest) -> str:
    """The real client address: REMOTE_ADDR, or the entry the trusted proxies wrote into their header.

    With `X-Forwarded-For: spoofed, client, proxy1` and two trusted proxies, the client is the second entry
    from the right: everything left of it was written by the client itself and is ignored. A missing or
    malformed header falls back to REMOTE_ADDR. IPv6 addresses are counted per /64 (one subscriber)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    header = getattr(settings, "ENVGOV_TRUSTED_PROXY_HEADER", "")
    chosen = remote
    if header:
        meta_key = "HTTP_" + header.upper().replace("-", "_")
        raw = request.META.get(meta_key, "")
        entries = [e.strip() for e in raw.split(",") if e.strip()]
        count = max(1, int(getattr(settings, "ENVGOV_TRUSTED_PROXY_COUNT", 1)))
        if len(entries) >= count:
            chosen = entries[-count]
    return _normalise(chosen) or _normalise(remote) or "unknown"


def _normalise(value: str) -> str:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return ""
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _name(username: str) -> str:
    return (username or "").strip().lower()[:150]


# ---------------------------------------------------------------- known browsers

def known_username(request: HttpRequest) -> str:
    """The account this browser has signed in to before (signed cookie), or ''."""
    raw = request.COOKIES.get(KNOWN_COOKIE)
    if not raw:
        return ""
    try:
        return signing.loads(raw, salt=_KNOWN_SALT, max_age=policy.KNOWN_BROWSER_DAYS * 86400)
    except signing.BadSignature:
        return ""


def remember_browser(response: HttpResponse, username: str) -> None:
    response.set_cookie(KNOWN_COOKIE, signing.dumps(_name(username), salt=_KNOWN_SALT),
                        max_age=policy.KNOWN_BROWSER_DAYS * 86400, httponly=True, samesite="Lax",
                        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)))


# ---------------------------------------------------------------- counting

@dataclass(frozen=True)
class Wait:
    seconds: int  # how long until the next attempt is allowed (rounded up)
    scope: str


def _keys(username: str, address: str, *, known: bool, token: bool = False) -> list[tuple[str, str, str]]:
    if token:
        return [("token", "", address)]
    name = _name(username)
    keys = [("address", "", address)]
    if name:
        keys.insert(0, ("pair", name, address))
        if not known:
            keys.append(("account", name, ""))
    return keys


def _live(row, now: dt.datetime) -> bool:  # noqa: ANN001
    return (now - row.last_failure_at).total_seconds() < POLICIES[row.scope].forget_after_seconds


def wait_for(username: str, address: str, *, known: bool = False, token: bool = False) -> Wait | None:
    """The longest wait any key of this attempt still owes, or None when the attempt may go ahead."""
    now = timezone.now()
    keys = _keys(username, address, known=known, token=token)
    LoginThrottle = _model()
    rows = LoginThrottle.objects.filter(address__in={a for _s, _u, a in keys}, username__in={u for _s, u, _a in keys},
                                        scope__in={s for s, _u, _a in keys})
    longest: Wait | None = None
    for row in rows:
        if (row.scope, row.username, row.address) not in keys or not _live(row, now):
            continue
        delay = POLICIES[row.scope].delay_after(row.failures)
        left = delay - (now - row.last_failure_at).total_seconds()
        if left > 0 and (longest is None or left > longest.seconds):
            longest = Wait(math.ceil(left), row.scope)
    return longest


def record_failure(username: str, address: str, *, known: bool = False, token: bool = False) -> None:
    """Count one failed attempt under each key; tell the owner when their account starts being slowed."""
    now = timezone.now()
    LoginThrottle = _model()
    started = []
    for scope, name, addr in _keys(username, address, known=known, token=token):
        with transaction.atomic():
            row = LoginThrottle.objects.select_for_update().filter(scope=scope, username=name, address=addr).first()
            if row is None:
                try:
                    with transaction.atomic():
                        row = LoginThrottle.objects.create(scope=scope, username=name, address=addr, failures=0,
                                                           first_failure_at=now, last_failure_at=now)
                except IntegrityError:  # a concurrent twin created it: count on it
                    row = LoginThrottle.objects.select_for_update().get(scope=scope, username=name, address=addr)
            elif not _live(row, now):  # quiet long enough: start again
                LoginThrottle.objects.filter(pk=row.pk).update(failures=0, first_failure_at=now)
            LoginThrottle.objects.filter(pk=row.pk).update(failures=F("failures") + 1, last_failure_at=now)
            row.refresh_from_db()
            if scope in ("pair", "account") and row.failures == POLICIES[scope].free_failures:
                started.append(row)
    for row in started:
        _tell_owner(row)


def _tell_owner(row) -> None:  # noqa: ANN001
    """A notice to the account's owner: their account is being slowed down by failed sign-ins."""
    from django.utils.translation import gettext as _

    from envgov.apps.accounts.models import User
    from envgov.apps.notices.actions import notify

    owner = User.objects.filter(username__iexact=row.username, is_active=True).first()
    if owner is None:
        return
    where = row.address if row.scope == "pair" else _("多个来源地址")
    notify(
        [owner], kind="login_throttled", key=f"login-throttled:{row.scope}:{row.pk}:{row.first_failure_at:%s}",
        title=_("您的账号有多次登录失败"),
        body=_("您的账号“%(name)s”有 %(n)s 次密码错误的登录尝试（来源：%(where)s），此后的尝试须等待。"
               "如不是您本人所为，请联系本区系统管理员；如是您本人，请稍后再试或请管理员解除限制。")
        % {"name": owner.username, "n": row.failures, "where": where},
        url="/account/password/", subject=owner, group=False,
    )


def clear_success(username: str, address: str) -> None:
    """A correct sign-in: the account's own counts go (never the address's: one good password must not
    reset the count of a machine that tries many names)."""
    _model().objects.filter(scope__in=["pair", "account"], username=_name(username)).filter(
        address__in=[address, ""]).delete()


def clear_account(username: str) -> int:
    """The administrator's 解除登录限制: every count held against this account, from any address."""
    deleted, _ = _model().objects.filter(scope__in=["pair", "account"], username=_name(username)).delete()
    return deleted


def status_of(username: str) -> list:
    """The live counts held against an account (for its management page), newest first."""
    now = timezone.now()
    rows = _model().objects.filter(scope__in=["pair", "account"], username=_name(username)).order_by(
        "-last_failure_at")
    out = []
    for row in rows:
        if not _live(row, now):
            continue
        delay = POLICIES[row.scope].delay_after(row.failures)
        row.wait_seconds = max(0, math.ceil(delay - (now - row.last_failure_at).total_seconds()))
        out.append(row)
    return out
