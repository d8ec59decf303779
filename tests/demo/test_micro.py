"""The demo's simulated micro-stations (envgov.demo.micro): reproducible, one tie, the gaps it promises;
and the earlier-years file is the published UCI data shifted 8 years (checked against the source file)."""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import envgov.demo
from envgov.demo import micro

DATA = Path(envgov.demo.__file__).with_name("data")


def _base(days: int = 600):
    hours = np.arange(np.datetime64("2023-01-01T00", "h"), np.datetime64("2023-01-01T00", "h") + days * 24)
    pm25 = 50 + 30 * np.sin(np.arange(len(hours)) / 24)
    return hours, pm25, pm25 * 1.6


def test_same_seed_same_numbers_and_towns_differ():
    hours, a, b = _base()
    one = micro.simulate(hours, a, b, micro.factors(15))
    two = micro.simulate(hours, a, b, micro.factors(15))
    assert one.equals(two)
    means = {}
    for code in {s.code for s in micro.factors(15)}:
        rows = one.filter(pa.compute.equal(one["site"], code))
        means[code] = np.nanmean(rows["pm25"].to_numpy(zero_copy_only=False))
    assert len({round(v, 3) for v in means.values()}) == 14  # 15 towns, one pair tied on purpose


def test_tie_and_gaps():
    hours, a, b = _base()
    t = micro.simulate(hours, a, b, micro.factors(15)).to_pydict()
    by_site: dict[str, list] = {}
    for site, when, pm in zip(t["site"], t["time"], t["pm25"]):
        by_site.setdefault(site, []).append((when, pm))
    (tied, source), = micro.TIE_WITH.items()
    assert by_site[f"TZ-MICRO-{tied + 1:02d}"] == by_site[f"TZ-MICRO-{source + 1:02d}"]
    march = [pm for when, pm in by_site["TZ-MICRO-07"] if dt.date(2024, 3, 11) <= when.date() <= dt.date(2024, 3, 24)]
    assert march and all(pm is None for pm in march)
    july = [pm for when, pm in by_site["TZ-MICRO-11"] if when.year == 2024 and when.month == 7]
    assert len(july) == 31 * 24 and all(pm is None for pm in july)
    assert all(pm is None or pm >= 0 for _, pm in by_site["TZ-MICRO-01"])


def test_pm10_never_below_pm25():
    hours, a, b = _base(60)
    t = micro.simulate(hours, a, b, micro.factors(3))
    ok = [(x, y) for x, y in zip(t["pm25"].to_pylist(), t["pm10"].to_pylist()) if x is not None]
    assert ok and all(y >= x for x, y in ok)


SHARED = Path(os.environ.get("ENVGOV_SHARED", "/work/shared")) / "data" / "beijing_multisite"


@pytest.mark.skipif(not (SHARED / "PRSA_Data_Tiantan_20130301-20170228.csv.gz").exists(), reason="shared data absent")
def test_earlier_years_are_the_published_hours_shifted_eight_years():
    with gzip.open(SHARED / "PRSA_Data_Tiantan_20130301-20170228.csv.gz", "rt", encoding="utf-8") as fh:
        source = {(r["year"], r["month"], r["day"], r["hour"]): r for r in csv.DictReader(fh)}
    with gzip.open(DATA / "air_demo_2021_2023.csv.gz", "rt", encoding="utf-8") as fh:
        ours = [r for r in csv.DictReader(fh) if r["site"] == "TZ-SIM-02"]
    assert ours[0]["time"] == "2021-03-01T00:00" and ours[-1]["time"] == "2023-12-31T23:00"
    assert len(ours) == 1036 * 24  # 2013-03-01 … 2015-12-31
    for r in ours[::997]:
        when = dt.datetime.fromisoformat(r["time"])
        src = source[(str(when.year - 8), str(when.month), str(when.day), str(when.hour))]
        assert r["pm25"] == ("" if src["PM2.5"] == "NA" else f"{float(src['PM2.5']):g}")
        assert r["co"] == ("" if src["CO"] == "NA" else f"{float(src['CO']) / 1000:g}")


def test_measure_file_is_reproducible_with_its_tie_and_gap():
    towns = [f"镇{i}" for i in range(15)]
    months = [dt.date(2024, m, 1) for m in range(1, 9)]
    text = micro.measure_csv(towns, months).decode()
    assert text == micro.measure_csv(towns, months).decode()
    rows = list(csv.reader(text.splitlines()))
    assert rows[0][:2] == ["街乡镇", "月份"] and len(rows) == 1 + 15 * 8
    by = {(r[0], r[1]): r[2:5] for r in rows[1:]}
    (tied, source), = micro.TIE_WITH.items()
    assert all(by[(f"镇{tied}", f"2024-{m:02d}")] == by[(f"镇{source}", f"2024-{m:02d}")] for m in range(1, 9))
    assert by[("镇6", "2024-03")][0] == "" and by[("镇6", "2024-04")][0] != ""  # no 降尘量 for March
    assert all(r[5] == "模拟数据（演示）" for r in rows[1:])
