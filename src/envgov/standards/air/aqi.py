"""AQI, levels, limits, validity and percentiles per HJ 633 / GB 3095 / HJ 663 (editions 2012 and 2026).

All arithmetic is exact (fractions of the decimal values the caller sees), so the "round up" of HJ 633
never turns 100 into 101 through binary noise.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from functools import cache

from envgov.standards.air import parameters
from envgov.standards.air.rounding import Number, round_half_even, round_up, to_fraction
from envgov.standards.air.tables import (
    ABOVE_800_RULES,
    ASSESSMENT_ITEMS,
    BREAKPOINTS,
    DAILY_INDICATORS,
    EDITION_SWITCH_DAY,
    EDITIONS,
    GOOD_DAY_MAX_AQI,
    LEVELS,
    LIMITS,
    PHASES_2026,
    POLLUTANTS,
    ROUNDING_RULES,
    VALIDITY,
    AirEdition,
    AssessmentItem,
    Breakpoints,
    Level,
    Limit,
    RoundingRule,
    ValidityRules,
)

EditionLike = str | AirEdition


# ---------------------------------------------------------------------------------------------------
# Edition and phase selection
# ---------------------------------------------------------------------------------------------------
def edition_for(day: date, override: str | None = None) -> AirEdition:
    """Edition that applies to data of local day `day`; `override` "2012"/"2026" forces one.

    >>> edition_for(date(2026, 2, 28)).key, edition_for(date(2026, 3, 1)).key
    ('2012', '2026')
    """
    if override not in (None, "auto"):
        return _edition(override)
    if isinstance(day, datetime):
        day = day.date()
    return EDITIONS["2026"] if day >= EDITION_SWITCH_DAY else EDITIONS["2012"]


def phase_for(day: date) -> str | None:
    """GB 3095-2026 phase of a day: "transition" (to 2030-12-31), "final" (from 2031), None before 2026-03-01."""
    if isinstance(day, datetime):
        day = day.date()
    for phase, (start, end) in PHASES_2026.items():
        if day >= start and (end is None or day <= end):
            return phase
    return None


def _edition(edition: EditionLike) -> AirEdition:
    if isinstance(edition, AirEdition):
        return edition
    key = str(edition)
    if key not in EDITIONS:
        raise ValueError(f"未知的标准版本：{edition!r}（可选 2012、2026）")
    return EDITIONS[key]


def _key(edition: EditionLike) -> str:
    return _edition(edition).key


# ---------------------------------------------------------------------------------------------------
# Breakpoints and IAQI
# ---------------------------------------------------------------------------------------------------
def breakpoints(edition: EditionLike, pollutant: str, averaging: str) -> Breakpoints:
    """The HJ 633 breakpoint column for a pollutant and averaging time ("1h", "8h", "24h").

    HJ 633-2026 §4.2.4: a PM10/PM2.5 1-h mean uses the daily column, so ("pm25", "1h") maps to "24h"
    in the 2026 edition. HJ 633-2012 has no IAQI for PM 1-h means (they are published as concentrations).
    """
    key = _key(edition)
    if key == "2026" and pollutant in ("pm10", "pm25") and averaging == "1h":
        averaging = "24h"
    try:
        return BREAKPOINTS[(key, pollutant, averaging)]
    except KeyError:
        raise ValueError(f"{_edition(edition).hj633} 无 {pollutant} {averaging} 的分指数分段") from None


def _is_missing(conc: object) -> bool:
    if conc is None:
        return True
    try:
        return math.isnan(conc)  # type: ignore[arg-type]
    except TypeError:
        return False


def iaqi_exact(
    edition: EditionLike,
    pollutant: str,
    averaging: str,
    conc: Number | None,
    *,
    round_input: bool | None = None,
    above_top: str | None = None,
) -> Fraction | None:
    """Unrounded IAQI as an exact fraction (linear interpolation of HJ 633), or None.

    None means: value missing, or the 2012 rule says not to compute an IAQI from this value (SO2 1-h or
    O3 8-h above 800, where the report uses another indicator), or above the table with above_top="none".
    `round_input` defaults to the edition's rule (2026: GB/T 8170 to integers, CO 1 decimal; 2012: none).
    """
    if _is_missing(conc):
        return None
    key = _key(edition)
    value = to_fraction(conc)  # type: ignore[arg-type]
    if value < 0:
        raise ValueError(f"浓度为负，无法计算分指数：{pollutant}={conc}")
    rule = ROUNDING_RULES[(key, "iaqi_input")]
    if round_input is None:
        round_input = rule.method != "none"
    if round_input:
        value = to_fraction(round_half_even(value, rule.digits.get(pollutant, 0) if rule.digits else 0))
    bp = breakpoints(key, pollutant, averaging)
    special = ABOVE_800_RULES.get((key, pollutant, bp.averaging))
    if special is not None and value > special["above"]:  # type: ignore[operator]
        if "iaqi" in special:
            return Fraction(special["iaqi"])  # type: ignore[arg-type]
        return None  # 2012: report the IAQI of the indicator named in special["use"]
    top = bp.conc[-1]
    if value > to_fraction(top):
        above_top = above_top or str(parameters.value("above_top_policy"))  # user-set (unconfirmed rule)
        if above_top == "cap":
            return Fraction(bp.iaqi[-1])
        if above_top == "none":
            return None
        raise ValueError(f"未知的超上限处理方式：{above_top!r}")
    for i in range(1, len(bp.conc)):
        hi = to_fraction(bp.conc[i])
        if value <= hi:
            lo = to_fraction(bp.conc[i - 1])
            return Fraction(bp.iaqi[i] - bp.iaqi[i - 1]) / (hi - lo) * (value - lo) + bp.iaqi[i - 1]
    raise AssertionError("unreachable")  # pragma: no cover


def iaqi(
    edition: EditionLike,
    pollutant: str,
    averaging: str,
    conc: Number | None,
    *,
    round_input: bool | None = None,
    above_top: str | None = None,
) -> int | None:
    """IAQI rounded up to an integer (HJ 633-2012 §6.2, HJ 633-2026 §4.2.6 "全部进位取整数").

    >>> iaqi("2012", "pm25", "24h", 70), iaqi("2026", "pm25", "24h", 70)
    (94, 110)
    >>> iaqi("2012", "so2", "1h", 801) is None, iaqi("2026", "so2", "1h", 801)
    (True, 200)
    """
    raw = iaqi_exact(edition, pollutant, averaging, conc, round_input=round_input, above_top=above_top)
    return None if raw is None else round_up(raw)


# ---------------------------------------------------------------------------------------------------
# Levels
# ---------------------------------------------------------------------------------------------------
def aqi_level(edition: EditionLike, aqi: float) -> Level:
    """Level (1–6), category (优 … 严重污染) and colour of an AQI (HJ 633 Table 2 / Table 1)."""
    if _is_missing(aqi):
        raise ValueError("AQI 缺失，无法确定级别")
    if aqi < 0:
        raise ValueError(f"AQI 不能为负：{aqi}")
    for level in LEVELS[_key(edition)]:
        if level.aqi_high is None or aqi <= level.aqi_high:
            return level
    raise AssertionError("unreachable")  # pragma: no cover


def levels(edition: EditionLike) -> tuple[Level, ...]:
    return LEVELS[_key(edition)]


def is_good_day(aqi: float | None) -> bool | None:
    """优良天 (AQI ≤ 100); None when the AQI is missing."""
    return None if aqi is None else aqi <= GOOD_DAY_MAX_AQI


# ---------------------------------------------------------------------------------------------------
# Daily AQI
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DailyAqi:
    edition: str
    aqi: int | None
    level: Level | None
    primary_pollutants: tuple[str, ...]  # pollutant codes; empty when AQI ≤ 50 (or missing)
    exceeding_pollutants: tuple[str, ...] | None  # IAQI > 100; None in 2026 (definition deleted)
    primary_indicators: tuple[str, ...]  # e.g. ("o3_8h",): which indicator of the pollutant
    iaqi: dict[str, int | None]  # per indicator key
    missing: tuple[str, ...]  # indicators without a value
    publishable: bool  # HJ 633-2026 §5: with missing indicators the AQI is published only if > 100

    @property
    def good_day(self) -> bool | None:
        return is_good_day(self.aqi)


DAILY_INPUT_KEYS: frozenset[str] = frozenset(i.key for e in DAILY_INDICATORS.values() for i in e)


def daily_aqi(edition: EditionLike, values: Mapping[str, Number | None]) -> DailyAqi:
    """Daily AQI from daily statistics (HJ 633-2012 §5.1.2; HJ 633-2026 §4.2.2).

    Keys: "so2", "no2", "pm10", "co", "pm25" (24-h / daily means), "o3_8h" (daily max 8-h moving mean),
    "o3_1h" (daily max 1-h, used by the 2012 edition only). Concentrations in µg/m³, CO in mg/m³.

    >>> d = daily_aqi("2012", {"pm25": 70}); d.aqi, d.level.category, d.good_day
    (94, '良', True)
    >>> d = daily_aqi("2026", {"pm25": 70}); d.aqi, d.level.category, d.good_day
    (110, '轻度污染', False)
    """
    key = _key(edition)
    unknown = set(values) - DAILY_INPUT_KEYS
    if unknown:
        raise ValueError(f"日报不认识的指标：{sorted(unknown)}（可用：{sorted(DAILY_INPUT_KEYS)}）")
    indicators = DAILY_INDICATORS[key]
    sub: dict[str, int | None] = {}
    missing: list[str] = []
    for ind in indicators:
        conc = values.get(ind.key)
        if _is_missing(conc):
            missing.append(ind.key)
            sub[ind.key] = None
            continue
        # 2012 O3 8-h > 800: no IAQI from it; the O3 1-h daily maximum (already an indicator) stands in.
        sub[ind.key] = iaqi(key, ind.pollutant, ind.averaging, conc)
    return _summarise(key, sub, {i.key: i.pollutant for i in indicators}, tuple(missing))


def _summarise(
    key: str, sub: Mapping[str, int | None], pollutant_of: Mapping[str, str], missing: tuple[str, ...]
) -> DailyAqi:
    present = {k: v for k, v in sub.items() if v is not None}
    if not present:
        return DailyAqi(key, None, None, (), None if key == "2026" else (), (), dict(sub), missing, False)
    aqi = max(present.values())
    primary_ind = tuple(k for k, v in present.items() if v == aqi) if aqi > 50 else ()
    primary = tuple(dict.fromkeys(pollutant_of[k] for k in primary_ind))
    exceeding: tuple[str, ...] | None
    if key == "2012":  # HJ 633-2012 §3.4/§4.4.2; deleted in HJ 633-2026
        exceeding = tuple(dict.fromkeys(pollutant_of[k] for k, v in present.items() if v > 100))
    else:
        exceeding = None
    publishable = not missing or aqi > 100 if key == "2026" else True
    return DailyAqi(key, aqi, aqi_level(key, aqi), primary, exceeding, primary_ind, dict(sub), missing, publishable)


# ---------------------------------------------------------------------------------------------------
# Rounding of concentrations
# ---------------------------------------------------------------------------------------------------
def rounding_rule(edition: EditionLike, purpose: str) -> RoundingRule:
    """The rounding rule; the digits of "report" (unconfirmed) are the user-set parameters in force."""
    return _rounding_rule(_key(edition), purpose, parameters.signature())


@cache
def _rounding_rule(edition: str, purpose: str, _signature: tuple) -> RoundingRule:
    try:
        rule = ROUNDING_RULES[(edition, purpose)]
    except KeyError:
        raise ValueError(f"未知的修约用途：{purpose!r}（可选 iaqi_input、report、iaqi）") from None
    if purpose == "report":
        digits = {p: int(parameters.value("report_digits")) for p in rule.digits}  # type: ignore[call-overload]
        digits["co"] = int(parameters.value("report_digits_co"))  # type: ignore[call-overload]
        if digits != rule.digits:
            rule = replace(rule, digits=digits)
    return rule


def round_concentration(
    edition: EditionLike, pollutant: str, value: Number | None, purpose: str = "iaqi_input",
    digits: int | None = None,
) -> Decimal | None:
    """Concentration rounded as the edition prescribes for `purpose`.

    "iaqi_input": before computing an IAQI (2026: GB/T 8170 half-even to integers, CO 1 decimal;
    2012: unchanged). "report": published/assessed values (GB/T 8170, digits UNCONFIRMED → `digits`
    overrides). Returns an exact Decimal, or None for a missing value.

    >>> round_concentration("2026", "pm25", 60.5), round_concentration("2026", "co", 1.25)
    (Decimal('60'), Decimal('1.2'))
    """
    if _is_missing(value):
        return None
    rule = rounding_rule(edition, purpose)
    if rule.method == "none" and digits is None:
        return Decimal(repr(float(value))) if isinstance(value, float) else Decimal(str(value))
    if rule.method == "ceiling":
        return Decimal(round_up(value))  # type: ignore[arg-type]
    places = digits if digits is not None else rule.digits.get(pollutant, 0)
    return round_half_even(value, places)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------
# Limits, validity, assessment
# ---------------------------------------------------------------------------------------------------
_STAT_ALIASES = {"daily": "24h", "day": "24h", "hour": "1h", "8h_max": "8h", "daily_max_8h": "8h",
                 "year": "annual", "yearly": "annual"}


def limits(
    edition: EditionLike, pollutant: str, averaging_or_statistic: str, grade: int = 2, phase: str | None = None
) -> Limit:
    """GB 3095 concentration limit. `phase` is required for 2026 ("transition" until 2030-12-31, "final").

    >>> limits("2026", "pm25", "24h", 2, "transition").value, limits("2012", "pm25", "24h", 2).value
    (60.0, 75.0)
    """
    key = _key(edition)
    statistic = _STAT_ALIASES.get(averaging_or_statistic, averaging_or_statistic)
    if grade not in (1, 2):
        raise ValueError(f"级别只能是 1 或 2：{grade}")
    if key == "2012":
        if phase not in (None,):
            raise ValueError("GB 3095-2012 没有分阶段限值")
    elif phase not in PHASES_2026:
        raise ValueError("GB 3095-2026 须指定阶段 phase：transition（过渡阶段，至2030-12-31）或 final")
    try:
        return LIMITS[(key, pollutant, statistic, grade, phase)]
    except KeyError:
        raise ValueError(f"{_edition(key).gb3095} 无 {pollutant} {averaging_or_statistic} 的限值") from None


def limits_for(day: date, pollutant: str, averaging_or_statistic: str, grade: int = 2) -> Limit:
    """Limit applying on `day` (edition and phase chosen by date)."""
    edition = edition_for(day)
    return limits(edition, pollutant, averaging_or_statistic, grade, phase_for(day) if edition.key == "2026" else None)


def validity_rules(edition: EditionLike) -> ValidityRules:
    """GB 3095 Table 4 / HJ 663 validity; the O3 daily-max-8-h rule (unconfirmed) is the user-set parameter."""
    return _validity_rules(_key(edition), parameters.signature())


@cache
def _validity_rules(edition: str, _signature: tuple) -> ValidityRules:
    rules = VALIDITY[edition]
    windows = int(parameters.value("o3_daily_max_8h_min_windows"))  # type: ignore[call-overload]
    if_exceeds = bool(parameters.value("o3_daily_max_8h_valid_if_exceeds"))
    if (windows, if_exceeds) == (rules.o3_daily_max_8h_min_windows, rules.o3_daily_max_8h_valid_if_exceeds):
        return rules
    rows = tuple(replace(r, minimum=windows, valid_if_exceeds=if_exceeds) if r.statistic == "o3_daily_max_8h" else r
                 for r in rules.rows)
    return replace(rules, o3_daily_max_8h_min_windows=windows, o3_daily_max_8h_valid_if_exceeds=if_exceeds,
                   rows=rows)


def assessment_items(edition: EditionLike) -> tuple[AssessmentItem, ...]:
    return ASSESSMENT_ITEMS[_key(edition)]


def percentile(values: Iterable[Number | None], p: float) -> float | None:
    """Percentile per HJ 663 Annex A: k = 1 + (n − 1)·p/100, linear between neighbouring order statistics.

    >>> percentile([3, 4, 8, 2, 5, 4], 90)
    6.5
    """
    xs = sorted(to_fraction(v) for v in values if not _is_missing(v))
    if not xs:
        return None
    if not 0 <= p <= 100:
        raise ValueError(f"百分位数须在 0–100 之间：{p}")
    k = 1 + (len(xs) - 1) * to_fraction(p) / 100
    s = math.floor(k)
    lower = xs[s - 1]
    upper = xs[s] if s < len(xs) else lower
    return float(lower + (upper - lower) * (k - s))


__all__ = [
    "POLLUTANTS",
    "AirEdition",
    "Breakpoints",
    "DailyAqi",
    "Level",
    "Limit",
    "ValidityRules",
    "aqi_level",
    "assessment_items",
    "breakpoints",
    "daily_aqi",
    "edition_for",
    "iaqi",
    "iaqi_exact",
    "is_good_day",
    "levels",
    "limits",
    "limits_for",
    "percentile",
    "phase_for",
    "round_concentration",
    "rounding_rule",
    "validity_rules",
]
