"""Streamed import of large wide CSV files: batches checked like the whole-file read, stitched at batch
edges, written to the lake partition by partition with one commit at the end (a kill leaves the lake)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from envgov.engine.lake import PAUSE_ENV, Lake
from envgov.ingest import columnar
from envgov.ingest.hourly import ingest_file, read_hourly

HEADER = "site,time,pm25,pm10,so2,no2,co,o3"
T0 = datetime(2015, 1, 30)


def wide_csv(tmp_path: Path, hours: int = 72, sites=("A", "B", "C"), name: str = "big.csv") -> Path:
    """3 sites × 72 hours across a month end; PM2.5 missing every 7th hour, A's 10:00–13:00 absent."""
    lines = [HEADER]
    for s in sites:
        for h in range(hours):
            if s == "A" and 10 <= h <= 13:
                continue
            pm25 = "" if h % 7 == 3 else str(20 + h % 5)
            lines.append(f"{s},{T0 + timedelta(hours=h):%Y-%m-%dT%H:%M},{pm25},50,5,20,0.8,{40 + h % 24}")
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return p


@pytest.fixture
def tiny_batches(monkeypatch):
    monkeypatch.setenv("ENVGOV_INGEST_STREAM_MB", "0")         # every CSV is "large"
    monkeypatch.setattr(columnar, "STREAM_BLOCK", 1500)          # ≈ 30 rows per batch


def test_streamed_read_equals_whole_read(tmp_path, tiny_batches, monkeypatch):
    p = wide_csv(tmp_path)
    seen = []
    streamed = read_hourly(p, progress=lambda rows, frac: seen.append((rows, frac)))
    assert streamed.reader == "columnar-stream" and streamed.ok and streamed.wide_path is not None
    assert len(seen) > 5 and seen[-1][0] == streamed.rows_read and seen[-1][1] == pytest.approx(1.0)
    monkeypatch.setenv("ENVGOV_INGEST_STREAM_MB", "1000")
    whole = read_hourly(p)
    assert whole.reader == "columnar"
    same = ("rows_read", "observations", "missing_values", "duplicates_dropped", "gaps")
    assert [getattr(streamed, k) for k in same] == [getattr(whole, k) for k in same]
    gap = next(g for g in whole.gaps if g.site == "A" and g.parameter == "o3")
    assert gap.missing_hours == 4  # 10:00–13:00 of A, found across batch edges too
    order = [("site", "ascending"), ("time", "ascending"), ("parameter", "ascending")]
    assert streamed.table.sort_by(order).equals(whole.table.sort_by(order))
    assert streamed.period == (T0, T0 + timedelta(hours=71))


def test_streamed_parquet_equals_whole_read(tmp_path, tiny_batches, monkeypatch):
    """A large Parquet file is read in row batches too (never whole), with the same counts, gaps, rows and
    located errors as the whole-file read; the CLI does not prefetch it whole either."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from envgov.ingest import prefetch

    table = pacsv.read_csv(wide_csv(tmp_path), convert_options=pacsv.ConvertOptions(
        column_types={"site": "string", "time": "timestamp[s]"}))
    p = tmp_path / "big.parquet"
    pq.write_table(table, p)
    monkeypatch.setattr(columnar, "STREAM_ROWS", 25)
    seen = []
    streamed = read_hourly(p, progress=lambda rows, frac: seen.append((rows, frac)))
    assert streamed.reader == "columnar-stream" and streamed.ok and len(seen) > 5
    assert seen[-1] == (streamed.rows_read, pytest.approx(1.0))
    prefetch.prefetch_parquet(p)
    assert not prefetch._PREFETCHED  # streamed: not decoded whole in the background
    monkeypatch.setenv("ENVGOV_INGEST_STREAM_MB", "1000")
    whole = read_hourly(p)
    assert whole.reader == "columnar"
    same = ("rows_read", "observations", "missing_values", "duplicates_dropped", "gaps")
    assert [getattr(streamed, k) for k in same] == [getattr(whole, k) for k in same]
    order = [("site", "ascending"), ("time", "ascending"), ("parameter", "ascending")]
    assert streamed.table.sort_by(order).equals(whole.table.sort_by(order))
    bad = table.set_column(2, "pm25", pa.array([-1.0 if i in (40, 170) else v for i, v in
                                                enumerate(table["pm25"].to_pylist())], pa.float64()))
    pq.write_table(bad, p)
    monkeypatch.setenv("ENVGOV_INGEST_STREAM_MB", "0")
    refused = read_hourly(p)
    assert refused.reader == "columnar-stream" and not refused.ok
    assert [(e.row, e.column) for e in refused.errors] == [(42, "pm25"), (172, "pm25")]

def test_streamed_errors_located_on_file_lines(tmp_path, tiny_batches):
    p = wide_csv(tmp_path)
    lines = p.read_text().splitlines()
    lines[150] = lines[150].replace(",50,", ",abc,")  # line 151, pm10
    lines[200] = lines[200].replace(",20,", ",-20,")  # line 201, no2
    p.write_text("\n".join(lines) + "\n")
    r = read_hourly(p)
    assert not r.ok and r.wide_path is None
    assert [(e.row, e.column) for e in r.errors] == [(151, "pm10"), (201, "no2")]


def test_streamed_import_into_lake_and_reimport(tmp_path, tiny_batches):
    lake = Lake(tmp_path / "lake")
    p = wide_csv(tmp_path)
    r = ingest_file(p, lake=lake)
    assert r.ok and r.appended == r.observations > 0
    assert {Path(f).parent.as_posix() for f in lake.commits()[0]["files"]} == {
        "kind=air/year=2015/month=01", "kind=air/year=2015/month=02"}
    again = ingest_file(p, lake=lake)
    assert again.ok and again.appended == 0 and again.already_present == r.observations
    assert lake.to_arrow().num_rows == r.observations


def test_unordered_large_file_is_read_whole_and_says_so(tmp_path, tiny_batches):
    p = wide_csv(tmp_path)
    lines = p.read_text().splitlines()
    p.write_text("\n".join([lines[0], *lines[1:][::-1]]) + "\n")   # newest first: not in time order
    r = read_hourly(p)
    assert r.ok and r.reader == "columnar" and any("未按站点、时间顺序" in w.reason for w in r.warnings)


IMPORTER = """
import sys
from envgov.ingest import columnar
from envgov.ingest.hourly import ingest_file
from envgov.engine.lake import Lake
columnar.STREAM_BLOCK = 1500
ingest_file(sys.argv[2], lake=Lake(sys.argv[1]))
"""


def test_kill_during_streamed_import_leaves_lake_as_before(tmp_path):
    lake = Lake(tmp_path / "lake")
    first = wide_csv(tmp_path, hours=24, sites=("Z",), name="first.csv")
    assert ingest_file(first, lake=lake).ok
    before, commits = lake.to_arrow(), len(lake.commits())
    marker = tmp_path / "paused"
    env = dict(os.environ, **{PAUSE_ENV: str(marker)}, ENVGOV_INGEST_STREAM_MB="0",
               PYTHONPATH=str(Path(__file__).parents[2] / "src"))
    proc = subprocess.Popen([sys.executable, "-c", IMPORTER, str(lake.root), str(wide_csv(tmp_path))], env=env)
    deadline = time.time() + 120
    while not marker.exists():
        assert proc.poll() is None and time.time() < deadline, "importer did not reach the pause point"
        time.sleep(0.05)
    assert len(list(lake.root.rglob("*.parquet"))) > 2  # the streamed import's partitions are written
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert Lake(lake.root).to_arrow().equals(before) and len(Lake(lake.root).commits()) == commits
