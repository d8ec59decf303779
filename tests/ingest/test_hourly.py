"""Ingest: profiles, unit conversion, time conventions, located errors, all-or-nothing."""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from envgov.engine.lake import Lake
from envgov.ingest.hourly import ingest_file, read_hourly

SHARED = Path(os.environ.get("ENVGOV_SHARED", "/work/shared"))  # set by tests/conftest.py

DATA = SHARED / "data/beijing_multisite"
UCI_HEADER = '"No","year","month","day","hour","PM2.5","PM10","SO2","NO2","CO","O3","TEMP","PRES","DEWP","RAIN","wd","WSPM","station"'


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def obs(report) -> dict:
    t = report.table.to_pylist()
    return {(r["site"], r["time"], r["parameter"]): r["value"] for r in t}


def test_long_template_detected_and_units_converted(tmp_path):
    p = write(tmp_path, "long.csv",
              "site,time,parameter,value,unit\n"
              "1001A,2015-01-01T00:00,pm25,81,µg/m³\n"
              "1001A,2015-01-01T00:00,co,1.2,mg/m³\n"
              "1001A,2015-01-01T01:00,co,1300,ug/m3\n"
              "1001A,2015-01-01T01:00,pm25,NA,µg/m³\n")
    r = read_hourly(p)
    assert r.ok, r.summary()
    assert r.profile == "long"
    o = obs(r)
    assert o[("1001A", datetime(2015, 1, 1, 0), "pm25")] == 81
    assert o[("1001A", datetime(2015, 1, 1, 1), "co")] == pytest.approx(1.3)  # µg/m³ → mg/m³
    assert r.missing_values == 1 and r.observations == 3


def test_wide_template_detected(tmp_path):
    p = write(tmp_path, "wide.csv",
              "site,time,pm25,pm10,so2,no2,co,o3\n"
              "A,2015-01-01 00:00,10,20,3,40,0.5,60\n"
              "A,2015-01-01 01:00,11,,3,40,0.6,61\n")
    r = read_hourly(p)
    assert r.ok and r.profile == "wide"
    assert r.observations == 11 and r.missing_values == 1
    assert obs(r)[("A", datetime(2015, 1, 1, 1), "co")] == 0.6


def test_uci_profile_detected_co_divided_by_1000():
    r = read_hourly(DATA / "PRSA_Data_Dongsi_20130301-20170228.csv.gz")
    assert r.ok, r.summary()
    assert r.profile == "uci-beijing"
    assert r.rows_read == 35064
    o = obs(r)
    # first data row of the file: 1,2013,3,1,0,9,9,3,17,300,89,…,"Dongsi"
    assert o[("Dongsi", datetime(2013, 3, 1, 0), "co")] == pytest.approx(0.3)
    assert o[("Dongsi", datetime(2013, 3, 1, 0), "pm25")] == 9
    assert ("Dongsi", datetime(2013, 3, 1, 2), "so2") not in o  # NA stays missing, never 0
    assert r.gaps  # the file has NA hours: reported, not an error


def located(report):
    return [(e.row, e.column) for e in report.errors]


def test_bad_unit_column_is_located(tmp_path):
    p = write(tmp_path, "bad.csv", "site,time,parameter,value,unit\nA,2015-01-01T00:00,pm25,81,mg/L\n")
    r = read_hourly(p)
    assert not r.ok and r.table is None
    assert located(r) == [(2, "unit")]
    assert "单位" in r.errors[0].reason


def test_text_in_number_is_located(tmp_path):
    p = write(tmp_path, "bad.csv", "site,time,pm25,pm10,so2,no2,co,o3\nA,2015-01-01T00:00,12,abc,3,4,0.5,6\n")
    r = read_hourly(p)
    assert located(r) == [(2, "pm10")]
    assert "不是数值" in r.errors[0].reason


def test_negative_and_impossible_values(tmp_path):
    p = write(tmp_path, "bad.csv", "site,time,pm25,pm10,so2,no2,co,o3\n"
                                    "A,2015-01-01T00:00,-3,20,3,4,0.5,6\n"
                                    "A,2015-01-01T01:00,30,20,3,4,900,6\n")
    r = read_hourly(p)
    assert located(r) == [(2, "pm25"), (3, "co")]
    assert "负值" in r.errors[0].reason and "超出可能范围" in r.errors[1].reason


def test_hour_25_is_an_error_and_24_depends_on_convention(tmp_path):
    p = write(tmp_path, "bad.csv", "site,time,pm25,pm10,so2,no2,co,o3\n"
                                    "A,2015-01-01T25:00,1,2,3,4,0.5,6\n"
                                    "A,2015-01-01T24:00,1,2,3,4,0.5,6\n")
    r = read_hourly(p)
    assert located(r) == [(2, "time"), (3, "time")]
    assert "25" in r.errors[0].reason and "24:00" in r.errors[1].reason
    # A source labelling hours by their END (01:00 … 24:00): 24:00 is the last hour of the day.
    ending = {"name": "wide-hour-ending", "layout": "wide", "columns": {"site": "site", "time": "time"},
              "parameters": {"pm25": {"column": "pm25", "unit": "µg/m³"}},
              "time": {"format": "iso", "hour_convention": "end"}}
    p2 = write(tmp_path, "end.csv", "site,time,pm25\nA,2015-01-01T24:00,7\nA,2015-01-01T01:00,5\nA,2015-01-01T25:00,5\n")
    r2 = read_hourly(p2, profile=ending)
    assert located(r2) == [(4, "time")]
    p3 = write(tmp_path, "end2.csv", "site,time,pm25\nA,2015-01-01T24:00,7\nA,2015-01-01T01:00,5\n")
    o = obs(read_hourly(p3, profile=ending))
    assert o == {("A", datetime(2015, 1, 1, 23), "pm25"): 7, ("A", datetime(2015, 1, 1, 0), "pm25"): 5}


def test_uci_hour_24_is_an_error(tmp_path):
    p = tmp_path / "uci.csv"
    p.write_text(UCI_HEADER + "\n" + '1,2013,3,1,24,9,9,3,17,300,89,-0.5,1024.5,-21.4,0,"NNW",5.7,"Dongsi"\n')
    r = read_hourly(p)
    assert r.profile == "uci-beijing" and located(r) == [(2, "year/month/day/hour")]


def test_time_zone_offset_converted_to_local(tmp_path):
    p = write(tmp_path, "tz.csv", "site,time,parameter,value,unit\nA,2015-01-01T00:00Z,pm25,5,µg/m³\n"
                                   "A,2015-01-01T08:00+08:00,pm10,6,µg/m³\n")
    o = obs(read_hourly(p))
    assert o == {("A", datetime(2015, 1, 1, 8), "pm25"): 5, ("A", datetime(2015, 1, 1, 8), "pm10"): 6}


def test_duplicates_identical_dropped_different_is_error(tmp_path):
    p = write(tmp_path, "dup.csv", "site,time,parameter,value,unit\n"
                                    "A,2015-01-01T00:00,pm25,5,µg/m³\n"
                                    "A,2015-01-01T00:00,pm25,5,µg/m³\n")
    r = read_hourly(p)
    assert r.ok and r.duplicates_dropped == 1 and r.observations == 1
    p2 = write(tmp_path, "dup2.csv", "site,time,parameter,value,unit\n"
                                      "A,2015-01-01T00:00,pm25,5,µg/m³\n"
                                      "A,2015-01-01T00:00,pm25,6,µg/m³\n")
    r2 = read_hourly(p2)
    assert located(r2) == [(3, "value")] and "第 2 行" in r2.errors[0].reason


def test_unknown_station(tmp_path):
    p = write(tmp_path, "s.csv", "site,time,parameter,value,unit\nA,2015-01-01T00:00,pm25,5,µg/m³\n"
                                  "Z,2015-01-01T00:00,pm25,5,µg/m³\n")
    r = read_hourly(p, stations=["A"])
    assert located(r) == [(3, "site")] and "未知站点" in r.errors[0].reason


def test_gaps_reported_not_error(tmp_path):
    p = write(tmp_path, "g.csv", "site,time,parameter,value,unit\nA,2015-01-01T00:00,pm25,5,µg/m³\n"
                                  "A,2015-01-01T04:00,pm25,5,µg/m³\n")
    r = read_hourly(p)
    assert r.ok and len(r.gaps) == 1
    g = r.gaps[0]
    assert g.missing_hours == 3 and g.ranges == (("2015-01-01T01:00", "2015-01-01T03:00"),)


def test_xlsx_and_parquet(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["site", "time", "pm25", "pm10", "so2", "no2", "co", "o3"])
    ws.append(["A", datetime(2015, 1, 1, 0), 10, 20, 3, 40, 0.5, 60])
    ws.append(["A", datetime(2015, 1, 1, 1), 10, "x", 3, 40, 0.5, 60])
    wb.save(tmp_path / "w.xlsx")
    r = read_hourly(tmp_path / "w.xlsx")
    assert located(r) == [(3, "pm10")]
    t = pa.table({"site": ["A"], "time": [datetime(2015, 1, 1, 5)], "parameter": ["no2"], "value": [33.0],
                  "unit": ["µg/m³"]})
    pq.write_table(t, tmp_path / "l.parquet")
    r2 = read_hourly(tmp_path / "l.parquet")
    assert r2.ok and obs(r2) == {("A", datetime(2015, 1, 1, 5), "no2"): 33.0}


def test_bad_file_changes_nothing_and_reimport_adds_nothing(tmp_path):
    lake = Lake(tmp_path / "lake")
    good = write(tmp_path, "good.csv", "site,time,pm25,pm10,so2,no2,co,o3\nA,2015-01-01T00:00,1,2,3,4,0.5,6\n"
                                        "A,2015-01-01T01:00,1,2,3,4,0.5,6\n")
    r = ingest_file(good, lake=lake)
    assert r.ok and r.appended == 12
    before = lake.to_arrow()
    r_again = ingest_file(good, lake=lake)
    assert r_again.ok and r_again.appended == 0 and r_again.already_present == 12
    assert len(lake.commits()) == 1
    for text in ["A,2015-01-02T00:00,1,2,3,4,0.5,6\nA,2015-01-02T01:00,1,2,3,4,0.5,abc\n",   # text in numbers
                 "A,2015-01-02T00:00,1,2,3,4,0.5,6\nA,2015-01-02T25:00,1,2,3,4,0.5,6\n",    # 25:00
                 "A,2015-01-02T00:00,1,2,3,4,0.5,6\nA,2015-01-02T00:00,9,2,3,4,0.5,6\n",    # dup differing
                 "A,2015-01-02T00:00,1,2,3,4,0.5,6\nA,2015-01-01T00:00,7,2,3,4,0.5,6\n"]:   # conflicts lake
        bad = write(tmp_path, "bad.csv", "site,time,pm25,pm10,so2,no2,co,o3\n" + text)
        rb = ingest_file(bad, lake=lake)
        assert not rb.ok and rb.appended == 0
        assert lake.to_arrow().equals(before)
    assert len(lake.commits()) == 1
    bad_unit = write(tmp_path, "bu.csv", "site,time,parameter,value,unit\nA,2015-01-03T00:00,pm25,5,µg/m³\n"
                                         "A,2015-01-03T00:00,so2,5,ppm\n")
    assert not ingest_file(bad_unit, lake=lake).ok
    assert lake.to_arrow().equals(before)


def _sorted(t):
    return t.sort_by([("site", "ascending"), ("time", "ascending"), ("parameter", "ascending")])


def test_fast_path_equals_row_path(tmp_path, monkeypatch):
    """Clean CSVs take the vectorised paths (columnar for wide files, fast for long ones); their output
    must be the row path's output."""
    from envgov.ingest import fast, hourly

    long = write(tmp_path, "long.csv",
                 "site,time,parameter,value,unit\n" + "".join(
                     f"A,2015-01-01T{h:02d}:00,{p},{v},{u}\n"
                     for h in range(0, 24, 2) for p, v, u in (("pm25", 12 + h, "µg/m³"), ("co", 900 + h, "ug/m3"),
                                                               ("no2", "NA", "µg/m³"))))
    files = [DATA / "PRSA_Data_Huairou_20130301-20170228.csv.gz", long]
    fast_reports = [read_hourly(f) for f in files]
    calls = []
    monkeypatch.setattr(fast, "try_fast", lambda *a, **k: calls.append(1))
    monkeypatch.setattr(hourly, "_read_columnar", lambda *a, **k: calls.append(1))
    slow_reports = [read_hourly(f) for f in files]
    assert len(calls) == 3  # the row path really ran (wide: columnar and fast declined; long: fast declined)
    for a, b in zip(fast_reports, slow_reports):
        assert a.ok and b.ok
        assert _sorted(a.table).equals(_sorted(b.table))
        assert (a.rows_read, a.missing_values, a.observations, a.gaps) == (b.rows_read, b.missing_values, b.observations, b.gaps)


# ---- the plausible window of dates (envgov.rules.dates: the 1990–2100) -------------------------

def test_year_9999_is_refused_with_its_row_and_column(tmp_path):
    # a wide file: first row fine, second a typo for the year, third before the window
    p = write(tmp_path, "far.csv", "site,time,pm25,pm10,so2,no2,co,o3\n"
                                    "A,2015-01-01T00:00,12,20,3,4,0.5,6\n"
                                    "A,9999-12-31T23:00,12,20,3,4,0.5,6\n"
                                    "A,1989-12-31T23:00,12,20,3,4,0.5,6\n")
    r = read_hourly(p)
    assert not r.ok and r.table is None
    assert located(r) == [(3, "time"), (4, "time")]
    assert "9999-12-31T23:00" in r.errors[0].reason and "1990–2100" in r.errors[0].reason
    assert "far.csv，第 3 行，列「time」" in str(r.errors[0])


def test_out_of_window_year_in_long_and_parts_layouts(tmp_path):
    long = write(tmp_path, "long.csv", "site,time,parameter,value,unit\n"
                                      "1001A,2101-01-01T00:00,pm25,81,µg/m³\n")
    r = read_hourly(long)
    assert located(r) == [(2, "time")] and "2101" in r.errors[0].reason
    uci = tmp_path / "uci.csv"
    uci.write_text(UCI_HEADER + "\n" + '1,9999,3,1,1,9,9,3,17,300,89,-0.5,1024.5,-21.4,0,"NNW",5.7,"Dongsi"\n')
    r2 = read_hourly(uci)
    assert r2.profile == "uci-beijing" and located(r2) == [(2, "year/month/day/hour")]
    assert "1990–2100" in r2.errors[0].reason


def test_window_edges_are_inside(tmp_path):
    p = write(tmp_path, "edges.csv", "site,time,pm25,pm10,so2,no2,co,o3\n"
                                      "A,1990-01-01T00:00,12,20,3,4,0.5,6\n"
                                      "A,2100-12-31T23:00,12,20,3,4,0.5,6\n")
    r = read_hourly(p)
    assert r.ok, r.summary()


def test_year_9999_never_reaches_the_lake(tmp_path):
    lake = Lake(tmp_path / "lake")
    p = write(tmp_path, "far.csv", "site,time,pm25,pm10,so2,no2,co,o3\n"
                                    "A,9999-12-31T00:00,12,20,3,4,0.5,6\n")
    r = ingest_file(p, lake=lake)
    assert not r.ok and r.appended == 0
    assert lake.commits() == [] and lake.to_arrow("air").num_rows == 0
