"""The Ibis-free half of the air engine: period statistics rows → the reported results, and the
evaluation of an Arrow table whose statistics query is remembered (`evaluate_remembered`).

`envgov.engine.air` builds the queries as Ibis expressions and re-exports what is here; the CLI calls
`evaluate_remembered` first, which runs the SQL Ibis compiled in an earlier run (`envgov.engine.sqlcache`)
on a plain DuckDB connection and assembles the results with the same functions as `air.evaluate`, so a
run whose query is remembered neither imports Ibis nor connects through it (≈0.5 s of a CLI run).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from typing import Any

import numpy as np
import pyarrow as pa

from envgov.engine.projection import good_ratio
from envgov.standards import air as std

PARAMETERS = ("pm25", "pm10", "so2", "no2", "co", "o3")
ALL_SITES = "全部站点"


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


def _daily_edition(period: Period, edition: str) -> str:
    """The daily-AQI edition for a period: one edition when the period lies on one side of the switch."""
    if edition != "auto":
        return edition
    eds = {std.edition_for(period.start).key, std.edition_for(period.end).key}
    return eds.pop() if len(eds) == 1 else "auto"


def _arrow_slice(data: pa.Table, period: Period, sites: Iterable[str] | None) -> pa.Table:
    """The rows of the period (and sites) of an Arrow table of hourly data; the table itself when all are.

    The period test runs in NumPy over the time column's buffers: a `pa.scalar` bound would import
    pandas (pyarrow's pandas layer, ≈0.2 s of a CLI run)."""
    import pyarrow.compute as pc

    col = data.column("time")
    per = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[col.type.unit]
    lo = int(datetime.combine(period.start, datetime.min.time()).replace(tzinfo=UTC).timestamp()) * per
    hi = int(datetime.combine(period.end_exclusive, datetime.min.time()).replace(tzinfo=UTC).timestamp()) * per
    parts = []
    for c in col.chunks:
        v = np.frombuffer(c.buffers()[1], dtype=np.int64, count=len(c), offset=c.offset * 8)
        m = (v >= lo) & (v < hi)
        if c.null_count:
            bits = np.unpackbits(np.frombuffer(c.buffers()[0], dtype=np.uint8), bitorder="little")
            m &= bits[c.offset:c.offset + len(c)].astype(bool)
        parts.append(m)
    mask = np.concatenate(parts) if len(parts) != 1 else parts[0] if parts else np.zeros(0, dtype=bool)
    if sites is not None:
        wanted = pa.array(sorted({str(x) for x in sites}), pa.string())
        in_sites = pc.fill_null(pc.is_in(data.column("site").cast(pa.string()), value_set=wanted), False)
        mask &= np.asarray(in_sites.to_numpy(zero_copy_only=False), dtype=bool)
    if mask.all():
        return data
    bits = pa.py_buffer(np.packbits(mask, bitorder="little"))
    return data.filter(pa.Array.from_buffers(pa.bool_(), len(mask), [None, bits]))


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


def statistics_key(period: Period, sites: list[str] | None, scope: str, edition: str, set_name: str, ed: str,
                   in_period: bool) -> tuple[Any, ...]:
    """The shape of the period statistics query, by which its SQL is remembered (`air._statistics_rows`).
    With `in_period` (the input was cut to the period in Arrow) it holds no dates."""
    where = ("in_period", _daily_edition(period, edition)) if in_period else (
        period, tuple(sites) if sites is not None else None)
    return ("statistics", *where, scope, edition, set_name, ed, period.is_calendar_year)


def assemble(stats: list[dict[str, Any]], stats_ex: dict[str, dict[str, Any]], period: Period, ed: str,
             grade: int, sites: list[str] | None, scope: str, excluded: list[date], edition_arg: str,
             sets: dict[str, list[str]] | None = None) -> dict[str, dict[str, Any]]:
    """{site or set name: result} from the statistics rows (and those without the excluded dates)."""
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


def evaluate_remembered(data: pa.Table, start: date, end: date, sites: Iterable[str] | None = None,
                        scope: str = "site", edition: str = "auto", set_name: str = ALL_SITES,
                        grade: int = 2) -> dict[str, dict[str, Any]] | None:
    """`air.evaluate(data, start, end, sites, scope, edition, compare_years=None, set_name=…)` for an Arrow
    table on DuckDB, when its statistics query is remembered (this process or the on-disk cache): the
    same slice, the same SQL text and the same assembly, without Ibis. None when the query is not
    remembered (the caller then runs `air.evaluate`, which compiles and remembers it)."""
    from envgov.engine import sqlcache

    if scope not in ("site", "all"):
        return None
    period = Period(start, end)
    sites = list(sites) if sites is not None else None
    data = _arrow_slice(data, period, sites)
    ed = _period_edition(period, edition)
    con = sqlcache.connect()
    try:
        name = sqlcache.register(con, data)
        full = sqlcache.full_key(con, name, statistics_key(period, sites, scope, edition, set_name, ed, True))
        memo = sqlcache.lookup(full)
        if memo is None:
            return None
        stats = sqlcache.run(con, name, memo).to_pylist()
    finally:
        con.close()
    return assemble(stats, {}, period, ed, grade, sites, scope, [], edition)
