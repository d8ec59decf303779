"""Build `data/air_demo_2021_2023.csv.gz`, the demo's earlier years (a developer tool, run once; its output
is committed). 模拟数据: the three simulated district sites carry the REAL hourly data of three Beijing
national stations from the UCI "Beijing Multi-Site Air-Quality Data" (CC BY 4.0; Song Xi Chen, Peking
University; data of the Beijing Municipal Environmental Monitoring Center), 2013-03-01 … 2015-12-31, with
dates shifted 8 years to 2021-03-01 … 2023-12-31 — the same shift and the same station mapping as
`air_demo_2024.csv.gz` (2016 → 2024), so no calendar day moves (2016 and 2024 are both leap years).
Values are as published; CO is converted from µg/m³ to mg/m³ (÷1000) like the 2024 file; NA → empty.

    python -m envgov.demo.build_air_history [/path/to/shared/data/beijing_multisite]
"""
from __future__ import annotations

import csv
import gzip
import io
import os
import sys
from pathlib import Path

SITES = {"TZ-SIM-01": "Dongsi", "TZ-SIM-02": "Tiantan", "TZ-SIM-03": "Nongzhanguan"}  # as load_demo names them
YEARS = (2013, 2014, 2015)
SHIFT_YEARS = 8
OUT = Path(__file__).with_name("data") / "air_demo_2021_2023.csv.gz"
COLUMNS = (("PM2.5", "pm25"), ("PM10", "pm10"), ("SO2", "so2"), ("NO2", "no2"), ("CO", "co"), ("O3", "o3"))


def _number(text: str, scale: float = 1.0) -> str:
    if text in ("", "NA"):
        return ""
    value = float(text) / scale
    return str(int(value)) if value == int(value) else f"{value:g}"


def build(source: Path, out: Path = OUT) -> int:
    rows = 0
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["site", "time"] + [c for _, c in COLUMNS])
    for site, station in SITES.items():
        path = source / f"PRSA_Data_{station}_20130301-20170228.csv.gz"
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                year = int(r["year"])
                if year not in YEARS:
                    continue
                when = f"{year + SHIFT_YEARS}-{int(r['month']):02d}-{int(r['day']):02d}T{int(r['hour']):02d}:00"
                w.writerow([site, when] + [_number(r[k], 1000.0 if k == "CO" else 1.0) for k, _ in COLUMNS])
                rows += 1
    with gzip.GzipFile(out, "wb", mtime=0) as fh:  # mtime 0: the same input gives the same bytes
        fh.write(buf.getvalue().encode("utf-8"))
    return rows


if __name__ == "__main__":
    default = Path(os.environ.get("ENVGOV_SHARED", "/work/shared")) / "data" / "beijing_multisite"
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else default), "rows →", OUT)
