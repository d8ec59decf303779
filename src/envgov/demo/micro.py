"""模拟数据: hourly PM2.5/PM10 of one simulated micro-station (微站) per demo town, generated from the demo's
district series (the hourly mean of its three sites, real Beijing data shifted in time) with town-specific
factors, deterministically (fixed seed): the same call gives the same numbers on every machine.

What the simulation puts in on purpose, so that town rankings have something to show and to handle:
* each town has its own PM2.5 level and PM10/PM2.5 ratio (so rankings by concentration and by improvement
  differ), and its own slowly varying error (AR(1) in log space) plus 1 % missing hours;
* TIE_WITH: the stations of two towns carry the same series (equal values → equal rank);
* GAPS: a station offline for part of a month (too few valid days for that month) and one offline for a
  whole month (no valid data).
Plain Python (numpy, pyarrow); no Django."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SEED = 20240916
START = dt.datetime(2023, 1, 1)
MISSING_HOURS = 0.01
TIE_WITH = {4: 3}  # town index → index of the town whose series it repeats
GAPS = {  # town index → offline (first day, last day) inclusive
    6: ((dt.date(2024, 3, 11), dt.date(2024, 3, 24)),),
    10: ((dt.date(2024, 7, 1), dt.date(2024, 7, 31)),),
}


@dataclass(frozen=True)
class MicroSite:
    code: str
    index: int  # position of its town in the district's town order
    pm25_factor: float
    pm10_ratio: float  # town PM10 relative to the district's PM10


def factors(n: int, seed: int = SEED) -> list[MicroSite]:
    """Town factors: PM2.5 0.80–1.25 × the district series, PM10 0.90–1.40 × (dusty towns higher)."""
    rng = np.random.default_rng(seed)
    pm25 = rng.uniform(0.80, 1.25, n)
    pm10 = rng.uniform(0.90, 1.40, n)
    out = []
    for i in range(n):
        j = TIE_WITH.get(i, i)
        out.append(MicroSite(f"TZ-MICRO-{i + 1:02d}", i, round(float(pm25[j]), 3), round(float(pm10[j]), 3)))
    return out


def district_series(hourly: pa.Table, start: dt.datetime, end: dt.datetime) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hours [start, end) and the hourly mean PM2.5 and PM10 over the table's sites (NaN when none)."""
    hours = np.arange(np.datetime64(start, "h"), np.datetime64(end, "h"), dtype="datetime64[h]")
    t = hourly.filter(pc.and_(pc.greater_equal(hourly["time"], pa.scalar(start, hourly.schema.field("time").type)),
                              pc.less(hourly["time"], pa.scalar(end, hourly.schema.field("time").type))))
    idx = ((t["time"].cast(pa.timestamp("s")).to_numpy().astype("datetime64[h]") - hours[0])
           .astype(np.int64))
    out = []
    for col in ("pm25", "pm10"):
        v = t[col].cast(pa.float64()).to_numpy(zero_copy_only=False)
        ok = ~np.isnan(v)
        total = np.bincount(idx[ok], weights=v[ok], minlength=len(hours))
        count = np.bincount(idx[ok], minlength=len(hours))
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append(np.where(count > 0, total / np.maximum(count, 1), np.nan))
    return hours, out[0], out[1]


def simulate(hours: np.ndarray, pm25: np.ndarray, pm10: np.ndarray, sites: Sequence[MicroSite],
             seed: int = SEED) -> pa.Table:
    """The stations' hourly rows (site, time, pm25, pm10) as one Arrow table, integers as published data."""
    n = len(hours)
    days = hours.astype("datetime64[D]")
    parts = []
    series: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for s in sites:
        source = TIE_WITH.get(s.index)
        if source is not None and source in series:
            a, b = series[source]
        else:
            rng = np.random.default_rng([seed, s.index])
            noise = np.empty(n)
            e = rng.normal(0.0, 0.12, n)
            noise[0] = e[0]
            for k in range(1, n):  # AR(1): a town's error persists for hours, as a local source would
                noise[k] = 0.9 * noise[k - 1] + e[k]
            a = pm25 * s.pm25_factor * np.exp(noise * 0.5)
            b = np.maximum(pm10 * s.pm10_ratio * np.exp(noise * 0.4), a)  # PM10 ≥ PM2.5
            drop = rng.random(n) < MISSING_HOURS
            a, b = a.copy(), b.copy()
            a[drop] = np.nan
            b[drop] = np.nan
            series[s.index] = (a, b)
        a, b = a.copy(), b.copy()
        for first, last in GAPS.get(s.index, ()):
            off = (days >= np.datetime64(first)) & (days <= np.datetime64(last))
            a[off] = np.nan
            b[off] = np.nan
        parts.append(pa.table({
            "site": pa.array([s.code] * n, pa.string()),
            "time": pa.array(hours.astype("datetime64[s]")),
            "pm25": pa.array(np.round(a), pa.float64(), from_pandas=True),
            "pm10": pa.array(np.round(b), pa.float64(), from_pandas=True),
        }))
    return pa.concat_tables(parts)


# ------------------------------------------------------------------------- monthly town measures (模拟数据)
# 降尘量 t/(km²·月), TSP µg/m³, 道路尘负荷 g/m²: simulated monthly values per town for the rankings' entered
# indicators. Levels are demo figures only (no standard fixes them); spring (March–May) is dustier.
MEASURE_BASE = {"dustfall": (5.0, 1), "tsp": (150.0, 0), "road_dust": (0.8, 2)}  # base, decimals
SEASON = (1.0, 1.1, 1.35, 1.45, 1.25, 0.95, 0.8, 0.8, 0.9, 1.0, 1.05, 1.0)
MEASURE_GAPS = {6: (dt.date(2024, 3, 1),)}  # 宋庄镇 (town index 6): no 降尘量 for March 2024


def measure_csv(towns: Sequence[str], months: Sequence[dt.date], seed: int = SEED) -> bytes:
    """The rankings' measure import file (街乡镇, 月份, 降尘量, TSP, 道路尘负荷, 数据来源), UTF-8."""
    rng = np.random.default_rng([seed, 7])
    factor = rng.uniform(0.7, 1.4, (len(towns), len(MEASURE_BASE)))
    noise = rng.normal(0.0, 0.08, (len(towns), len(months), len(MEASURE_BASE)))
    lines = ["街乡镇,月份,降尘量（t/(km²·月)）,TSP（µg/m³）,道路尘负荷（g/m²）,数据来源"]
    for i, town in enumerate(towns):
        j = TIE_WITH.get(i, i)
        for k, month in enumerate(months):
            cells = []
            for n, (code, (base, digits)) in enumerate(MEASURE_BASE.items()):
                if code == "dustfall" and month in MEASURE_GAPS.get(i, ()):
                    cells.append("")
                    continue
                v = base * SEASON[month.month - 1] * factor[j, n] * np.exp(noise[j, k, n])
                cells.append(f"{v:.{digits}f}")
            lines.append(",".join([town, f"{month:%Y-%m}", *cells, "模拟数据（演示）"]))
    return ("\n".join(lines) + "\n").encode("utf-8")
