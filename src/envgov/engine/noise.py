"""Functional-area noise (声环境功能区): each point-time's Leq, its attainment against GB 3096-2008, and the day
and night attainment rates overall and per class — the one computation path for these figures.

Arithmetic (other.md §1.3–1.4):

* A point-time's level is the **energetic mean** of its measured Leq values, weighted by their durations when
  the input gives them (equal otherwise): ``Leq = 10·lg( Σ tᵢ·10^(0.1·Lᵢ) / Σ tᵢ )`` — never an arithmetic mean
  of decibels. Day values give Ld, night
  values Ln; the two are never mixed.
* The level is carried to 0.1 dB(A) (rule: parameter `rounding`), and the rounded value is compared with the
  class limit: a level **equal to** the limit attains it (GB 3096 "不得超过", i.e. ≤).
* 点次 = one point in one unit (parameter `attainment_unit`: a monitoring round, a monitoring day, or each
  value); 昼间达标率 = 昼间达标点次 / 昼间监测点次 × 100 %, night likewise, overall and per class.
* Night-time sudden noise (GB 3096 §5.4): the maximum level Lmax may exceed the night limit by ≤ 15 dB(A);
  reported per night point-time beside the rate (the rate counts Leq only, as the bulletins define it).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from envgov.catalogue import gettext_noop
from envgov.standards.noise import round_level
from envgov.standards.noise.parameters import PARAMETERS, POINT_DAY, POINT_ROUND
from envgov.standards.noise.tables import (
    BY_CODE,
    CLASS_CODES,
    DAY,
    GB3096,
    HJ640,
    LEVEL_DIGITS,
    NIGHT,
    NIGHT_LMAX_EXCESS,
    PERIODS,
    RATE_DEFINITION,
)

ATTAINED = gettext_noop("达标")
EXCEEDED = gettext_noop("超标")
WHOLE_FILE_ROUND = gettext_noop("全部数据（一轮）")
EXPLANATION = gettext_noop("%(period)s %(n)s 个测量值的能量平均 %(leq)s dB(A)，%(cls)s类区限值 %(limit)s dB(A)，%(word)s")


@dataclass(frozen=True)
class Point:
    code: str
    name: str
    cls: str  # "0" … "4b"
    lon: float | None = None
    lat: float | None = None
    row: int = 0  # first row of the input where the point appears


@dataclass(frozen=True)
class Measurement:
    point: str
    time: datetime  # local start of the measured interval (date only when `has_clock` is False)
    has_clock: bool
    period: str  # DAY or NIGHT
    leq: float
    lmax: float | None = None
    round: str = ""  # monitoring round as written (empty: none given)
    row: int = 0
    duration: float = 1.0  # minutes the Leq stands for (the weight in an energetic mean; equal when not given)


# ------------------------------------------------------------------------------------------- arithmetic


def energy_mean(levels: Iterable[float], durations: Iterable[float] | None = None) -> float:
    """Energetic mean 10·lg(Σ tᵢ·10^(Lᵢ/10) / Σ tᵢ) — the definition Leq,T = 10·lg((1/T)∫10^(0.1·L)dt) for
    levels Lᵢ held over durations tᵢ (other.md §1.3); equal durations when none are given."""
    values = list(levels)
    if not values:
        raise ValueError("no levels")
    weights = [1.0] * len(values) if durations is None else [float(t) for t in durations]
    if len(weights) != len(values) or min(weights) <= 0:
        raise ValueError("durations must be positive, one per level")
    top = max(values)  # factor out the largest level: no overflow, same value
    return top + 10.0 * math.log10(sum(w * 10.0 ** ((v - top) / 10.0) for v, w in zip(values, weights)) / sum(weights))


def _clock(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))


def night_window() -> tuple[time, time]:
    return _clock(str(PARAMETERS.value("night_start"))), _clock(str(PARAMETERS.value("night_end")))


def period_of(t: datetime | time) -> str:
    """DAY or NIGHT for a local clock time (start of the interval), with the night window in force."""
    clock = t.time() if isinstance(t, datetime) else t
    start, end = night_window()
    if start > end:  # night crosses midnight (the usual 22:00–06:00)
        night = clock >= start or clock < end
    else:
        night = start <= clock < end
    return NIGHT if night else DAY


def monitoring_day(m: Measurement) -> date:
    """The date a value belongs to: its own date; a night value after midnight belongs to the night that
    began the evening before (22:00 on 3 May – 06:00 on 4 May is the night of 3 May)."""
    d = m.time.date()
    if m.period == NIGHT and m.has_clock:
        start, end = night_window()
        if start > end and m.time.time() < end:
            d -= timedelta(days=1)
    return d


def unit_of(m: Measurement) -> str:
    """The 点次 a value counts in, under `attainment_unit`."""
    unit = PARAMETERS.value("attainment_unit")
    if unit == POINT_ROUND:
        return m.round
    if unit == POINT_DAY:
        return monitoring_day(m).isoformat()
    return m.time.isoformat(sep=" ", timespec="minutes") if m.has_clock else m.time.date().isoformat()


# ------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PointTime:
    """One 点次: a point in one unit and one period, its level and its attainment."""

    point: str
    cls: str
    unit: str
    period: str
    values: int
    leq: float  # energetic mean, rounded to 0.1
    limit: float
    attained: bool
    first: datetime
    last: datetime
    rows: tuple[int, ...]
    lmax: float | None = None  # highest maximum level given (night: judged against limit + 15)
    lmax_limit: float | None = None
    lmax_ok: bool | None = None

    @property
    def exceedance(self) -> float:
        """dB(A) above the limit (0 when attained), to 0.1."""
        return max(0.0, round(self.leq - self.limit, LEVEL_DIGITS))

    def explanation(self) -> str:
        """The reasoning in Chinese, verifiable by hand."""
        return EXPLANATION % {"period": PERIODS[self.period], "n": self.values, "leq": f"{self.leq:.1f}",
                              "cls": self.cls, "limit": f"{self.limit:g}",
                              "word": ATTAINED if self.attained else EXCEEDED}


@dataclass(frozen=True)
class Rate:
    period: str
    cls: str | None  # None = all classes
    monitored: int
    attained: int

    @property
    def rate(self) -> float | None:
        """达标率 in %, to 0.1 (None when nothing was monitored)."""
        if not self.monitored:
            return None
        return round_level(100.0 * self.attained / self.monitored)


@dataclass(frozen=True)
class PointSummary:
    point: str
    period: str
    point_times: int
    attained: int
    leq: float  # energetic mean of all the point's values in the period, to 0.1
    limit: float
    values: int

    @property
    def rate(self) -> float | None:
        return round_level(100.0 * self.attained / self.point_times) if self.point_times else None


@dataclass
class NoiseEvaluation:
    points: dict[str, Point]
    point_times: list[PointTime]
    rates: list[Rate]  # overall (cls None) then per class, day then night
    summaries: list[PointSummary]
    provenance: dict[str, object] = field(default_factory=dict)

    def rate(self, period: str, cls: str | None = None) -> Rate:
        return next(r for r in self.rates if r.period == period and r.cls == cls)


def evaluate(points: Mapping[str, Point], measurements: Sequence[Measurement]) -> NoiseEvaluation:
    """Point-times, per-point summaries and the attainment rates of checked measurements."""
    groups: dict[tuple[str, str, str], list[Measurement]] = {}
    by_point: dict[tuple[str, str], list[Measurement]] = {}
    for m in measurements:
        groups.setdefault((m.point, unit_of(m), m.period), []).append(m)
        by_point.setdefault((m.point, m.period), []).append(m)
    times: list[PointTime] = []
    for (code, unit, period), ms in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][2] != DAY,
                                                                            min(x.time for x in kv[1]))):
        cls = BY_CODE[points[code].cls]
        level = round_level(energy_mean([m.leq for m in ms], [m.duration for m in ms]))
        limit = cls.limit(period)
        lmaxes = [m.lmax for m in ms if m.lmax is not None]
        lmax = round_level(max(lmaxes)) if lmaxes else None
        lmax_limit = cls.night + NIGHT_LMAX_EXCESS if period == NIGHT else None
        times.append(PointTime(
            point=code, cls=cls.code, unit=unit or WHOLE_FILE_ROUND, period=period, values=len(ms), leq=level, limit=limit,
            attained=level <= limit, first=min(m.time for m in ms), last=max(m.time for m in ms),
            rows=tuple(sorted(m.row for m in ms)), lmax=lmax, lmax_limit=lmax_limit,
            lmax_ok=(lmax <= lmax_limit) if (lmax is not None and lmax_limit is not None) else None,
        ))
    rates: list[Rate] = []
    for period in (DAY, NIGHT):
        pts = [t for t in times if t.period == period]
        rates.append(Rate(period, None, len(pts), sum(t.attained for t in pts)))
        for code in CLASS_CODES:
            sub = [t for t in pts if points[t.point].cls == code]
            rates.append(Rate(period, code, len(sub), sum(t.attained for t in sub)))
    summaries: list[PointSummary] = []
    for (code, period), pms in sorted(by_point.items(), key=lambda kv: (kv[0][0], kv[0][1] != DAY)):
        pts = [t for t in times if t.point == code and t.period == period]
        summaries.append(PointSummary(code, period, len(pts), sum(t.attained for t in pts),
                                      round_level(energy_mean([m.leq for m in pms], [m.duration for m in pms])),
                                      BY_CODE[points[code].cls].limit(period), len(pms)))
    return NoiseEvaluation(dict(points), times, rates, summaries, provenance())


def provenance() -> dict[str, object]:
    start, end = night_window()
    return {
        "standard": f"{GB3096.title}（{GB3096.id}）",
        "monitoring": f"{HJ640.title}（{HJ640.id}）§6 功能区声环境",
        "rate": RATE_DEFINITION,
        "leq": gettext_noop("点次等效声级 = 10·lg(Σtᵢ·10^(0.1·Lᵢ)/Σtᵢ)（能量平均，tᵢ 为各测量值的时长；未给时长时各值等权），"
                            "修约到 0.1 dB(A)，不高于限值为达标"),
        "lmax": gettext_noop("夜间突发噪声最大声级超过夜间限值的幅度不得高于 15 dB(A)（GB 3096-2008 5.4）；不计入达标率"),
        "periods": {DAY: f"{end:%H:%M}–{start:%H:%M}",
                    NIGHT: f"{start:%H:%M}–{'次日' if start > end else ''}{end:%H:%M}"},
        "parameters": PARAMETERS.provenance(),
    }
