"""Real-time (hourly) AQI rules as named, dated data, with an exact scalar evaluator.

HJ 633 defines a real-time report, but published hourly AQI series did not always follow its letter.
Each convention is a `RealtimeRule` with the dates it applies to and the period where it was verified
against official releases (docs/validation.md (§B)):

* ``bjmemc-2014`` — Beijing Municipal Environmental Monitoring Center release, 2014-05 … 2015-05:
  PM2.5/PM10 IAQI from the trailing 24-h mean (24-h breakpoints), SO2/NO2/CO/O3 from 1-h means
  (1-h breakpoints), no O3 8-h, IAQI rounded up. Verified 99.38 % exact (see the validation note).
* ``hj633-2012-hourly`` — the hourly AQI of the same release in 2017-11 … 2018-06 (national practice):
  PM2.5/PM10 1-h means on the 24-h breakpoints, SO2/NO2/CO/O3 1-h, no O3 8-h, IAQI rounded half up.
  Deviates from the HJ 633-2012 text in three points (PM 1-h instead of 24-h moving mean, no O3 8-h,
  half-up instead of 全部进位) but reproduces the published values exactly.
* ``hj633-2012-realtime`` — HJ 633-2012 §5.1.3 Table 4 to the letter (9 indicators, PM from 24-h
  moving means, O3 8-h moving mean, round up). Not chosen by ``auto``; for users who want the text.
* ``hj633-2026-hourly`` — HJ 633-2026 §4.2.3 Table 5: 1-h means of the six pollutants, PM on the daily
  breakpoints (§4.2.4), concentrations rounded per GB/T 8170 first, IAQI rounded up, SO2 1-h > 800 → 200.

``auto`` chooses by the local date of the hour: bjmemc-2014 before 2015-06-01, hj633-2012-hourly up to
2026-02-28, hj633-2026-hourly from 2026-03-01. The 2015-06-01 switch is an ASSUMPTION: the release of
2015-06 … 2017-10 matches neither convention well (integer-rounded concentrations, blanks; see
/work/shared/data/official_aqi/PROVENANCE.md), so the true switch date is unknown — pass --rule to
choose explicitly.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from envgov.standards.air import (
    EDITIONS,
    Level,
    aqi_level,
    iaqi_exact,
    round_half_up,
    round_up,
)
from envgov.standards.air.rounding import Number


@dataclass(frozen=True)
class RealtimeIndicator:
    key: str  # name of the input value, e.g. "so2" (1-h), "pm25_24h" (trailing 24-h mean)
    pollutant: str
    averaging: str  # breakpoint column used


@dataclass(frozen=True)
class RealtimeRule:
    key: str
    title: str
    edition: str  # breakpoint table and >800 rules: HJ 633-<edition>
    applies_from: date | None  # dates `auto` gives this rule (None = open)
    applies_to: date | None
    indicators: tuple[RealtimeIndicator, ...]
    result_rounding: str  # "ceiling" (HJ 633 全部进位) or "half_up" (observed convention)
    round_input: bool  # GB/T 8170 rounding of concentrations before the IAQI (HJ 633-2026)
    so2_fallback_key: str | None  # 2012: SO2 1-h > 800 → IAQI of this value on the 24-h table
    verified_from: date | None
    verified_to: date | None
    source: str
    note: str = ""

    def input_keys(self) -> tuple[str, ...]:
        keys = tuple(i.key for i in self.indicators)
        return keys + ((self.so2_fallback_key,) if self.so2_fallback_key else ())


def _ind(key: str, pollutant: str, averaging: str) -> RealtimeIndicator:
    return RealtimeIndicator(key, pollutant, averaging)


_GASES_1H = (_ind("so2", "so2", "1h"), _ind("no2", "no2", "1h"), _ind("co", "co", "1h"), _ind("o3", "o3", "1h"))

RULES: dict[str, RealtimeRule] = {
    "bjmemc-2014": RealtimeRule(
        key="bjmemc-2014",
        title="北京市环境监测中心实时 AQI（2014 年口径：颗粒物 24 小时滑动平均、气态污染物 1 小时，进位取整）",
        edition="2012",
        applies_from=None,
        applies_to=date(2015, 5, 31),
        indicators=_GASES_1H + (_ind("pm10_24h", "pm10", "24h"), _ind("pm25_24h", "pm25", "24h")),
        result_rounding="ceiling",
        round_input=False,
        so2_fallback_key="so2_24h",
        verified_from=date(2014, 5, 1),
        verified_to=date(2015, 5, 31),
        source="HJ 633-2012 表1 分段；口径由北京发布数据反推（shared/data/official_aqi/PROVENANCE.md）",
        note="无 O3 8 小时项；PM 1 小时浓度只发布不计分指数",
    ),
    "hj633-2012-hourly": RealtimeRule(
        key="hj633-2012-hourly",
        title="HJ 633-2012 实时 AQI（通行口径：颗粒物 1 小时浓度按 24 小时分段，四舍五入）",
        edition="2012",
        applies_from=date(2015, 6, 1),
        applies_to=date(2026, 2, 28),
        indicators=_GASES_1H + (_ind("pm10", "pm10", "24h"), _ind("pm25", "pm25", "24h")),
        result_rounding="half_up",
        round_input=False,
        so2_fallback_key="so2_24h",
        verified_from=date(2017, 11, 1),
        verified_to=date(2018, 6, 2),
        source="HJ 633-2012 表1 分段；口径由北京发布数据反推（shared/data/official_aqi/PROVENANCE.md）",
        note="与 HJ 633-2012 原文三处不同：PM 用 1 小时值、无 O3 8 小时项、分指数四舍五入而非全部进位；"
             "2015-06-01 起用此口径为假设（切换日期未知）",
    ),
    "hj633-2012-realtime": RealtimeRule(
        key="hj633-2012-realtime",
        title="HJ 633-2012 实时报（按原文 §5.1.3 表4：9 项指标，全部进位）",
        edition="2012",
        applies_from=None,
        applies_to=None,  # never chosen by auto
        indicators=_GASES_1H + (
            _ind("o3_8h", "o3", "8h"), _ind("pm10_24h", "pm10", "24h"), _ind("pm25_24h", "pm25", "24h"),
        ),
        result_rounding="ceiling",
        round_input=False,
        so2_fallback_key="so2_24h",
        verified_from=None,
        verified_to=None,
        source="HJ 633-2012 §5.1.3、表1、表4、§6.2",
        note="O3 8 小时 > 800 时按表1注3 不计，由 O3 1 小时分指数代替（其本身已是指标）",
    ),
    "hj633-2026-hourly": RealtimeRule(
        key="hj633-2026-hourly",
        title="HJ 633-2026 实时报（6 项 1 小时平均，颗粒物按日平均分段，浓度先按 GB/T 8170 修约，全部进位）",
        edition="2026",
        applies_from=date(2026, 3, 1),
        applies_to=None,
        indicators=_GASES_1H + (_ind("pm10", "pm10", "24h"), _ind("pm25", "pm25", "24h")),
        result_rounding="ceiling",
        round_input=True,
        so2_fallback_key=None,
        verified_from=None,
        verified_to=None,
        source="HJ 633-2026 §4.2.3、§4.2.4、§4.2.6、表3、表5",
    ),
}
AUTO_RULES: tuple[str, ...] = ("bjmemc-2014", "hj633-2012-hourly", "hj633-2026-hourly")


def rule_for(day: date, rule: str | None = "auto") -> RealtimeRule:
    """The rule named `rule`, or with "auto"/None the rule whose dates contain the local `day`."""
    if rule not in (None, "auto"):
        try:
            return RULES[rule]
        except KeyError:
            raise ValueError(f"未知的实时 AQI 规则：{rule!r}（可选 auto、{'、'.join(RULES)}）") from None
    if isinstance(day, datetime):
        day = day.date()
    for key in AUTO_RULES:
        r = RULES[key]
        if (r.applies_from is None or day >= r.applies_from) and (r.applies_to is None or day <= r.applies_to):
            return r
    raise AssertionError("auto rules cover every date")  # pragma: no cover


def _rule(rule: str | RealtimeRule) -> RealtimeRule:
    if isinstance(rule, RealtimeRule):
        return rule
    if rule in (None, "auto"):
        raise ValueError("auto 需按日期选择规则：请先调用 rule_for(日期)")
    return rule_for(date.min, rule)


@dataclass(frozen=True)
class HourlyAqi:
    rule: str
    aqi: int | None
    level: Level | None
    primary_pollutants: tuple[str, ...]  # pollutant codes with the maximum IAQI, only when AQI > 50
    iaqi: dict[str, int | None]  # per indicator key


def _round(rule: RealtimeRule, raw: Fraction) -> int:
    return round_up(raw) if rule.result_rounding == "ceiling" else int(round_half_up(raw))


def hourly_aqi(rule: str | RealtimeRule, values: Mapping[str, Number | None]) -> HourlyAqi:
    """Real-time AQI of one station-hour under `rule` (exact arithmetic).

    >>> hourly_aqi("hj633-2012-hourly", {"pm25": 37}).aqi      # 52.5 rounds half up
    53
    >>> hourly_aqi("bjmemc-2014", {"pm25_24h": 37}).aqi        # 52.5 rounds up
    53
    >>> hourly_aqi("hj633-2026-hourly", {"so2": 900}).aqi
    200
    """
    r = _rule(rule)
    sub: dict[str, int | None] = {}
    pollutant_of: dict[str, str] = {}
    for ind in r.indicators:
        pollutant_of[ind.key] = ind.pollutant
        raw = iaqi_exact(r.edition, ind.pollutant, ind.averaging, values.get(ind.key), round_input=r.round_input)
        if raw is None and ind.pollutant == "so2" and r.so2_fallback_key and values.get(ind.key) is not None:
            # HJ 633-2012 Table 1 note 2: SO2 1-h > 800 → report the SO2 IAQI of the 24-h mean.
            raw = iaqi_exact(r.edition, "so2", "24h", values.get(r.so2_fallback_key))
        sub[ind.key] = None if raw is None else _round(r, raw)
    present = {k: v for k, v in sub.items() if v is not None}
    if not present:
        return HourlyAqi(r.key, None, None, (), sub)
    aqi = max(present.values())
    primary = tuple(dict.fromkeys(pollutant_of[k] for k, v in present.items() if v == aqi)) if aqi > 50 else ()
    return HourlyAqi(r.key, aqi, aqi_level(EDITIONS[r.edition], aqi), primary, sub)


__all__ = ["AUTO_RULES", "RULES", "HourlyAqi", "RealtimeIndicator", "RealtimeRule", "hourly_aqi", "rule_for"]
