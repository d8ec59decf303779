"""Benchmark: monitoring data in, end to end — `envgov air evaluate` as a process on a wide file, beside a
hand-written DuckDB SQL pipeline reading the same file in the same run.

    .venv/bin/python benchmarks/air_ingest.py                    # N = 300 site-years, CSV and Parquet
    .venv/bin/python benchmarks/air_ingest.py --n 3000           # 26 M site-hours (≈ 1.1 GB of CSV)
    .venv/bin/python benchmarks/air_ingest.py --n 10000 --format csv   # 87.6 M site-hours, ≈ 3.8 GB CSV

Both sides are measured the same way: a fresh process (`/usr/bin/time -v`: wall seconds and maximum
resident set size), reading the same file from a temporary folder. The peer (`PEER_SQL`) does what the
CLI does for one calendar year and every site: read the file, site daily means with the 20-hour
validity rule, O3 8-hour moving means (≥ 6 hours) and the daily maximum (≥ 14 windows), IAQI and AQI
(HJ 633-2012 24-h breakpoints), annual means, CO 95th and O3 90th percentiles and good/heavy days. It
is not the engine's definition to the last rule (e.g. no HJ 663 exceedance exception); it is the work a
competent analyst would write in SQL, which is the speed the issue compares against.

Acceptance (issue 14): CLI ≥ 0.5× the peer from CSV at N = 300 with ≤ 1.5 GB peak; ≥ 0.7× from
Parquet; N = 10,000 from CSV under 4 GB peak. The ratio is peer seconds / CLI seconds (higher = faster).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from air_engine import YEAR, synthetic_batches  # noqa: E402  (same synthetic data as the engine benchmark)

PY = sys.executable
HOURS = 365 * 24

# HJ 633-2012 IAQI breakpoints (24-h means; O3 daily max 8-h), written out by hand for the peer.
IAQI = (0, 50, 100, 150, 200, 300, 400, 500)
BP = {
    "so2": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "no2": (0, 40, 80, 180, 280, 565, 750, 940),
    "pm10": (0, 50, 150, 250, 350, 420, 500, 600),
    "co": (0, 2, 4, 14, 24, 36, 48, 60),
    "pm25": (0, 35, 75, 115, 150, 250, 350, 500),
    "o3_8h": (0, 100, 160, 215, 265, 800),
}


def _iaqi_sql(col: str, bp: tuple[float, ...]) -> str:
    parts = [f"WHEN {col} IS NULL THEN NULL"]
    for i in range(1, len(bp)):
        parts.append(f"WHEN {col} <= {bp[i]} THEN ceil({IAQI[i - 1]} + ({IAQI[i] - IAQI[i - 1]}) * ({col} - {bp[i - 1]}) "
                     f"/ ({bp[i] - bp[i - 1]}) - 1e-9)")
    return f"CASE {' '.join(parts)} ELSE {IAQI[len(bp) - 1]} END"


def peer_sql(reader: str) -> str:
    means = ", ".join(f"CASE WHEN count({p}) >= 20 THEN avg({p}) END AS {p}" for p in ("pm25", "pm10", "so2", "no2", "co"))
    iaqis = ", ".join(f"{_iaqi_sql(p, BP[p])} AS i_{p}" for p in BP)
    return f"""
    WITH h AS (SELECT site, CAST(time AS TIMESTAMP) AS time, pm25, pm10, so2, no2, co, o3 FROM {reader}),
    w AS (SELECT site, time, CAST(time AS DATE) AS day, hour(time) AS hr,
                 avg(o3) OVER win AS o3_8, count(o3) OVER win AS n8
          FROM h WINDOW win AS (PARTITION BY site ORDER BY time RANGE BETWEEN INTERVAL 7 HOURS PRECEDING AND CURRENT ROW)),
    o AS (SELECT site, day, CASE WHEN count(*) FILTER (WHERE n8 >= 6) >= 14 THEN max(o3_8) FILTER (WHERE n8 >= 6) END AS o3_8h
          FROM w WHERE hr >= 7 GROUP BY site, day),
    d AS (SELECT site, CAST(time AS DATE) AS day, {means} FROM h GROUP BY site, day),
    dd AS (SELECT d.*, o.o3_8h FROM d LEFT JOIN o USING (site, day)),
    a AS (SELECT *, {iaqis} FROM dd),
    q AS (SELECT *, greatest(i_pm25, i_pm10, i_so2, i_no2, i_co, i_o3_8h) AS aqi FROM a)
    SELECT site, round(avg(pm25)) AS pm25, round(avg(pm10)) AS pm10, round(avg(so2)) AS so2, round(avg(no2)) AS no2,
           round(quantile_cont(co, 0.95), 1) AS co_p95, round(quantile_cont(o3_8h, 0.90)) AS o3_8h_p90,
           count(aqi) AS valid_days, count(*) FILTER (WHERE aqi <= 100) AS good_days,
           count(*) FILTER (WHERE aqi > 200) AS heavy_days
    FROM q WHERE day BETWEEN DATE '{YEAR}-01-01' AND DATE '{YEAR}-12-31' GROUP BY site ORDER BY site
    """


PEER_SCRIPT = """
import json, os, sys, tempfile, duckdb
con = duckdb.connect()
# the same memory budget as the acceptance asks of the CLI at N = 10,000 (DuckDB spills beyond it)
con.execute(f"SET memory_limit = '{os.environ.get('PEER_MEMORY_LIMIT', '4GB')}'")
con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/envgov-peer-spill'")
rows = con.sql(sys.argv[1]).fetchall()
json.dump(len(rows), sys.stdout)
"""


def write_files(n: int, folder: Path, formats: list[str]) -> dict[str, tuple[Path, int]]:
    """Wide hourly files (site,time,pm25,pm10,so2,no2,co,o3) written block by block; returns path, rows."""
    out: dict[str, tuple[Path, int]] = {}
    csv_path, pq_path = folder / f"hourly_{n}.csv", folder / f"hourly_{n}.parquet"
    csv_w = pq_w = None
    rows = 0
    for batch in synthetic_batches(n):
        rows += batch.num_rows
        if "parquet" in formats:
            if pq_w is None:
                pq_w = pq.ParquetWriter(pq_path, batch.schema, compression="zstd")
            pq_w.write_batch(batch)
        if "csv" in formats:
            t = pa.Table.from_batches([batch])
            t = t.set_column(1, "time", pc.strftime(t["time"], format="%Y-%m-%dT%H:%M"))
            if csv_w is None:
                csv_w = pacsv.CSVWriter(csv_path, t.schema, write_options=pacsv.WriteOptions(quoting_style="none"))
            csv_w.write_table(t)
    if csv_w is not None:
        csv_w.close()
        out["csv"] = (csv_path, rows)
    if pq_w is not None:
        pq_w.close()
        out["parquet"] = (pq_path, rows)
    return out


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, stdout) of one process, measured by /usr/bin/time -v."""
    r = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[:4]} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", r.stderr)
    h, m, s = (float(x) if x else 0.0 for x in wall.groups())
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1)) / 1024
    return h * 3600 + m * 60 + s, rss, r.stdout


def cli_cmd(path: Path, out: Path) -> list[str]:
    return [str(Path(PY).parent / "envgov"), "air", "evaluate", str(path), "--from", f"{YEAR}-01-01", "--to",
            f"{YEAR}-12-31", "--compare-years", "0", "--format", "json", "-o", str(out)]


def peer_cmd(path: Path, fmt: str) -> list[str]:
    reader = f"read_csv('{path}', header=true)" if fmt == "csv" else f"read_parquet('{path}')"
    return [PY, "-c", PEER_SCRIPT, peer_sql(reader)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, action="append", help="site-years (repeatable); default 300")
    ap.add_argument("--format", dest="formats", action="append", choices=("csv", "parquet"),
                    help="input format (repeatable); default both")
    ap.add_argument("--repeat", type=int, default=2, help="runs per side; the best is reported")
    ap.add_argument("--tmp", default=None, help="folder for the generated files (default: system temp)")
    ap.add_argument("--input", type=Path, default=None,
                    help="an existing wide file (site,time,pm25 … o3 of year %d) instead of generated ones" % YEAR)
    ap.add_argument("--no-peer", action="store_true", help="measure the CLI only")
    args = ap.parse_args()
    sizes = args.n or [300]
    formats = args.formats or ["csv", "parquet"]
    # Both processes start as an installed program does: with compiled bytecode (a session that sets
    # PYTHONDONTWRITEBYTECODE would otherwise recompile pandas & co. in every CLI run, ~3 s).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT / "src")
    subprocess.run([PY, "-c", "import envgov.cli, envgov.engine.air, envgov.ingest.columnar, duckdb, openpyxl"],
                   env=env, check=True)
    print(f"envgov ingest benchmark — {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, year {YEAR}; "
          "process wall clock and peak RSS by /usr/bin/time -v; ratio = peer s / CLI s")
    print(f"{'N':>6} {'format':>8} {'MB':>7} {'site-hours':>11} | {'CLI s':>7} {'CLI M/s':>8} {'CLI MB':>7} | "
          f"{'peer s':>7} {'peer M/s':>8} {'peer MB':>7} | ratio  load")
    for n in sizes:
        need = 0 if args.input else n * HOURS * 60 * (("csv" in formats) + 0.1 * ("parquet" in formats))
        tmp_root = Path(args.tmp or tempfile.gettempdir())
        free = shutil.disk_usage(tmp_root).free
        if need * 1.5 > free:
            print(f"N={n}: skipped, needs ≈{need / 1e9:.1f} GB of disk in {tmp_root}, {free / 1e9:.1f} GB free")
            continue
        with tempfile.TemporaryDirectory(prefix="envgov-ingest-bench-", dir=tmp_root) as tmp:
            if args.input is not None:
                fmt = "parquet" if args.input.suffix == ".parquet" else "csv"
                files, formats = {fmt: (args.input, n * HOURS)}, [fmt]
            else:
                files = write_files(n, Path(tmp), formats)
            for fmt in formats:
                path, rows = files[fmt]
                cli_best = peer_best = None
                for _ in range(args.repeat):
                    peer = (float("nan"), float("nan"), "") if args.no_peer else timed(peer_cmd(path, fmt), env)
                    cli = timed(cli_cmd(path, Path(tmp) / "out.json"), env)
                    peer_best = peer if peer_best is None or peer[0] < peer_best[0] else peer_best
                    cli_best = cli if cli_best is None or cli[0] < cli_best[0] else cli_best
                print(f"{n:>6} {fmt:>8} {path.stat().st_size / 1e6:>7,.0f} {rows:>11,} | "
                      f"{cli_best[0]:>7.2f} {rows / cli_best[0] / 1e6:>8.2f} {cli_best[1]:>7,.0f} | "
                      f"{peer_best[0]:>7.2f} {rows / peer_best[0] / 1e6:>8.2f} {peer_best[1]:>7,.0f} | "
                      f"{peer_best[0] / cli_best[0]:5.2f}× {os.getloadavg()[0]:4.1f}", flush=True)


if __name__ == "__main__":
    main()
