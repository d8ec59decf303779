"""Air-quality computations as Ibis expressions (DuckDB by default, PySpark unchanged).

Input shape ("wide hourly"): one row per site-hour, columns `site` (string), `time` (timestamp, local
Asia/Shanghai wall clock, START of the averaging hour), `pm25 pm10 so2 no2 o3` (µg/m³) and `co` (mg/m³),
NULL when missing. `Lake.to_wide()` and `ingest` produce it.

Pipeline (HJ 663 order):

    hourly ──► site daily concentrations (GB 3095 Table 4 validity; O3 8-h windows, daily max 8-h)
           ──► [set daily: mean over the set's sites per pollutant and day]        (town/district/city)
           ──► daily IAQI / AQI / level / primary pollutant (HJ 633, edition per day)
           ──► period statistics: means, percentiles (HJ 663 Annex A), day counts, attainment,
               composite index, change rate                                                (evaluate)

Every number that comes from a standard (breakpoints, levels, validity counts, limits, rounding) is
read from `envgov.standards.air`; nothing is restated here.

Engine decisions that the standards leave open (each is also written into `provenance`):

* O3 8-h windows of a day are the 17 windows that end inside the day (00–08 … 16–24, labelled by their
  last hour 07:00 … 23:00), HJ 663 "当日 8 时至 24 时"; a window needs ≥ 6 hourly values and the daily
  maximum ≥ 14 valid windows, or is kept when it already exceeds the 8-h limit (HJ 663 §6.1.2).
* The O3 daily maximum 1-h value (2012 daily report) needs ≥ 20 hourly values, like a daily mean.
* A day counts as a valid AQI day when every daily indicator is valid, or, with indicators missing,
  when the AQI of the others is > 100 (HJ 633-2026 §5 publication rule, applied to both editions).
* A set's daily mean of a pollutant is the mean of its sites' valid daily values that day.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa

from envgov.engine.projection import good_ratio
from envgov.standards import air as std

PARAMETERS = ("pm25", "pm10", "so2", "no2", "co", "o3")
MEAN_POLLUTANTS = ("pm25", "pm10", "so2", "no2", "co")  # daily (24-h) means
DAILY_COLUMNS = ("so2", "no2", "pm10", "co", "o3_1h", "o3_8h", "pm25")  # daily-report indicator keys
O3_WINDOW_ENDS = tuple(range(7, 24))  # last hour (start label) of each in-day 8-h window
FLOAT_GUARD = 1e-9  # ceil(x − guard): binary noise never lifts an exact integer IAQI to the next one
ALL_SITES = "全部站点"


# ------------------------------------------------------------------------------------------ helpers

def _lit(x: float) -> ir.FloatingScalar:
    return ibis.literal(float(x), type="float64")


def round_half_even_expr(x: ir.FloatingValue, digits: int) -> ir.FloatingValue:
    """GB/T 8170 (round half to even) in portable arithmetic; backends' round() differ (ibis #11137)."""
    scale = 10 ** digits
    s = x * scale
    f = s.floor().cast("float64")
    r = s - f
    odd = (f - (f / 2).floor().cast("float64") * 2)  # 1.0 when f is odd
    rounded = ibis.cases((r > 0.5, f + 1), (r < 0.5, f), else_=f + odd)
    return rounded / scale


def iaqi_input_expr(conc: ir.FloatingValue, edition: str, pollutant: str) -> ir.FloatingValue:
    """The concentration the IAQI is computed from (2026: GB/T 8170 rounding; 2012: unchanged)."""
    rule = std.rounding_rule(edition, "iaqi_input")
    if rule.method == "half_even":
        return round_half_even_expr(conc, rule.digits.get(pollutant, 0))
    return conc


def iaqi_expr(conc: ir.FloatingValue, edition: str, pollutant: str, averaging: str,
              input_rounded: bool = False) -> ir.IntegerValue:
    """HJ 633 IAQI of a concentration expression as an Ibis CASE over the standard's breakpoints.

    Pass a column (not a long expression) as `conc`: it is referenced once per branch. Pipelines round
    the inputs in an earlier projection and set `input_rounded`.
    """
    bp = std.breakpoints(edition, pollutant, averaging)
    c = conc if input_rounded else iaqi_input_expr(conc, edition, pollutant)
    branches: list[tuple[Any, Any]] = [(c.isnull() | (c < 0), ibis.null("float64"))]
    special = std.ABOVE_800_RULES.get((edition, pollutant, bp.averaging))
    if special is not None:
        value = _lit(special["iaqi"]) if "iaqi" in special else ibis.null("float64")
        branches.append((c > _lit(special["above"]), value))
    for i in range(1, len(bp.conc)):
        lo, hi = bp.conc[i - 1], bp.conc[i]
        i_lo, i_hi = bp.iaqi[i - 1], bp.iaqi[i]
        # (I_hi − I_lo)·(C − BP_lo) first, then one division: exact when the result is an integer.
        raw = _lit(i_lo) + (_lit(i_hi - i_lo) * (c - _lit(lo))) / _lit(hi - lo)
        branches.append((c <= _lit(hi), raw))
    # Above the top breakpoint: no rule in either edition; the user-set parameter says (default: cap at 500).
    top = _lit(bp.iaqi[-1]) if std.parameters.value("above_top_policy") == "cap" else ibis.null("float64")
    raw_iaqi = ibis.cases(*branches, else_=top)
    return (raw_iaqi - FLOAT_GUARD).ceil().cast("int32")


def _sum(exprs: Sequence[Any]) -> Any:
    out = exprs[0]
    for e in exprs[1:]:
        out = out + e
    return out


def _join_codes(pairs: Sequence[tuple[Any, str]]) -> ir.StringValue:
    """Comma-joined codes whose condition holds, NULL when none does."""
    s = _sum([ibis.ifelse(cond.fill_null(False), ibis.literal(code + ","), ibis.literal("")) for cond, code in pairs])
    return ibis.ifelse(s.length() > 0, s.substr(0, s.length() - 1), ibis.null("string"))


# ------------------------------------------------------------------------------ daily concentrations

def o3_limit_8h(edition: str, grade: int = 2, day: date | None = None) -> float:
    """GB 3095 O3 daily-max-8-h limit used by the 'valid if it exceeds' rule of HJ 663 §6.1.2."""
    phase = ((std.phase_for(day) if day else None) or "transition") if edition == "2026" else None
    return std.limits(edition, "o3", "8h", grade, phase).value


def daily_concentrations(hourly: ir.Table, edition: str = "2012") -> ir.Table:
    """Site daily statistics with GB 3095 Table 4 / HJ 663 validity applied (invalid → NULL).

    Columns: site, day, so2 no2 pm10 co pm25 (daily means), o3_1h (daily max 1-h), o3_8h (daily max
    8-h moving mean), n_<pollutant> hourly counts, n_o3_8h valid 8-h windows.
    """
    rules = std.validity_rules(edition)
    o3_limit = o3_limit_8h(edition)
    h = hourly
    hour = h.time.hour()
    aggs: dict[str, Any] = {}
    for p in MEAN_POLLUTANTS:
        aggs[f"_{p}"] = h[p].mean()
        aggs[f"n_{p}"] = h[p].count()
    for k in range(24):
        # CASE inside the aggregate: DuckDB runs it about twice as fast as FILTER (WHERE …). The O3 daily
        # max 1-h value and its hour count come from these 24 values: two aggregates fewer per row.
        aggs[f"_o3h{k}"] = ibis.ifelse(hour == k, h.o3, ibis.null("float64")).max()
    d = h.group_by([h.site, h.time.date().name("day")]).aggregate(**aggs)

    # 8-h windows as sliding sums built from pairs and quadruples of hours (61 additions instead of 136
    # per day). Counts are integers, hence exact; value sums are sums of the same 8 numbers.
    present = {k: d[f"_o3h{k}"].notnull().cast("int32") for k in range(24)}
    value = {k: d[f"_o3h{k}"].fill_null(0.0) for k in range(24)}
    d = d.mutate(n_o3=_sum(list(present.values())), _o3_1h=ibis.greatest(*[d[f"_o3h{k}"] for k in range(24)]),
                 **{f"_np{k}": present[k] + present[k + 1] for k in range(23)},
                 **{f"_sp{k}": value[k] + value[k + 1] for k in range(23)})
    d = d.mutate(**{f"_nq{k}": d[f"_np{k}"] + d[f"_np{k + 2}"] for k in range(21)},
                 **{f"_sq{k}": d[f"_sp{k}"] + d[f"_sp{k + 2}"] for k in range(21)})
    d = d.mutate(**{f"_n{e}": d[f"_nq{e - 7}"] + d[f"_nq{e - 3}"] for e in O3_WINDOW_ENDS},
                 **{f"_s{e}": d[f"_sq{e - 7}"] + d[f"_sq{e - 3}"] for e in O3_WINDOW_ENDS})
    d = d.mutate(**{f"_w{e}": ibis.ifelse(d[f"_n{e}"] >= rules.o3_8h_min_hours,
                                          d[f"_s{e}"] / d[f"_n{e}"].cast("float64"), ibis.null("float64"))
                    for e in O3_WINDOW_ENDS})
    windows = [d[f"_w{e}"] for e in O3_WINDOW_ENDS]
    d = d.mutate(_o3_8h=ibis.greatest(*windows), n_o3_8h=_sum([w.notnull().cast("int32") for w in windows]))
    keep = d.n_o3_8h >= rules.o3_daily_max_8h_min_windows
    if rules.o3_daily_max_8h_valid_if_exceeds:
        keep = keep | (d._o3_8h > _lit(o3_limit))
    out: dict[str, Any] = {"site": d.site, "day": d.day}
    for p in MEAN_POLLUTANTS:
        out[p] = ibis.ifelse(d[f"n_{p}"] >= rules.daily_min_hours, d[f"_{p}"], ibis.null("float64"))
    out["o3_1h"] = ibis.ifelse(d.n_o3 >= rules.daily_min_hours, d._o3_1h, ibis.null("float64"))
    out["o3_8h"] = ibis.ifelse(keep.fill_null(False), d._o3_8h, ibis.null("float64"))
    for p in MEAN_POLLUTANTS:
        out[f"n_{p}"] = d[f"n_{p}"]
    out["n_o3"] = d.n_o3
    out["n_o3_8h"] = d.n_o3_8h
    return d.select(**out)


def set_daily(daily: ir.Table, name: str = ALL_SITES) -> ir.Table:
    """HJ 663 set (town/district/city) daily value: per pollutant, mean of the sites' valid daily values."""
    aggs: dict[str, Any] = {c: daily[c].mean() for c in DAILY_COLUMNS}
    aggs.update({f"sites_{c}": daily[c].count() for c in DAILY_COLUMNS})
    g = daily.group_by("day").aggregate(**aggs)
    return g.mutate(site=ibis.literal(name))


def sets_daily(daily: ir.Table, sets: dict[str, Iterable[str]]) -> ir.Table:
    """`set_daily` for many sets in one pass; a site may belong to several sets (town ⊂ district ⊂ city).

    The result's `site` column holds the set name.
    """
    pairs = [(str(site), str(name)) for name, members in sets.items() for site in members]
    membership = ibis.memtable({"site": [p[0] for p in pairs], "set_name": [p[1] for p in pairs]})
    j = daily.join(membership, "site")
    aggs: dict[str, Any] = {c: j[c].mean() for c in DAILY_COLUMNS}
    aggs.update({f"sites_{c}": j[c].count() for c in DAILY_COLUMNS})
    g = j.group_by([j.set_name, j.day]).aggregate(**aggs)
    return g.rename(site="set_name")


# ------------------------------------------------------------------------------ daily AQI

def _levels_case(aqi: ir.IntegerValue, edition: str) -> ir.IntegerValue:
    branches = [(aqi <= lv.aqi_high, ibis.literal(lv.number)) for lv in std.levels(edition) if lv.aqi_high is not None]
    last = std.levels(edition)[-1].number
    return ibis.ifelse(aqi.isnull(), ibis.null("int8"), ibis.cases(*branches, else_=ibis.literal(last))).cast("int8")


def _daily_aqi_one(conc: ir.Table, edition: str, details: bool = True) -> ir.Table:
    indicators = std.DAILY_INDICATORS[edition]
    keys = [ind.key for ind in indicators]
    # Stage 1: IAQI inputs (rounded per edition); stage 2: IAQIs; stage 3: AQI; stage 4: derived fields.
    t = conc.mutate(**{f"_in_{ind.key}": iaqi_input_expr(conc[ind.key], edition, ind.pollutant) for ind in indicators})
    t = t.mutate(**{f"iaqi_{ind.key}": iaqi_expr(t[f"_in_{ind.key}"], edition, ind.pollutant, ind.averaging,
                                                 input_rounded=True) for ind in indicators})
    t = t.mutate(aqi=ibis.greatest(*[t[f"iaqi_{k}"] for k in keys]).cast("int32"),
                 _missing=_sum([t[k].isnull().cast("int32") for k in keys]))
    aqi = t.aqi
    complete = t._missing == 0
    valid = aqi.notnull() & (complete | (aqi > std.tables.GOOD_DAY_MAX_AQI))
    by_pollutant: dict[str, list[Any]] = {}
    for ind in indicators:
        by_pollutant.setdefault(ind.pollutant, []).append(t[f"iaqi_{ind.key}"])
    primary = _join_codes([
        (ibis.or_(*[(v == aqi) for v in vs]) & (aqi > 50), p) for p, vs in by_pollutant.items()
    ]) if details else ibis.null("string")
    if not details:  # period statistics do not need the pollutant lists; smaller expression to compile
        exceeding = ibis.null("string")
    elif edition == "2012":  # HJ 633-2012 §3.4 exceeding pollutants (IAQI > 100); deleted in 2026
        exceeding = _join_codes([(ibis.or_(*[(v > 100) for v in vs]), p) for p, vs in by_pollutant.items()])
    else:
        exceeding = ibis.null("string")
    cols: dict[str, Any] = {"site": t.site, "day": t.day, "edition": ibis.literal(edition)}
    for c in DAILY_COLUMNS:
        cols[c] = t[c]
    for c in DAILY_COLUMNS:
        cols[f"iaqi_{c}"] = t[f"iaqi_{c}"] if c in keys else ibis.null("int32")
    cols.update(aqi=aqi, level=_levels_case(aqi, edition), complete=complete, valid=valid,
                primary=primary, exceeding=exceeding)
    return t.select(**cols)


def daily_aqi(conc: ir.Table, edition: str = "auto", details: bool = True) -> ir.Table:
    """Daily IAQI/AQI/level/primary (and exceeding, 2012) for a site- or set-daily table.

    `edition` "auto" applies HJ 633-2012 to days before 2026-03-01 and HJ 633-2026 from that day.
    """
    if edition != "auto":
        return _daily_aqi_one(conc, edition, details)
    switch = ibis.literal(std.EDITION_SWITCH_DAY)
    old = _daily_aqi_one(conc.filter(conc.day < switch), "2012", details)
    new = _daily_aqi_one(conc.filter(conc.day >= switch), "2026", details)
    return old.union(new)


# ------------------------------------------------------------------------------ hourly (real-time) AQI

def hourly_aqi(hourly: ir.Table, edition: str) -> ir.Table:
    """Real-time report IAQI/AQI per site-hour (HJ 633-2012 Table 4 / HJ 633-2026 Table 5).

    2012: SO2/NO2/CO/O3 1-h values, the O3 8-h moving mean (≥ 6 values) and the PM10/PM2.5 24-h moving
    means (≥ 20 values, GB 3095 daily rule), SO2 1-h > 800 falling back to the SO2 24-h moving mean.
    2026: the six 1-h means (PM with the daily breakpoints), inputs rounded per GB/T 8170.
    """
    rules = std.validity_rules(edition)
    h = hourly.mutate(_hidx=(hourly.time.epoch_seconds() // 3600).cast("int64"))
    cols: dict[str, Any] = {}
    if edition == "2012":
        w24 = ibis.window(group_by="site", order_by="_hidx", range=(-23, 0))
        w8 = ibis.window(group_by="site", order_by="_hidx", range=(-7, 0))
        moving = {}
        for p, w, n_min in (("pm25", w24, rules.daily_min_hours), ("pm10", w24, rules.daily_min_hours),
                            ("so2", w24, rules.daily_min_hours), ("o3", w8, rules.o3_8h_min_hours)):
            m = h[p].mean().over(w)
            n = h[p].count().over(w)
            moving[p] = ibis.ifelse(n >= n_min, m, ibis.null("float64"))
        h = h.mutate(pm25_24h=moving["pm25"], pm10_24h=moving["pm10"], so2_24h=moving["so2"], o3_8h=moving["o3"])
    inds = std.REALTIME_INDICATORS[edition]
    h = h.mutate(**{f"_in_{i.key}": iaqi_input_expr(h[i.key], edition, i.pollutant) for i in inds})
    iaqis = {f"iaqi_{i.key}": iaqi_expr(h[f"_in_{i.key}"], edition, i.pollutant, i.averaging, input_rounded=True)
             for i in inds}
    if edition == "2012":  # Table 1 note 2: SO2 1-h above 800 → report the SO2 24-h IAQI
        so2_24 = iaqi_expr(h.so2_24h, edition, "so2", "24h")
        above = _lit(std.ABOVE_800_RULES[("2012", "so2", "1h")]["above"])
        iaqis["iaqi_so2"] = ibis.ifelse(h.so2 > above, so2_24, iaqis["iaqi_so2"])
    h = h.mutate(**iaqis)
    h = h.mutate(aqi=ibis.greatest(*[h[k] for k in iaqis]).cast("int32"))
    aqi = h.aqi
    by_pollutant: dict[str, list[Any]] = {}
    for i in inds:
        by_pollutant.setdefault(i.pollutant, []).append(h[f"iaqi_{i.key}"])
    primary = _join_codes([(ibis.or_(*[(v == aqi) for v in vs]) & (aqi > 50), p) for p, vs in by_pollutant.items()])
    cols = {"site": h.site, "time": h.time, "edition": ibis.literal(edition)}
    for k in iaqis:
        cols[k] = h[k]
    cols.update(aqi=aqi, level=_levels_case(aqi, edition), primary=primary)
    return h.select(**cols)


# ------------------------------------------------------------------------------ period statistics

@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def end_exclusive(self) -> date:
        return self.end + timedelta(days=1)

    def shifted(self, years: int) -> Period:
        def sh(d: date) -> date:
            try:
                return d.replace(year=d.year + years)
            except ValueError:  # 29 February
                return d.replace(year=d.year + years, day=28)
        return Period(sh(self.start), sh(self.end))

    @property
    def is_calendar_year(self) -> bool:
        return self.start == date(self.start.year, 1, 1) and self.end == date(self.start.year, 12, 31)


PERCENTILES = {"pm25": ("pm25", 95), "pm10": ("pm10", 95), "so2": ("so2", 98), "no2": ("no2", 98),
               "co": ("co", 95), "o3": ("o3_8h", 90)}


@cache
def _limit(edition: str, pollutant: str, statistic: str, grade: int, phase: str | None) -> Any:
    """std.limits, memoised: the per-site result assembly asks for the same few limits many times."""
    return std.limits(edition, pollutant, statistic, grade, phase)


@cache
def _percentile_items(edition: str) -> dict[str, tuple[str, int]]:
    """pollutant → (daily column, percentile) from HJ 663's assessment items."""
    out = {}
    for item in std.assessment_items(edition):
        if item.statistic == "percentile":
            out[item.pollutant] = ("o3_8h" if item.of == "8h" else item.pollutant, int(item.percentile))
    return out


ANNUAL_MEAN_POLLUTANTS = ("pm25", "pm10", "so2", "no2")


def period_aggregate(daily: ir.Table, edition: str, monthly: bool = False) -> ir.Table:
    """Per site (or set) statistics of a daily-AQI table: one row per `site`."""
    valid = daily.valid.fill_null(False)
    aggs: dict[str, Any] = {
        "days": daily.count(),
        "valid_days": valid.cast("int64").sum(),
        "good_days": (valid & (daily.aqi <= std.tables.GOOD_DAY_MAX_AQI)).cast("int64").sum(),
        "heavy_days": (valid & (daily.aqi > 200)).cast("int64").sum(),
        "first_day": daily.day.min(),
        "last_day": daily.day.max(),
    }
    for lv in std.levels(edition):
        aggs[f"level_{lv.number}"] = (valid & (daily.level == lv.number)).cast("int64").sum()
    for p in ("pm25", "pm10", "so2", "no2", "co", "o3_8h", "o3_1h"):
        aggs[f"mean_{p}"] = daily[p].mean()
        aggs[f"days_{p}"] = daily[p].count()
    for col, pct in _percentile_items(edition).values():
        aggs[f"p{pct}_{col}"] = daily[col].quantile(pct / 100)
    if monthly:
        # Valid daily values per calendar month (annual-mean validity, GB 3095 Table 4), in the same pass.
        month = daily.day.month()
        for p in ANNUAL_MEAN_POLLUTANTS:
            for m in range(1, 13):
                aggs[f"m{m}_{p}"] = ibis.ifelse(month == m, daily[p], ibis.null("float64")).count()
    return daily.group_by("site").aggregate(**aggs)


def monthly_counts(daily: ir.Table) -> ir.Table:
    """Valid daily values per site, month and pollutant (for the annual-mean validity rule)."""
    aggs = {p: daily[p].count() for p in ("pm25", "pm10", "so2", "no2", "co", "o3_8h")}
    return daily.group_by(["site", daily.day.month().name("month")]).aggregate(**aggs)


# ------------------------------------------------------------------------------ high-level API

def _as_table(data: Any, con: ibis.BaseBackend | None) -> ir.Table:
    from envgov.engine import backends
    from envgov.engine.lake import Lake

    if isinstance(data, ibis.Table):
        return data
    con = con or backends.connect()
    if isinstance(data, Lake):
        data = data.to_wide("air")
    return backends.table(con, data)


def prepare_daily(
    data: Any, period: Period, sites: Iterable[str] | None = None, scope: str = "site",
    edition: str = "auto", set_name: str = ALL_SITES, con: ibis.BaseBackend | None = None,
    details: bool = True, sets: dict[str, Iterable[str]] | None = None, in_period: bool = False,
) -> ir.Table:
    """Hourly input → daily AQI table (Ibis) for the period: per site (`scope="site"`) or for the set.

    `details=False` leaves out the primary/exceeding pollutant lists (not needed for statistics).
    `in_period=True`: the input holds only the period's hours of the wanted sites (`_arrow_slice`), so
    the expression has no dates or site names in it and its SQL can be remembered across periods.
    """
    t = _as_table(data, con)
    if sets is not None:
        sites = sorted({str(x) for members in sets.values() for x in members})
    if not in_period:
        start = datetime.combine(period.start, datetime.min.time())
        end = datetime.combine(period.end_exclusive, datetime.min.time())
        t = t.filter((t.time >= start) & (t.time < end))
        if sites is not None:
            t = t.filter(t.site.isin(list(sites)))
    # Validity rules are the same in both editions (GB 3095-2012/2026 Table 4), read from the edition of
    # the period start; the O3 limit for "valid if exceeds" is also unchanged (160).
    conc = daily_concentrations(t, _period_edition(period, edition))
    if sets is not None:
        conc = sets_daily(conc, sets)
    elif scope == "all":
        conc = set_daily(conc, set_name)
    elif scope != "site":
        raise ValueError(f"scope 只能是 site 或 all：{scope!r}")
    return daily_aqi(conc, _daily_edition(period, edition), details)


def _daily_edition(period: Period, edition: str) -> str:
    """The daily-AQI edition for a period: one edition when the period lies on one side of the switch."""
    if edition != "auto":
        return edition
    eds = {std.edition_for(period.start).key, std.edition_for(period.end).key}
    return eds.pop() if len(eds) == 1 else "auto"


def _arrow_slice(data: pa.Table, period: Period, sites: Iterable[str] | None) -> pa.Table:
    """The rows of the period (and sites) of an Arrow table of hourly data; the table itself when all are."""
    import pyarrow.compute as pc

    kind = data.schema.field("time").type
    lo = pa.scalar(datetime.combine(period.start, datetime.min.time()), type=kind)
    hi = pa.scalar(datetime.combine(period.end_exclusive, datetime.min.time()), type=kind)
    mask = pc.and_(pc.greater_equal(data.column("time"), lo), pc.less(data.column("time"), hi))
    if sites is not None:
        wanted = pa.array(sorted({str(x) for x in sites}), pa.string())
        mask = pc.and_(mask, pc.is_in(data.column("site").cast(pa.string()), value_set=wanted))
    mask = pc.fill_null(mask, False)
    return data if pc.all(mask).as_py() else data.filter(mask)


def hourly_results(
    data: Any, start: date, end: date, sites: Iterable[str] | None = None, edition: str = "auto",
    con: ibis.BaseBackend | None = None,
) -> pa.Table:
    """Real-time (hourly) IAQI/AQI rows for [start, end] per HJ 633 to the letter of each edition.

    With "auto", hours before 2026-03-01 use HJ 633-2012 Table 4 and later hours HJ 633-2026 Table 5.
    (Published hourly series of some periods followed other conventions: see envgov.standards.air_realtime.)
    """
    t = _as_table(data, con)
    # 2012 needs up to 23 hours before `start` for its moving means.
    lo = datetime.combine(start, datetime.min.time()) - timedelta(hours=23)
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time())
    t = t.filter((t.time >= lo) & (t.time < hi))
    if sites is not None:
        t = t.filter(t.site.isin(list(sites)))
    begin = datetime.combine(start, datetime.min.time())
    switch = datetime.combine(std.EDITION_SWITCH_DAY, datetime.min.time())
    eds = [edition] if edition != "auto" else [
        e for e, ok in (("2012", begin < switch), ("2026", hi > switch)) if ok]
    parts = []
    for ed in eds:
        h = hourly_aqi(t, ed).filter(lambda r: r.time >= begin)
        if edition == "auto":
            h = h.filter((h.time < switch) if ed == "2012" else (h.time >= switch))
        parts.append(h.select("site", "time", "edition", "aqi", "level", "primary"))
    out = parts[0] if len(parts) == 1 else parts[0].union(parts[1])
    return out.order_by(["site", "time"]).to_pyarrow()


def daily_results(
    data: Any, start: date, end: date, sites: Iterable[str] | None = None, scope: str = "site",
    edition: str = "auto", set_name: str = ALL_SITES, con: ibis.BaseBackend | None = None,
) -> pa.Table:
    """Daily AQI rows (site or set) for [start, end] as a pyarrow table, ordered by site and day."""
    period = Period(start, end)
    if isinstance(data, pa.Table) and (con is None or con.name == "duckdb"):
        # The platform's path (a district's hours from the lake): cut period and sites in Arrow, so that
        # the SQL is remembered by the query's shape and a refresh for a new period skips compiling.
        from envgov.engine import backends

        con = con or backends.connect()
        t = backends.table(con, _arrow_slice(data, period, sites))
        key = ("daily_results", scope, edition, _daily_edition(period, edition), _period_edition(period, edition),
               set_name)
        return _remembered(t, key, con, lambda: prepare_daily(
            t, period, None, scope, edition, set_name, con, in_period=True).order_by(["site", "day"]))
    d = prepare_daily(data, period, sites, scope, edition, set_name, con)
    return d.order_by(["site", "day"]).to_pyarrow()


def _period_edition(period: Period, override: str) -> str:
    return std.edition_for(period.start, override).key


def _report_round(edition: str, pollutant: str, value: float | None) -> float | None:
    if value is None:
        return None
    rule = std.rounding_rule(edition, "report")
    if rule.method == "half_even":  # the float fast path of GB/T 8170: same result, no Decimal per value
        return std.round_half_even_float(float(value), rule.digits.get(pollutant, 0))
    return float(std.round_concentration(edition, pollutant, value, "report"))


def _parse_exclusions(exclude_dates: Iterable[date | str] | None) -> list[date]:
    out = []
    for d in exclude_dates or ():
        out.append(d if isinstance(d, date) else date.fromisoformat(str(d).strip()))
    return sorted(set(out))


def evaluate(
    data: Any, start: date, end: date, sites: Iterable[str] | None = None, scope: str = "site",
    edition: str = "auto", exclude_dates: Iterable[date | str] | None = None, exclude_flag: str | None = None,
    compare_years: int | None = 1, grade: int = 2, set_name: str = ALL_SITES,
    con: ibis.BaseBackend | None = None, sets: dict[str, list[str]] | None = None,
) -> dict[str, dict[str, Any]]:
    """HJ 663 period evaluation. Returns {site or set name: result dict} (see module docstring).

    `exclude_dates`: local dates of exceptional events (e.g. dust days, 扣除沙尘); results are given with
    all days and, under "excluding_events", without them. `exclude_flag`: alternatively a boolean column
    of the hourly input marking affected hours (a day with any flagged hour is excluded).
    `compare_years`: also evaluate the same period that many years earlier and give the change rate of
    the composite index (None to skip).
    """
    period = Period(start, end)
    con = con or (data._find_backend() if isinstance(data, ibis.Table) else None)
    from envgov.engine import backends

    con = con or backends.connect()
    sites = list(sites) if sites is not None else None
    from envgov.engine.lake import Lake

    if isinstance(data, Lake):  # read only the months needed (this period and the comparison period)
        first = period.shifted(-compare_years).start if compare_years else period.start
        wanted = sites if sets is None else sorted({x for m in sets.values() for x in m})
        data = data.to_wide("air", datetime.combine(first, datetime.min.time()),
                            datetime.combine(period.end_exclusive, datetime.min.time()), wanted)
    # An Arrow table on DuckDB for one period (the platform's and the benchmark's path): cut it to the
    # period and sites in Arrow, so that the remembered statistics SQL holds no dates (_statistics_rows).
    in_period = isinstance(data, pa.Table) and con.name == "duckdb" and not compare_years and sets is None
    if in_period:
        data = _arrow_slice(data, period, sites)
    t = _as_table(data, con)
    ed = _period_edition(period, edition)
    excluded = _parse_exclusions(exclude_dates)
    if exclude_flag is not None:
        lo = datetime.combine(period.start, datetime.min.time())
        hi = datetime.combine(period.end_exclusive, datetime.min.time())
        marked = t.filter(t[exclude_flag].fill_null(False) & (t.time >= lo) & (t.time < hi))
        flagged = marked.select(day=marked.time.date()).distinct().to_pyarrow()
        excluded = sorted(set(excluded) | set(flagged.column("day").to_pylist()))
    if sets is not None:
        scope = "sets"
    def make_daily() -> ir.Table:
        return prepare_daily(t, period, sites, scope, edition, set_name, con, details=False, sets=sets,
                             in_period=in_period)

    stats = None
    daily = None
    if excluded:  # two aggregations over the same daily series: materialise it once
        daily = make_daily().cache()
    else:
        stats = _statistics_rows(t, make_daily, period, sites, scope, edition, set_name, ed, sets, con, in_period)
    results = _evaluate_daily(daily, period, ed, grade, sites, scope, excluded, edition, sets, stats)
    if compare_years:
        prev = period.shifted(-compare_years)
        prev_daily = prepare_daily(t, prev, sites, scope, edition, set_name, con, details=False, sets=sets)
        prev_res = _evaluate_daily(prev_daily, prev, _period_edition(prev, edition), grade, sites, scope, [],
                                   edition, sets)
        for name, res in results.items():
            before = prev_res.get(name)
            res["comparison"] = _comparison(res, before, prev)
    return results


def evaluate_sets(
    data: Any, start: date, end: date, sets: dict[str, Iterable[str]], **options: Any,
) -> dict[str, dict[str, Any]]:
    """`evaluate` for several sets of sites at once (towns, districts, the city): {set name: result}.

    Each set is aggregated as HJ 663 says (site daily → set daily mean → statistics); all sets are
    computed in one query.
    """
    return evaluate(data, start, end, sets={k: list(v) for k, v in sets.items()}, **options)


def _comparison(res: dict[str, Any], before: dict[str, Any] | None, prev: Period) -> dict[str, Any]:
    out: dict[str, Any] = {"period": {"from": prev.start.isoformat(), "to": prev.end.isoformat()}}
    if not before or before.get("composite_index") in (None, 0) or res.get("composite_index") is None:
        out.update(composite_index=None if not before else before.get("composite_index"), change_rate=None,
                   note="同期数据不足，无法计算变化率")
        return out
    i0, i1 = before["composite_index"], res["composite_index"]
    out.update(composite_index=i0, change_rate=round((i1 - i0) / i0 * 100, 1),
               pm25=before.get("pm25"), good_days=before.get("good_days"))
    return out


_SQL_MEMO: dict[tuple[Any, ...], tuple[str, str, pa.Schema]] = {}
_SQL_MEMO_MAX = 128


def _remembered(t: ir.Table, key: tuple[Any, ...], con: ibis.BaseBackend, build: Any) -> pa.Table:
    """Run the expression `build()` makes over table `t` on DuckDB through SQL remembered by `key` (the
    query's shape), so re-running the same shape over new data (dashboards, imports, parameter changes)
    skips the Ibis compilation (~0.3–1.5 s, more than the query itself for a district). The key is
    completed with the input schema and the user-set parameters in force."""
    op = t.op()
    full = (tuple(t.schema().items()), std.parameters.signature(), *key)
    memo = _SQL_MEMO.get(full)
    if memo is None:
        memo = _sql_from_disk(full)
        if memo is None:
            expr = build()
            memo = (str(ibis.to_sql(expr, dialect="duckdb")), op.name, expr.schema().to_pyarrow())
            _sql_to_disk(full, memo)
        if len(_SQL_MEMO) >= _SQL_MEMO_MAX:
            _SQL_MEMO.clear()
        _SQL_MEMO[full] = memo
    sql, memo_name, schema = memo
    sql = sql.replace(f'"{memo_name}"', f'"{op.name}"')
    return con.con.sql(sql).to_arrow_table().cast(schema)


def sql_cache_dir() -> Path | None:
    """Folder of the compiled-SQL cache shared by processes ($ENVGOV_SQL_CACHE; default
    $XDG_CACHE_HOME/envgov/sql or ~/.cache/envgov/sql; "off" or "0" disables it)."""
    setting = os.environ.get("ENVGOV_SQL_CACHE", "").strip()
    if setting.lower() in ("0", "off", "no", "false"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "envgov" / "sql"


@cache
def _code_fingerprint() -> str:
    """What the compiled SQL depends on besides its key: the source of the engine, the standards and the
    rules (breakpoints, validity counts, rounding are written into the SQL) and the compiler versions.
    A change to any of them gives other cache file names, so a stale query is never read."""
    import sqlglot

    h = hashlib.sha256(f"{ibis.__version__}|{sqlglot.__version__}".encode())
    root = Path(__file__).resolve().parents[1]
    for folder in ("engine", "standards", "rules"):
        for f in sorted((root / folder).rglob("*.py")):
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:24]


def _sql_cache_file(full: tuple[Any, ...]) -> Path | None:
    folder = sql_cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(f"{_code_fingerprint()}|{full!r}".encode()).hexdigest()[:32]
    return folder / f"{digest}.json"


def _sql_from_disk(full: tuple[Any, ...]) -> tuple[str, str, pa.Schema] | None:
    """A query compiled by an earlier process (a CLI run pays Ibis compilation once per query shape,
    not on every run). Anything unreadable counts as absent."""
    path = _sql_cache_file(full)
    if path is None:
        return None
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
        if rec["key"] != repr(full):  # a digest collision is not worth a wrong answer
            return None
        schema = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(rec["schema"])))
        return rec["sql"], rec["name"], schema
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return None


def _sql_to_disk(full: tuple[Any, ...], memo: tuple[str, str, pa.Schema]) -> None:
    path = _sql_cache_file(full)
    if path is None:
        return
    sql, name, schema = memo
    rec = {"key": repr(full), "sql": sql, "name": name,
           "schema": base64.b64encode(schema.serialize().to_pybytes()).decode()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a reader sees the old file or the whole new one
    except OSError:
        pass  # a read-only home: the cache is an optimisation only


def _statistics_rows(t: ir.Table, make_daily: Any, period: Period, sites: list[str] | None, scope: str,
                     edition: str, set_name: str, ed: str, sets: dict[str, list[str]] | None,
                     con: ibis.BaseBackend, in_period: bool = False) -> list[dict[str, Any]]:
    """The period statistics query, through remembered SQL on DuckDB (see `_remembered`). With
    `in_period` (the input was cut to the period in Arrow) the SQL holds no dates, so it is remembered
    across periods of the same kind."""
    monthly = period.is_calendar_year
    if con.name != "duckdb" or sets is not None or not isinstance(t.op(), ops.DatabaseTable):
        return period_aggregate(make_daily(), ed, monthly=monthly).to_pyarrow().to_pylist()
    where = ("in_period", _daily_edition(period, edition)) if in_period else (
        period, tuple(sites) if sites is not None else None)
    key = ("statistics", *where, scope, edition, set_name, ed, monthly)
    return _remembered(t, key, con, lambda: period_aggregate(make_daily(), ed, monthly=monthly)).to_pylist()


def _evaluate_daily(daily: ir.Table | None, period: Period, ed: str, grade: int, sites: list[str] | None,
                    scope: str, excluded: list[date], edition_arg: str,
                    sets: dict[str, list[str]] | None = None,
                    stats: list[dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    # One query for everything on the daily series (compiling Ibis costs more than the small aggregate).
    if stats is None:
        stats = period_aggregate(daily, ed, monthly=period.is_calendar_year).to_pyarrow().to_pylist()
    stats_ex: dict[str, dict[str, Any]] = {}
    if excluded:
        kept = daily.filter(~daily.day.isin(excluded))
        stats_ex = {r["site"]: r for r in period_aggregate(kept, ed).to_pyarrow().to_pylist()}
    month_rows: dict[str, list[dict[str, Any]]] = {}
    for row in stats:
        if period.is_calendar_year:
            month_rows[row["site"]] = [{"month": m, **{p: row[f"m{m}_{p}"] for p in ANNUAL_MEAN_POLLUTANTS}}
                                       for m in range(1, 13)]
    out = {}
    for row in sorted(stats, key=lambda r: r["site"]):
        name = row["site"]
        res = _scope_result(row, ed, grade, period, month_rows.get(name, []))
        if excluded:
            ex = stats_ex.get(name)
            res["excluding_events"] = (
                {k: v for k, v in _scope_result(ex, ed, grade, period, []).items() if k not in ("provenance",)}
                if ex else None)
            res["excluding_events_dates"] = [d.isoformat() for d in excluded]
        members = sets.get(name) if sets is not None else sites
        res["provenance"] = _provenance(ed, edition_arg, period, members, scope, row, grade, excluded)
        out[name] = res
    return out


def _scope_result(row: dict[str, Any], ed: str, grade: int, period: Period, months: list[dict[str, Any]]) -> dict[str, Any]:
    pct = _percentile_items(ed)
    raw = {
        "pm25": row["mean_pm25"], "pm10": row["mean_pm10"], "so2": row["mean_so2"], "no2": row["mean_no2"],
        "co_mean": row["mean_co"],
        "co_p95": row.get(f"p{pct['co'][1]}_co"), "o3_8h_p90": row.get(f"p{pct['o3'][1]}_o3_8h"),
        "pm25_p95": row.get(f"p{pct['pm25'][1]}_pm25"), "pm10_p95": row.get(f"p{pct['pm10'][1]}_pm10"),
        "so2_p98": row.get(f"p{pct['so2'][1]}_so2"), "no2_p98": row.get(f"p{pct['no2'][1]}_no2"),
    }
    pol_of = {"pm25": "pm25", "pm10": "pm10", "so2": "so2", "no2": "no2", "co_mean": "co", "co_p95": "co",
              "o3_8h_p90": "o3", "pm25_p95": "pm25", "pm10_p95": "pm10", "so2_p98": "so2", "no2_p98": "no2"}
    rounded = {k: _report_round(ed, pol_of[k], v) for k, v in raw.items()}
    valid_days = int(row["valid_days"] or 0)
    good = int(row["good_days"] or 0)
    phase = (std.phase_for(period.start) or "transition") if ed == "2026" else None

    def limit(p: str, stat: str) -> float:
        return _limit(ed, p, stat, grade, phase).value

    # Composite index (城市环境空气质量排名技术规定): Σ C_i / S_i with the grade-2 annual limits for the four
    # mean pollutants, the 24-h CO limit for the CO 95th percentile and the 8-h O3 limit for the O3 90th.
    terms = {
        "so2": (rounded["so2"], limit("so2", "annual")), "no2": (rounded["no2"], limit("no2", "annual")),
        "pm10": (rounded["pm10"], limit("pm10", "annual")), "pm25": (rounded["pm25"], limit("pm25", "annual")),
        "co": (rounded["co_p95"], limit("co", "24h")), "o3": (rounded["o3_8h_p90"], limit("o3", "8h")),
    }
    indices = {p: (None if c is None else round(c / s, 3)) for p, (c, s) in terms.items()}
    composite = None if any(v is None for v in indices.values()) else round(sum(c / s for c, s in terms.values()), 2)

    # Attainment per pollutant: every HJ 663 assessment statistic ≤ its GB 3095 limit.
    attainment: dict[str, Any] = {}
    stat_value = {("so2", "annual_mean"): rounded["so2"], ("no2", "annual_mean"): rounded["no2"],
                  ("pm10", "annual_mean"): rounded["pm10"], ("pm25", "annual_mean"): rounded["pm25"],
                  ("so2", "percentile"): rounded["so2_p98"], ("no2", "percentile"): rounded["no2_p98"],
                  ("pm10", "percentile"): rounded["pm10_p95"], ("pm25", "percentile"): rounded["pm25_p95"],
                  ("co", "percentile"): rounded["co_p95"], ("o3", "percentile"): rounded["o3_8h_p90"]}
    for item in std.assessment_items(ed):
        lim = _limit(ed, item.pollutant, item.compared_with, grade, phase)
        v = stat_value[(item.pollutant, item.statistic)]
        entry = attainment.setdefault(item.pollutant, {"attains": True, "items": []})
        label = "annual_mean" if item.statistic == "annual_mean" else f"p{item.percentile}"
        ok = None if v is None else v <= lim.value
        entry["items"].append({"statistic": label, "value": v, "limit": lim.value, "limit_source": lim.source,
                               "attains": ok, "exceedance_multiple": None if v is None or ok else round((v - lim.value) / lim.value, 2)})
        if ok is None:
            entry["attains"] = None if entry["attains"] is not False else False
        elif not ok:
            entry["attains"] = False
    # Annual-mean validity (GB 3095 Table 4) when the period is a calendar year.
    validity: dict[str, Any] = {}
    if period.is_calendar_year and months is not None:
        rules = std.validity_rules(ed)
        for p in ("pm25", "pm10", "so2", "no2"):
            per_month = {m["month"]: m[p] for m in months}
            short = [mo for mo in range(1, 13)
                     if per_month.get(mo, 0) < (rules.february_min_days if mo == 2 else rules.monthly_min_days)]
            n = int(row[f"days_{p}"] or 0)
            validity[p] = {"days": n, "valid": n >= rules.annual_min_days and not short, "months_short": short}
    return {
        "pm25": rounded["pm25"], "pm10": rounded["pm10"], "so2": rounded["so2"], "no2": rounded["no2"],
        "co_p95": rounded["co_p95"], "o3_8h_p90": rounded["o3_8h_p90"],
        "valid_days": valid_days, "good_days": good,
        "good_ratio": good_ratio(good, valid_days),  # per cent, GB/T 8170 to 1 decimal (rules.projection)
        "heavy_days": int(row["heavy_days"] or 0),
        "days_by_level": {str(lv.number): int(row[f"level_{lv.number}"] or 0) for lv in std.levels(ed)},
        "composite_index": composite,
        "single_indices": indices,
        "percentiles": {"pm25_p95": rounded["pm25_p95"], "pm10_p95": rounded["pm10_p95"],
                        "so2_p98": rounded["so2_p98"], "no2_p98": rounded["no2_p98"]},
        "attainment": attainment,
        "annual_validity": validity or None,
        "valid_daily_values": {p: int(row[f"days_{p}"] or 0) for p in ("pm25", "pm10", "so2", "no2", "co", "o3_8h")},
        "unrounded": raw,
    }


def _provenance(ed: str, edition_arg: str, period: Period, sites: list[str] | None, scope: str,
                row: dict[str, Any], grade: int, excluded: list[date]) -> dict[str, Any]:
    common = _provenance_common(ed, edition_arg, period, scope, grade, std.parameters.signature())
    return {
        "standards": common["standards"],
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat(),
                   "first_day_with_data": row["first_day"].isoformat() if row.get("first_day") else None,
                   "last_day_with_data": row["last_day"].isoformat() if row.get("last_day") else None,
                   "days_with_data": int(row["days"])},
        "scope": scope, "sites": sites if sites is not None else "all in input",
        "valid_daily_values": {p: int(row[f"days_{p}"] or 0) for p in ("pm25", "pm10", "so2", "no2", "co", "o3_8h")},
        **common["rest"],
        "excluded_dates": [d.isoformat() for d in excluded],
    }


@lru_cache(maxsize=256)  # keyed by period too: bounded for a long-running server
def _provenance_common(ed: str, edition_arg: str, period: Period, scope: str, grade: int,
                       _parameters: tuple[tuple[str, object], ...]) -> dict[str, Any]:
    """The parts of `_provenance` that are the same for every site of an evaluation (built once).

    Callers copy the top level; the nested dicts are shared and must not be modified.
    """
    e = std.EDITIONS[ed]
    rules = std.validity_rules(ed)
    eds_days = sorted({std.edition_for(period.start).key, std.edition_for(period.end).key}) if edition_arg == "auto" else [ed]
    return {
        "standards": {"limits": e.gb3095, "aqi": e.hj633, "assessment": e.hj663,
                      "phase": (std.phase_for(period.start) or "transition") if ed == "2026" else None,
                      "grade": grade, "daily_aqi_editions": [std.EDITIONS[k].hj633 for k in eds_days]},
        "rest": {
            "validity": {"daily_mean_min_hours": rules.daily_min_hours, "o3_8h_min_hours": rules.o3_8h_min_hours,
                         "o3_daily_max_8h_min_windows": rules.o3_daily_max_8h_min_windows,
                         "o3_daily_max_8h_valid_if_exceeds": rules.o3_daily_max_8h_valid_if_exceeds,
                         "o3_8h_windows": "当日 17 个 8 小时窗口（00–08 时 … 16–24 时）",
                         "o3_daily_max_1h": "日最大 1 小时值需当日 ≥ 20 个小时值（引擎约定，标准未规定）",
                         "valid_aqi_day": "各日报指标均有效，或缺项时其余指标 AQI > 100",
                         "source": [r.source for r in rules.rows[:3]]},
            "percentile_method": std.PERCENTILE_METHOD[ed],
            "rounding": {"report": std.rounding_rule(ed, "report").source,
                         "iaqi_input": std.rounding_rule(ed, "iaqi_input").source,
                         "iaqi": std.rounding_rule(ed, "iaqi").source},
            "set_aggregation": ("站点日均值 → 站点集合日均值（各站有效日均值的算术平均）→ 统计"
                                if scope in ("all", "sets") else None),
            "composite_index": "Σ C_i/S_i（SO2、NO2、PM10、PM2.5 年均二级限值；CO 24 小时、O3 8 小时二级限值），修约后浓度，不加权",
            "good_ratio_unit": "%",
            # Rules the reference marks UNCONFIRMED, as the user set them (defaults unless user_set).
            "user_parameters": std.parameters.provenance(),
        },
    }
