"""Town (街道·乡镇) figures per period and their rankings. Plain Python + NumPy, no Django.

Town daily value (HJ 663 set aggregation, air.md §3.4, with the district's weighting by station kind):

    mode "site": C_town,d = Σ_s w_kind(s) · C_s,d / Σ_s w_kind(s)      over the town's sites valid on day d
    mode "kind": C_town,d = Σ_k W_k · mean_k,d / Σ_k W_k               over the kinds with a valid site on d

With every weight 1, mode "site" is the arithmetic mean of the sites' valid daily values (the engine's
set rule, `envgov.engine.air.set_daily`). Period value = mean of the town's valid daily values, reported
(rounded) per the standards' report rule; valid per GB 3095 Table 4 applied month by month
(`envgov.rules.ranking.check_period`). Data completeness = valid days / days of the period.

The input is what one database aggregate gives: rows (town, day, kind, Σ value, count) — the caller
never loops over station-days in Python.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from envgov.rules import ranking as rules
from envgov.rules.dates import year_in_window
from envgov.standards import air as std

PERIOD_KINDS = ("month", "quarter", "ytd", "year", "range")


class PeriodError(ValueError):
    """A period text that cannot be read; the message is Chinese and says what is accepted."""


# ------------------------------------------------------------------------- periods

def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year + years, day=28)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _label(kind: str, start: dt.date, end: dt.date, nominal_end: dt.date) -> str:
    cut = end != nominal_end
    if kind == "month":
        base = f"{start.year}年{start.month}月"
        return f"{base}（1—{end.day}日）" if cut else base
    if kind == "quarter":
        base = f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
        return f"{base}（截至{end.month}月{end.day}日）" if cut else base
    if kind == "year":
        return f"{start.year}年（截至{end.month}月{end.day}日）" if cut else f"{start.year}年"
    if kind == "ytd":
        return f"{start.year}年1月1日—{end.month}月{end.day}日"
    if start.year == end.year:
        return f"{start.year}年{start.month}月{start.day}日—{end.month}月{end.day}日"
    return f"{start.year}年{start.month}月{start.day}日—{end.year}年{end.month}月{end.day}日"


@dataclass(frozen=True)
class TownPeriod:
    """A period of town figures: `start`..`end` inclusive. A period that contains today ends today
    (`nominal_end` keeps the period's own last day); `key` is the text it was read from, normalised."""

    kind: str  # month | quarter | ytd | year | range
    start: dt.date
    end: dt.date
    label: str
    key: str = ""
    nominal_end: dt.date | None = None

    def __post_init__(self) -> None:
        if self.kind not in PERIOD_KINDS:
            raise PeriodError(f"未知的时段类型：{self.kind}")
        if self.end < self.start:
            raise PeriodError("时段的结束日期早于开始日期")
        if self.nominal_end is None:
            object.__setattr__(self, "nominal_end", self.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_whole_year(self) -> bool:
        return self.start == dt.date(self.start.year, 1, 1) and self.end == dt.date(self.start.year, 12, 31)

    def same_period_last_year(self) -> TownPeriod:
        start, end = _shift_year(self.start, -1), _shift_year(self.end, -1)
        nominal = _shift_year(self.nominal_end or self.end, -1)
        if self.kind in ("month", "quarter", "year") and self.nominal_end == self.end:
            nominal = end = (_month_end(end.year, end.month) if self.kind != "year" else dt.date(end.year, 12, 31))
        key = _shift_key(self.key, -1) if self.key else ""
        return TownPeriod(self.kind, start, end, _label(self.kind, start, end, nominal), key, nominal)

    def months(self) -> list[tuple[int, int, int, int]]:
        """(year, month, days of the month inside the period, days of the month) for each month touched."""
        out = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            first = max(self.start, dt.date(y, m, 1))
            last = min(self.end, _month_end(y, m))
            out.append((y, m, (last - first).days + 1, calendar.monthrange(y, m)[1]))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "label": self.label, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "nominal_end": (self.nominal_end or self.end).isoformat(),
                "days": self.days}


def _shift_key(key: str, years: int) -> str:
    m = re.match(r"^(\d{4})(.*)$", key)
    if not m or ".." in key:
        return ""
    return f"{int(m[1]) + years}{m[2]}"


def default_period(today: dt.date) -> str:
    """The last whole month before `today` (what a monthly circular ranks), as text for `parse_period`."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return f"{last.year}-{last.month:02d}"


PERIOD_HELP = "可用格式：2024-03（月）、2024-Q1（季度）、2024（全年）、2024-ytd（年初至今）、2024-03-01..2024-03-15（日期范围）"


def parse_period(text: str, today: dt.date) -> TownPeriod:
    """Read "2024-03", "2024-Q1", "2024", "2024-ytd" (or "2024-03-01..2024-03-15"); a period that contains
    `today` ends today; one that starts after today is refused. PeriodError (Chinese) on anything else."""
    raw = (text or "").strip()
    s = raw.lower()
    try:
        if ".." in s:
            a, _, b = s.partition("..")
            start, end = dt.date.fromisoformat(a.strip()), dt.date.fromisoformat(b.strip())
            kind, nominal, key = "range", end, f"{start.isoformat()}..{end.isoformat()}"
        elif m := re.fullmatch(r"(\d{4})-?q([1-4])", s):
            y, q = int(m[1]), int(m[2])
            start, nominal, kind, key = dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q), "quarter", f"{y}-Q{q}"
        elif m := re.fullmatch(r"(\d{4})-(\d{1,2})", s):
            y, mo = int(m[1]), int(m[2])
            if not 1 <= mo <= 12:
                raise PeriodError(f"月份应为 1–12：{raw}")
            start, nominal, kind, key = dt.date(y, mo, 1), _month_end(y, mo), "month", f"{y}-{mo:02d}"
        elif m := re.fullmatch(r"(\d{4})-?(ytd|累计)", s):
            y = int(m[1])
            start, kind, key = dt.date(y, 1, 1), "ytd", f"{y}-ytd"
            nominal = dt.date(y, 12, 31) if y < today.year else today
        elif m := re.fullmatch(r"(\d{4})", s):
            y = int(m[1])
            start, nominal, kind, key = dt.date(y, 1, 1), dt.date(y, 12, 31), "year", f"{y}"
        else:
            raise PeriodError(f"无法识别的时段“{raw}”。{PERIOD_HELP}")
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"无法识别的时段“{raw}”。{PERIOD_HELP}") from None
    if not (year_in_window(start.year) and year_in_window(nominal.year)):
        raise PeriodError(f"时段“{raw}”的年份超出 1990–2100 年")
    if nominal < start:
        raise PeriodError(f"时段“{raw}”的结束日期早于开始日期")
    if start > today:
        raise PeriodError(f"时段“{raw}”尚未开始（今天是 {today.isoformat()}）")
    end = min(nominal, today)
    if kind == "ytd":
        nominal = end
    return TownPeriod(kind, start, end, _label(kind, start, end, nominal), key, nominal)


# ------------------------------------------------------------------------- results

@dataclass(frozen=True)
class TownFigure:
    town_id: int
    town: str
    value: float | None  # reported (rounded) period value; None when the period mean is not valid
    valid_days: int  # days (or, for monthly measures, months) with a valid value
    days: int  # days (months) of the period
    completeness: float  # valid_days / days, 0–1
    sites: int  # sites with at least one valid daily value in the period (0 for measures)
    note: str = ""  # why the value is missing or not valid; anything worth knowing
    valid: bool = False  # the period mean meets the validity rule
    unrounded: float | None = None  # mean before rounding (shown nowhere as the figure)
    basis: str = "day"  # "day" (daily values) or "month" (monthly measures)
    code: str = ""  # the town's division code (stable ordering)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RankedTown:
    town_id: int
    town: str
    value: float | None  # the period value (concentration / measure), reported
    rank: int | None  # None: not ranked (see reason)
    valid_days: int
    completeness: float
    last_year_value: float | None
    change_pct: float | None
    flagged: bool  # in the bottom N
    reason: str = ""  # why not ranked
    score: float | None = None  # what was ranked: value, change_pct or the composite score
    days: int = 0
    code: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RuleInfo:
    id: str
    version: str
    citation: str
    confidence: str
    bottom_n: int
    weights: dict[str, Any] = field(default_factory=dict)  # station-kind weights (and composite spec)
    validity: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)  # the user-set values in force


@dataclass(frozen=True)
class Ranking:
    period: TownPeriod
    indicator: str
    by: str
    rule: RuleInfo
    rows: list[RankedTown]
    last_period: TownPeriod | None = None
    unit: str = ""

    @property
    def flagged(self) -> list[RankedTown]:
        return [r for r in self.rows if r.flagged]

    @property
    def insufficient(self) -> list[RankedTown]:
        return [r for r in self.rows if r.rank is None]

    def as_dict(self) -> dict[str, Any]:
        return {"period": self.period.as_dict(), "indicator": self.indicator, "unit": self.unit, "by": self.by,
                "rule": asdict(self.rule),
                "last_period": self.last_period.as_dict() if self.last_period else None,
                "rows": [r.as_dict() for r in self.rows]}


# ------------------------------------------------------------------------- town daily values

def _same(s: str) -> str:
    return s


def _text(reason: rules.Reason | None, translate=_same) -> str:
    """A reason in the page language: `translate` (gettext in the web layer) on the template, then the values."""
    if reason is None:
        return ""
    tpl = translate(reason.template)
    return tpl % dict(reason.values) if reason.values else tpl


@dataclass(frozen=True)
class Town:
    id: int
    name: str
    code: str = ""


def town_daily(town_idx: np.ndarray, day_idx: np.ndarray, kind_idx: np.ndarray, sums: np.ndarray,
               counts: np.ndarray, n_towns: int, n_days: int, kind_weights: Sequence[float],
               mode: str = "site") -> np.ndarray:
    """Town × day matrix of daily values (NaN where no weighted site was valid) from aggregate rows
    (town, day, kind, Σ site daily values, number of valid sites)."""
    w = np.asarray(kind_weights, dtype="float64")
    n_kinds = len(w)
    cell = (town_idx.astype("int64") * n_days + day_idx.astype("int64")) * n_kinds + kind_idx.astype("int64")
    size = n_towns * n_days * n_kinds
    s = np.bincount(cell, weights=sums.astype("float64"), minlength=size).reshape(n_towns, n_days, n_kinds)
    n = np.bincount(cell, weights=counts.astype("float64"), minlength=size).reshape(n_towns, n_days, n_kinds)
    with np.errstate(invalid="ignore", divide="ignore"):
        if mode == "site":
            num = (s * w).sum(axis=2)
            den = (n * w).sum(axis=2)
        elif mode == "kind":
            mean_k = np.where(n > 0, s / np.where(n > 0, n, 1), 0.0)
            present = (n > 0).astype("float64")
            num = (mean_k * w).sum(axis=2)
            den = (present * w).sum(axis=2)
        else:
            raise ValueError(f"站点加权方式：可选 site、kind，收到“{mode}”")
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _report_digits(indicator: str, edition: str) -> int:
    pol = rules.INDICATORS[indicator].pollutant
    rule = std.rounding_rule(edition, "report")
    return rule.digits.get(pol or "pm25", 0)


def report_round(indicator: str, value: float | None, edition: str) -> float | None:
    """The reported value: the standards' report rule (GB/T 8170, user-set digits; air.md §3.5)."""
    if value is None:
        return None
    return rules.round_half_even(value, _report_digits(indicator, edition))


def air_figures(towns: Sequence[Town], period: TownPeriod, indicator: str, daily: np.ndarray,
                sites: Mapping[int, int], validity: rules.PeriodValidity, translate=_same) -> list[TownFigure]:
    """Period figures of each town from its town × day matrix (days = the period's days, in order)."""
    edition = std.edition_for(period.start).key
    months = period.months()
    # day index → month index of the period
    month_of_day = np.repeat(np.arange(len(months)), [m[2] for m in months])
    valid = ~np.isnan(daily)
    out = []
    for i, town in enumerate(towns):
        row_valid = valid[i]
        n_valid = int(row_valid.sum())
        per_month = np.bincount(month_of_day[row_valid], minlength=len(months))
        covers = [rules.MonthCover(y, m, cov, md, int(per_month[j])) for j, (y, m, cov, md) in enumerate(months)]
        n_sites = int(sites.get(town.id, 0))
        mean = float(daily[i][row_valid].mean()) if n_valid else None
        reason = (rules.Reason(rules.gettext_noop("本街乡镇没有（计入权重的）监测站点"))
                  if n_sites == 0 else rules.check_period(covers, validity, period.is_whole_year))
        ok = reason is None
        out.append(TownFigure(
            town_id=town.id, town=town.name, value=report_round(indicator, mean, edition) if ok else None,
            valid_days=n_valid, days=period.days, completeness=n_valid / period.days if period.days else 0.0,
            sites=n_sites, note="" if ok else _text(reason, translate), valid=ok, unrounded=mean, basis="day",
            code=town.code))
    return out


def measure_months(period: TownPeriod) -> list[tuple[dt.date, bool]]:
    """(first day of month, whether the period holds the whole month) for monthly measures."""
    return [(dt.date(y, m, 1), cov == md) for y, m, cov, md in period.months()]


def _decimals(x: float) -> int:
    r = repr(float(x))
    if "e" in r:
        return 6
    frac = r.partition(".")[2].rstrip("0")
    return len(frac)


def measure_figures(towns: Sequence[Town], period: TownPeriod, values: Mapping[tuple[int, dt.date], float],
                    min_completeness: float = 0.0, digits: Mapping[tuple[int, dt.date], int] | None = None,
                    translate=_same) -> list[TownFigure]:
    """Period figures of monthly measures (dustfall, TSP, road dust): mean of the entered months, reported
    with as many decimals as the entered values have (GB/T 8170). Every whole month of the period needs a
    value; a month the period only partly covers counts when entered."""
    months = measure_months(period)
    out = []
    for town in towns:
        got = [(mo, values[(town.id, mo)]) for mo, _full in months if (town.id, mo) in values]
        required = sum(1 for mo, full in months if full or (town.id, mo) in values)
        reason = rules.check_measure_months(len(got), required, min_completeness)
        mean = float(np.mean([v for _, v in got])) if got else None
        places = max((digits or {}).get((town.id, mo), _decimals(v)) for mo, v in got) if got else 0
        ok = reason is None
        out.append(TownFigure(
            town_id=town.id, town=town.name, value=rules.round_half_even(mean, places) if ok and mean is not None else None,
            valid_days=len(got), days=required or len(months),
            completeness=len(got) / required if required else 0.0, sites=0, note="" if ok else _text(reason, translate),
            valid=ok, unrounded=mean, basis="month", code=town.code))
    return out


# ------------------------------------------------------------------------- rankings

def rank(figures: Sequence[TownFigure], by: str, *, last_year: Sequence[TownFigure] | None = None,
         composite_values: Mapping[int, Mapping[str, float | None]] | None = None,
         composite_spec: Mapping[str, Mapping[str, float | None]] | None = None,
         references: Mapping[str, float] | None = None, bottom_n: int = rules.BOTTOM_N_DEFAULT,
         change_digits: int = 1, composite_digits: int = 2, translate=_same) -> list[RankedTown]:
    """Rank towns `by` concentration (the value), improvement (change against `last_year`) or composite
    (Σ w·C/S of `composite_values`). Towns that cannot be ranked are listed last with the reason.
    `translate` turns a message template into the page language (gettext in the web layer)."""
    if by not in rules.BY_CHOICES:
        raise ValueError(f"排名方式：可选 {'、'.join(rules.BY_CHOICES)}，收到“{by}”")
    last = {f.town_id: f for f in (last_year or ())}

    def text(reason: rules.Reason | None) -> str:
        return _text(reason, translate)

    prepared = []
    for f in figures:
        ly = last.get(f.town_id)
        ly_value = ly.value if ly is not None and ly.valid else None
        change, change_why = rules.change_pct(f.value if f.valid else None, ly_value, change_digits)
        if by == rules.CONCENTRATION:
            score = f.value if f.valid else None
            why = None if f.valid else rules.Reason(f.note or rules.gettext_noop("本期数据不足"))
        elif by == rules.IMPROVEMENT:
            score = change
            if not f.valid:
                why = rules.Reason(f.note or rules.gettext_noop("本期数据不足"))
            elif change_why is not None and ly is not None and not ly.valid and ly.note:
                why = rules.Reason(rules.gettext_noop("去年同期数据不足（%(why)s），无法计算变化率"),
                                   {"why": ly.note})
            else:
                why = change_why
        else:
            score, why = rules.composite_score((composite_values or {}).get(f.town_id, {}),
                                               composite_spec or rules.default_composite(), references or {},
                                               composite_digits)
        prepared.append((f, ly_value, change, score, why))
    ranks = rules.competition_ranks([p[3] for p in prepared], ascending=True)
    flags = rules.bottom_flags(ranks, bottom_n)
    rows = [RankedTown(town_id=f.town_id, town=f.town, value=f.value if f.valid else None, rank=r,
                       valid_days=f.valid_days, completeness=f.completeness, last_year_value=ly_value,
                       change_pct=change, flagged=flag, reason="" if r is not None else text(why), score=score,
                       days=f.days, code=f.code)
            for (f, ly_value, change, score, why), r, flag in zip(prepared, ranks, flags)]
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.code, r.town))


def weights_vector(weights: Mapping[str, float]) -> list[float]:
    """Kind weights in the order of rules.STATION_KINDS (missing kinds weigh 1, the plain mean)."""
    return [float(weights.get(k, 1.0)) for k in rules.STATION_KINDS]


def kind_index(kinds: Iterable[str]) -> np.ndarray:
    pos = {k: i for i, k in enumerate(rules.STATION_KINDS)}
    return np.fromiter((pos[k] for k in kinds), dtype="int64")


__all__ = ["PERIOD_HELP", "PeriodError", "RankedTown", "Ranking", "RuleInfo", "Town", "TownFigure", "TownPeriod",
           "air_figures", "measure_figures", "parse_period", "rank", "replace", "report_round", "town_daily"]
