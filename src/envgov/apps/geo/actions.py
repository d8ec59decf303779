"""Changes the district administrator makes to the district's towns (街道/乡镇): create, edit, deactivate
and reactivate. A town is never deleted: its tasks, reports and users keep pointing at it.

Atomic, checked with `accounts.permissions`, optimistic locking on `version`, audited.
"""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from envgov.apps.accounts import permissions
from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.accounts.versioned import save_versioned
from envgov.apps.geo.models import Town
from envgov.apps.audit import log as audit

TOWN_FIELDS = ["code", "name", "official_name", "kind", "lon", "lat", "active"]


def _stale() -> str:  # a message, translated when it is shown
    return _("该街乡镇已被他人修改，您的修改未保存。请刷新页面后再提交。")


def check_point(lon: float | None, lat: float | None) -> dict[str, list[str]]:
    """Errors of a WGS84 point given as longitude and latitude: both or neither, each in range."""
    errors: dict[str, list[str]] = {}
    if (lon is None) != (lat is None):
        errors["lat" if lat is None else "lon"] = [_("经度和纬度须同时填写或同时留空")]
    if lon is not None and not -180 <= lon <= 180:
        errors["lon"] = [_("经度须在 -180 到 180 之间")]
    if lat is not None and not -90 <= lat <= 90:
        errors["lat"] = [_("纬度须在 -90 到 90 之间")]
    return errors


def _check(district_id: int, data: dict, exclude_pk: int | None = None) -> dict:
    errors = check_point(data.get("lon"), data.get("lat"))
    code = (data.get("code") or "").strip()
    name = (data.get("name") or "").strip()
    if not re.fullmatch(r"\d{12}", code):
        errors["code"] = [_("区划代码须为 12 位数字（统计用区划代码）")]
    elif Town.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        errors["code"] = [_("区划代码“%(code)s”已被使用") % {"code": code}]
    if not name:
        errors["name"] = [_("请填写名称")]
    elif Town.objects.filter(district_id=district_id, name=name).exclude(pk=exclude_pk).exists():
        errors["name"] = [_("本区已有名为“%(name)s”的街乡镇") % {"name": name}]
    if data.get("kind") not in Town.Kind.values:
        errors["kind"] = [_("请选择类型")]
    if errors:
        raise ValidationError(errors)
    return {"code": code, "name": name[:50], "official_name": (data.get("official_name") or "").strip()[:80],
            "kind": data["kind"], "lon": data.get("lon"), "lat": data.get("lat")}


@transaction.atomic
def create_town(*, acting_user: User, data: dict) -> Town:
    require(permissions.can_manage_towns(acting_user, acting_user.district_id), _("您不能管理本区以外的街乡镇"))
    town = Town.objects.create(district_id=acting_user.district_id, **_check(acting_user.district_id, data))
    audit.record(actor=acting_user, action="town_create", obj=town, after=audit.snapshot(town, TOWN_FIELDS))
    return town


@transaction.atomic
def update_town(town: Town, *, acting_user: User, expected_version: int, data: dict) -> Town:
    require(permissions.can_edit_town(acting_user, town), _("您不能管理本区以外的街乡镇"))
    return save_versioned(town, _check(town.district_id, data, exclude_pk=town.pk), acting_user=acting_user,
                          expected_version=expected_version, action="town_update", fields=TOWN_FIELDS,
                          stale_message=_stale())


@transaction.atomic
def set_town_active(town: Town, *, acting_user: User, active: bool, expected_version: int) -> Town:
    require(permissions.can_edit_town(acting_user, town), _("您不能管理本区以外的街乡镇"))
    return save_versioned(town, {"active": active}, acting_user=acting_user, expected_version=expected_version,
                          action="town_activate" if active else "town_deactivate", fields=TOWN_FIELDS,
                          stale_message=_stale())
