"""Town (街道·乡镇) ranking rules as versioned data, and their evaluators. Plain Python, no Django.

What the reference says (/work/shared/reference/air.md):

* §5 — Beijing ranks districts by PM2.5 concentration **ascending** (1 = cleanest) and by year-on-year
  change (同比变化率) ascending, ties share a rank [OFFICIAL S-A29]; the street/town TSP ranking names the
  worst towns and, for every district, its best 3 and worst 3 towns, ties sharing a rank "1,2,3,3,5"
  [OFFICIAL S-A26]. A street/town PM2.5 formula was NOT found: the "suggested implementation (not an
  official rule)" of §5 is concentration ascending with competition ranks and improvement
  (C − C_last)/C_last × 100 % ascending. That is what the two rules below do, labelled as such.
* §4.1 — the MEE composite index is Σ C_i/S_i (unweighted); weighted variants and the rounding of the
  index are UNCONFIRMED. The town composite here is the same form with indicators, weights and reference
  values S_i that the district sets (shown as user-set); the defaults are the unweighted form over the
  particulate indicators a town has, with GB 3095 grade-2 annual limits as S_i.
* §2.2 — period-mean validity: GB 3095-2012 Table 4 (annual mean ≥ 324 daily means and ≥ 27 in every
  month, ≥ 25 in February). Read from `envgov.standards.air.validity_rules`, never restated here.
* §3.5 — reported (rounded) values: GB/T 8170, digits UNCONFIRMED; the user-set parameter of
  `envgov.standards.air.parameters` ("report_digits") applies. Ranks are taken on these reported values.

Every rule has an id, a version and its citation; results name the rule they used.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from envgov.catalogue import gettext_noop

CONCENTRATION, IMPROVEMENT, COMPOSITE = "concentration", "improvement", "composite"
BY_CHOICES = (CONCENTRATION, IMPROVEMENT, COMPOSITE)


@dataclass(frozen=True)
class RankingRule:
    id: str
    version: str
    effective_from: str  # ISO date the rule version applies from
    label: str  # Chinese, shown on the page (translated there)
    citation: str
    confidence: str  # "official", "suggested" (reference's suggestion, not an official rule), "user_set"
    ascending: bool = True  # rank 1 = smallest value


RULES: dict[str, RankingRule] = {
    CONCENTRATION: RankingRule(
        "town-rank-concentration", "1", "2016-01-01", gettext_noop("按浓度排名（低者在前）"),
        # air.md §5: district PM2.5 ranking ascending, ties share a rank (S-A29, S-A26); street/town formula
        # not found → the reference's suggested implementation
        citation=gettext_noop("参照北京市生态环境局各区 PM2.5 月度排名：按浓度升序、并列同名次；"
                              "街乡镇排名的官方公式未查到，按参考资料建议做法（非官方规则）"),
        confidence="suggested",
    ),
    IMPROVEMENT: RankingRule(
        "town-rank-improvement", "1", "2016-01-01", gettext_noop("按改善幅度排名（同比降幅大者在前）"),
        # air.md §5 (S-A29 同比变化率 ascending) and §4.2 (ΔI = (I − I_last)/I_last × 100 %)
        citation=gettext_noop("参照北京市各区同比变化率排名和城市空气质量变化程度排名：同比变化率 =（本期 − 去年同期）÷ "
                              "去年同期 × 100%，升序；街乡镇排名的官方公式未查到，按参考资料建议做法（非官方规则）"),
        confidence="suggested",
    ),
    COMPOSITE: RankingRule(
        "town-rank-composite", "1", "2016-01-01", gettext_noop("综合排名（加权综合指数，低者在前）"),
        # air.md §4.1: Σ C_i/S_i; weights and rounding UNCONFIRMED → user-set
        citation=gettext_noop("参照城市环境空气质量综合指数 Σ C/S（不加权）；指标、权重与参比值由本区设定"
                              "（加权方式的官方规定未查到）"),
        confidence="user_set",
    ),
}

# air.md §5: the street/town TSP ranking publishes, for every district, its worst 3 streets/towns (S-A26).
# The district sets its own N (0 = flag none).
BOTTOM_N_DEFAULT = 3
BOTTOM_N_CITATION = gettext_noop("默认 3：北京市生态环境局街乡镇 TSP 排名通报对每个区公布排名后 3 名")


# ------------------------------------------------------------------------- indicators

@dataclass(frozen=True)
class IndicatorDef:
    code: str
    label: str  # Chinese
    unit: str
    source: str  # "air" (from the sites' daily values in monitoring.AirDaily) or "measure" (entered monthly)
    pollutant: str | None = None  # key of envgov.standards.air for the reporting digits / GB 3095 limit
    limit_pollutant: str | None = None  # GB 3095 pollutant whose grade-2 annual limit is the default S_i


INDICATORS: dict[str, IndicatorDef] = {
    "pm25": IndicatorDef("pm25", gettext_noop("PM2.5"), "µg/m³", "air", "pm25", "pm25"),
    "pm10": IndicatorDef("pm10", gettext_noop("PM10"), "µg/m³", "air", "pm10", "pm10"),
    "dustfall": IndicatorDef("dustfall", gettext_noop("降尘量"), "t/(km²·月)", "measure"),
    "tsp": IndicatorDef("tsp", gettext_noop("TSP"), "µg/m³", "measure", None, "tsp"),
    "road_dust": IndicatorDef("road_dust", gettext_noop("道路尘负荷"), "g/m²", "measure"),
}
AIR_INDICATORS = tuple(k for k, v in INDICATORS.items() if v.source == "air")
MEASURE_INDICATORS = tuple(k for k, v in INDICATORS.items() if v.source == "measure")

# Station kinds whose daily values make a town's value, in the order the settings page shows them.
STATION_KINDS = ("national", "city", "district", "micro")


# ------------------------------------------------------------------------- user-set parameters

@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    default: object
    rule: str
    why_user_set: str


PARAMETERS: dict[str, Parameter] = {
    p.key: p for p in (
        Parameter("weighting_mode", gettext_noop("站点加权方式"), "site",
                  gettext_noop("按站点加权：各站按其类型权重加权平均（权重均为 1 即 HJ 663 站点集合的算术平均）；"
                               "按类型加权：先求各类站点的平均，再按类型权重加权"),
                  gettext_noop("街乡镇由哪些站点、如何加权构成，标准未规定，由本区设定（HJ 663 只规定城市点取算术平均）")),
        Parameter("partial_month", gettext_noop("不完整月份的有效性"), "proportional",
                  gettext_noop("按覆盖天数折算：截至今日的不完整月份，每月最少日均值个数按覆盖天数折算（向上取整）；"
                               "不检查：不完整月份不检查"),
                  gettext_noop("GB 3095 表4 只规定完整月份（≥27，2月 ≥25），截至今日的不完整月份无规定，为平台约定")),
        Parameter("min_completeness", gettext_noop("最低数据完整率"), 0.0,
                  gettext_noop("有效天数 ÷ 时段天数低于此值不排名（0 表示只按标准的有效性规定）"),
                  gettext_noop("标准之外的附加要求，由本区设定")),
        Parameter("change_digits", gettext_noop("变化率保留小数位数"), 1,
                  gettext_noop("同比变化率（%）的修约位数（GB/T 8170）"),
                  gettext_noop("参考资料未规定（公开通报示例为 1 位小数），由本区设定")),
        Parameter("composite_digits", gettext_noop("综合指数保留小数位数"), 2,
                  gettext_noop("综合指数的修约位数（GB/T 8170）"),
                  gettext_noop("城市综合指数通常保留 2 位小数，未核实")),
    )
}


def default_composite() -> dict[str, dict[str, float | None]]:
    """Unweighted Σ C_i/S_i over PM2.5 and PM10 with the GB 3095 grade-2 annual limits (air.md §4.1)."""
    return {"pm25": {"weight": 1.0, "reference": None}, "pm10": {"weight": 1.0, "reference": None}}


# ------------------------------------------------------------------------- messages

@dataclass(frozen=True)
class Reason:
    """A Chinese message with its values; the web layer translates `template` and fills it in."""

    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template % dict(self.values) if self.values else self.template


# ------------------------------------------------------------------------- period validity

@dataclass(frozen=True)
class MonthCover:
    """One calendar month as far as a period covers it."""

    year: int
    month: int
    covered_days: int  # days of the month inside the period
    month_days: int  # days of the month
    valid_days: int  # days with a valid daily value

    @property
    def full(self) -> bool:
        return self.covered_days == self.month_days


@dataclass(frozen=True)
class PeriodValidity:
    """GB 3095 Table 4 as applied to a town's period mean (the numbers come from the standards package)."""

    id: str
    version: str
    citation: str
    monthly_min_days: int
    february_min_days: int
    annual_min_days: int
    partial_month: str  # "proportional" or "none" (user-set, see PARAMETERS)
    min_completeness: float  # user-set extra requirement (0 = none)

    def month_minimum(self, m: MonthCover) -> int:
        base = self.february_min_days if m.month == 2 else self.monthly_min_days
        if m.full:
            return base
        if self.partial_month == "none":
            return 0
        return math.ceil(base * m.covered_days / m.month_days - 1e-9)


def period_validity(rules, partial_month: str = "proportional", min_completeness: float = 0.0) -> PeriodValidity:
    """The validity rule for town period means from the standards' validity rules of the period's edition
    (`envgov.standards.air.validity_rules(edition)`)."""
    if partial_month not in ("proportional", "none"):
        raise ValueError(f"不完整月份的有效性：可选 proportional、none，收到“{partial_month}”")
    source = next((r.source for r in rules.rows if r.statistic == "annual"), "GB 3095 表4")
    return PeriodValidity(
        "town-period-validity", f"{rules.edition}-1",
        f"{source}：年均值 ≥{rules.annual_min_days} 个日均值，且每月 ≥{rules.monthly_min_days} 个（2月 ≥{rules.february_min_days} 个）"
        "，每个月份均按此检查",
        rules.monthly_min_days, rules.february_min_days, rules.annual_min_days, partial_month, float(min_completeness))


def check_period(months: Sequence[MonthCover], rule: PeriodValidity, whole_year: bool) -> Reason | None:
    """None when the period mean is valid, else why not (the first failing month or the annual count)."""
    valid = sum(m.valid_days for m in months)
    days = sum(m.covered_days for m in months)
    if valid == 0:
        return Reason(gettext_noop("时段内无有效日均值"))
    for m in months:
        need = rule.month_minimum(m)
        if m.valid_days < need:
            return Reason(gettext_noop("%(year)s年%(month)s月有效日均值 %(valid)s 个，少于 %(need)s 个"),
                          {"year": m.year, "month": m.month, "valid": m.valid_days, "need": need})
    if whole_year and valid < rule.annual_min_days:
        return Reason(gettext_noop("全年有效日均值 %(valid)s 个，少于 %(need)s 个"),
                      {"valid": valid, "need": rule.annual_min_days})
    if rule.min_completeness and days and valid / days < rule.min_completeness - 1e-12:
        return Reason(gettext_noop("数据完整率 %(pct)s%% 低于本区设定的 %(min)s%%"),
                      {"pct": _pct(valid / days), "min": _pct(rule.min_completeness)})
    return None


def check_measure_months(entered: int, required: int, min_completeness: float) -> Reason | None:
    """Monthly measures (dustfall, TSP, road dust): every completed month of the period needs its value,
    unless the district accepts less (min completeness)."""
    if entered == 0:
        return Reason(gettext_noop("时段内没有录入数据"))
    if required and entered < required:
        share = entered / required
        if not min_completeness or share < min_completeness - 1e-12:
            return Reason(gettext_noop("已录入 %(entered)s 个月，应有 %(required)s 个月"),
                          {"entered": entered, "required": required})
    return None


def _pct(x: float) -> str:
    return f"{x * 100:.0f}"


# ------------------------------------------------------------------------- evaluators

def competition_ranks(values: Sequence[float | None], ascending: bool = True) -> list[int | None]:
    """Sports ranking ("1,2,2,4"): equal values share a rank, the next rank skips; None is not ranked.

    >>> competition_ranks([30, 28, 30, 41, None])
    [2, 1, 2, 4, None]
    """
    present = sorted((v for v in values if v is not None), reverse=not ascending)
    first: dict[float, int] = {}
    for i, v in enumerate(present, start=1):
        first.setdefault(v, i)
    return [None if v is None else first[v] for v in values]


def bottom_flags(ranks: Sequence[int | None], n: int) -> list[bool]:
    """The bottom N of a ranking (largest ranks); towns tied with the N-th from the bottom are flagged too.

    >>> bottom_flags([1, 2, 2, 4, None], 2)
    [False, True, True, True, False]
    """
    ranked = sorted((r for r in ranks if r is not None), reverse=True)
    if n <= 0 or not ranked:
        return [False] * len(ranks)
    cut = ranked[min(n, len(ranked)) - 1]
    return [r is not None and r >= cut for r in ranks]


def round_half_even(value: float, digits: int) -> float:
    """GB/T 8170 on a float (via the standards package: one rounding implementation)."""
    from envgov.standards.air.rounding import round_half_even_float

    return round_half_even_float(float(value), int(digits))


def change_pct(current: float | None, last: float | None, digits: int) -> tuple[float | None, Reason | None]:
    """(C − C_last) / C_last × 100 %, GB/T 8170 to `digits`; or why it cannot be computed."""
    if current is None:
        return None, Reason(gettext_noop("本期数据不足"))
    if last is None:
        return None, Reason(gettext_noop("去年同期数据不足，无法计算变化率"))
    if last == 0:
        return None, Reason(gettext_noop("去年同期浓度为 0，无法计算变化率"))
    return round_half_even((current - last) / last * 100, digits), None


def composite_score(values: Mapping[str, float | None], spec: Mapping[str, Mapping[str, float | None]],
                    references: Mapping[str, float], digits: int) -> tuple[float | None, Reason | None]:
    """Σ w_i · C_i / S_i over the indicators of `spec` ({code: {"weight", "reference"}}); `references` gives
    S_i where the spec leaves it empty. None and the reason when a value or a reference is missing."""
    total = 0.0
    for code, item in spec.items():
        weight = float(item.get("weight") or 0)
        if weight == 0:
            continue
        ref = item.get("reference") or references.get(code)
        if not ref:
            return None, Reason(gettext_noop("综合排名的指标“%(ind)s”没有参比值，请在排名设置中填写"),
                                {"ind": INDICATORS[code].label if code in INDICATORS else code})
        v = values.get(code)
        if v is None:
            return None, Reason(gettext_noop("%(ind)s 数据不足"),
                                {"ind": INDICATORS[code].label if code in INDICATORS else code})
        total += weight * v / float(ref)
    return round_half_even(total, digits), None


def clean_composite(spec: Mapping[str, object]) -> dict[str, dict[str, float | None]]:
    """Checked composite settings; ValueError with a Chinese message otherwise."""
    out: dict[str, dict[str, float | None]] = {}
    if not isinstance(spec, Mapping) or not spec:
        raise ValueError("请至少选择一个综合排名指标")
    for code, item in spec.items():
        if code not in INDICATORS:
            raise ValueError(f"未知指标：{code}")
        if not isinstance(item, Mapping):
            raise ValueError(f"{INDICATORS[code].label}：权重格式错误")
        try:
            weight = float(item.get("weight", 0))
            ref_raw = item.get("reference")
            ref = None if ref_raw in (None, "") else float(ref_raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"{INDICATORS[code].label}：权重和参比值应为数字") from None
        if not math.isfinite(weight) or weight < 0 or weight > 100:
            raise ValueError(f"{INDICATORS[code].label}：权重应在 0–100 之间")
        if ref is not None and (not math.isfinite(ref) or ref <= 0 or ref > 1e6):
            raise ValueError(f"{INDICATORS[code].label}：参比值应为正数")
        out[code] = {"weight": weight, "reference": ref}
    if not any(v["weight"] for v in out.values()):
        raise ValueError("综合排名的权重不能全为 0")
    return out
