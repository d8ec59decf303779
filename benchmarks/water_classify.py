"""Benchmark: `envgov water classify` as a process on a national release, beside a hand-written DuckDB
SQL pipeline doing the same single-factor classification of the same file in the same run.

    .venv/bin/python benchmarks/water_classify.py              # 12 months: the April 2021 file, ×12
    .venv/bin/python benchmarks/water_classify.py --months 1   # the April 2021 file itself

The input is the national April 2021 release (/work/shared/data/water, 46,183 rows) repeated with the
month changed (年月 and 监测时间), i.e. about 0.55 M records for a year of all 1,698 sections. Both sides
are a fresh process measured by /usr/bin/time -v (wall seconds, peak RSS). The peer (`PEER_SQL`) reads the
CSV, classes pH/DO/CODMn/NH3-N/TP with CASE expressions (river TP limits for every section — it does not
derive section kinds, check values or report located errors) and writes site,time,class: the work a
competent analyst would write in SQL. Ratio = peer s / CLI s (higher = faster). No acceptance figure was
set by the issue; this records the speed so that regressions show.
"""
from __future__ import annotations

import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
SOURCE = Path("/work/shared/data/water/cnemc_surface_water_auto_2021-04_all_sections.csv.gz")


def _le(col: str, limits: tuple[float, ...]) -> str:
    v = f"TRY_CAST(\"{col}\" AS DOUBLE)"
    arms = " ".join(f"WHEN {v} <= {lim} THEN {k}" for k, lim in enumerate(limits, start=1))
    return f"CASE WHEN {v} IS NULL THEN 0 {arms} ELSE 6 END"


def _ge(col: str, limits: tuple[float, ...]) -> str:
    v = f"TRY_CAST(\"{col}\" AS DOUBLE)"
    arms = " ".join(f"WHEN {v} >= {lim} THEN {k}" for k, lim in enumerate(limits, start=1))
    return f"CASE WHEN {v} IS NULL THEN 0 {arms} ELSE 6 END"


def peer_sql(path: Path, out: Path) -> str:
    ph = "TRY_CAST(\"pH(无量纲)\" AS DOUBLE)"
    cls = ("greatest(" + ", ".join([
        f"CASE WHEN {ph} IS NULL THEN 0 WHEN {ph} BETWEEN 6 AND 9 THEN 1 ELSE 6 END",
        _ge("溶解氧(mg/L)", (7.5, 6, 5, 3, 2)), _le("高锰酸盐指数(mg/L)", (2, 4, 6, 10, 15)),
        _le("氨氮(mg/L)", (0.15, 0.5, 1.0, 1.5, 2.0)), _le("总磷(mg/L)", (0.02, 0.1, 0.2, 0.3, 0.4)),
    ]) + ")")
    labels = "['', 'Ⅰ', 'Ⅱ', 'Ⅲ', 'Ⅳ', 'Ⅴ', '劣Ⅴ']"
    return (f"COPY (SELECT 省份 || '/' || 断面名称 AS site, 监测时间 AS time, {labels}[{cls} + 1] AS class "
            f"FROM read_csv('{path}', header=true, nullstr=['--', '*'], sample_size=-1)) TO '{out}' (HEADER, DELIMITER ',')")


PEER_SCRIPT = "import duckdb, sys; duckdb.sql(sys.argv[1])"


def write_year(months: int, folder: Path) -> tuple[Path, int]:
    """The April file with 年月/监测时间 moved to months 1…N of 2021 (other months keep April's days ≤ 28
    where the month is shorter; records of 04-29/30 are dropped for February)."""
    path = folder / f"release_{months}m.csv"
    rows = 0
    with gzip.open(SOURCE, "rt", encoding="utf-8") as src:
        header, *lines = src.read().splitlines()
    with open(path, "w", encoding="utf-8") as out:
        out.write(header + "\n")
        for m in range(1, months + 1):
            mm = f"{m:02d}"
            for line in lines:
                f = line.split(",")
                t = f[4]
                if len(t) == 11:
                    if m == 2 and t[3:5] > "28":
                        continue
                    f[4] = f"{mm}{t[2:]}" if t.startswith("04") else t
                f[0] = f"2021-{mm}"
                out.write(",".join(f) + "\n")
                rows += 1
    return path, rows


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    r = subprocess.run(["/usr/bin/time", "-v", *cmd], check=False, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[:4]} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    h, m, s = (float(x) if x else 0.0 for x in re.search(
        r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", r.stderr).groups())
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1)) / 1024
    return h * 3600 + m * 60 + s, rss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=2, help="runs per side; the best is reported")
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT / "src")
    subprocess.run([PY, "-c", "import envgov.cli, envgov.engine.water, envgov.ingest.water_cnemc, duckdb"],
                   env=env, check=True)
    with tempfile.TemporaryDirectory(prefix="envgov-water-bench-") as tmp:
        path, rows = write_year(args.months, Path(tmp))
        cli = [PY, "-c", "from envgov.cli import main; main()", "water", "classify", str(path),
               "-o", str(Path(tmp) / "cli.csv")]
        peer = [PY, "-c", PEER_SCRIPT, peer_sql(path, Path(tmp) / "peer.csv")]
        best_cli = min((timed(cli, env) for _ in range(args.repeat)), key=lambda t: t[0])
        best_peer = min((timed(peer, env) for _ in range(args.repeat)), key=lambda t: t[0])
    print(f"envgov water classify benchmark — {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}")
    print(f"{'months':>6} {'records':>9} | {'CLI s':>6} {'CLI MB':>7} | {'peer s':>6} {'peer MB':>7} | ratio")
    print(f"{args.months:>6} {rows:>9,} | {best_cli[0]:>6.2f} {best_cli[1]:>7,.0f} | "
          f"{best_peer[0]:>6.2f} {best_peer[1]:>7,.0f} | {best_peer[0] / best_cli[0]:.2f}×")


if __name__ == "__main__":
    main()
