"""Every write of the ecology app (decision 0036): EI component indices (form and all-or-nothing import),
CO2/GDP of a year, the carbon base year, soil ledger counts and the user-set rules. Atomic, checked with
`ecology.permissions`, audited, optimistic locking on `version` for an existing year; afterwards the
district's ecology, carbon and soil targets are recomputed (target_figures, audited)."""
from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.audit import log as audit
from envgov.apps.ecology import permissions
from envgov.apps.ecology.models import (
    CarbonSetting,
    CarbonYear,
    ConstructionLedger,
    EcologyIndex,
    EcologyParameter,
    FarmlandLedger,
)
from envgov.rules import bounds

EI_FIELDS = ["year", "biological_abundance", "vegetation_cover", "water_network_density", "land_stress",
             "pollution_load", "constraint", "source"]
CARBON_FIELDS = ["year", "co2", "gdp", "source"]
FARMLAND_FIELDS = ["year", "as_of", "unit", "b", "c", "d", "e", "source"]
CONSTRUCTION_FIELDS = ["year", "as_of", "safe_plots", "reused_plots", "basis", "source"]
STALE = gettext_noop("该年份的数据已被他人修改，您的修改未保存。请刷新页面后再提交。")
MSG_NOT_DISTRICT = gettext_noop("区域“%(value)s”不是本区（%(district)s）")
MSG_RANGE = gettext_noop("超出可能范围（0–1000），收到 %(value)s")


def _require(user: User | None, district) -> None:  # noqa: ANN001
    if user is not None:
        require(permissions.can_edit_ecology(user, district),
                _("只有本区的系统管理员或统筹协调人员可以录入生态、碳排放和土壤数据"))


def _bounded(check, value, label: str, **kwargs):  # noqa: ANN001, ANN003, ANN202
    from envgov.apps.plans.bounds import message

    try:
        return check(value, label, **kwargs)
    except bounds.OutOfBounds as exc:
        raise ValidationError({label: [message(exc)]}) from None


def _refresh(district) -> None:  # noqa: ANN001
    from envgov.apps.ecology.services import refresh_targets

    refresh_targets(district)


def _upsert(model: type[models.Model], district, year: int, values: dict, *, acting_user: User | None,  # noqa: ANN001
            expected_version: int | None, action: str, fields: list[str], is_simulated: bool, note: str = ""):
    """Create the district's row of `year` or change it (compare-and-set on version when one is given)."""
    row = model.objects.select_for_update().filter(district=district, year=year).first()
    if row is None:
        row = model.objects.create(district=district, year=year, entered_by=acting_user, is_simulated=is_simulated,
                                   **values)
        audit.record(actor=acting_user, action=action, obj=row, after=audit.snapshot(row, fields), note=note)
        return row
    if expected_version is not None and expected_version != row.version:
        raise ValidationError(_(STALE))
    before = audit.snapshot(row, fields)
    for k, v in values.items():
        setattr(row, k, v)
    row.entered_by = acting_user
    row.is_simulated = is_simulated
    row.version += 1
    row.save()
    after = audit.snapshot(row, fields)
    if before != after:
        audit.record(actor=acting_user, action=action, obj=row, before=before, after=after, note=note)
    return row


# ------------------------------------------------------------------------------------------ EI

COMPONENT_KEYS = ("biological_abundance", "vegetation_cover", "water_network_density", "land_stress",
                  "pollution_load")


def _component_labels() -> dict[str, str]:
    from envgov.standards.ecology.tables import COMPONENTS

    return {c.key: c.label for c in COMPONENTS}


def _clean_ei(data: dict) -> dict:
    labels = _component_labels()
    errors: dict[str, list[str]] = {}
    out: dict[str, object] = {}
    for key in COMPONENT_KEYS:
        raw = data.get(key)
        if raw is None or str(raw).strip() == "":
            errors[key] = [_("请填写%(label)s") % {"label": labels[key]}]
            continue
        try:
            value = float(Decimal(str(raw).strip()))
        except Exception:  # noqa: BLE001 - any unreadable number
            errors[key] = [_("%(label)s应为数字，收到“%(raw)s”") % {"label": labels[key], "raw": raw}]
            continue
        if value < 0 or value != value or value in (float("inf"), float("-inf")):
            errors[key] = [_("%(label)s不能为负，收到 %(raw)s") % {"label": labels[key], "raw": raw}]
            continue
        if value > 1000:
            errors[key] = [_("%(label)s超出可能范围（0–1000），收到 %(raw)s") % {"label": labels[key], "raw": raw}]
            continue
        out[key] = value
    constraint = data.get("constraint") or ""
    if constraint not in EcologyIndex.Constraint.values:
        errors["constraint"] = [_("请选择环境限制")]
    if errors:
        raise ValidationError(errors)
    out["constraint"] = constraint
    out["source"] = _bounded(bounds.text, (data.get("source") or "").strip(), _("数据来源"), max_length=200)
    return out


@transaction.atomic
def save_indices(district, *, acting_user: User | None, year, data: dict, expected_version: int | None = None,  # noqa: ANN001
                 is_simulated: bool = False) -> EcologyIndex:
    _require(acting_user, district)
    year = _bounded(bounds.year, year, _("年份"))
    row = _upsert(EcologyIndex, district, year, _clean_ei(data), acting_user=acting_user,
                  expected_version=expected_version, action="ecology_index_save", fields=EI_FIELDS,
                  is_simulated=is_simulated)
    _refresh(district)
    return row


@dataclass
class ImportOutcome:
    file_name: str
    errors: list[str] = field(default_factory=list)  # located Chinese lines (file, row, column, reason)
    warnings: list[str] = field(default_factory=list)
    saved: list[int] = field(default_factory=list)  # the years written

    @property
    def ok(self) -> bool:
        return not self.errors


def _area_ok(area: str, district) -> bool:  # noqa: ANN001
    if not area:
        return True
    names = {district.name, district.name.removesuffix("区")}
    return area in names or area == getattr(district, "adcode", None)


def import_indices(upload, *, district, acting_user: User | None, is_simulated: bool = False) -> ImportOutcome:  # noqa: ANN001
    """Read a CSV/XLSX of component indices (envgov.ingest.ecology_indices) and, when every row is clean and
    of this district, store all of it (a year already present is replaced, audited); else nothing."""
    from envgov.ingest.ecology_indices import read_indices
    from envgov.ingest.rows import located

    _require(acting_user, district)
    name = Path(getattr(upload, "name", str(upload))).name
    with tempfile.TemporaryDirectory() as tmp:
        if isinstance(upload, Path):
            path = upload
        else:
            path = Path(tmp) / name
            with path.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
        data = read_indices(path)
    rows = data.rows
    rows.file = name
    outcome = ImportOutcome(name)
    if rows.ok:
        for rec in data.records:
            n = int(rec["row"])
            if not _area_ok(str(rec["area"]), district):
                rows.error(n, "area", MSG_NOT_DISTRICT, value=rec["area"],
                           district=district.name)
            try:
                bounds.year(rec["year"], gettext_noop("年份"))
            except bounds.OutOfBounds as exc:
                rows.error(n, "year", exc.problem.template, **dict(exc.problem.values))
            for key in COMPONENT_KEYS:
                if float(rec["components"][key]) > 1000:  # type: ignore[index]
                    rows.error(n, key, MSG_RANGE, value=rec["components"][key])  # type: ignore[index]
    if not rows.ok or not data.records:
        outcome.errors = [located(name, e) for e in rows.errors] or [_("%(file)s：没有数据行") % {"file": name}]
        return outcome
    outcome.warnings = [located(name, w) for w in rows.warnings]
    with transaction.atomic():
        for rec in data.records:
            values = {**rec["components"], "constraint": rec["constraint"] or "",  # type: ignore[dict-item]
                      "source": (_("导入 %(file)s 第 %(row)s 行") % {"file": name, "row": rec["row"]})[:200]}
            _upsert(EcologyIndex, district, int(rec["year"]), values, acting_user=acting_user,  # type: ignore[call-overload]
                    expected_version=None, action="ecology_index_import", fields=EI_FIELDS,
                    is_simulated=is_simulated, note=name[:200])
            outcome.saved.append(int(rec["year"]))  # type: ignore[call-overload]
        _refresh(district)
    return outcome


# ------------------------------------------------------------------------------------------ carbon

@transaction.atomic
def save_carbon_year(district, *, acting_user: User | None, year, co2, gdp, source: str = "",  # noqa: ANN001
                     expected_version: int | None = None, is_simulated: bool = False) -> CarbonYear:
    _require(acting_user, district)
    year = _bounded(bounds.year, year, _("年份"))
    co2 = _bounded(bounds.figure, co2, _("二氧化碳排放量（吨）"))
    gdp = _bounded(bounds.figure, gdp, _("地区生产总值（万元，基准年可比价）"), positive=True)
    source = _bounded(bounds.text, (source or "").strip(), _("数据来源"), max_length=200)
    row = _upsert(CarbonYear, district, year, {"co2": co2, "gdp": gdp, "source": source}, acting_user=acting_user,
                  expected_version=expected_version, action="carbon_year_save", fields=CARBON_FIELDS,
                  is_simulated=is_simulated)
    _refresh(district)
    return row


@transaction.atomic
def set_carbon_base_year(district, *, acting_user: User | None, base_year) -> CarbonSetting:  # noqa: ANN001
    _require(acting_user, district)
    base_year = _bounded(bounds.year, base_year, _("基准年"))
    row = CarbonSetting.objects.select_for_update().filter(district=district).first()
    before = {"base_year": row.base_year} if row else None
    if row is None:
        row = CarbonSetting.objects.create(district=district, base_year=base_year, set_by=acting_user)
    elif row.base_year != base_year:
        row.base_year, row.set_by = base_year, acting_user
        row.version += 1
        row.save()
    else:
        return row
    audit.record(actor=acting_user, action="carbon_base_year", obj=row, before=before, after={"base_year": base_year})
    _refresh(district)
    return row


# ------------------------------------------------------------------------------------------ soil

def _as_of(value, year: int) -> dt.date:  # noqa: ANN001
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError({"as_of": [_("统计截至日期应为 YYYY-MM-DD")]}) from None
    _bounded(bounds.date, value, _("统计截至"))
    if value.year not in (year, year + 1):
        raise ValidationError({"as_of": [_("统计截至日期应在 %(year)s 年或次年（年度台账）") % {"year": year}]})
    return value


@transaction.atomic
def save_farmland(district, *, acting_user: User | None, year, as_of, b, c, d, e, unit: str = "亩",  # noqa: ANN001
                  source: str = "", expected_version: int | None = None, is_simulated: bool = False) -> FarmlandLedger:
    """B, C, D, E as the accounting method defines them; the engine checks B + C + D ≤ E."""
    from envgov.engine.soil import farmland_safe_use

    _require(acting_user, district)
    year = _bounded(bounds.year, year, _("年份"))
    values = {k: _bounded(bounds.figure, v, label) for k, v, label in (
        ("b", b, _("B 轻微污染耕地落实优先保护类措施面积")), ("c", c, _("C 轻中度污染耕地落实安全利用措施且农产品达标面积")),
        ("d", d, _("D 重度污染耕地落实严格管控措施面积")), ("e", e, _("E 受污染耕地总面积")))}
    try:
        farmland_safe_use(float(values["b"]), float(values["c"]), float(values["d"]), float(values["e"]))
    except ValueError as exc:
        raise ValidationError(_(str(exc))) from None
    unit = (unit or "").strip() or "亩"
    if unit not in ("亩", "公顷"):
        raise ValidationError({"unit": [_("面积单位应为 亩 或 公顷")]})
    values.update(as_of=_as_of(as_of, year), unit=unit,
                  source=_bounded(bounds.text, (source or "").strip(), _("数据来源"), max_length=200))
    row = _upsert(FarmlandLedger, district, year, values, acting_user=acting_user, expected_version=expected_version,
                  action="farmland_ledger_save", fields=FARMLAND_FIELDS, is_simulated=is_simulated)
    _refresh(district)
    return row


@transaction.atomic
def save_construction(district, *, acting_user: User | None, year, as_of, safe_plots, reused_plots,  # noqa: ANN001
                      basis: str = "", source: str = "", expected_version: int | None = None,
                      is_simulated: bool = False) -> ConstructionLedger:
    from envgov.engine.soil import construction_safe_use

    _require(acting_user, district)
    year = _bounded(bounds.year, year, _("年份"))
    counts = {}
    for key, raw, label in (("safe_plots", safe_plots, _("安全利用地块数")), ("reused_plots", reused_plots, _("再开发利用地块数"))):
        try:
            n = int(str(raw).strip())
        except ValueError:
            raise ValidationError({key: [_("%(label)s应为整数，收到“%(raw)s”") % {"label": label, "raw": raw}]}) from None
        counts[key] = _bounded(bounds.integer, n, label, maximum=bounds.INT32_MAX)
    try:
        construction_safe_use(counts["safe_plots"], counts["reused_plots"])
    except ValueError as exc:
        raise ValidationError(_(str(exc))) from None
    values = {**counts, "as_of": _as_of(as_of, year),
              "basis": _bounded(bounds.text, (basis or "").strip(), _("核算口径"), max_length=200),
              "source": _bounded(bounds.text, (source or "").strip(), _("数据来源"), max_length=200)}
    row = _upsert(ConstructionLedger, district, year, values, acting_user=acting_user,
                  expected_version=expected_version, action="construction_ledger_save", fields=CONSTRUCTION_FIELDS,
                  is_simulated=is_simulated)
    _refresh(district)
    return row


# ------------------------------------------------------------------------------------------ parameters

def parameter_sets():  # noqa: ANN201
    from envgov.rules.ecology_targets import PARAMETERS as TARGET_RULES
    from envgov.standards.ecology.parameters import PARAMETERS as EI_RULES

    return (EI_RULES, TARGET_RULES)


@transaction.atomic
def set_parameters(district, *, acting_user: User, values: dict, reason: str) -> dict:  # noqa: ANN001
    """Set the district's values of the user-set rules (each set's `clean`; ValueError with a Chinese message),
    log each change with its reason, and recompute the targets."""
    _require(acting_user, district)
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(_("请填写依据（如标准原文条款、上级文件或会议纪要）"))
    cleaned: dict[str, object] = {}
    labels: dict[str, str] = {}
    defaults: dict[str, object] = {}
    for pset in parameter_sets():
        mine = {k: v for k, v in values.items() if k in pset.by_key}
        cleaned.update(pset.clean(mine))
        labels.update({p.key: p.label for p in pset})
        defaults.update(pset.defaults)
    unknown = set(values) - set(labels)
    if unknown:
        raise ValueError(_("未知参数：%(key)s") % {"key": "、".join(sorted(unknown))})
    existing = {p.key: p for p in EcologyParameter.objects.select_for_update().filter(district=district)}
    changed: dict[str, tuple[object, object]] = {}
    for key, new in cleaned.items():
        row = existing.get(key)
        old = row.value if row else defaults[key]
        if old == new:
            continue
        row = row or EcologyParameter(district=district, key=key)
        row.value, row.reason, row.set_by = new, reason[:200], acting_user
        row.save()
        audit.record(actor=acting_user, action="set_parameter", obj=row, before={"value": old}, after={"value": new},
                     note=f"{labels[key]}；依据：{reason}"[:300])
        changed[key] = (old, new)
    if changed:
        _refresh(district)
    return changed
