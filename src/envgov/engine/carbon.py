"""Carbon-intensity decline against a base year (single year and cumulative), with status against a target.

Formulas (other.md §3.3):

* intensity ``I_t = CO2_t / GDP_t`` — t CO2 per 10⁴ yuan, **GDP at comparable (constant) prices of the base
  year** (current-price GDP overstates the decline; envgov cannot tell which the user gave, so every result
  says which it assumes);
* decline against the base year ``D_t = (1 − I_t / I_base) × 100 %``;
* annual decline ``d_t = (1 − I_t / I_{t−1}) × 100 %``;
* cumulative from annual rates (NDRC 2014 assessment method, [1SRC] S-O41):
  ``D_cum(t) = 1 − (1 − D_cum(t−1)) × (1 − d_t)`` — never the sum of annual percentages. With every year's
  intensity known this equals ``1 − I_t / I_base``; the chain is for years where only published annual rates
  exist.
* Status against a target decline: the final-year target is met when ``D ≥ target`` (达标, else 未达标). For an
  intermediate year k of an n-year target the expected progress is UNCONFIRMED (linear ``D·k/n`` or geometric
  ``1 − (1 − D)^(k/n)``): the user chooses the rule; without one, no status is given.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from envgov.catalogue import gettext_noop
from envgov.engine.targets import MET, NOT_MET, at_least

LINEAR = "linear"
GEOMETRIC = "geometric"
PROGRESS_RULES: dict[str, str] = {LINEAR: gettext_noop("线性进度 D×k/n"), GEOMETRIC: gettext_noop("几何进度 1−(1−D)^(k/n)")}
NOISE_DIGITS = 10

MSG_GDP = gettext_noop("%(year)s 年地区生产总值应大于 0，收到 %(value)s")
MSG_GDP_ANY = gettext_noop("地区生产总值应大于 0，收到 %(value)s")
MSG_CO2 = gettext_noop("%(year)s 年二氧化碳排放量不能为负，收到 %(value)s")
MSG_BASE = gettext_noop("缺少基准年 %(year)s 的排放量和地区生产总值")
MSG_RULE = gettext_noop("进度规则只能是 linear 或 geometric，收到 %(value)s")
MSG_RATE = gettext_noop("年度下降率应小于 100%%，收到 %(value)s%%")
NO_RULE = gettext_noop("中间年份的进度要求（线性或几何）未核实，未设定进度规则，不判断达标")
GDP_BASIS = gettext_noop("地区生产总值按基准年可比价（用户提供）；按当年价计算会高估下降幅度")


@dataclass(frozen=True)
class YearFigures:
    year: int
    co2: float  # t CO2
    gdp: float  # 10⁴ yuan, comparable prices of the base year


@dataclass(frozen=True)
class IntensityResult:
    year: int
    intensity: float  # t CO2 / 10⁴ yuan
    decline_vs_base: float  # % (positive = lower intensity than the base year)
    annual_decline: float | None  # % against the previous year given (None for the first year)
    expected: float | None  # % decline the target asks for by this year (None: no target or no rule)
    status: str  # 达标 / 未达标 / "" (not judged)
    explanation: str


def _clean(x: float) -> float:
    return round(x, NOISE_DIGITS) + 0.0


def plain(x: float) -> str:
    """A figure as written, never in exponent form and never cut to 6 digits (4300000, not 4.3e+06)."""
    text = f"{_clean(x):.{NOISE_DIGITS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def intensity(co2: float, gdp: float) -> float:
    """t CO2 per 10⁴ yuan of comparable-price GDP."""
    if gdp <= 0:
        raise ValueError(MSG_GDP_ANY % {"value": gdp})
    return co2 / gdp


def decline(current: float, reference: float) -> float:
    """(1 − current / reference) × 100, in %."""
    return _clean((1.0 - current / reference) * 100.0)


def cumulative_from_annual(annual_declines: Sequence[float]) -> float:
    """Cumulative decline (%) from annual declines (%): D = 1 − Π(1 − dᵢ) — never their sum."""
    remaining = 1.0
    for d in annual_declines:
        if d >= 100:
            raise ValueError(MSG_RATE % {"value": d})
        remaining *= 1.0 - d / 100.0
    return _clean((1.0 - remaining) * 100.0)


def expected_decline(target: float, k: int, n: int, rule: str) -> float:
    """The decline (%) a target of `target` % over n years asks for after k years, under `rule`."""
    if rule == LINEAR:
        return _clean(target * k / n)
    if rule == GEOMETRIC:
        return _clean((1.0 - (1.0 - target / 100.0) ** (k / n)) * 100.0)
    raise ValueError(MSG_RULE % {"value": rule})


EXPLAIN = gettext_noop("%(year)s 年碳排放强度 = %(co2)s ÷ %(gdp)s = %(i)s 吨/万元；较 %(base)s 年（%(ib)s 吨/万元）"
                       "下降 (1 − %(i)s ÷ %(ib)s) × 100 = %(d)s%%")
EXPLAIN_TARGET = gettext_noop("；目标到 %(target_year)s 年下降 %(target)s%%，本年应下降 %(expected)s%%（%(how)s），%(status)s")
FINAL_YEAR = gettext_noop("目标年")


def evaluate(figures: Mapping[int, tuple[float, float]], base_year: int, target: float | None = None,
             target_year: int | None = None, progress_rule: str | None = None) -> list[IntensityResult]:
    """Intensity, decline against `base_year`, annual decline and target status for every year after the base.

    `figures`: year → (CO2 in t, GDP in 10⁴ yuan at comparable prices of the base year)."""
    for y, (co2, gdp) in figures.items():
        if gdp <= 0:
            raise ValueError(MSG_GDP % {"year": y, "value": gdp})
        if co2 < 0:
            raise ValueError(MSG_CO2 % {"year": y, "value": co2})
    if base_year not in figures:
        raise ValueError(MSG_BASE % {"year": base_year})
    if progress_rule is not None and progress_rule not in PROGRESS_RULES:
        raise ValueError(MSG_RULE % {"value": progress_rule})
    i_base = intensity(*figures[base_year])
    out: list[IntensityResult] = []
    prev: float | None = None
    for y in sorted(figures):
        i_t = intensity(*figures[y])
        if y == base_year:
            prev = i_t
            continue
        if y < base_year:
            continue
        d = decline(i_t, i_base)
        annual = decline(i_t, prev) if prev is not None else None
        prev = i_t
        text = EXPLAIN % {"year": y, "co2": plain(figures[y][0]), "gdp": plain(figures[y][1]), "i": f"{i_t:.4f}",
                          "base": base_year, "ib": f"{i_base:.4f}", "d": f"{d:.2f}"}
        expected: float | None = None
        status = ""
        if target is not None and target_year is not None and y <= target_year:
            n, k = target_year - base_year, y - base_year
            if k == n:
                expected, how = target, FINAL_YEAR
            elif progress_rule is not None:
                expected, how = expected_decline(target, k, n, progress_rule), PROGRESS_RULES[progress_rule]
            else:
                how = ""
            if expected is not None:
                status = at_least(d, expected)
                text += EXPLAIN_TARGET % {"target_year": target_year, "target": f"{target:g}",
                                          "expected": f"{expected:.2f}", "how": how, "status": status}
            else:
                text += "；" + NO_RULE
        out.append(IntensityResult(y, i_t, d, annual, expected, status, text))
    return out


def provenance() -> dict[str, str]:
    return {
        "intensity": gettext_noop("碳排放强度 = 二氧化碳排放量（吨）÷ 地区生产总值（万元，基准年可比价）"),
        "decline": gettext_noop("较基准年下降率 = (1 − 当年强度 ÷ 基准年强度) × 100%"),
        "cumulative": gettext_noop("由年度下降率累计：D累计 = 1 − (1 − D上年累计) × (1 − d当年)，不把各年百分数相加"
                                   "（国家发展改革委 2014 年考核办法，单一来源）"),
        "gdp_basis": GDP_BASIS,
        "status": gettext_noop("下降率不低于目标为达标，否则未达标"),
        "met": MET, "not_met": NOT_MET,
    }
