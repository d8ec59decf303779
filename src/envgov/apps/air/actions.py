"""Changes the district administrator makes to the district's monitoring stations: create, edit,
deactivate and reactivate. A station is never deleted: its daily results stay with it.

Atomic, checked with `accounts.permissions`, optimistic locking on `version`, audited.
"""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from envgov.apps.accounts import permissions
from envgov.apps.air import permissions as data_permissions
from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.accounts.versioned import save_versioned
from envgov.apps.geo.actions import check_point
from envgov.apps.air.models import ExceptionalDay, Station
from envgov.apps.audit import log as audit

STATION_FIELDS = ["code", "name", "kind", "town", "town_manual", "lon", "lat", "active"]


def _stale() -> str:  # a message, translated when it is shown
    return _("该站点已被他人修改，您的修改未保存。请刷新页面后再提交。")


def _check(district_id: int, data: dict, exclude_pk: int | None = None) -> dict:
    errors = check_point(data.get("lon"), data.get("lat"))
    code = (data.get("code") or "").strip()
    name = (data.get("name") or "").strip()
    town = data.get("town")
    if not re.fullmatch(r"[0-9A-Za-z_.\-]{1,40}", code):
        errors["code"] = [_("站点代码须为 1–40 位字母、数字、点、横线或下划线")]
    elif Station.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        errors["code"] = [_("站点代码“%(code)s”已被使用") % {"code": code}]
    if not name:
        errors["name"] = [_("请填写名称")]
    if data.get("kind") not in Station.Kind.values:
        errors["kind"] = [_("请选择类型")]
    if town is not None and town.district_id != district_id:
        errors["town"] = [_("该街乡镇不属于本区")]
    if errors:
        raise ValidationError(errors)
    return {"code": code, "name": name[:80], "kind": data["kind"], "town": town,
            "lon": data.get("lon"), "lat": data.get("lat")}


def _placed(district_id: int, clean: dict, current: Station | None = None) -> dict:
    """A town a person picks stays (`town_manual`); choosing none, or leaving an automatic one as it was,
    lets the town boundaries decide from the coordinates (point-in-polygon, decision 0018)."""
    from envgov.apps.geo.boundaries import town_of_point

    chosen = clean["town"]
    if current is not None and chosen == current.town and not current.town_manual:
        chosen = None  # untouched automatic placement: placed again from the (possibly new) coordinates
    if chosen is not None:
        return {**clean, "town_manual": True}
    town_id = town_of_point(district_id, clean["lon"], clean["lat"]) if clean["lon"] is not None else None
    from envgov.apps.geo.models import Town

    return {**clean, "town": Town.objects.filter(pk=town_id).first() if town_id else None, "town_manual": False}


@transaction.atomic
def create_station(*, acting_user: User, data: dict) -> Station:
    require(permissions.can_manage_stations(acting_user, acting_user.district_id), _("您不能管理本区以外的监测站点"))
    clean = _placed(acting_user.district_id, _check(acting_user.district_id, data))
    station = Station.objects.create(district_id=acting_user.district_id, **clean)
    audit.record(actor=acting_user, action="station_create", obj=station,
                 after=audit.snapshot(station, STATION_FIELDS))
    return station


@transaction.atomic
def update_station(station: Station, *, acting_user: User, expected_version: int, data: dict) -> Station:
    require(permissions.can_edit_station(acting_user, station), _("您不能管理本区以外的监测站点"))
    clean = _placed(station.district_id, _check(station.district_id, data, exclude_pk=station.pk), station)
    return save_versioned(station, clean, acting_user=acting_user,
                          expected_version=expected_version, action="station_update", fields=STATION_FIELDS,
                          stale_message=_stale())


@transaction.atomic
def set_station_active(station: Station, *, acting_user: User, active: bool, expected_version: int) -> Station:
    require(permissions.can_edit_station(acting_user, station), _("您不能管理本区以外的监测站点"))
    return save_versioned(station, {"active": active}, acting_user=acting_user, expected_version=expected_version,
                          action="station_activate" if active else "station_deactivate", fields=STATION_FIELDS,
                          stale_message=_stale())


@transaction.atomic
def mark_exceptional_day(district, *, acting_user: User, day, note: str, kind: str = "沙尘"):  # noqa: ANN001, ANN201
    """标记沙尘日: the day counts as affected by an exceptional event for 扣除沙尘 targets. Records who
    marked it and when (on the row and in the audit log). Marking a day already marked changes nothing.
    Returns (day, created)."""
    require(data_permissions.can_mark_exceptional_day(acting_user, district),
            _("只有本区的系统管理员或统筹协调人员可以标记异常事件日"))
    note = (note or "").strip()[:200]
    if not note:
        raise ValidationError({"note": _("请填写依据")})
    from envgov.apps.audit import clock

    marked, created = ExceptionalDay.objects.get_or_create(
        district=district, day=day, kind=kind,
        defaults={"note": note, "marked_by": acting_user, "marked_at": clock.now()})
    if created:
        audit.record(actor=acting_user, action="exceptional_day", obj=marked,
                     after=audit.snapshot(marked, ["day", "kind", "note", "marked_by"]), note=note)
    return marked, created
