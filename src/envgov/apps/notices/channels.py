"""Delivering notices outside the app: e-mail through Django's mail backend, and the district's group robot.

Both run after the causing action has committed (transaction.on_commit) and never raise: a mail server or a
robot that is down is logged, and the action that caused the notice stands.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
import urllib.request
from typing import Iterable

from django.conf import settings
from django.core.mail import send_mail

from envgov.apps.notices.models import DistrictChannel

log = logging.getLogger(__name__)


def absolute(url: str) -> str:
    """A link that works outside the site (mail, group chat): ENVGOV_SITE_URL in front of a site path."""
    if not url or url.startswith(("http://", "https://")):
        return url
    base = getattr(settings, "ENVGOV_SITE_URL", "")
    return f"{base}{url}" if base else url


def send_email(address: str, subject: str, text: str) -> bool:
    try:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
    except Exception:  # noqa: BLE001 - a broken mail server must not break the ledger
        log.exception("notice e-mail to %s failed", address)
        return False
    return True


def webhook_payload(kind: str, title: str, text: str, url: str = "", recipients: Iterable[str] = ()) -> dict:
    """The JSON body each robot accepts: 企业微信 and 钉钉 group robots take their markdown message."""
    link = absolute(url)
    to = "、".join(recipients)
    lines = [text.strip()]
    if to:
        lines.append(f"> {to}")
    if kind == DistrictChannel.Kind.WECOM:
        body = "\n".join([f"**{title}**", *lines] + ([f"[{link}]({link})"] if link else []))
        return {"msgtype": "markdown", "markdown": {"content": body}}
    if kind == DistrictChannel.Kind.DINGTALK:
        body = "\n\n".join([f"### {title}", *lines] + ([f"[{link}]({link})"] if link else []))
        return {"msgtype": "markdown", "markdown": {"title": title, "text": body}}
    return {"title": title, "text": text, "url": link, "recipients": list(recipients)}


def _signed(url: str, secret: str) -> str:
    """钉钉 加签: timestamp and HMAC-SHA256 signature appended to the robot's address."""
    timestamp = str(round(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def post_webhook(channel: DistrictChannel, payload: dict) -> bool:
    url = channel.webhook_url
    if channel.kind == DistrictChannel.Kind.DINGTALK and channel.secret:
        url = _signed(url, channel.secret)
    request = urllib.request.Request(
        url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTICE_WEBHOOK_TIMEOUT) as response:  # noqa: S310
            answer = response.read(2000)
    except Exception:  # noqa: BLE001 - an unreachable robot must not break the ledger
        log.exception("notice webhook of %s failed", channel.district_id)
        return False
    # both robots answer 200 with {"errcode": 0, ...}; any other errcode is a refusal worth logging
    try:
        errcode = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        errcode = 0
    if errcode:
        log.warning("notice webhook of %s refused: %s", channel.district_id, answer[:300])
        return False
    return True
