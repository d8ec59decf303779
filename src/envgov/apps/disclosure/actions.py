"""Writes of 信息公开: a coordinator creates and edits drinking-water safety entries and publishes or withdraws
them. Checked with `disclosure.permissions`, optimistic locking on `version`, audited."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.accounts.versioned import save_versioned
from envgov.apps.audit import log as audit
from envgov.apps.disclosure import permissions
from envgov.apps.disclosure.models import DrinkingWaterNotice

FIELDS = ["title", "body", "published_on", "published"]


def _check(data: dict) -> dict:
    errors = {}
    title, body = (data.get("title") or "").strip(), (data.get("body") or "").strip()
    if not title:
        errors["title"] = [_("请填写标题")]
    if not body:
        errors["body"] = [_("请填写正文")]
    if data.get("published_on") is None:
        errors["published_on"] = [_("请填写发布日期")]
    if errors:
        raise ValidationError(errors)
    return {"title": title[:120], "body": body[:4000], "published_on": data["published_on"],
            "published": bool(data.get("published"))}


@transaction.atomic
def create_notice(district, *, acting_user: User | None, data: dict,  # noqa: ANN001
                  is_simulated: bool = False) -> DrinkingWaterNotice:
    if acting_user is not None:
        require(permissions.can_edit_notices(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以编辑公开信息"))
    notice = DrinkingWaterNotice.objects.create(district=district, updated_by=acting_user, is_simulated=is_simulated,
                                                **_check(data))
    audit.record(actor=acting_user, action="disclosure_create", obj=notice, after=audit.snapshot(notice, FIELDS))
    return notice


@transaction.atomic
def update_notice(notice: DrinkingWaterNotice, *, acting_user: User, expected_version: int,
                  data: dict) -> DrinkingWaterNotice:
    require(permissions.can_edit_notice(acting_user, notice), _("只有本区的系统管理员或统筹协调人员可以编辑公开信息"))
    clean = {**_check(data), "updated_by": acting_user}
    return save_versioned(notice, clean, acting_user=acting_user, expected_version=expected_version,
                          action="disclosure_update", fields=FIELDS,
                          stale_message=_("该条信息已被他人修改，您的修改未保存。请刷新页面后再提交。"))
