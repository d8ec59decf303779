"""Columnar reader (envgov.ingest.columnar): located errors, line numbers, duplicates, gaps, and the same
output as the row-by-row reader. Expected lines and counts are written by hand from the files below."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from envgov.engine.lake import Lake
from envgov.ingest import hourly
from envgov.ingest.hourly import ingest_file, read_hourly

HEADER = "site,time,pm25,pm10,so2,no2,co,o3"
T0 = datetime(2015, 1, 1)


def rows(n: int, site: str = "A", start: int = 0) -> list[list[str]]:
    return [[site, f"{T0 + timedelta(hours=start + h):%Y-%m-%dT%H:%M}", "30", "50", "5", "20", "0.8", "60"]
            for h in range(n)]


def write(tmp_path: Path, lines: list[list[str]] | list[str], name: str = "w.csv", header: str = HEADER) -> Path:
    p = tmp_path / name
    body = [",".join(r) if isinstance(r, list) else r for r in lines]
    p.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    return p


def located(r):
    return [(e.row, e.column) for e in r.errors]


def groups(r):
    return {(g["column"], g["reason"]): g["count"] for g in r.error_groups}


def row_path(monkeypatch, path, **kw):
    with monkeypatch.context() as m:
        m.setattr(hourly, "_read_columnar", lambda *a, **k: False)
        return read_hourly(path, **kw)


def test_bad_values_in_three_columns_give_exactly_those_lines_and_counts(tmp_path):
    data = rows(40)
    # data row i is on file line i + 2 (line 1 = header)
    data[3][2] = "abc"       # line 5, pm25
    data[7][2] = "1,2"       # line 9, pm25 (quoted below, a comma inside)
    data[10][5] = "-3"       # line 12, no2
    for i in (18, 19, 20):   # lines 20–22, o3 above the plausible 3000 µg/m³
        data[i][7] = "99999"
    lines = [",".join(r) if i != 7 else ",".join(f'"{c}"' for c in r) for i, r in enumerate(data)]
    r = read_hourly(write(tmp_path, lines))
    assert not r.ok and r.table is None and r.wide is None and r.reader == "columnar"
    assert located(r) == [(5, "pm25"), (9, "pm25"), (12, "no2"), (20, "o3"), (21, "o3"), (22, "o3")]
    assert groups(r) == {("pm25", "不是数值"): 2, ("no2", "负值"): 1, ("o3", "超出可能范围"): 3}
    assert r.error_count == 6
    assert "「abc」不是数值" in r.errors[0].reason and "NO2 为负值 -3" in r.errors[2].reason
    assert "按列与原因汇总" in r.summary()


def test_many_errors_list_first_rows_per_group_and_count_all(tmp_path):
    data = rows(60)
    for i in range(5, 50):      # 45 bad PM2.5 cells, lines 7 … 51
        data[i][2] = "x"
    data[55][3] = "-1"          # line 57, pm10
    r = read_hourly(write(tmp_path, data))
    assert r.error_count == 46
    assert groups(r) == {("pm25", "不是数值"): 45, ("pm10", "负值"): 1}
    assert [e.row for e in r.errors if e.column == "pm25"] == list(range(7, 27))  # first 20 of the group
    assert (57, "pm10") in located(r)
    every = r.all_errors()
    assert [e.row for e in every if e.column == "pm25"] == list(range(7, 52))


def test_quoted_newline_gives_file_lines_and_says_so(tmp_path):
    header = HEADER + ",note"
    lines = [",".join(rows(1)[0]) + ',"one line"',
             ",".join(rows(1, start=1)[0]) + ',"two\nlines"',   # record 2 spans lines 3–4
             ",".join(rows(1, start=2)[0][:2] + ["bad"] + rows(1)[0][3:]) + ",x"]  # line 5
    r = read_hourly(write(tmp_path, lines, header=header))
    assert located(r) == [(5, "pm25")]
    assert any("引号内换行" in w.reason for w in r.warnings)
    assert row_path(pytest.MonkeyPatch(), tmp_path / "w.csv").errors[0].row == 5  # the row reader agrees


def test_blank_lines_keep_file_line_numbers(tmp_path):
    data = rows(4)
    data[3][6] = "wrong"
    lines = [",".join(data[0]), "", ",".join(data[1]), ",".join(data[2]), "", ",".join(data[3])]
    r = read_hourly(write(tmp_path, lines))
    assert located(r) == [(7, "co")]


def test_duplicates_identical_dropped_different_located_as_before(tmp_path, monkeypatch):
    data = rows(5)
    dup_same = list(data[1])                      # line 7: same as line 3
    dup_diff = list(data[2])
    dup_diff[3] = "9"                             # line 8: PM10 differs from line 4
    p = write(tmp_path, data + [dup_same, dup_diff])
    r = read_hourly(p)
    assert located(r) == [(8, "pm10")] and "与第 4 行重复" in r.errors[0].reason
    assert "50 与 9" in r.errors[0].reason
    slow = row_path(monkeypatch, p)
    assert [(e.row, e.column, e.reason) for e in r.errors] == [(e.row, e.column, e.reason) for e in slow.errors]
    ok = write(tmp_path, data + [dup_same], name="ok.csv")
    r2 = read_hourly(ok)
    assert r2.ok and r2.duplicates_dropped == 6 and r2.observations == 30


def test_gaps_missing_and_duplicates_equal_to_row_reader(tmp_path, monkeypatch):
    data = rows(30) + rows(30, site="B")
    data[4][2] = "NA"          # PM2.5 missing at A 04:00
    del data[10:13]            # A 10:00–12:00 absent altogether
    data[40][7] = ""           # O3 missing at B
    data.append(list(data[0]))  # identical repeat
    p = write(tmp_path, data)
    fast, slow = read_hourly(p), row_path(monkeypatch, p)
    assert fast.ok and slow.ok and fast.reader == "columnar" and slow.reader == "row"
    same = ("rows_read", "observations", "missing_values", "duplicates_dropped", "gaps")
    assert [getattr(fast, k) for k in same] == [getattr(slow, k) for k in same]
    gap = next(g for g in fast.gaps if g.site == "A" and g.parameter == "pm25")
    assert gap.missing_hours == 4 and gap.ranges == (("2015-01-01T04:00", "2015-01-01T04:00"),
                                                     ("2015-01-01T10:00", "2015-01-01T12:00"))
    order = [("site", "ascending"), ("time", "ascending"), ("parameter", "ascending")]
    assert fast.table.sort_by(order).equals(slow.table.sort_by(order))


def test_parquet_and_xlsx_read_columnar_equal_to_row_reader(tmp_path, monkeypatch):
    import openpyxl

    t = pa.table({"site": ["A", "A", "B"], "time": [T0, T0 + timedelta(hours=2), T0],
                  "pm25": [10.0, None, 12.0], "pm10": [20.0, 21.0, float("nan")], "so2": [1, 2, 3],
                  "no2": [4.0, 5.0, 6.0], "co": [0.5, 0.6, 0.7], "o3": [60.0, 61.0, 62.0]})
    pq.write_table(t, tmp_path / "w.parquet")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append(["A", T0, 10, 20, 3, 40, 0.5, 60])
    ws.append([None] * 8)                                     # blank sheet row 3
    ws.append(["A", T0 + timedelta(hours=1), 11, None, 3, 40, "0.6", 61])
    wb.save(tmp_path / "w.xlsx")
    order = [("site", "ascending"), ("time", "ascending"), ("parameter", "ascending")]
    for name in ("w.parquet", "w.xlsx"):
        fast, slow = read_hourly(tmp_path / name), row_path(monkeypatch, tmp_path / name)
        assert fast.ok and slow.ok and fast.reader == "columnar", fast.summary()
        assert fast.table.sort_by(order).equals(slow.table.sort_by(order))
        assert (fast.missing_values, fast.gaps) == (slow.missing_values, slow.gaps)
    ws.append(["A", T0 + timedelta(hours=2), "x", 20, 3, 40, 0.5, 60])   # sheet row 5
    wb.save(tmp_path / "bad.xlsx")
    assert located(read_hourly(tmp_path / "bad.xlsx")) == [(5, "pm25")]


def test_time_and_site_errors_located(tmp_path, monkeypatch):
    data = rows(6)
    data[1][1] = "2015-01-01T25:00"     # line 3
    data[2][0] = " "                    # line 4
    data[3][1] = "2015-01-01T03:30"     # line 5
    data[4][1] = "2015-01-01T04:00+00:00"  # line 6: an offset, converted (12:00 local), not an error
    p = write(tmp_path, data)
    r, slow = read_hourly(p), row_path(monkeypatch, p)
    assert located(r) == [(3, "time"), (4, "site"), (5, "time")]
    assert [e.reason for e in r.errors] == [e.reason for e in slow.errors]
    r2 = read_hourly(write(tmp_path, rows(2), name="s.csv"), stations=["B"])
    assert located(r2) == [(2, "site"), (3, "site")] and "未知站点「A」" in r2.errors[0].reason


def test_bad_wide_file_leaves_lake_unchanged(tmp_path):
    lake = Lake(tmp_path / "lake")
    assert ingest_file(write(tmp_path, rows(3), name="good.csv"), lake=lake).appended == 18
    before = lake.to_arrow()
    bad = rows(3, start=3)
    bad[2][3] = "?"
    r = ingest_file(write(tmp_path, bad, name="bad.csv"), lake=lake)
    assert not r.ok and r.appended == 0 and lake.to_arrow().equals(before) and len(lake.commits()) == 1


def test_parquet_in_many_row_groups_with_nulls_equal_to_row_reader(tmp_path, monkeypatch):
    """Columns read in several chunks (row groups) with NULLs and NaN in some of them, integers in one:
    the columnar reader (NumPy straight from the Arrow buffers) gives the row reader's table, missing
    count and gaps; `gaps=False` gives the same table without searching gaps."""
    n = 50
    times = [T0 + timedelta(hours=h) for h in range(n)]
    pm25 = [None if h % 7 == 3 else float(h) for h in range(n)]
    pm10 = [float("nan") if h % 11 == 5 else 40.0 + h for h in range(n)]
    t = pa.table({"site": ["A"] * 25 + ["B"] * 25, "time": times, "pm25": pm25, "pm10": pm10,
                  "so2": list(range(n)), "no2": [None] * 10 + [5.0] * 40, "co": [0.5] * n, "o3": [60.0] * n})
    pq.write_table(t, tmp_path / "g.parquet", row_group_size=8)
    assert pq.ParquetFile(tmp_path / "g.parquet").metadata.num_row_groups == 7
    fast, slow = read_hourly(tmp_path / "g.parquet"), row_path(monkeypatch, tmp_path / "g.parquet")
    assert fast.ok and slow.ok and fast.reader == "columnar"
    order = [("site", "ascending"), ("time", "ascending"), ("parameter", "ascending")]
    assert fast.table.sort_by(order).equals(slow.table.sort_by(order))
    assert (fast.missing_values, fast.gaps) == (slow.missing_values, slow.gaps)
    # by hand: 7 NULL PM2.5 (h % 7 == 3), 5 NaN PM10 (h % 11 == 5), 10 NULL NO2
    assert fast.missing_values == 7 + 5 + 10
    assert any(g.parameter == "pm25" for g in fast.gaps)
    quiet = read_hourly(tmp_path / "g.parquet", gaps=False)
    assert quiet.ok and quiet.gaps == [] and quiet.wide.equals(fast.wide)


def test_prefetched_parquet_is_the_file_as_read_and_never_a_stale_one(tmp_path):
    """The CLI starts decoding a Parquet file before it imports the engine: the reader then takes that
    table, the same as without prefetching; a file changed after the prefetch is read again."""
    from envgov.ingest import columnar

    t = pa.table({"site": ["A", "A"], "time": [T0, T0 + timedelta(hours=1)], "pm25": [10.0, 11.0],
                  "pm10": [20.0, 21.0], "so2": [1.0, 2.0], "no2": [4.0, 5.0], "co": [0.5, 0.6], "o3": [60.0, 61.0]})
    p = tmp_path / "w.parquet"
    pq.write_table(t, p)
    plain = read_hourly(p)
    columnar.prefetch_parquet(p)
    assert read_hourly(p).wide.equals(plain.wide) and not columnar._PREFETCHED
    columnar.prefetch_parquet(p)
    pq.write_table(t.set_column(2, "pm25", pa.array([12.0, 13.0])), p)  # changed after the prefetch
    import os
    os.utime(p, ns=(1, 1))
    assert read_hourly(p).wide["pm25"].to_pylist() == [12.0, 13.0]
    columnar._PREFETCHED.clear()
