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


@pytest.fixture
def memory_lake():
    """A lake on fsspec's in-memory file system (an object store without a server): removed afterwards."""
    import uuid

    import fsspec

    url = f"memory://envgov-test-{uuid.uuid4().hex[:8]}/lake"
    yield url
    fs = fsspec.filesystem("memory")
    root = url[len("memory://"):].split("/", 1)[0]
    if fs.exists(f"/{root}"):
        fs.rm(f"/{root}", recursive=True)


def test_lake_on_an_fsspec_location_behaves_as_on_a_folder(tmp_path, memory_lake):
    """The same appends on a folder, a file:// URL and memory:// give the same files, de-duplication,
    conflicts and readings; nothing of a remote lake is written to the local folder it locks in."""
    import fsspec

    results = {}
    for name, root in (("folder", tmp_path / "plain"), ("file-url", f"file://{tmp_path / 'url'}"),
                       ("memory", memory_lake)):
        lake = Lake(root)
        r1 = lake.append(batch(1))
        again = lake.append(batch(1))
        r2 = lake.append(batch(1, n_hours=4))
        bad = lake.append(batch(1, value=2.0))
        feb = lake.append(pa.table({"kind": ["air"], "site": ["A"], "time": [datetime(2015, 2, 1, 5)],
                                    "parameter": ["pm25"], "value": [9.0]}))
        results[name] = {
            "files": [f.replace(r1.import_id, "R1").replace(r2.import_id, "R2").replace(feb.import_id, "F")
                      for c in lake.commits() for f in c["files"]],
            "counts": (r1.appended, again.appended, r2.appended, r2.already_present, len(bad.conflicts)),
            "long": lake.to_arrow().to_pylist(),
            "jan": lake.to_arrow(start=datetime(2015, 1, 1), end=datetime(2015, 2, 1)).num_rows,
            "wide": lake.to_wide(parameters=["pm25", "o3"]).to_pylist(),
            "period": lake.commit_period(feb.import_id),
        }
        assert lake.commit(r1.import_id)["records"] == 6
        assert lake.revoke(feb.import_id) and lake.commit(feb.import_id) is None
        assert lake.to_arrow().num_rows == 8
    assert results["folder"] == results["file-url"] == results["memory"]
    assert results["memory"]["counts"] == (6, 0, 2, 6, 6)
    assert results["memory"]["period"] == (datetime(2015, 2, 1, 5), datetime(2015, 2, 1, 5))
    fs = fsspec.filesystem("memory")
    base = memory_lake[len("memory://"):]
    stored = sorted(x[len("/" + base.lstrip("/")):] for x in fs.find(memory_lake))
    assert [x for x in stored if x.endswith(".parquet")] == sorted(
        f"/kind=air/year=2015/month=01/part-{c['import_id']}.parquet" for c in Lake(memory_lake).commits())
    assert not (tmp_path / "url").with_name("file:").exists()  # file:// is the folder itself
    assert (tmp_path / "url" / "_commits").is_dir()


def test_remote_lake_sweeps_parts_without_a_commit(memory_lake):
    """A part file written without its commit record (a crash between the two) is not read, and is swept."""
    import fsspec

    lake = Lake(memory_lake)
    r = lake.append(batch(1))
    fs = fsspec.filesystem("memory")
    orphan = f"{memory_lake}/kind=air/year=2015/month=01/part-crashed.parquet"
    fs.pipe_file(orphan, fs.cat_file(lake.files()[0]))
    assert lake.to_arrow().num_rows == 6 and len(lake.files()) == 1
    assert lake.sweep() == 1 and not fs.exists(orphan)
    assert lake.commit(r.import_id)["files"] == [f"kind=air/year=2015/month=01/part-{r.import_id}.parquet"]


def test_remote_lake_takes_a_streamed_wide_file(tmp_path, memory_lake):
    """append_wide_parquet (the streamed import) on a remote lake: DuckDB writes the partition locally,
    the part is uploaded whole, then committed."""
    import pyarrow.parquet as pq

    wide = pa.table({"site": ["A", "A", "B"], "time": [datetime(2015, 1, 31, 23), datetime(2015, 2, 1, 0),
                                                         datetime(2015, 2, 1, 0)],
                     "pm25": [1.0, None, 3.0], "o3": [4.0, 5.0, None]})
    pq.write_table(wide, tmp_path / "w.parquet")
    lake = Lake(memory_lake)
    r = lake.append_wide_parquet(tmp_path / "w.parquet", {"pm25": "air", "o3": "air"})
    assert r.appended == 4 and len(r.files) == 2
    got = {(x["site"], x["time"], x["parameter"]): x["value"] for x in lake.to_arrow().to_pylist()}
    assert got == {("A", datetime(2015, 1, 31, 23), "pm25"): 1.0, ("A", datetime(2015, 1, 31, 23), "o3"): 4.0,
                   ("A", datetime(2015, 2, 1, 0), "o3"): 5.0, ("B", datetime(2015, 2, 1, 0), "pm25"): 3.0}
