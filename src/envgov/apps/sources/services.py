"""Reading the source inventory for pages and the API (scoped querysets, rows, duplicates, the audit sample,
the soil list's due dates) and the template import/export (decision 0030)."""
from __future__ import annotations

import datetime as dt
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require, sees_whole_district, speaks_for_town
from envgov.apps.sources import permissions
from envgov.apps.sources.models import MODELS, Enterprise, PermitReport, SourceImport
from envgov.ingest import rows as R
from envgov.ingest import sources as spec
from envgov.rules import sources as rules


# ---------------------------------------------------------------- scope

def sources_for(user: User, kind: str) -> QuerySet:
    """The sources of a kind a user may read: the district for oversight roles, the own town for town
    reporters (and leaders bound to a town), none otherwise."""
    qs = MODELS[kind].objects.select_related("town")
    if not (user and user.is_authenticated and user.district_id):
        return qs.none()
    qs = qs.filter(district_id=user.district_id)
    if sees_whole_district(user):
        return qs
    if speaks_for_town(user) and user.town_id:
        return qs.filter(town_id=user.town_id)
    return qs.none()


def towns_for_edit(user: User) -> QuerySet:
    from envgov.apps.geo.models import Town

    qs = Town.objects.filter(district_id=user.district_id).order_by("code")
    if user.role in (User.Role.ADMIN, User.Role.COORDINATOR):
        return qs
    return qs.filter(pk=user.town_id) if user.role == User.Role.TOWN_REPORTER and user.town_id else qs.none()


def towns_for_view(user: User) -> QuerySet:
    from envgov.apps.geo.models import Town

    qs = Town.objects.filter(district_id=user.district_id).order_by("code")
    if sees_whole_district(user):
        return qs
    return qs.filter(pk=user.town_id) if speaks_for_town(user) and user.town_id else qs.none()


# ---------------------------------------------------------------- rows of a kind

def display(obj, f: spec.Field) -> Any:  # noqa: ANN001
    """A cell of the list / export as a person reads it."""
    if f.key == "id":
        return obj.pk
    if f.key == "town":
        return obj.town.name
    if f.key == "receiving_water":
        return obj.receiving_water.name
    if f.key in ("channel", "channel_kind", "discharger_code"):
        ch = obj.channels.select_related("discharger").first()
        if ch is None:
            return ""
        return {"channel": ch.name, "channel_kind": ch.kind,
                "discharger_code": ch.discharger.credit_code if ch.discharger else ""}[f.key]
    if f.key == "last_cleaned":
        return obj.last_cleaned
    v = getattr(obj, f.key)
    if f.type == "bool":
        return gettext("是") if v else gettext("否")
    if f.type == "choice":
        return getattr(obj, f"get_{f.key}_display")() if v else ""
    return "" if v is None else v


def counts(user: User) -> list[tuple[str, str, int]]:
    return [(slug, gettext(k.label), sources_for(user, slug).count()) for slug, k in spec.KINDS.items()]


# ---------------------------------------------------------------- templates and export

def _workbook(kind: str, objs) -> bytes:  # noqa: ANN001
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    k = spec.KINDS[kind]
    wb = Workbook()
    ws = wb.active
    ws.title = gettext(k.label)[:31]
    fill = PatternFill("solid", fgColor="DDEBF7")
    for i, f in enumerate(k.fields, start=1):
        c = ws.cell(row=1, column=i, value=gettext(f.names[0]))
        c.font = Font(name="宋体", bold=True, color="C00000" if f.required or f.key in ("name", "town") else "000000")
        c.fill = fill
        ws.column_dimensions[get_column_letter(i)].width = f.width
    for r, obj in enumerate(objs, start=2):
        for i, f in enumerate(k.fields, start=1):
            v = display(obj, f)
            ws.cell(row=r, column=i, value=v)
            if isinstance(v, dt.date):
                ws.cell(row=r, column=i).number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    notes = wb.create_sheet(gettext("填写说明"))
    notes.append([gettext("列"), gettext("必填"), gettext("说明")])
    for f in k.fields:
        notes.append([gettext(f.names[0]), gettext("是") if f.required else "", _hint(f)])
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["C"].width = 80
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _hint(f: spec.Field) -> str:
    if f.key == "id":
        return gettext("新增留空；导出的记录带编号，修改后导入即更新该记录")
    if f.type == "choice":
        return gettext("可选：") + "、".join(gettext(label) for _v, label in f.choices)
    return {
        "bool": gettext("是 或 否"), "date": gettext("日期，如 2024-03-05"), "int": gettext("非负整数"),
        "float": gettext("非负数"), "lon": gettext("WGS84 经度，与纬度同时填写"), "lat": gettext("WGS84 纬度"),
        "credit_code": gettext("18 位统一社会信用代码，按 GB 32100-2015 校验第 18 位"),
        "town": gettext("本区街乡镇名称或 12 位代码"),
    }.get(f.type, "")


def template_xlsx(kind: str) -> bytes:
    return _workbook(kind, [])


def export_xlsx(user: User, kind: str, town_id: int | None = None) -> bytes:
    qs = sources_for(user, kind)
    if town_id:
        qs = qs.filter(town_id=town_id)
    return _workbook(kind, qs.order_by("pk"))


# ---------------------------------------------------------------- import

@dataclass
class ImportOutcome:
    record: SourceImport
    messages: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.record.state == SourceImport.State.ACCEPTED


def _plain(e) -> dict[str, Any]:  # noqa: ANN001
    return {"row": e.row, "column": e.column, "reason": e.reason, "template": e.template, "values": dict(e.values)}


def translated(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for e in entries:
        reason = e["reason"]
        if e.get("template"):
            reason = gettext(e["template"]) % e["values"] if e["values"] else gettext(e["template"])
        out.append({**e, "reason": reason})
    return out


def town_lookup(district) -> dict[str, int]:  # noqa: ANN001
    from envgov.apps.geo.models import Town

    out: dict[str, int] = {}
    for t in Town.objects.filter(district=district):
        out[t.name] = t.pk
        out[t.code] = t.pk
    return out


def existing(district, kind: str) -> spec.Existing:  # noqa: ANN001
    k = spec.KINDS[kind]
    records = {}
    for obj in MODELS[kind].objects.filter(district=district):
        records[obj.pk] = (obj.name, getattr(obj, k.code_field, "") if k.code_field else "", obj.address_key)
    return spec.Existing(records)


def import_file(upload: UploadedFile | Path, kind: str, *, district, acting_user: User | None,  # noqa: ANN001
                is_simulated: bool = False) -> ImportOutcome:
    """Check a filled template and, when every row is clean, write all of it (else nothing)."""
    from envgov.apps.sources import actions

    if acting_user is not None:
        require(permissions.can_import_sources(acting_user, district), gettext("只有本区的系统管理员或统筹协调人员可以导入污染源"))
    k = spec.KINDS[kind]
    name = upload.name if isinstance(upload, UploadedFile) else Path(upload).name
    with tempfile.TemporaryDirectory() as tmp:
        if isinstance(upload, Path):
            path = upload
        else:
            path = Path(tmp) / Path(name).name
            with path.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
        rows = R.read_rows(path, spec.columns(k))
    rows.file = name
    records = spec.parse(k, rows, town_lookup(district), existing(district, kind), district.name) if rows.ok else []
    if kind == "outfall" and rows.ok:
        known = set(Enterprise.objects.filter(district=district).values_list("credit_code", flat=True))
        for n, values in records:
            if values.get("discharger_code") and values["discharger_code"] not in known:
                rows.error(n, "discharger_code", spec.gettext_noop("本区企业中没有统一社会信用代码为 %(code)s 的排污单位"),
                           code=values["discharger_code"])
    errors, warnings = [_plain(e) for e in rows.errors], [_plain(e) for e in rows.warnings]
    if not rows.ok:
        record = SourceImport.objects.create(district=district, kind=kind, file_name=name[:200],
                                             state=SourceImport.State.REFUSED, errors=errors, warnings=warnings,
                                             uploaded_by=acting_user)
        return ImportOutcome(record, translated(errors), translated(warnings))
    with transaction.atomic():
        created, updated = actions.apply_import(kind, district, records, acting_user=acting_user,
                                                is_simulated=is_simulated)
        record = SourceImport.objects.create(district=district, kind=kind, file_name=name[:200], created=created,
                                             updated=updated, state=SourceImport.State.ACCEPTED, warnings=warnings,
                                             uploaded_by=acting_user)
        from envgov.apps.audit import log as audit

        audit.record(actor=acting_user, action="source_import", obj=record,
                     note=f"{kind}: +{created} / ~{updated}")
    return ImportOutcome(record, [], translated(warnings))


# ---------------------------------------------------------------- duplicates

@dataclass
class DuplicateGroup:
    kind: str
    kind_label: str
    reason: str
    value: str
    objects: list[Any]


def duplicates(user: User) -> list[DuplicateGroup]:
    out: list[DuplicateGroup] = []
    for slug, k in spec.KINDS.items():
        objs = {o.pk: o for o in sources_for(user, slug)}
        recs = [(o.pk, getattr(o, k.code_field, "") if k.code_field else "", o.address_key) for o in objs.values()]
        for g in spec.duplicate_groups(recs):
            reason = gettext(k.code_what) if g.reason == "code" else gettext("地址")
            value = g.value if g.reason == "code" else objs[g.ids[0]].address
            out.append(DuplicateGroup(slug, gettext(k.label), reason, value, [objs[i] for i in g.ids]))
    return out


# ---------------------------------------------------------------- permit-report audit (1/3 sampling)

@dataclass
class AuditRow:
    enterprise: Enterprise
    report: PermitReport | None
    picked: bool
    reason: str


@dataclass
class AuditSample:
    year: int
    holders: int
    required: int
    rows: list[AuditRow]
    on_time: int
    due: int

    @property
    def picked(self) -> int:
        return sum(1 for r in self.rows if r.picked)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    @property
    def on_time_target(self) -> float:
        return float(rules.ON_TIME_TARGET)


def permit_holders(district) -> QuerySet:  # noqa: ANN001
    return (Enterprise.objects.filter(district=district, permit_class__in=("key", "simplified"))
            .exclude(permit_number="").select_related("town").order_by("credit_code"))


def audit_sample(district, year: int) -> AuditSample:  # noqa: ANN001
    """The permit holders whose annual report of `year` is audited, by `envgov.rules.sources.audit_sample`
    (seed: district code and year, so the list is the same each time it is opened)."""
    holders = list(permit_holders(district))
    reports = {r.enterprise_id: r for r in PermitReport.objects.filter(enterprise__in=holders, year=year)}
    seed = f"{getattr(district, 'adcode', '') or district.pk}-{year}"
    sample = rules.audit_sample([rules.Holder(e.credit_code, e.permit_valid_from, e.key_industry,
                                              bool(reports.get(e.pk) and reports[e.pk].audit_status))
                                 for e in holders], seed)
    reasons = {p.key: p.reason for p in sample.picks}
    rows = [AuditRow(e, reports.get(e.pk), e.credit_code in reasons, gettext(reasons[e.credit_code])
                     if e.credit_code in reasons else "") for e in holders]
    rows.sort(key=lambda r: (not r.picked, r.enterprise.town.name, r.enterprise.name))
    on_time, due = rules.on_time_rate((r.due_date, r.submitted_on) for r in reports.values())
    return AuditSample(year, sample.holders, sample.required, rows, on_time, due)


# ---------------------------------------------------------------- soil priority list

def soil_status(user: User, today: dt.date) -> dict[str, Any]:
    due = rules.soil_list_due(today)
    previous = rules.soil_list_previous_due(today)
    stale = [p for p in sources_for(user, "soil").filter(priority=True)
             if p.reviewed_on is None or p.reviewed_on <= rules.soil_list_previous_due(previous)]
    return {"due": due, "previous": previous, "stale": stale}
