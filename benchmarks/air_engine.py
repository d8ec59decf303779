"""Benchmark: air engine end to end (hourly → daily AQI → annual evaluation) on synthetic data.

    .venv/bin/python benchmarks/air_engine.py              # N = 100 and 1,000 sites × 1 year
    .venv/bin/python benchmarks/air_engine.py --n 10000    # 87.6 M site-hours (needs a few GB)

Prints site-hours per second for the whole pipeline, the process's peak resident memory
(getrusage ru_maxrss: Python + Arrow + DuckDB) and, on a sample, the per-record rate of the
aqi-hub package's `cal_aqi_cn` (the peer; install it with `uv pip install aqi-hub`, the benchmark
says so when it is missing). Targets (2-core machine): ≥ 5 M site-hours/s at N = 1,000; ≥ 50× the
peer's per-record rate; N = 10,000 under 8 GB peak.
"""
from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from envgov.engine import air, backends

YEAR = 2015
BASE = {"pm25": 70.0, "pm10": 110.0, "so2": 15.0, "no2": 45.0, "co": 1.2, "o3": 80.0}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def synthetic_batches(n_sites: int, seed: int = 1, missing: float = 0.02, block: int = 250):
    """Wide hourly record batches, `block` sites at a time: n_sites × 8760 hours, log-normal values,
    ~2 % NULLs per pollutant. Generating in blocks keeps the generator's own memory small."""
    rng = np.random.default_rng(seed)
    hours = 365 * 24
    start = np.datetime64(f"{YEAR}-01-01T00:00:00", "s")
    times = start + np.arange(hours, dtype="int64").astype("timedelta64[h]")
    season = 1 + 0.5 * np.cos(np.arange(hours) / hours * 2 * np.pi)
    schema = pa.schema([("site", pa.string()), ("time", pa.timestamp("s"))] + [(p, pa.float64()) for p in BASE])
    for first in range(0, n_sites, block):
        k = min(block, n_sites - first)
        n = k * hours
        names = pa.array([f"S{i:05d}" for i in range(first, first + k)])
        cols = [pa.DictionaryArray.from_arrays(pa.array(np.repeat(np.arange(k, dtype="int32"), hours)), names).cast(pa.string()),
                pa.array(np.tile(times, k), pa.timestamp("s"))]
        s = np.tile(season, k)
        for p, base in BASE.items():
            v = base * s * rng.lognormal(0.0, 0.6, n)
            v = np.round(v, 1) if p == "co" else np.round(v)
            cols.append(pa.array(v, pa.float64(), mask=rng.random(n) < missing))
        yield from pa.Table.from_arrays(cols, schema=schema).to_batches(max_chunksize=backends.BATCH_ROWS)


def synthetic(n_sites: int, seed: int = 1) -> pa.Table:
    batches = list(synthetic_batches(n_sites, seed))
    return pa.Table.from_batches(batches)


def synthetic_parquet(n_sites: int, path: Path) -> int:
    """Write the synthetic data to one Parquet file block by block (the lake's format); returns rows."""
    import pyarrow.parquet as pq

    rows = 0
    writer = None
    for batch in synthetic_batches(n_sites):
        if writer is None:
            writer = pq.ParquetWriter(path, batch.schema, compression="zstd")
        writer.write_batch(batch, row_group_size=backends.BATCH_ROWS)
        rows += batch.num_rows
    writer.close()
    return rows


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)  # all threads of the process, DuckDB's included
    return r.ru_utime + r.ru_stime


def run_engine(data: pa.Table | Path) -> tuple[float, float, float, int]:
    """Seconds for loading into DuckDB, seconds for the whole pipeline, CPU seconds, site results."""
    con = backends.connect()
    c0 = cpu_seconds()
    t0 = time.perf_counter()
    t = backends.table(con, data)  # Arrow: registered zero-copy; Parquet: scanned by DuckDB as it goes
    t1 = time.perf_counter()
    res = air.evaluate(t, date(YEAR, 1, 1), date(YEAR, 12, 31), compare_years=None, con=con)
    t2 = time.perf_counter()
    cpu = cpu_seconds() - c0
    con.disconnect()
    return t1 - t0, t2 - t1, cpu, len(res)


def peer_rate(data: pa.Table, sample: int = 20000) -> float | None:
    try:
        from aqi_hub.aqi_cn.aqi import cal_aqi_cn
    except ImportError:
        return None
    cols = {p: data.column(p).slice(0, sample).to_numpy(zero_copy_only=False) for p in BASE}
    vals = [tuple(np.nan_to_num(cols[p][i], nan=0.0) for p in ("pm25", "pm10", "so2", "no2", "co", "o3"))
            for i in range(sample)]
    c0 = cpu_seconds()
    for pm25, pm10, so2, no2, co, o3 in vals:
        cal_aqi_cn(pm25, pm10, so2, no2, co, o3, data_type="hourly")
    return sample / (cpu_seconds() - c0)  # single-threaded: CPU time is its wall time on an idle core


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, action="append", help="number of sites (repeatable); default 100 and 1000")
    ap.add_argument("--repeat", type=int, default=3, help="runs per size; the best is reported")
    ap.add_argument("--source", choices=("auto", "memory", "parquet"), default="auto",
                    help="input: Arrow table in memory, or a Parquet file (auto: Parquet from N = 10,000)")
    args = ap.parse_args()
    sizes = args.n or [100, 1000]
    print(f"envgov air engine benchmark — {datetime.now():%Y-%m-%d %H:%M}, DuckDB via Ibis, year {YEAR}, "
          f"{os.cpu_count()} CPUs (the machine's load average is printed: other processes slow wall-clock figures)")
    tmp = tempfile.TemporaryDirectory(prefix="envgov-bench-")
    for n in sizes:
        source = args.source if args.source != "auto" else ("parquet" if n >= 10000 else "memory")
        if source == "parquet":
            data = Path(tmp.name) / f"hourly_{n}.parquet"
            site_hours = synthetic_parquet(n, data)
            sample = pa.Table.from_batches([next(synthetic_batches(min(n, 10)))])
        else:
            data = synthetic(n)
            site_hours = data.num_rows
            sample = data
        print(f"-- N={n}: input {source}" + (f" ({data.stat().st_size / 1e6:,.0f} MB)" if source == "parquet" else ""))
        best = None
        first = None
        ratios = []  # engine rate / peer rate, measured back to back: this machine's speed drifts by ±30 %
        air._SQL_MEMO.clear()  # the first run of each size compiles from scratch
        for _ in range(args.repeat):
            peer = peer_rate(sample)  # before the engine run: no DuckDB threads winding down
            load_s, run_s, cpu_s, n_res = run_engine(data)
            gc.collect()
            if peer:
                ratios.append((site_hours / (load_s + run_s) / peer, site_hours / cpu_s / peer, peer))
            first = first or (load_s, run_s, cpu_s)
            if best is None or run_s + load_s < sum(best[:2]):
                best = (load_s, run_s, cpu_s, n_res)
        print(f"   first run (includes compiling the Ibis expression to SQL): {first[0] + first[1]:6.2f} s → "
              f"{site_hours / (first[0] + first[1]) / 1e6:5.2f} M site-hours/s; later runs reuse the compiled SQL")
        load_s, run_s, cpu_s, n_res = best
        total = load_s + run_s
        print(f"N={n:>6} sites  site-hours={site_hours:>11,}  load {load_s:6.2f} s  pipeline {run_s:6.2f} s  "
              f"→ {site_hours / total / 1e6:6.2f} M site-hours/s end to end  "
              f"(CPU {cpu_s:5.2f} s = {site_hours / cpu_s / 1e6:5.2f} M site-hours per CPU-second)  "
              f"results={n_res}  peak RSS {peak_rss_mb():,.0f} MB  load avg {os.getloadavg()[0]:.1f}")
        if not ratios:
            print("peer: aqi-hub is NOT installed — run `.venv/bin/uv pip install --python .venv/bin/python "
                  "aqi-hub` to measure the peer rate")
        else:
            peers = sorted(r[2] for r in ratios)
            per_cpu = sorted(r[1] for r in ratios)
            print(f"peer: aqi-hub cal_aqi_cn (hourly AQI, one record per call), measured just before each engine "
                  f"run: {peers[0]:,.0f}–{peers[-1]:,.0f} records per CPU-second")
            print(f"       engine / peer: best against best {site_hours / total / peers[-1]:.0f}× by wall clock "
                  f"(engine on 2 cores), {site_hours / cpu_s / peers[-1]:.0f}× per CPU-second; run by run "
                  f"{', '.join(f'{r[0]:.0f}×' for r in ratios)} (wall), median {per_cpu[len(per_cpu) // 2]:.0f}× per "
                  "CPU-second. The engine does hourly → daily AQI → annual statistics per site-hour; the peer one "
                  "hourly AQI per record.")
        del data, sample
        gc.collect()
    tmp.cleanup()


if __name__ == "__main__":
    main()
