"""The engines' figures of a district's ecology, carbon and soil entries (decision 0036). Nothing computed is
stored: EI, grade and change come from `envgov.engine.ecology`, intensity and declines from
`envgov.engine.carbon`, safe-use rates from `envgov.engine.soil`; the targets' statuses from
`envgov.rules.ecology_targets`. The target-figure provider writes them to the ledger (one path per figure)."""
from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from envgov.apps.ecology.models import (
    CarbonSetting,
    CarbonYear,
    ConstructionLedger,
    EcologyIndex,
    EcologyParameter,
    FarmlandLedger,
)

EI_CODE = "ei"
CARBON_CODE = "carbon_intensity_decline"
FARMLAND_CODE = "farmland_safe_use_rate"
CONSTRUCTION_CODE = "land_safe_use_rate"
TARGET_CODES = (EI_CODE, CARBON_CODE, FARMLAND_CODE, CONSTRUCTION_CODE)
MET, WARN, NOT_MET, UNKNOWN = "met", "warn", "not_met", "unknown"


# ------------------------------------------------------------------------------------------ parameters

def parameter_values(district) -> dict[str, object]:  # noqa: ANN001
    from envgov.apps.ecology.actions import parameter_sets

    keys = {p.key for s in parameter_sets() for p in s}
    return {p.key: p.value for p in EcologyParameter.objects.filter(district=district) if p.key in keys}


def _in_force(district) -> ExitStack:  # noqa: ANN001
    from envgov.apps.ecology.actions import parameter_sets

    values = parameter_values(district)
    stack = ExitStack()
    for pset in parameter_sets():
        stack.enter_context(pset.using({k: v for k, v in values.items() if k in pset.by_key}))
    return stack


def parameter_rows(district) -> list[dict[str, Any]]:  # noqa: ANN001
    """Every user-set rule with its value in force, default and who set it (shown as 用户设定 / 默认，未核实)."""
    from envgov.apps.ecology.actions import parameter_sets

    rows = {p.key: p for p in EcologyParameter.objects.filter(district=district).select_related("set_by")}
    out = []
    for pset in parameter_sets():
        for p in pset:
            rec = rows.get(p.key)
            value = rec.value if rec else p.default
            out.append({"parameter": p, "value": value, "record": rec, "user_set": rec is not None and value != p.default,
                        "choices": [(k, gettext(v)) for k, v in p.choices.items()]})
    return out


# ------------------------------------------------------------------------------------------ EI

def _ei_records(district) -> list[dict[str, object]]:  # noqa: ANN001
    from envgov.apps.ecology.actions import COMPONENT_KEYS

    return [{"area": district.name, "year": r.year, "components": {k: getattr(r, k) for k in COMPONENT_KEYS},
             "constraint": r.constraint, "row": 0} for r in EcologyIndex.objects.filter(district=district)]


@dataclass
class EIYear:
    row: EcologyIndex
    result: Any  # engine EIResult
    change: Any | None  # engine Change against the previous year entered


def ei_years(district) -> tuple[list[EIYear], dict]:  # noqa: ANN001
    """Every year's EI, grade and change against the previous year, with the engine's provenance."""
    from envgov.engine import ecology

    rows = {r.year: r for r in EcologyIndex.objects.filter(district=district)}
    if not rows:
        return [], ecology.provenance()
    with _in_force(district):
        evaluation = ecology.evaluate(_ei_records(district))
    changes = {c.year: c for c in evaluation.changes}
    return [EIYear(rows[r.year], r, changes.get(r.year)) for r in evaluation.results], evaluation.provenance


# ------------------------------------------------------------------------------------------ carbon

def base_year(district) -> int | None:  # noqa: ANN001
    s = CarbonSetting.objects.filter(district=district).first()
    return s.base_year if s else None


@dataclass
class CarbonView:
    base_year: int | None
    rows: list[CarbonYear]
    results: list[Any] = field(default_factory=list)  # engine IntensityResult, years after the base
    base_intensity: float | None = None
    error: str = ""
    cumulative_chain: dict[int, float] = field(default_factory=dict)  # cumulative from annual rates (check)


def _figures(district) -> dict[int, tuple[float, float]]:  # noqa: ANN001
    return {r.year: (float(r.co2), float(r.gdp)) for r in CarbonYear.objects.filter(district=district)}


def carbon(district, base: int | None = None, target: float | None = None, target_year: int | None = None) -> CarbonView:  # noqa: ANN001
    """Intensity, single-year decline and cumulative decline against the base year (engine), for the page."""
    from envgov.engine import carbon as engine
    from envgov.rules.ecology_targets import PARAMETERS as RULES

    base = base or base_year(district)
    rows = list(CarbonYear.objects.filter(district=district))
    view = CarbonView(base, rows)
    figures = _figures(district)
    if base is None or not figures:
        return view
    try:
        with _in_force(district):
            rule = RULES.value("carbon_progress_rule") or None
            view.results = engine.evaluate(figures, base, target, target_year, rule)
    except ValueError as exc:
        view.error = gettext(str(exc))
        return view
    view.base_intensity = engine.intensity(*figures[base])
    annual: list[float] = []
    previous = base
    for r in view.results:  # the NDRC chain over consecutive years: equals 1 − I_t / I_base (a visible check)
        if r.annual_decline is None or r.year != previous + 1:
            break
        annual.append(r.annual_decline)
        view.cumulative_chain[r.year] = engine.cumulative_from_annual(annual)
        previous = r.year
    return view


# ------------------------------------------------------------------------------------------ soil

@dataclass
class SoilYear:
    row: Any
    result: Any | None  # engine SafeUseResult
    error: str = ""


def farmland_years(district, target: float | None = None) -> list[SoilYear]:  # noqa: ANN001
    from envgov.engine.soil import farmland_safe_use

    out = []
    for r in FarmlandLedger.objects.filter(district=district):
        try:
            out.append(SoilYear(r, farmland_safe_use(float(r.b), float(r.c), float(r.d), float(r.e), target)))
        except ValueError as exc:
            out.append(SoilYear(r, None, gettext(str(exc))))
    return out


def construction_years(district, target: float | None = None) -> list[SoilYear]:  # noqa: ANN001
    from envgov.engine.soil import construction_safe_use

    out = []
    for r in ConstructionLedger.objects.filter(district=district):
        try:
            out.append(SoilYear(r, construction_safe_use(r.safe_plots, r.reused_plots, target, basis=r.basis)))
        except ValueError as exc:
            out.append(SoilYear(r, None, gettext(str(exc))))
    return out


# ------------------------------------------------------------------------------------------ targets

def targets(district) -> list[Any]:  # noqa: ANN001
    from envgov.apps.plans.models import Target

    return list(Target.objects.filter(plan__district=district, indicator__code__in=TARGET_CODES)
                .select_related("plan", "indicator").order_by("plan__year", "id"))


def refresh_targets(district) -> int:  # noqa: ANN001
    from envgov.apps.plans import target_figures

    return target_figures.refresh(district, TARGET_CODES)


def _period_end(target) -> dt.date:  # noqa: ANN001
    return target.period_end or dt.date(target.plan.year, 12, 31)


def target_figures(district, group: list) -> dict[int, Any]:  # noqa: ANN001
    """Provider of the ecology, carbon and soil targets' figures (decision 0033 registry, 0036 rules)."""
    out: dict[int, Any] = {}
    for target in group:
        if target.scope == target.Scope.TOWN:  # the ledgers are the district's: a town's share is not computed
            continue
        code = target.indicator.code
        if code == EI_CODE:
            out[target.pk] = _ei_figure(district, target)
        elif code == CARBON_CODE:
            out[target.pk] = _carbon_figure(district, target)
        elif code == FARMLAND_CODE:
            out[target.pk] = _soil_figure(target, farmland_years(district, float(target.value)),
                                          gettext("受污染耕地安全利用台账"))
        elif code == CONSTRUCTION_CODE:
            out[target.pk] = _soil_figure(target, construction_years(district, float(target.value)),
                                          gettext("重点建设用地安全利用台账"))
    return out


def _figure(value, as_of, source: str, status: str = "", reason: str = "", basis=None):  # noqa: ANN001, ANN202
    from envgov.apps.plans.target_figures import TargetFigure

    return TargetFigure(value=value, as_of=as_of, source=source[:200], status=status, reason=reason[:300], basis=basis)


def _latest_note(years: list[int]) -> str:
    return gettext("；已录入年份：%(years)s") % {"years": "、".join(str(y) for y in years)} if years else \
        gettext("；尚未录入任何年份")


def _ei_figure(district, target):  # noqa: ANN001, ANN202
    from envgov.rules.ecology_targets import ei_status

    year = target.plan.year
    years, prov = ei_years(district)
    found = next((y for y in years if y.result.year == year), None)
    source = gettext("HJ 192-2015 · 本区录入的五项分指数 · 平台按权重计算")
    if found is None:
        return _figure(None, None, source, UNKNOWN,
                       gettext("尚无 %(year)s 年分指数（通常次年发布）") % {"year": year}
                       + _latest_note([y.result.year for y in years]))
    change = found.change if found.change is not None and found.change.base_year == year - 1 else None
    status, reason = ei_status(year, found.result.ei, found.result.grade, float(target.value), change)
    src = found.row.source or source
    return _figure(found.result.ei, dt.date(year, 12, 31), f"{source} · {src}"[:200], status, reason,
                   {"formula": found.result.formula, "grade": found.result.grade,
                    "notes": list(found.result.notes), "delta": None if change is None else change.delta})


def _carbon_figure(district, target):  # noqa: ANN001, ANN202
    from envgov.rules import ecology_targets as rules

    year = target.plan.year
    texts = (target.text or "", target.indicator.name or "", target.period_label or "")
    cumulative = rules.carbon_is_cumulative(target.period_label, target.text or "", target.indicator.name or "")
    named = rules.carbon_base_year(*texts)
    base = named or base_year(district)
    target_year = rules.carbon_target_year(year, *texts)
    source = gettext("碳排放强度 = 二氧化碳排放量 ÷ 地区生产总值（基准年可比价，用户录入）")
    figures = _figures(district)
    if year not in figures:
        return _figure(None, None, source, UNKNOWN, gettext("尚无 %(year)s 年排放量和地区生产总值") % {"year": year}
                       + _latest_note(sorted(figures)))
    if not cumulative:
        if year - 1 not in figures:
            return _figure(None, None, source, UNKNOWN, gettext("缺少 %(year)s 年数据，无法计算同比下降") % {"year": year - 1})
        view = carbon(district, year - 1)
        r = next(x for x in view.results if x.year == year)
        status, reason = rules.single_year_status(year, r.annual_decline, float(target.value))
        return _figure(r.annual_decline, dt.date(year, 12, 31), source + gettext(" · 较上年"), status, reason)
    if base is None:
        return _figure(None, None, source, UNKNOWN, gettext("目标未写明基准年，请在生态页设定碳排放强度基准年"))
    view = carbon(district, base, float(target.value), target_year)
    if view.error:
        return _figure(None, None, source, UNKNOWN, view.error)
    r = next((x for x in view.results if x.year == year), None)
    if r is None:
        return _figure(None, None, source, UNKNOWN, gettext("计划年度不晚于基准年 %(base)s") % {"base": base})
    annual = r.annual_decline if year - 1 in figures else None
    status, reason = rules.carbon_status(r.status, annual, r.explanation, year)
    how = gettext("基准年 %(base)s（%(from)s）") % {"base": base, "from": gettext("目标原文") if named else gettext("本区设定")}
    return _figure(r.decline_vs_base, dt.date(year, 12, 31), f"{source} · {how}", status, reason,
                   {"base_year": base, "intensity": r.intensity, "annual_decline": r.annual_decline,
                    "expected": r.expected, "target_year": target_year})


def _soil_figure(target, years: list[SoilYear], what: str):  # noqa: ANN001, ANN202
    from envgov.rules.ecology_targets import soil_status

    year = target.plan.year
    found = next((y for y in years if y.row.year == year), None)
    source = what
    if found is None:
        return _figure(None, None, source, UNKNOWN, gettext("尚无 %(year)s 年%(what)s") % {"year": year, "what": what}
                       + _latest_note([y.row.year for y in years]))
    if found.result is None:
        return _figure(None, None, source, UNKNOWN, found.error)
    status, reason = soil_status(found.result.rate, float(target.value), found.result.explanation, found.row.as_of,
                                 _period_end(target))
    src = f"{gettext(found.result.rule)}" + (f" · {found.row.source}" if found.row.source else "")
    return _figure(found.result.rate, found.row.as_of, src, status, reason)
