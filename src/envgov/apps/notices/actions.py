"""Every state change of the notice app. `notify` is the one entry point every other app calls.

notify() writes the in-app notices inside the caller's transaction (they vanish with it if it rolls back)
and hands the outside channels — e-mail, the district's group robot — to transaction.on_commit, so a
refused action tells nobody and a failed delivery never undoes an action.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Iterable
from urllib.parse import urlsplit

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.notices import channels
from envgov.apps.notices.models import DistrictChannel, Notice, NoticePreference
from envgov.apps.notices.permissions import can_edit_channels
from envgov.apps.audit import clock
from envgov.apps.audit import log as audit

log = logging.getLogger(__name__)


class StaleEdit(Exception):
    """Someone else saved the channel after you opened it."""


def preference_of(user: User) -> NoticePreference:
    """The saved preference, or the default (immediate, e-mail on) without writing a row."""
    try:
        return user.notice_preference
    except NoticePreference.DoesNotExist:
        return NoticePreference(user=user)


def notify(
    recipients: Iterable[User], *, kind: str, title: str, body: str = "", url: str = "", key: str | None = None,
    links: Iterable[dict] = (), subject: models.Model | None = None, district=None,  # noqa: ANN001
    group: bool = True,
) -> list[Notice]:
    """Tell each recipient once about one fact (recipient, kind, key); returns the notices newly written.

    Recipients already told under the same key are skipped, and so is an inactive account. E-mail goes
    at once to those who want it immediately (digest readers get it from `send_digest`); the district's
    group robot gets one message per call, naming the units and towns told — unless `group=False`
    (a notice for its recipient only, such as failed sign-ins on their account).
    """
    if kind not in Notice.Kind.values:
        raise ValueError(f"unknown notice kind {kind!r}")
    people = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not people:
        return []
    key = (key or uuid.uuid4().hex)[:120]
    told = set(Notice.objects.filter(kind=kind, key=key, recipient_id__in=people).values_list("recipient_id", flat=True))
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    now = clock.now()
    fresh = [
        Notice(recipient=user, kind=kind, key=key, title=title[:200], body=body, url=url[:300], links=list(links),
               subject_type=subject_type, subject_id=getattr(subject, "pk", None), created_at=now)
        for pk, user in people.items() if pk not in told
    ]
    if not fresh:
        return []
    Notice.objects.bulk_create(fresh, ignore_conflicts=True)  # a concurrent twin is dropped, never an error
    created = list(Notice.objects.filter(kind=kind, key=key, recipient_id__in=[n.recipient_id for n in fresh],
                                         created_at=now).select_related("recipient"))
    if district is None:
        district_id = next((u.district_id for u in people.values() if u.district_id), None)
    else:
        district_id = district.pk
    ids = [n.pk for n in created]
    if not group:
        district_id = None
    transaction.on_commit(lambda: _deliver(ids, district_id))
    return created


def _deliver(notice_ids: list[int], district_id: int | None) -> None:
    """After commit: immediate e-mails, then one group-robot message. Never raises."""
    notices = list(Notice.objects.filter(pk__in=notice_ids).select_related(
        "recipient", "recipient__notice_preference", "recipient__unit", "recipient__town"))
    if not notices:
        return
    sent = []
    for notice in notices:
        user = notice.recipient
        pref = preference_of(user)
        if user.email and pref.email and pref.delivery == NoticePreference.Delivery.IMMEDIATE:
            text = notice.body + (f"\n\n{channels.absolute(notice.url)}" if notice.url else "")
            if channels.send_email(user.email, f"[envgov] {notice.title}", text):
                sent.append(notice.pk)
    if sent:
        Notice.objects.filter(pk__in=sent).update(emailed_at=clock.now())
    if district_id is None:
        return
    channel = DistrictChannel.objects.filter(district_id=district_id, enabled=True).exclude(webhook_url="").first()
    if channel is None:
        return
    first = notices[0]
    to = sorted({str(n.recipient.unit or n.recipient.town or n.recipient.display_name) for n in notices})
    payload = channels.webhook_payload(channel.kind, first.title, first.body, first.url, to)
    channels.post_webhook(channel, payload)


# ---------------------------------------------------------------- the notice centre

@transaction.atomic
def mark_read(notice: Notice, *, acting_user: User) -> Notice:
    require(notice.recipient_id == acting_user.pk, _("这条通知不是发给您的"))
    if notice.read_at is None:
        notice.read_at = clock.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


@transaction.atomic
def mark_all_read(*, acting_user: User) -> int:
    return Notice.objects.filter(recipient=acting_user, read_at__isnull=True).update(read_at=clock.now())


@transaction.atomic
def save_preference(*, acting_user: User, delivery: str, email: bool) -> NoticePreference:
    if delivery not in NoticePreference.Delivery.values:
        raise ValidationError({"delivery": _("请选择邮件方式")})
    pref, _created = NoticePreference.objects.update_or_create(
        user=acting_user, defaults={"delivery": delivery, "email": email})
    return pref


def _channel_view(channel: DistrictChannel) -> dict:
    """What the audit log keeps of a channel: never the robot's key or the signing secret."""
    parts = urlsplit(channel.webhook_url or "")
    shown = f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?…" if parts.query else "") if parts.netloc else ""
    return {"kind": channel.kind, "enabled": channel.enabled, "webhook_url": shown,
            "secret": "******" if channel.secret else ""}


@transaction.atomic
def save_channel(
    district, *, acting_user: User, kind: str, webhook_url: str, enabled: bool, secret: str | None,  # noqa: ANN001
    expected_version: int,
) -> DistrictChannel:
    """Set the district's group robot. `secret=None` keeps the stored one (the form never shows it)."""
    require(can_edit_channels(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以设置通知渠道"))
    if kind not in DistrictChannel.Kind.values:
        raise ValidationError({"kind": _("请选择渠道类型")})
    webhook_url = (webhook_url or "").strip()
    if webhook_url and urlsplit(webhook_url).scheme not in ("http", "https"):
        raise ValidationError({"webhook_url": _("Webhook 地址应以 https:// 或 http:// 开头")})
    if enabled and not webhook_url:
        raise ValidationError({"webhook_url": _("启用前请填写 Webhook 地址")})
    channel, _created = DistrictChannel.objects.select_for_update().get_or_create(district=district)
    if channel.version != expected_version:
        raise StaleEdit(_("通知渠道已被他人修改，您的修改未保存。请刷新页面后再提交。"))
    before = _channel_view(channel)
    channel.kind, channel.webhook_url, channel.enabled = kind, webhook_url, enabled
    if secret is not None:
        channel.secret = secret.strip()
    channel.updated_by, channel.updated_at = acting_user, clock.now()
    channel.version = F("version") + 1
    channel.save()
    channel.refresh_from_db()
    audit.record(actor=acting_user, action="channel", obj=channel, before=before, after=_channel_view(channel))
    return channel


def send_test_message(district, *, acting_user: User) -> bool:  # noqa: ANN001
    """The 'send a test message' button: one message to the robot now, so the office sees it works."""
    require(can_edit_channels(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以设置通知渠道"))
    channel = DistrictChannel.objects.filter(district=district).first()
    if channel is None or not channel.webhook_url:
        raise ValidationError({"webhook_url": _("请先填写并保存 Webhook 地址")})
    title = _("envgov 通知渠道测试")
    text = _("这是一条测试消息：%(district)s的台账通知将发到本群。") % {"district": district}
    return channels.post_webhook(channel, channels.webhook_payload(channel.kind, title, text))


# ---------------------------------------------------------------- the daily digest

def send_digest(day: dt.date) -> int:
    """One mail per digest reader: their notices up to the end of `day` still unread and not yet mailed.
    Returns the number of mails sent. Run daily (daily_check does); running twice sends nothing new."""
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    readers = User.objects.filter(
        is_active=True, notice_preference__delivery=NoticePreference.Delivery.DIGEST,
        notice_preference__email=True,
    ).exclude(email="")
    mails = 0
    for user in readers:
        notices = list(Notice.objects.filter(recipient=user, read_at__isnull=True, emailed_at__isnull=True,
                                             created_at__lt=end).order_by("created_at", "id"))
        if not notices:
            continue
        with translation.override(None):
            subject = ngettext("[envgov] %(day)s 通知摘要：%(n)d 条未读", "[envgov] %(day)s 通知摘要：%(n)d 条未读",
                               len(notices)) % {"day": day.isoformat(), "n": len(notices)}
            parts = []
            for n in notices:
                link = channels.absolute(n.url)
                parts.append(f"■ {n.title}\n{n.body}" + (f"\n{link}" if link else ""))
        if channels.send_email(user.email, subject, "\n\n".join(parts)):
            Notice.objects.filter(pk__in=[n.pk for n in notices]).update(emailed_at=clock.now())
            mails += 1
    return mails
