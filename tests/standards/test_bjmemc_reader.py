"""envgov.ingest.bjmemc: the Beijing hourly release layout (date,hour,type,<stations>), located errors."""
from __future__ import annotations

import gzip
from datetime import datetime

import numpy as np
import pytest

from envgov.ingest.bjmemc import BjmemcFormatError, read_bjmemc

HEADER = "date,hour,type,东四,天坛\n"


def _write(path, text, gz=False):
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_reads_types_into_matrices_and_tidy_table(tmp_path):
    f = _write(tmp_path / "beijing_all_20171101.csv.gz", HEADER + (
        "20171101,0,PM2.5,142,\n20171101,0,AQI,188,80\n20171101,1,PM2.5,150,99.5\n"), gz=True)
    g = _write(tmp_path / "beijing_extra_20171101.csv", HEADER + "20171101,0,CO,2,2.5\n20171101,0,O3_24h,,\n")
    r = read_bjmemc([f, g])
    assert r.sites == ("东四", "天坛")
    assert [str(t) for t in r.times] == ["2017-11-01T00", "2017-11-01T01"]
    np.testing.assert_array_equal(r.get("pm25"), [[142, np.nan], [150, 99.5]])
    assert r.get("co")[0, 1] == 2.5  # mg/m³ kept as is
    assert np.isnan(r.get("o3_24h_max")).all() and np.isnan(r.get("no2")).all()
    t = r.to_table().to_pylist()
    assert {"kind": "air", "site": "天坛", "time": datetime(2017, 11, 1, 1), "parameter": "pm25", "value": 99.5} in t
    assert {row["parameter"] for row in t} == {"pm25", "co"}  # published AQI is not an observation


def test_header_must_start_with_date_hour_type(tmp_path):
    f = _write(tmp_path / "x.csv", "day,hour,type,东四\n20171101,0,PM2.5,1\n")
    with pytest.raises(BjmemcFormatError, match="第 1 行"):
        read_bjmemc(f)


@pytest.mark.parametrize(
    "row,column,reason",
    [("20171101,24,PM2.5,1,2", "hour", "0–23"), ("2017-11-01,0,PM2.5,1,2", "date", "YYYYMMDD"),
     ("20171101,0,PM1,1,2", "type", "未知的数据类型"), ("20171101,0,PM2.5,-1,2", "东四", "负值")],
)
def test_located_errors(tmp_path, row, column, reason):
    f = _write(tmp_path / "bad.csv", HEADER + "20171101,1,PM2.5,1,2\n" + row + "\n")
    with pytest.raises(BjmemcFormatError) as exc:
        read_bjmemc(f)
    assert exc.value.row == 3 and exc.value.column == column and reason in exc.value.reason


def test_conflicting_duplicates_are_refused_equal_ones_merged(tmp_path):
    a = _write(tmp_path / "a.csv", HEADER + "20171101,0,PM2.5,1,2\n")
    b = _write(tmp_path / "b.csv", HEADER + "20171101,0,PM2.5,1,\n")
    assert read_bjmemc([a, b]).get("pm25")[0].tolist() == [1, 2]
    c = _write(tmp_path / "c.csv", HEADER + "20171101,0,PM2.5,3,2\n")
    with pytest.raises(BjmemcFormatError, match="重复"):
        read_bjmemc([a, c])


def test_gzip_named_csv_crlf_and_bom_are_read(tmp_path):
    # the source archive holds a gzip file under a .csv name (PROVENANCE.md) and CRLF line endings
    f = _write(tmp_path / "beijing_all_20141231.csv", "\ufeff" + HEADER.replace("\n", "\r\n")
               + "20141231,23,AQI,55,\r\n", gz=True)
    r = read_bjmemc(f)
    assert r.get("aqi")[0, 0] == 55 and np.isnan(r.get("aqi")[0, 1])


def test_html_error_page_is_refused_with_location(tmp_path):
    f = _write(tmp_path / "beijing_all_20170520.csv", "<html><head><title>404</title></head></html>\n")
    with pytest.raises(BjmemcFormatError, match="date,hour,type"):
        read_bjmemc(f)
    empty = _write(tmp_path / "beijing_all_20161230.csv", "")
    with pytest.raises(BjmemcFormatError, match="空"):
        read_bjmemc(empty)
