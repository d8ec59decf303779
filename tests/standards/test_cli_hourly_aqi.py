"""`envgov air hourly-aqi`: output layout, rule selection, located input errors, official data."""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from envgov.cli import app

SHARED = Path(os.environ.get("ENVGOV_SHARED", "/work/shared"))  # set by tests/conftest.py

runner = CliRunner()
HEADER = "date,hour,type,东四,天坛\n"
DATA = SHARED / "data/official_aqi"


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_bjmemc_release_to_csv(tmp_path):
    f = tmp_path / "beijing_all_20171101.csv"
    f.write_text(HEADER + "20171101,0,PM2.5,142,37\n20171101,0,PM10,,\n20171101,1,PM2.5,,20\n", encoding="utf-8")
    res = runner.invoke(app, ["air", "hourly-aqi", str(f), "--profile", "bjmemc-hourly", "--rule", "auto"])
    assert res.exit_code == 0, res.output
    rows = _rows(res.stdout)
    assert list(rows[0]) == ["site", "time", "aqi", "primary_pollutant"]
    # 2017 → hj633-2012-hourly: PM2.5 142 → 188.57 → 189; 37 → 52.5 → 53 (half up); 20 → 28.57 → 29
    assert [(r["site"], r["time"], r["aqi"], r["primary_pollutant"]) for r in rows] == [
        ("东四", "2017-11-01T00:00", "189", "pm25"), ("天坛", "2017-11-01T00:00", "53", "pm25"),
        ("天坛", "2017-11-01T01:00", "29", ""),
    ]


def test_explicit_rule_and_json(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text(HEADER + "20171101,0,PM2.5_24h,37,\n20171101,0,SO2,,82.2\n", encoding="utf-8")
    res = runner.invoke(app, ["air", "hourly-aqi", str(f), "--rule", "bjmemc-2014", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data == [
        {"site": "东四", "time": "2017-11-01T00:00", "aqi": 53, "primary_pollutant": "pm25", "rule": "bjmemc-2014"},
        {"site": "天坛", "time": "2017-11-01T00:00", "aqi": 28, "primary_pollutant": "", "rule": "bjmemc-2014"},
    ]


def test_generic_wide_profile_2026_rule(tmp_path):
    f = tmp_path / "wide.csv"
    f.write_text("site,time,pm25,pm10,so2,no2,co,o3\n"
                 "A,2026-03-01T00:00,70,,,,,\nA,2026-03-01T01:00,60.5,,,,,\n", encoding="utf-8")
    res = runner.invoke(app, ["air", "hourly-aqi", str(f), "--profile", "wide"])
    assert res.exit_code == 0, res.output
    # HJ 633-2026: 70 → 109.09 → 110; 60.5 → 60 (GB/T 8170) → 100
    assert [r["aqi"] for r in _rows(res.stdout)] == ["110", "100"]


def test_errors_are_reported_in_chinese(tmp_path):
    res = runner.invoke(app, ["air", "hourly-aqi", str(tmp_path / "none.csv")])
    assert res.exit_code == 2 and "文件不存在" in res.output
    f = tmp_path / "bad.csv"
    f.write_text(HEADER + "20171101,25,PM2.5,1,2\n", encoding="utf-8")
    res = runner.invoke(app, ["air", "hourly-aqi", str(f)])
    assert res.exit_code == 1 and "第 2 行" in res.output and "hour" in res.output
    res = runner.invoke(app, ["air", "hourly-aqi", str(f), "--rule", "x"])
    assert res.exit_code == 2 and "未知的实时 AQI 规则" in res.output


def test_cli_reproduces_official_2017_release(tmp_path):
    files = [DATA / "beijing_all_20171101-20180602.csv.gz", DATA / "beijing_extra_20171101-20180602.csv.gz"]
    if not all(f.exists() for f in files):
        pytest.skip("official data not present")
    out = tmp_path / "aqi.csv"
    res = runner.invoke(app, ["air", "hourly-aqi", *map(str, files), "-o", str(out)])
    assert res.exit_code == 0, res.output
    from envgov.ingest.bjmemc import read_bjmemc

    release = read_bjmemc(files[:1])
    official = release.get("aqi")
    t_index = {np.datetime_as_string(t, unit="m"): i for i, t in enumerate(release.times.astype("datetime64[m]"))}
    s_index = {s: i for i, s in enumerate(release.sites)}
    compared = exact = 0
    with out.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            t = t_index.get(row["time"])
            value = official[t, s_index[row["site"]]] if t is not None else np.nan
            if np.isnan(value):
                continue
            compared += 1
            exact += row["aqi"] != "" and int(row["aqi"]) == value
    assert compared == 170_086 and exact == compared
