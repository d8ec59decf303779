"""Target projection (达标研判) rules: which targets are cumulative, how each is judged (the reported
statistic and the rounding rule it goes through), the status rule and the resampling method.

Plain data with an id and a version, no Django. Facts come from the standards tables
(`envgov.standards.air`); what no text fixes is either a method choice of envgov (said so) or a
user-set parameter (the 预警 rule's probability), shown as such on the page.

Sources:
* Annual mean = mean of the valid daily values of the period; good-day ratio = good days / valid days;
  heavy-pollution day = AQI > 200 (HJ 663-2013 §3.3 as restated in /work/shared/reference/air.md §3.3,
  [2+SRC]); these are the engine's statistics (`envgov.engine.air.period_aggregate`).
* The reported mean is rounded per GB/T 8170 (round half to even) to the digits of
  `envgov.standards.air.rounding_rule(edition, "report")` — HJ 663 rounding is UNCONFIRMED
  (air.md §3.5, air-2026.md §5.2), so the digits are the user-set parameters `report_digits` /
  `report_digits_co` and the projection names the rule and the digits it used.
* The good-day ratio is reported in per cent to 1 decimal (engine convention,
  `envgov.engine.air.good_ratio`, GB/T 8170 on the exact ratio); no text found fixes the digits.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from envgov.catalogue import gettext_noop

RULE_ID = "envgov.projection"
RULE_VERSION = "2026.1"
EFFECTIVE_FROM = dt.date(2013, 10, 1)  # HJ 663-2013 in force; the statistics are unchanged in HJ 663-2026

MEAN, RATIO, COUNT = "mean", "ratio", "count"

# Ratio reporting: per cent, 1 decimal (engine convention; see module docstring).
RATIO_DIGITS = 1
RATIO_ROUNDING_SOURCE = gettext_noop("优良天数比例按百分数保留 1 位小数（GB/T 8170 四舍六入五成双；保留位数为平台约定，标准未见规定）")


@dataclass(frozen=True)
class Cumulative:
    """A plan indicator whose period figure accumulates day by day and can be projected."""

    code: str  # plans.Indicator.code
    kind: str  # MEAN (of a pollutant's daily values), RATIO (good days / valid days), COUNT (heavy days)
    pollutant: str | None = None  # MEAN: the daily column (pm25 …); its report digits come from the standard
    basis_key: str = ""  # key of the engine's result the target's actual value is


CUMULATIVE: dict[str, Cumulative] = {c.code: c for c in (
    Cumulative("pm25_mean", MEAN, "pm25", "pm25"),
    Cumulative("pm10_mean", MEAN, "pm10", "pm10"),
    Cumulative("no2_mean", MEAN, "no2", "no2"),
    Cumulative("so2_mean", MEAN, "so2", "so2"),
    Cumulative("good_day_ratio", RATIO, None, "good_ratio"),
    Cumulative("heavy_pollution_days", COUNT, None, "heavy_days"),
)}
# Percentile targets (O3 90th, CO 95th) are not cumulative: one more day can move the percentile either
# way by an amount the mean arithmetic does not give. They are listed as not projected.
PERCENTILE_NOTE = gettext_noop("百分位数指标不能由剩余天数的平均值反推，暂不研判")
NOT_PROJECTED = {"o3_8h_p90": PERCENTILE_NOTE, "co_p95": PERCENTILE_NOTE}
NOT_CUMULATIVE_NOTE = gettext_noop("不是按监测数据累计计算的目标，不做研判")


@dataclass(frozen=True)
class Resampling:
    """How the probability is estimated (a method choice of envgov, not a standard).

    The remaining calendar days of the period are cut into consecutive blocks of `block_days`; each
    block takes the daily values of the same calendar days from one earlier year drawn at random
    (moving block bootstrap by day of the window): the season is kept, and so are pollution episodes
    of a few days, which independent days would break up. February 29 of the target year takes
    February 28 of a common year. When the number of possible combinations is at most
    `enumerate_up_to`, every combination is counted and the probability is exact; otherwise
    `draws` combinations are drawn with the fixed `seed`, so the figure is reproducible.
    """

    block_days: int = 7
    draws: int = 10_000
    seed: int = 15
    enumerate_up_to: int = 50_000
    min_years: int = 1  # earlier years needed; fewer → no probability (said so)


@dataclass(frozen=True)
class StatusParameter:
    key: str
    label: str
    default: float
    why: str


# The 预警 rule's number: no text fixes it, so it is a user-set parameter with a platform default.
WARN_PROBABILITY = StatusParameter(
    "warn_probability", gettext_noop("达标概率低于此值时记为预警"), 0.8,
    gettext_noop("平台默认值，没有标准或文件依据，由本区按管理要求设定"),
)


@dataclass(frozen=True)
class ProjectionRule:
    id: str = RULE_ID
    version: str = RULE_VERSION
    effective_from: dt.date = EFFECTIVE_FROM
    cumulative: dict[str, Cumulative] = field(default_factory=lambda: dict(CUMULATIVE))
    resampling: Resampling = field(default_factory=Resampling)
    warn_probability: StatusParameter = WARN_PROBABILITY
    assumption: str = gettext_noop("剩余各天均为有效监测日（数据完整时的情形）")

    @property
    def label(self) -> str:
        return f"{self.id} v{self.version}"


RULE = ProjectionRule()

MET, WARN, NOT_MET, UNKNOWN = "met", "warn", "not_met", "unknown"
STATUS_LABELS = {MET: gettext_noop("达标"), WARN: gettext_noop("预警"), NOT_MET: gettext_noop("未达标"),
                 UNKNOWN: gettext_noop("无法研判")}


def status(*, over: bool, meets_now: bool | None, reachable: bool | None, probability: float | None,
           behind_pace: bool | None, warn_probability: float) -> tuple[str, str, dict[str, object]]:
    """达标 / 预警 / 未达标, with the reason as a message template (gettext_noop) and its values.

    * period over: the reported figure decides (达标 / 未达标);
    * not reachable even if every remaining day were at its best: 未达标;
    * with a probability: below the user-set `warn_probability` → 预警, else 达标 (预计达标);
    * without one (no earlier years): 预警 when the rest must do better than the period so far
      (`behind_pace`), else 达标 — a rule with no number in it.
    """
    pct = {"p": f"{warn_probability:.0%}"}
    if over:
        if meets_now is None:
            return UNKNOWN, gettext_noop("期间已结束，但没有有效数据"), {}
        return (MET, gettext_noop("期间已结束，按标准计算的结果达到目标"), {}) if meets_now else (
            NOT_MET, gettext_noop("期间已结束，按标准计算的结果未达到目标"), {})
    if reachable is None:
        return UNKNOWN, gettext_noop("尚无本期数据"), {}
    if not reachable:
        return NOT_MET, gettext_noop("即使剩余各天都处于最好情形，也无法达到目标"), {}
    if probability is not None:
        if probability < warn_probability:
            return WARN, gettext_noop("达标概率低于预警值 %(p)s（预警值为本区可设定的参数）"), pct
        return MET, gettext_noop("达标概率不低于预警值 %(p)s（预警值为本区可设定的参数），预计达标"), pct
    if behind_pace:
        return WARN, gettext_noop("没有往年数据，无法估算概率；剩余期间须好于本期至今的水平才能达标"), {}
    return MET, gettext_noop("没有往年数据，无法估算概率；保持本期至今的水平即可达标"), {}
