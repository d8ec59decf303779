"""Observation lake: atomic appends, de-duplication, crash safety (kill -9 mid-import)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest

from envgov.engine.lake import PAUSE_ENV, Lake


def batch(day: int, value: float = 1.0, n_hours: int = 3) -> pa.Table:
    rows = [("air", "A", datetime(2015, 1, day, h), p, value) for h in range(n_hours) for p in ("pm25", "o3")]
    return pa.table({k: list(v) for k, v in zip(["kind", "site", "time", "parameter", "value"], zip(*rows))})


def test_partitioned_and_deduplicated(tmp_path):
    lake = Lake(tmp_path)
    r = lake.append(batch(1))
    assert r.appended == 6 and r.files == [f"kind=air/year=2015/month=01/part-{r.import_id}.parquet"]
    assert lake.append(batch(1)).appended == 0  # same records: nothing added
    r2 = lake.append(batch(1, n_hours=4))  # one new hour
    assert r2.appended == 2 and r2.already_present == 6
    r3 = lake.append(batch(1, value=2.0))  # same keys, other values: refused as a whole
    assert r3.appended == 0 and len(r3.conflicts) == 6
    assert lake.to_arrow().num_rows == 8
    wide = lake.to_wide(parameters=["pm25", "o3"])
    assert wide.num_rows == 4 and wide.column("pm25").to_pylist() == [1.0] * 4


WRITER = """
import sys, pyarrow as pa
from datetime import datetime
from envgov.engine.lake import Lake
rows = [("air", "A", datetime(2015, m, 1, h), "pm25", 5.0) for m in (2, 3) for h in range(24)]
t = pa.table({k: list(v) for k, v in zip(["kind", "site", "time", "parameter", "value"], zip(*rows))})
Lake(sys.argv[1]).append(t)
"""


def test_kill_9_mid_import_leaves_lake_as_before(tmp_path):
    lake = Lake(tmp_path / "lake")
    lake.append(batch(1))
    before = lake.to_arrow()
    marker = tmp_path / "paused"
    env = dict(os.environ, **{PAUSE_ENV: str(marker)}, PYTHONPATH=str(Path(__file__).parents[2] / "src"))
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(lake.root)], env=env)
    deadline = time.time() + 60
    while not marker.exists():
        assert proc.poll() is None and time.time() < deadline, "writer did not reach the pause point"
        time.sleep(0.05)
    # The part files of the interrupted import are on disk, its commit is not.
    assert len(list(lake.root.rglob("*.parquet"))) == 3
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert Lake(lake.root).to_arrow().equals(before)
    assert len(Lake(lake.root).commits()) == 1
    # The next import sweeps the orphans and works normally.
    assert Lake(lake.root).append(batch(2)).appended == 6
    assert len(list(lake.root.rglob("*.parquet"))) == 2
    assert Lake(lake.root).to_arrow().num_rows == 12


def test_append_without_kind_needs_argument(tmp_path):
    t = batch(1).drop_columns(["kind"])
    with pytest.raises(ValueError):
        Lake(tmp_path).append(t)
    assert Lake(tmp_path).append(t, kind="air").appended == 6


def test_evaluate_reads_the_lake(tmp_path):
    from datetime import date

    from envgov.engine import air

    rows = [("air", s, datetime(2015, 1, d, h), "pm25", 40.0 if s == "A" else 80.0)
            for s in ("A", "B") for d in (1, 2) for h in range(24)]
    t = pa.table({k: list(v) for k, v in zip(["kind", "site", "time", "parameter", "value"], zip(*rows))})
    lake = Lake(tmp_path)
    lake.append(t)
    res = air.evaluate(lake, date(2015, 1, 1), date(2015, 1, 2), scope="all", compare_years=None)
    r = res[air.ALL_SITES]
    # set daily PM2.5 = (40 + 80) / 2 = 60; with the other pollutants missing the AQI (82) is ≤ 100, so the
    # days are not valid AQI days (HJ 633-2026 §5 rule applied by the engine)
    assert r["pm25"] == 60 and r["valid_days"] == 0
