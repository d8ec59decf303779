"""Every write of the noise app (decision 0035): points created and corrected, measurement files imported
(all or nothing, located errors), sensitive-building zones imported from GeoJSON, and the district's values of
the unconfirmed evaluation rules. Atomic, checked with `noise.permissions`, audited. A town a person picks for
a point stays; otherwise the town boundaries place it from its position (point-in-polygon, decision 0018)."""
from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.accounts.versioned import save_versioned
from envgov.apps.audit import log as audit
from envgov.apps.geo.actions import check_point
from envgov.apps.geo.models import District
from envgov.apps.noise import permissions
from envgov.apps.noise.models import (
    CLASS_CHOICES,
    NoiseImport,
    NoiseMeasurement,
    NoiseParameter,
    NoisePoint,
    SensitiveZone,
)

POINT_FIELDS = ["code", "name", "cls", "lon", "lat", "town", "town_manual", "active"]
CLASSES = [c for c, _label in CLASS_CHOICES]
IMPORT_FIELDS = ["state", "measurements", "points_created"]
ZONE_FIELDS = ["name", "kind", "note"]


# ------------------------------------------------------------------------------------------ points

def _check(district_id: int, data: dict, current: NoisePoint | None = None) -> dict:
    errors = check_point(data.get("lon"), data.get("lat"))
    code = (data.get("code") or "").strip()
    name = (data.get("name") or "").strip()
    if not re.fullmatch(r"[^\s,]{1,60}", code):
        errors["code"] = [_("点位编码须为 1–60 个字符，不含空格和逗号")]
    elif NoisePoint.objects.filter(district_id=district_id, code=code).exclude(pk=getattr(current, "pk", None)).exists():
        errors["code"] = [_("点位编码“%(code)s”已被使用") % {"code": code}]
    if not name:
        errors["name"] = [_("请填写点位名称")]
    if data.get("cls") not in CLASSES:
        errors["cls"] = [_("请选择声环境功能区类别（0、1、2、3、4a、4b）")]
    town = data.get("town")
    if town is not None and town.district_id != district_id:
        errors["town"] = [_("该街乡镇不属于本区")]
    if errors:
        raise ValidationError(errors)
    return {"code": code, "name": name[:80], "cls": data["cls"], "lon": data.get("lon"), "lat": data.get("lat"),
            "town": town, "active": data.get("active", True)}


def _placed(district_id: int, clean: dict, current: NoisePoint | None = None) -> dict:
    from envgov.apps.geo.boundaries import town_of_point
    from envgov.apps.geo.models import Town

    chosen = clean["town"]
    if current is not None and chosen == current.town and not current.town_manual:
        chosen = None  # untouched automatic placement: placed again from the (possibly new) position
    if chosen is not None:
        return {**clean, "town_manual": True}
    town_id = town_of_point(district_id, clean["lon"], clean["lat"]) if clean["lon"] is not None else None
    return {**clean, "town": Town.objects.filter(pk=town_id).first() if town_id else None, "town_manual": False}


@transaction.atomic
def create_point(district: District, *, acting_user: User | None, data: dict, is_simulated: bool = False) -> NoisePoint:
    if acting_user is not None:
        require(permissions.can_import_measurements(acting_user, district),
                _("只有本区的系统管理员或统筹协调人员可以登记噪声监测点位"))
    clean = _placed(district.pk, _check(district.pk, data))
    point = NoisePoint.objects.create(district=district, is_simulated=is_simulated, **clean)
    audit.record(actor=acting_user, action="noise_point_create", obj=point, after=audit.snapshot(point, POINT_FIELDS))
    return point


@transaction.atomic
def update_point(point: NoisePoint, *, acting_user: User, expected_version: int, data: dict) -> NoisePoint:
    require(permissions.can_edit_point(acting_user, point), _("只有本区的系统管理员或统筹协调人员可以修改噪声监测点位"))
    clean = _placed(point.district_id, _check(point.district_id, data, point), point)
    saved = save_versioned(point, clean, acting_user=acting_user, expected_version=expected_version,
                           action="noise_point_update", fields=POINT_FIELDS,
                           stale_message=_("该点位已被他人修改，您的修改未保存。请刷新页面后再提交。"))
    from envgov.apps.noise.services import refresh_noise_targets

    refresh_noise_targets(point.district)  # a class decides the limit every rate counts against
    return saved


# ------------------------------------------------------------------------------------------ measurements

@dataclass
class ImportOutcome:
    record: NoiseImport
    errors: list[dict] = field(default_factory=list)
    targets_updated: int = 0


def _aware(when: dt.datetime) -> dt.datetime:
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def _error_dict(e) -> dict:  # noqa: ANN001 - CellError
    return {"row": e.row or None, "column": e.column or None, "reason": e.reason}


def _refuse(district: District, name: str, user: User | None, errors: list[dict], rows_read: int) -> ImportOutcome:
    record = NoiseImport.objects.create(district=district, file_name=name[:200], uploaded_by=user,
                                        state=NoiseImport.State.REFUSED,
                                        report={"rows_read": rows_read, "errors": errors[:500],
                                                "error_count": len(errors)})
    audit.record(actor=user, action="noise_import", obj=record, after=audit.snapshot(record, IMPORT_FIELDS),
                 note=_("未通过校验：%(n)s 处错误，没有写入任何数据") % {"n": len(errors)})
    return ImportOutcome(record, errors)


def import_file(upload: UploadedFile | Path, *, district: District, acting_user: User | None) -> ImportOutcome:
    """Check a file of functional-area measurements (CSV / XLSX, `envgov.ingest.noise_points`) against the
    district's points and what is stored; when every row is clean store all of it, else nothing.

    A point not registered yet is created from the file (code, name, class, position). For a registered point
    the file's class, name and position must agree with the point (a difference is a located error: nothing a
    user entered is changed silently); a value already stored at the same point, time and period is one too."""
    if acting_user is not None:
        require(permissions.can_import_measurements(acting_user, district),
                _("只有本区的系统管理员或统筹协调人员可以导入噪声监测数据"))
    from envgov.apps.noise.services import in_force
    from envgov.ingest.noise_points import read_measurements
    from envgov.ingest.rows import located

    name = upload.name if isinstance(upload, UploadedFile) else Path(upload).name
    with tempfile.TemporaryDirectory() as tmp:
        if isinstance(upload, Path):
            path = upload
        else:
            path = Path(tmp) / (Path(name).name or "upload.csv")
            with path.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
        with in_force(district.pk):
            data = read_measurements(path)
    rows = data.rows
    rows.file = name
    if not data.ok:
        return _refuse(district, name, acting_user, [_error_dict(e) for e in rows.errors], len(rows.rows))
    errors: list[dict] = []
    stored = {p.code: p for p in NoisePoint.objects.filter(district=district)}
    header = rows.headers
    for code, p in data.points.items():
        have = stored.get(code)
        if have is None:
            continue
        if p.cls != have.cls:
            errors.append({"row": p.row, "column": header.get("class", "class"), "reason": _(
                "点位“%(code)s”已登记为 %(have)s 类，文件写作 %(file)s 类：请先在点位页更正类别，或改正文件") % {
                "code": code, "have": have.cls, "file": p.cls}})
        if p.name and p.name != have.name:
            errors.append({"row": p.row, "column": header.get("name", "name"), "reason": _(
                "点位“%(code)s”已登记的名称为“%(have)s”，文件写作“%(file)s”") % {
                "code": code, "have": have.name, "file": p.name}})
        if p.lon is not None and have.lon is not None and (round(p.lon, 6), round(p.lat, 6)) != (
                round(have.lon, 6), round(have.lat, 6)):
            errors.append({"row": p.row, "column": header.get("lon", "lon"), "reason": _(
                "点位“%(code)s”已登记的经纬度为 %(have)s，文件写作 %(file)s") % {
                "code": code, "have": f"{have.lon:g}、{have.lat:g}", "file": f"{p.lon:g}、{p.lat:g}"}})
        if not have.active:
            errors.append({"row": p.row, "column": header.get("point", "point"), "reason": _(
                "点位“%(code)s”已停用") % {"code": code}})
    ms = data.measurements
    if ms and not errors:
        lo, hi = min(m.time for m in ms), max(m.time for m in ms)
        known = {(m.point.code, timezone.localtime(m.time).replace(tzinfo=None), m.period): m
                 for m in NoiseMeasurement.objects.filter(point__district=district, point__code__in=set(stored),
                                                          time__range=(_aware(lo), _aware(hi))).select_related("point")}
        for m in ms:
            if (m.point, m.time, m.period) in known:
                errors.append({"row": m.row, "column": header.get("time", "time"), "reason": _(
                    "点位“%(code)s”%(time)s 的%(period)s测量值已入库，不能重复导入") % {
                    "code": m.point, "time": m.time.strftime("%Y-%m-%d %H:%M"),
                    "period": NoiseMeasurement.Period(m.period).label}})
    if errors:
        errors.sort(key=lambda e: (e["row"] or 0))
        return _refuse(district, name, acting_user, errors, len(rows.rows))
    with transaction.atomic():
        record = NoiseImport.objects.create(district=district, file_name=name[:200], uploaded_by=acting_user,
                                            state=NoiseImport.State.ACCEPTED,
                                            report={"rows_read": len(rows.rows), "errors": [], "error_count": 0,
                                                    "warnings": [located(name, w) for w in rows.warnings][:50]})
        created = 0
        for code, p in data.points.items():
            if code not in stored:
                stored[code] = create_point(district, acting_user=None, is_simulated=False, data={
                    "code": code, "name": p.name or code, "cls": p.cls, "lon": p.lon, "lat": p.lat, "town": None})
                created += 1
        NoiseMeasurement.objects.bulk_create([
            NoiseMeasurement(point=stored[m.point], time=_aware(m.time), has_clock=m.has_clock, period=m.period,
                             leq=m.leq, lmax=m.lmax, round=m.round[:40], duration=m.duration, source=record, row=m.row)
            for m in ms])
        record.measurements, record.points_created = len(ms), created
        record.save(update_fields=["measurements", "points_created"])
        audit.record(actor=acting_user, action="noise_import", obj=record, after=audit.snapshot(record, IMPORT_FIELDS))
        from envgov.apps.noise.services import refresh_noise_targets

        updated = refresh_noise_targets(district)
    return ImportOutcome(record, [], updated)


# ------------------------------------------------------------------------------------------ zones

@dataclass
class ZoneOutcome:
    created: list[SensitiveZone] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def import_zones(district: District, raw: bytes, *, file_name: str, acting_user: User | None, crs: str = "wgs84",
                 is_simulated: bool = False, max_bytes: int | None = None) -> ZoneOutcome:
    """Add the zones of a GeoJSON file (each feature a named area); any error, or a name the district already
    has, and nothing is added. Errors are located Chinese sentences (file, feature, property, reason)."""
    if acting_user is not None:
        require(permissions.can_import_zones(acting_user, district),
                _("只有本区的系统管理员或统筹协调人员可以导入噪声敏感建筑物集中区域"))
    from envgov.geo.zone_file import read_zones

    reading = read_zones(raw, crs=crs, max_bytes=max_bytes)
    out = ZoneOutcome()
    for e in reading.errors:
        where = [file_name] + ([_("第 %(n)s 个要素") % {"n": e.feature}] if e.feature else []) + (
            [_("属性「%(p)s」") % {"p": e.prop}] if e.prop else [])
        out.errors.append("，".join(where) + "：" + (_(e.template) % dict(e.values) if e.values else _(e.template)))
    if out.errors:
        return out
    have = set(SensitiveZone.objects.filter(district=district).values_list("name", flat=True))
    for z in reading.zones:
        if z.name in have:
            out.errors.append(_("%(file)s，第 %(n)s 个要素，属性「name」：本区已有同名区域“%(name)s”（请改名，或先删除原区域）")
                              % {"file": file_name, "n": z.feature, "name": z.name})
    if out.errors:
        return out
    with transaction.atomic():
        for z in reading.zones:
            zone = SensitiveZone.objects.create(district=district, name=z.name, kind=z.kind, note=z.note,
                                                boundary=z.geometry, source_file=file_name[:200],
                                                is_simulated=is_simulated)
            audit.record(actor=acting_user, action="noise_zone_import", obj=zone,
                         after=audit.snapshot(zone, ZONE_FIELDS))
            out.created.append(zone)
    return out


@transaction.atomic
def delete_zone(zone: SensitiveZone, *, acting_user: User) -> None:
    require(permissions.can_import_zones(acting_user, zone.district_id),
            _("只有本区的系统管理员或统筹协调人员可以删除噪声敏感建筑物集中区域"))
    audit.record(actor=acting_user, action="noise_zone_delete", obj=zone,
                 before=audit.snapshot(zone, ZONE_FIELDS))
    zone.delete()


# ------------------------------------------------------------------------------------------ parameters

@transaction.atomic
def set_noise_parameters(district: District, *, acting_user: User, values: Mapping[str, object],
                         reason: str) -> dict[str, tuple[object, object]]:
    """Set the district's values (checked by `PARAMETERS.clean`; ValueError with a Chinese message), log each
    change with its reason, and recompute the noise targets under the new values."""
    from envgov.standards.noise.parameters import PARAMETERS

    require(permissions.can_set_noise_parameters(acting_user, district),
            _("只有本区的系统管理员或统筹协调人员可以设置噪声评价参数"))
    cleaned = PARAMETERS.clean(values)
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(_("请填写依据（如标准原文条款、上级文件或会议纪要）"))
    existing = {p.key: p for p in NoiseParameter.objects.select_for_update().filter(district=district)}
    changed: dict[str, tuple[object, object]] = {}
    for key, new in cleaned.items():
        row = existing.get(key)
        old = row.value if row else PARAMETERS.defaults[key]
        if old == new:
            continue
        row = row or NoiseParameter(district=district, key=key)
        row.value, row.reason, row.set_by = new, reason[:200], acting_user
        row.save()
        audit.record(actor=acting_user, action="set_parameter", obj=row, before={"value": old}, after={"value": new},
                     note=f"{PARAMETERS.by_key[key].label}；依据：{reason}"[:300])
        changed[key] = (old, new)
    if changed:
        from envgov.apps.noise.services import refresh_noise_targets

        refresh_noise_targets(district)
    return changed
