"""Changes to the key areas (decision 0038): draw an area around a station, change its range, bring in its
strict zones from a GeoJSON file (all or nothing), set the estimate's parameters, refresh a month's ledger
(the same month again rebuilds it: no duplicate rows), check off a site's measures. Each is atomic, checked
with `keyareas.permissions` and audited."""
from __future__ import annotations

import math
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.accounts.versioned import save_versioned
from envgov.apps.audit import clock
from envgov.apps.audit import log as audit
from envgov.apps.geo.actions import check_point
from envgov.apps.keyareas import permissions, services
from envgov.apps.keyareas.models import (KeyArea, KeyAreaParameter, LedgerMonth, LedgerRow, MeasureCheck,
                                         StrictZone)
from envgov.geo import areas
from envgov.geo.boundary_file import FileError
from envgov.rules import keyareas as rule

AREA_FIELDS = ["name", "station", "shape", "diameter_m", "centre_lon", "centre_lat", "polygon"]
MAX_DIAMETER_M = 20000.0
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _check_area(district_id: int, data: dict, current: KeyArea | None = None) -> dict:
    from envgov.apps.air.models import Station

    errors = check_point(data.get("centre_lon"), data.get("centre_lat"))
    station = data.get("station") if current is None else current.station
    if current is None:
        if station is None or station.district_id != district_id or station.kind not in rule.STATION_KINDS:
            errors["station"] = [_("请选择本区的国控或市控空气质量监测站")]
        elif KeyArea.objects.filter(station=station).exists():
            errors["station"] = [_("该站点已划定重点区域")]
    shape = data.get("shape") or KeyArea.Shape.CIRCLE
    if shape not in KeyArea.Shape.values:
        errors["shape"] = [_("请选择范围形状")]
    diameter = data.get("diameter_m")
    if diameter is None:
        diameter = rule.DEFAULT_DIAMETER_M
    if not (isinstance(diameter, (int, float)) and math.isfinite(diameter) and 0 < diameter <= MAX_DIAMETER_M):
        errors["diameter_m"] = [_("直径须大于 0 且不超过 %(max)s 米") % {"max": int(MAX_DIAMETER_M)}]
    polygon = data.get("polygon", current.polygon if current else None)
    if shape == KeyArea.Shape.POLYGON and not polygon:
        errors["polygon"] = [_("多边形范围须导入 GeoJSON 文件")]
    if shape == KeyArea.Shape.CIRCLE and not errors:
        has_centre = data.get("centre_lon") is not None or (station is not None and station.lon is not None
                                                             and station.lat is not None)
        if not has_centre:
            errors["centre_lon"] = [_("站点没有坐标，请填写区域中心的经纬度")]
    name = (data.get("name") or "").strip() or (f"{station.name}{_('重点区域')}" if station else "")
    if errors:
        raise ValidationError(errors)
    return {"name": name[:80], "shape": shape, "diameter_m": float(diameter), "centre_lon": data.get("centre_lon"),
            "centre_lat": data.get("centre_lat"), "polygon": polygon}


@transaction.atomic
def create_area(district, *, acting_user: User | None, data: dict, is_simulated: bool = False) -> KeyArea:
    if acting_user is not None:
        require(permissions.can_edit_keyareas(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以划定重点区域"))
    clean = _check_area(district.pk, data)
    area = KeyArea.objects.create(district=district, station=data["station"], is_simulated=is_simulated, **clean)
    audit.record(actor=acting_user, action="keyareas_area_create", obj=area, after=audit.snapshot(area, AREA_FIELDS))
    return area


@transaction.atomic
def update_area(area: KeyArea, *, acting_user: User, expected_version: int, data: dict) -> KeyArea:
    require(permissions.can_edit_keyareas(acting_user, area.district_id), _("只有本区的系统管理员或统筹协调人员可以修改重点区域"))
    clean = _check_area(area.district_id, data, area)
    return save_versioned(area, clean, acting_user=acting_user, expected_version=expected_version,
                          action="keyareas_area_update", fields=AREA_FIELDS,
                          stale_message=_("该重点区域已被他人修改，您的修改未保存。请刷新页面后再提交。"))


def file_errors(errors: list[FileError], file_name: str) -> list[str]:
    """Located messages of a GeoJSON reading: file, feature, property, reason."""
    out = []
    for e in errors:
        reason = _(e.template) % dict(e.values) if e.values else _(e.template)
        if e.feature is None:
            out.append(_("%(file)s：%(reason)s") % {"file": file_name, "reason": reason})
        else:
            out.append(_("%(file)s 第 %(n)s 个要素（%(prop)s）：%(reason)s") % {
                "file": file_name, "n": e.feature, "prop": e.prop, "reason": reason})
    return out


class FileRefused(ValueError):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("；".join(messages))
        self.messages = messages


@transaction.atomic
def import_zones(area: KeyArea, *, acting_user: User | None, raw: bytes, file_name: str, crs: str,
                 is_simulated: bool = False) -> list[StrictZone]:
    """Replace the area's strict zones by the file's polygons (all or nothing)."""
    from envgov.geo.zone_file import read_zones

    if acting_user is not None:
        require(permissions.can_edit_keyareas(acting_user, area.district_id), _("只有本区的系统管理员或统筹协调人员可以导入严控区"))
    reading = read_zones(raw, crs=crs, max_bytes=5 * 1024 * 1024, names_required=False)
    if reading.errors:
        raise FileRefused(file_errors(reading.errors, file_name))
    before = {"严控区": "、".join(area.zones.values_list("name", flat=True))}
    area.zones.all().delete()
    zones = [StrictZone.objects.create(key_area=area, name=z.name or f"{_('严控区')}{i}", polygon=z.geometry,
                                       source_file=file_name[:200], is_simulated=is_simulated)
             for i, z in enumerate(reading.zones, start=1)]
    audit.record(actor=acting_user, action="keyareas_zones_import", obj=area, before=before,
                 after={"严控区": "、".join(z.name for z in zones)}, note=file_name)
    return zones


@transaction.atomic
def set_area_polygon(area: KeyArea, *, acting_user: User, raw: bytes, file_name: str, crs: str,
                     expected_version: int) -> KeyArea:
    from envgov.geo.zone_file import read_zones

    require(permissions.can_edit_keyareas(acting_user, area.district_id), _("只有本区的系统管理员或统筹协调人员可以修改重点区域"))
    reading = read_zones(raw, crs=crs, max_bytes=5 * 1024 * 1024, single=True, names_required=False)
    if reading.errors:
        raise FileRefused(file_errors(reading.errors, file_name))
    return save_versioned(area, {"shape": KeyArea.Shape.POLYGON, "polygon": reading.zones[0].geometry},
                          acting_user=acting_user, expected_version=expected_version, action="keyareas_area_update",
                          fields=AREA_FIELDS, stale_message=_("该重点区域已被他人修改，您的修改未保存。请刷新页面后再提交。"))


@transaction.atomic
def set_parameters(district, *, acting_user: User, values: dict[str, str], reason: str,
                   is_simulated: bool = False) -> list[str]:
    """Set (or clear, with an empty value) the district's factors and shares; returns the keys changed."""
    require(permissions.can_edit_keyareas(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以设定测算参数"))
    known = {p.key: p for p in services.parameters()}
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(_("请填写设定依据"))
    changed = []
    for key, raw in values.items():
        if key not in known:
            continue
        p = known[key]
        text = (raw or "").strip()
        current = KeyAreaParameter.objects.filter(district=district, key=key).first()
        if not text:
            if current is not None:
                audit.record(actor=acting_user, action="keyareas_parameters_set", obj=current,
                             before={"key": services.parameter_label(key), "value": current.value},
                             after={"key": services.parameter_label(key), "value": None},
                             note=reason)
                current.delete()
                changed.append(key)
            continue
        try:
            value = float(text)
        except ValueError:
            raise ValueError(_("“%(label)s”须为数字，实为“%(value)s”") % {"label": _(p.label), "value": text}) from None
        if not math.isfinite(value) or value < 0 or (p.share and value > 1):
            raise ValueError((_("“%(label)s”须在 0 到 1 之间") if p.share else _("“%(label)s”须为非负数"))
                             % {"label": _(p.label)})
        if current is not None and current.value == value:
            continue
        label = services.parameter_label(key)
        before = {"key": label, "value": current.value if current else None}
        obj, _created = KeyAreaParameter.objects.update_or_create(
            district=district, key=key, defaults={"value": value, "reason": reason[:200], "set_by": acting_user,
                                                  "is_simulated": is_simulated})
        audit.record(actor=acting_user, action="keyareas_parameters_set", obj=obj, before=before,
                     after={"key": label, "value": value}, note=reason)
        changed.append(key)
    return changed


@transaction.atomic
def refresh_month(district, *, acting_user: User | None, month: str | None = None) -> LedgerMonth:
    """Build (or rebuild) the month's ledger: the same month twice gives the same rows, never duplicates."""
    if acting_user is not None:
        require(permissions.can_edit_keyareas(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以更新台账"))
    month = month or clock.today().strftime("%Y-%m")
    if not MONTH.fullmatch(month):
        raise ValueError(_("月份须为 YYYY-MM，实为“%(month)s”") % {"month": month})
    ledger, created = LedgerMonth.objects.get_or_create(district=district, month=month,
                                                        defaults={"refreshed_at": clock.now(),
                                                                  "refreshed_by": acting_user})
    before = {"台账条数": ledger.rows.count()} if not created else None
    ledger.rows.all().delete()
    rows = services.build_rows(district)
    LedgerRow.objects.bulk_create([LedgerRow(ledger=ledger, key_area=r["key_area"], source_kind=r["source_kind"],
                                             source_id=r["source_id"], source_name=r["source_name"][:120],
                                             town_id=r["town_id"], zone=r["zone"], activity=r["activity"],
                                             activity_unit=r["activity_unit"], factor=r["factor"],
                                             emission_t=r["emission_t"], space_t=r["space_t"],
                                             reason=r["reason"], values=r["values"],
                                             open_measures=r["open_measures"]) for r in rows])
    if not created:
        ledger.refreshed_at, ledger.refreshed_by = clock.now(), acting_user
        ledger.version += 1
        ledger.save(update_fields=["refreshed_at", "refreshed_by", "version"])
    audit.record(actor=acting_user, action="keyareas_refresh", obj=ledger, before=before,
                 after={"台账条数": len(rows)}, note=month)
    return ledger


@transaction.atomic
def check_measure(site, *, acting_user: User, measure: str, done: bool, note: str = "") -> MeasureCheck:  # noqa: ANN001
    """Check off (or undo) one measure the site's zone requires."""
    require(permissions.can_check_measures(acting_user, site), _("只有本区统筹协调人员或工地所在街乡镇填报员可以确认措施"))
    _area, zone = services.site_zone(site)
    codes = [m.code for m, _s in rule.measures_for(zone)]
    if measure not in codes:
        raise ValidationError({"measure": [_("该工地所在分区没有这项措施")]})
    note = (note or "").strip()[:300]
    check, _created = MeasureCheck.objects.get_or_create(site=site, measure=measure,
                                                         defaults={"district_id": site.district_id})
    before = audit.snapshot(check, ["done", "note", "checked_by", "checked_at"])
    check.done, check.note = done, note
    check.checked_by, check.checked_at = acting_user, clock.now()
    check.version += 1
    check.save()
    audit.record(actor=acting_user, action="keyareas_measure_check", obj=check, before=before,
                 after=audit.snapshot(check, ["done", "note", "checked_by", "checked_at"]), note=note)
    return check
