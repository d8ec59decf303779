"""Every write of the source inventory (decision 0030): add, edit (optimistic locking on `version`), import
(all-or-nothing, inside one transaction), annual-report records, the audit sample, cleaning records. Each
checks `sources.permissions` and writes the audit log."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.accounts.versioned import save_versioned
from envgov.apps.audit import log as audit
from envgov.apps.sources import permissions
from envgov.apps.sources.models import (MODELS, CateringUnit, CleaningRecord, DischargeChannel, Enterprise,
                                        PermitReport, ReceivingWater, Source)
from envgov.ingest import sources as spec
from envgov.standards import codes

PSEUDO = {"id", "town", "receiving_water", "channel", "channel_kind", "discharger_code", "last_cleaned"}


def audited_fields(kind: str) -> list[str]:
    return [f.key for f in spec.KINDS[kind].fields if f.key not in PSEUDO] + ["town"]


def check(kind: str, district, data: dict[str, Any], current: Source | None = None) -> dict[str, list[str]]:  # noqa: ANN001
    """Errors (field → Chinese messages) of a form's values, the same rules as the import's."""
    from envgov.apps.geo.actions import check_point

    errors = check_point(data.get("lon"), data.get("lat"))
    k = spec.KINDS[kind]
    model = MODELS[kind]
    if not (data.get("name") or "").strip():
        errors["name"] = [_("请填写名称")]
    town = data.get("town")
    if town is None or getattr(town, "district_id", None) != district.pk:
        errors["town"] = [_("请选择本区的街乡镇")]
    for f in k.fields:
        if f.type == "credit_code" and data.get(f.key):
            p = codes.problem(data[f.key])
            if p is not None:
                errors[f.key] = [_(p.template) % p.values]
        if f.required and f.key not in ("name", "town") and data.get(f.key) in (None, ""):
            errors.setdefault(f.key, [_("请填写%(what)s") % {"what": _(f.names[0])}])
    if kind == "enterprise":
        for key, template, values in spec.permit_problems(data.get("permit_class") or "", data.get("permit_number") or "",
                                                         data.get("permit_valid_from"), data.get("permit_valid_to")):
            errors.setdefault(key, []).append(_(template) % values if values else _(template))
    code = data.get(k.code_field) if k.code_field else ""
    if code and "credit_code" not in errors:
        clash = model.objects.filter(district=district, **{k.code_field: code}).exclude(pk=getattr(current, "pk", None))
        if clash.exists():
            errors[k.code_field] = [_("与已有记录（编号 %(id)s，%(name)s）的%(what)s相同") % {
                "id": clash[0].pk, "name": clash[0].name, "what": _(k.code_what)}]
    if kind == "outfall" and data.get("discharger_code"):
        if not Enterprise.objects.filter(district=district, credit_code=data["discharger_code"]).exists():
            errors["discharger_code"] = [_("本区企业中没有统一社会信用代码为 %(code)s 的排污单位") % {"code": data["discharger_code"]}]
    return errors


def _columns(kind: str, district, data: dict[str, Any]) -> dict[str, Any]:  # noqa: ANN001
    """Model column values of a record (form or import), the pseudo fields resolved."""
    out: dict[str, Any] = {}
    for f in spec.KINDS[kind].fields:
        if f.key in PSEUDO:
            continue
        v = data.get(f.key)
        if f.type in ("text", "choice", "credit_code") and v is None:
            v = ""
        if f.type == "bool":
            v = bool(v)
        out[f.key] = v.strip() if isinstance(v, str) else v
    town = data.get("town")
    out["town_id"] = getattr(town, "pk", town)
    out["address_key"] = spec.normalise_address(out.get("address") or "", district.name)
    if kind == "outfall":
        out["receiving_water"] = ReceivingWater.objects.get_or_create(
            district=district, name=(data.get("receiving_water") or "").strip())[0]
    return out


def _after(kind: str, obj: Source, data: dict[str, Any]) -> None:
    if kind == "outfall" and (data.get("channel") or "").strip():
        discharger = (Enterprise.objects.filter(district_id=obj.district_id, credit_code=data["discharger_code"]).first()
                      if data.get("discharger_code") else None)
        DischargeChannel.objects.update_or_create(outfall=obj, name=data["channel"].strip(), defaults={
            "kind": (data.get("channel_kind") or "").strip(), "discharger": discharger})
    if kind == "catering" and data.get("last_cleaned"):
        CleaningRecord.objects.get_or_create(unit=obj, cleaned_on=data["last_cleaned"])


def _refuse(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_source(kind: str, district, *, acting_user: User | None, data: dict[str, Any],  # noqa: ANN001
                  is_simulated: bool = False) -> Source:
    town = data.get("town")
    if acting_user is not None:
        require(permissions.can_edit_in_town(acting_user, district.pk, getattr(town, "pk", town)),
                _("只能在本区（街乡镇填报员：本街乡镇）登记污染源"))
    _refuse(check(kind, district, data))
    obj = MODELS[kind].objects.create(district=district, is_simulated=is_simulated, **_columns(kind, district, data))
    _after(kind, obj, data)
    audit.record(actor=acting_user, action="source_create", obj=obj, after=audit.snapshot(obj, audited_fields(kind)))
    return obj


@transaction.atomic
def update_source(obj: Source, *, acting_user: User, expected_version: int, data: dict[str, Any]) -> Source:
    kind = obj.KIND
    town = data.get("town")
    require(permissions.can_edit_source(acting_user, obj)
            and permissions.can_edit_in_town(acting_user, obj.district_id, getattr(town, "pk", town)),
            _("只有本区的统筹协调人员或本街乡镇的填报员可以修改该污染源"))
    _refuse(check(kind, obj.district, data, obj))
    saved = save_versioned(obj, _columns(kind, obj.district, data), acting_user=acting_user,
                           expected_version=expected_version, action="source_update", fields=audited_fields(kind),
                           stale_message=_("该记录已被他人修改，您的修改未保存。请刷新页面后再提交。"))
    _after(kind, saved, data)
    return saved


def apply_import(kind: str, district, records: list[tuple[int, dict[str, Any]]], *,  # noqa: ANN001
                 acting_user: User | None, is_simulated: bool = False) -> tuple[int, int]:
    """Write checked import records (call inside the import's transaction): (created, updated)."""
    if acting_user is not None:
        require(permissions.can_import_sources(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以导入污染源"))
    model = MODELS[kind]
    created = updated = 0
    fields = audited_fields(kind)
    for _n, values in records:
        cols = _columns(kind, district, values)
        if values.get("id"):
            obj = model.objects.select_for_update().get(pk=values["id"], district=district)
            before = audit.snapshot(obj, fields)
            for k, v in cols.items():
                setattr(obj, k, v)
            obj.version += 1
            obj.save()
            audit.record(actor=acting_user, action="source_import_update", obj=obj, before=before,
                         after=audit.snapshot(obj, fields))
            updated += 1
        else:
            obj = model.objects.create(district=district, is_simulated=is_simulated, **cols)
            audit.record(actor=acting_user, action="source_import_create", obj=obj, after=audit.snapshot(obj, fields))
            created += 1
        _after(kind, obj, values)
    return created, updated


REPORT_FIELDS = ["year", "due_date", "submitted_on", "audit_status", "audit_note"]


@transaction.atomic
def save_report(enterprise: Enterprise, *, acting_user: User | None, data: dict[str, Any]) -> PermitReport:
    """Record (or correct) the annual 执行报告 of a year: due date, submission, audit outcome."""
    if acting_user is not None:
        require(permissions.can_edit_source(acting_user, enterprise), _("您没有权限登记该企业的执行报告"))
        if data.get("audit_status") in (PermitReport.Audit.PASSED, PermitReport.Audit.FAILED):
            require(permissions.can_audit_reports(acting_user, enterprise.district_id), _("只有统筹协调人员可以填写审核结果"))
    report = PermitReport.objects.filter(enterprise=enterprise, year=data["year"]).first()
    values = {k: data.get(k) for k in REPORT_FIELDS if k in data}
    values.setdefault("audit_note", "")
    values["audit_note"] = values.get("audit_note") or ""
    values["audit_status"] = values.get("audit_status") or (report.audit_status if report else "")
    if report is None:
        report = PermitReport.objects.create(enterprise=enterprise, **values)
        audit.record(actor=acting_user, action="permit_report_create", obj=report,
                     after=audit.snapshot(report, REPORT_FIELDS))
        return report
    before = audit.snapshot(report, REPORT_FIELDS)
    for k, v in values.items():
        setattr(report, k, v)
    report.version += 1
    report.save()
    audit.record(actor=acting_user, action="permit_report_update", obj=report, before=before,
                 after=audit.snapshot(report, REPORT_FIELDS))
    return report


@transaction.atomic
def confirm_audit_sample(district, year: int, *, acting_user: User | None) -> int:  # noqa: ANN001
    """Mark the reports the rule picks (`services.audit_sample`) as 待审核; returns how many were newly marked."""
    from envgov.apps.sources import services

    if acting_user is not None:
        require(permissions.can_audit_reports(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以确定抽查名单"))
    marked = 0
    for row in services.audit_sample(district, year).rows:
        if not row.picked:
            continue
        report = row.report
        if report is None:
            report = PermitReport.objects.create(enterprise=row.enterprise, year=year)
        if report.audit_status:
            continue
        before = audit.snapshot(report, REPORT_FIELDS)
        report.audit_status = PermitReport.Audit.SELECTED
        report.version += 1
        report.save(update_fields=["audit_status", "version"])
        audit.record(actor=acting_user, action="permit_report_select", obj=report, before=before,
                     after=audit.snapshot(report, REPORT_FIELDS), note=str(row.reason))
        marked += 1
    return marked


@transaction.atomic
def add_cleaning(unit: CateringUnit, *, acting_user: User | None, cleaned_on, note: str = "") -> CleaningRecord:  # noqa: ANN001
    if acting_user is not None:
        require(permissions.can_edit_source(acting_user, unit), _("您没有权限登记该单位的清洗记录"))
    if CleaningRecord.objects.filter(unit=unit, cleaned_on=cleaned_on).exists():
        raise ValidationError({"cleaned_on": [_("该日期的清洗记录已存在")]})
    rec = CleaningRecord.objects.create(unit=unit, cleaned_on=cleaned_on, note=note[:200])
    audit.record(actor=acting_user, action="source_cleaning_add", obj=rec,
                 after=audit.snapshot(rec, ["cleaned_on", "note"]))
    return rec
