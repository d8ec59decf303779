"""Observation lake: append-only Parquet, partitioned kind=…/year=…/month=…, one commit per import.

Layout under `root`:

    kind=air/year=2015/month=01/part-<import id>.parquet    observations (site, time, parameter, value)
    _commits/<import id>.json                               the commit record of one import

An import writes its part files first (temp name, fsync, rename), then publishes its commit record
(temp name, fsync, rename, fsync of the directory). Readers only see part files whose import id has a
commit record, so a crash or `kill -9` at any point before that last rename leaves the lake exactly as it
was; leftovers are swept on the next append.

`root` is a local folder (the default; `file://…` too) or any fsspec location (`s3://bucket/lake`,
`hdfs://…`, `memory://…`). On a remote store the layout and the commit order are the same: part files
are written whole (one PUT each), then the commit record, so readers still see an import entirely or not
at all; there is no fsync or rename there, and the writer lock and job locks are local files (the
platform has one writer per lake: its imports run under the job lock). DuckDB reads the parts through the
same fsspec file system. De-duplication on (site, time, parameter): records the lake
already holds with the same value are skipped (re-import adds nothing), records with the same key and a
different value are conflicts and the whole import is refused.
"""
from __future__ import annotations

import json
import os
import time as _time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

COMMITS = "_commits"
LOCK = ".lock"
# Test hook: when set to a file path, append() creates that file after writing its part files and
# then sleeps before committing, so a test can kill the process at the worst moment.
PAUSE_ENV = "ENVGOV_LAKE_PAUSE_BEFORE_COMMIT"


@dataclass(frozen=True)
class Conflict:
    site: str
    time: datetime
    parameter: str
    existing: float
    value: float


@dataclass
class AppendResult:
    import_id: str | None
    appended: int = 0
    already_present: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, write) -> None:
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    with open(tmp, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def pivot_wide(long: pa.Table, parameters: Iterable[str] = ("pm25", "pm10", "so2", "no2", "co", "o3")) -> pa.Table:
    """Long observations (site, time, parameter, value) → one row per site-hour, one column per parameter."""
    con = duckdb.connect()
    con.register("obs", long.select(["site", "time", "parameter", "value"]))
    cols = ", ".join(f"max(value) FILTER (WHERE parameter = '{p}') AS {p}" for p in parameters)
    return con.sql(f"SELECT site, time, {cols} FROM obs GROUP BY site, time ORDER BY site, time").to_arrow_table()


def _remote(root: str | Path) -> tuple[Any, str] | None:
    """(fsspec file system, URL without a trailing slash) when `root` is a non-local fsspec URL."""
    text = str(root)
    if "://" not in text or text.startswith("file://"):
        return None
    import fsspec

    fs, _path = fsspec.core.url_to_fs(text)
    return fs, text.rstrip("/")


def _local_root(root: str | Path) -> Path:
    text = str(root)
    return Path(text[len("file://"):]) if text.startswith("file://") else Path(root)


def _local_lock_dir(url: str) -> Path:
    """Where the locks of a remote lake live on this machine (object stores have no advisory locks)."""
    import hashlib
    import tempfile

    d = Path(tempfile.gettempdir()) / "envgov-lake-locks" / hashlib.sha256(url.encode()).hexdigest()[:16]
    d.mkdir(parents=True, exist_ok=True)
    return d


class _Lock:
    """Exclusive advisory lock on the lake root (one writer at a time)."""

    def __init__(self, root: Path):
        self.path = root / LOCK

    def __enter__(self):
        import fcntl

        self.fh = open(self.path, "a+")
        fcntl.flock(self.fh, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        import fcntl

        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


class JobLock:
    """An exclusive, non-blocking advisory lock on a file, held by the process that works on one import for
    as long as it works. The kernel releases it when that process ends, however it ends (kill -9 included),
    so `acquire()` failing means "still being worked on" and succeeding on an unfinished import means
    "interrupted". `with lake.job(key) as mine:` — `mine` is False when another process holds it."""

    def __init__(self, path: Path):
        self.path = path
        self.fh = None

    def acquire(self) -> bool:
        import fcntl

        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            return False
        self.fh = fh
        return True

    def release(self) -> None:
        import fcntl

        if self.fh is not None:
            fcntl.flock(self.fh, fcntl.LOCK_UN)
            self.fh.close()
            self.fh = None

    def held_elsewhere(self) -> bool:
        if self.fh is not None:
            return False
        if not self.acquire():
            return True
        self.release()
        return False

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


class Lake:
    """A local-folder observation lake. `Lake(path)` creates the folder if needed."""

    SCHEMA = pa.schema([("site", pa.string()), ("time", pa.timestamp("s")),
                        ("parameter", pa.string()), ("value", pa.float64())])

    def __init__(self, root: str | Path):
        remote = _remote(root)
        self.fs, self.url = remote if remote else (None, None)
        if self.fs is None:
            self.root = _local_root(root)
            (self.root / COMMITS).mkdir(parents=True, exist_ok=True)
        else:
            self.root = _local_lock_dir(self.url)  # locks only; the data is at self.url
            self.fs.makedirs(f"{self.url}/{COMMITS}", exist_ok=True)

    def where(self, rel: str | Path) -> str:
        """Location of a file of the lake (a local path or the fsspec URL)."""
        return f"{self.url}/{Path(rel).as_posix()}" if self.fs is not None else str(self.root / rel)

    def _duckdb(self):
        """A DuckDB connection that reads this lake's files (the fsspec file system registered)."""
        con = duckdb.connect()
        if self.fs is not None:
            con.register_filesystem(self.fs)
        return con

    def _commit_files(self) -> list[tuple[str, bytes]]:
        if self.fs is None:
            return [(p.name, p.read_bytes()) for p in sorted((self.root / COMMITS).glob("*.json"))]
        paths = sorted(self.fs.glob(f"{self.url}/{COMMITS}/*.json"))
        return [(Path(x).name, self.fs.cat_file(x)) for x in paths]

    # ------------------------------------------------------------ reading
    def commits(self) -> list[dict[str, Any]]:
        out = [json.loads(data.decode("utf-8")) for _name, data in self._commit_files()]
        return sorted(out, key=lambda c: c["committed_at"])

    def files(self, kind: str | None = None, start: datetime | None = None,
              end: datetime | None = None) -> list[str]:
        """Committed part files, optionally pruned by kind and by [start, end) month partitions."""
        files = []
        for c in self.commits():
            for f in c["files"]:
                parts = dict(seg.split("=", 1) for seg in Path(f).parent.parts)
                if kind is not None and parts["kind"] != kind:
                    continue
                ym = (int(parts["year"]), int(parts["month"]))
                if start is not None and ym < (start.year, start.month):
                    continue
                if end is not None and ym > (end.year, end.month):
                    continue
                files.append(self.where(f))
        return files

    def to_arrow(self, kind: str = "air", start: datetime | None = None, end: datetime | None = None,
                 sites: Iterable[str] | None = None) -> pa.Table:
        """Long observations of one kind in [start, end), as a pyarrow table."""
        files = self.files(kind, start, end)
        if not files:
            return self.SCHEMA.empty_table()
        con = self._duckdb()
        where, params = ["true"], []
        if start is not None:
            where.append("time >= ?")
            params.append(start)
        if end is not None:
            where.append("time < ?")
            params.append(end)
        if sites is not None:
            sites = list(sites)
            where.append("site IN (SELECT unnest(?))")
            params.append(sites)
        q = (f"SELECT site, time, parameter, value FROM read_parquet(?) WHERE {' AND '.join(where)} "
             "ORDER BY site, time, parameter")
        return con.sql(q, params=[files, *params]).to_arrow_table().cast(self.SCHEMA)

    def to_wide(self, kind: str = "air", start: datetime | None = None, end: datetime | None = None,
                sites: Iterable[str] | None = None, parameters: Iterable[str] | None = None) -> pa.Table:
        """One row per site-hour with one column per parameter (the engine's input shape)."""
        if parameters is None:
            parameters = ("pm25", "pm10", "so2", "no2", "co", "o3") if kind == "air" else ()
        return pivot_wide(self.to_arrow(kind, start, end, sites), parameters)

    def commit(self, import_id: str) -> dict[str, Any] | None:
        """The commit record of one import, or None when it was never committed (or was revoked)."""
        if self.fs is not None:
            url = f"{self.url}/{COMMITS}/{import_id}.json"
            return json.loads(self.fs.cat_file(url).decode("utf-8")) if self.fs.exists(url) else None
        p = self.root / COMMITS / f"{import_id}.json"
        return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None

    def commit_by_source(self, source: str) -> dict[str, Any] | None:
        """The commit whose `source` is exactly this text (the caller's own marker), or None."""
        return next((c for c in self.commits() if c.get("source") == source), None)

    def commit_period(self, import_id: str) -> tuple[datetime, datetime] | None:
        """First and last hour that one committed import holds (None when there is no such commit)."""
        c = self.commit(import_id)
        if c is None or not c["files"]:
            return None
        lo, hi = self._duckdb().execute("SELECT min(time), max(time) FROM read_parquet(?)",
                                        [[self.where(f) for f in c["files"]]]).fetchone()
        return (lo, hi) if lo is not None else None

    # ------------------------------------------------------------ writing
    def revoke(self, import_id: str) -> bool:
        """Take back one committed import: its commit record is removed (fsync'd), so readers stop seeing its
        part files at once, and the files are swept. Only for an import the platform has not accepted (an
        interrupted one being undone); True when there was something to revoke."""
        with _Lock(self.root):
            if self.fs is not None:
                url = f"{self.url}/{COMMITS}/{import_id}.json"
                if not self.fs.exists(url):
                    return False
                self.fs.rm_file(url)
                self.sweep()
                return True
            p = self.root / COMMITS / f"{import_id}.json"
            if not p.exists():
                return False
            p.unlink()
            _fsync_dir(p.parent)
            self.sweep()
            return True

    def job(self, key: str) -> "JobLock":
        """The lock a process holds while it works on one import (see JobLock)."""
        return JobLock(self.root / f".job-{key}.lock")

    def sweep(self) -> int:
        """Delete part files that no commit names (left by a crashed import) and temp files."""
        committed = {f for c in self.commits() for f in c["files"]}
        removed = 0
        if self.fs is not None:
            base = self.fs._strip_protocol(self.url).rstrip("/")
            for x in self.fs.find(self.url):
                rel = x[len(base):].lstrip("/")
                name = rel.rsplit("/", 1)[-1]
                if (rel.endswith(".parquet") and rel not in committed) or name.startswith(".tmp-"):
                    self.fs.rm_file(x)
                    removed += 1
            return removed
        for p in self.root.rglob("*.parquet"):
            rel = str(p.relative_to(self.root))
            if rel not in committed:
                p.unlink()
                removed += 1
        for p in self.root.rglob(".tmp-*"):
            p.unlink()
            removed += 1
        return removed

    def append(self, table: pa.Table, source: str = "", kind: str | None = None) -> AppendResult:
        """Append observations (columns kind?, site, time, parameter, value). All-or-nothing."""
        with _Lock(self.root):
            self.sweep()
            return self._append_locked(table, source, kind)

    def append_wide_parquet(self, path: str | Path, kinds: dict[str, str], source: str = "") -> AppendResult:
        """Append a checked wide Parquet file (site, time, one column per parameter; no repeated site-hour)
        without loading it: DuckDB unpivots it and writes the month partitions itself (out of core).
        `kinds` maps each parameter column to its kind. All-or-nothing like append()."""
        with _Lock(self.root):
            self.sweep()
            con = self._duckdb()
            spill = (self.root if self.fs is None else _local_lock_dir(self.url)) / f".tmp-duckdb-{uuid.uuid4().hex[:8]}"
            con.execute(f"SET temp_directory = '{spill}'")
            con.execute("SET preserve_insertion_order = false")
            cols = list(kinds)
            kind_case = "CASE parameter " + " ".join(f"WHEN '{c}' THEN '{k}'" for c, k in kinds.items()) + " END"
            con.execute(
                f"CREATE VIEW inc AS SELECT {kind_case} AS kind, site, CAST(time AS TIMESTAMP) AS time, parameter, "
                f"CAST(value AS DOUBLE) AS value FROM (UNPIVOT read_parquet(?) ON {', '.join(cols)} "
                "INTO NAME parameter VALUE value)".replace("?", "'" + str(path).replace("'", "''") + "'"))
            try:
                return self._append_locked(None, source, None, con=con, out_of_core=True)
            finally:
                con.close()
                import shutil

                shutil.rmtree(spill, ignore_errors=True)

    def _append_locked(self, table: pa.Table | None, source: str, kind: str | None,
                       con: Any = None, out_of_core: bool = False) -> AppendResult:
        if con is None:
            if "kind" not in table.column_names:
                if kind is None:
                    raise ValueError("append() needs a `kind` column or the kind argument")
                table = table.append_column("kind", pa.array([kind] * table.num_rows, pa.string()))
            con = self._duckdb()
            con.register("incoming", table)
            # Collapse identical repeats inside the batch; callers (ingest) already refuse batch conflicts.
            con.execute("CREATE TEMP TABLE inc AS SELECT DISTINCT kind, site, CAST(time AS TIMESTAMP) AS time, "
                        "parameter, CAST(value AS DOUBLE) AS value FROM incoming")
        kinds = [r[0] for r in con.execute("SELECT DISTINCT kind FROM inc").fetchall()]
        existing_files = [f for k in kinds for f in self.files(k)]
        result = AppendResult(import_id=None)
        if existing_files:
            # Only read partitions that the batch touches.
            lo, hi = con.execute("SELECT min(time), max(time) FROM inc").fetchone()
            existing_files = [f for k in kinds for f in self.files(k, lo, hi)]
        if existing_files:
            con.execute(
                "CREATE TEMP TABLE old AS SELECT site, time, parameter, value FROM read_parquet(?) "
                "WHERE time BETWEEN (SELECT min(time) FROM inc) AND (SELECT max(time) FROM inc)",
                [existing_files],
            )
            rows = con.execute(
                "SELECT i.site, i.time, i.parameter, o.value, i.value FROM inc i JOIN old o "
                "USING (site, time, parameter) WHERE o.value IS DISTINCT FROM i.value "
                "ORDER BY i.site, i.time, i.parameter"
            ).fetchall()
            result.conflicts = [Conflict(*r) for r in rows]
            if result.conflicts:
                return result
            result.already_present = con.execute(
                "SELECT count(*) FROM inc i SEMI JOIN old o USING (site, time, parameter)").fetchone()[0]
            con.execute("CREATE TEMP TABLE new AS SELECT * FROM inc i ANTI JOIN old o USING (site, time, parameter)")
        else:
            con.execute(f"CREATE {'VIEW' if out_of_core else 'TEMP TABLE'} new AS SELECT * FROM inc")
        n_new = con.execute("SELECT count(*) FROM new").fetchone()[0]
        if n_new == 0:
            return result
        import_id = f"{_time.strftime('%Y%m%dT%H%M%S', _time.gmtime())}-{uuid.uuid4().hex[:12]}"
        result.import_id = import_id
        groups = con.execute(
            "SELECT DISTINCT kind, year(time) AS y, month(time) AS m FROM new ORDER BY 1, 2, 3").fetchall()
        for k, y, m in groups:
            rel = Path(f"kind={k}") / f"year={y:04d}" / f"month={m:02d}" / f"part-{import_id}.parquet"
            if self.fs is not None:  # remote: each part written whole (one object), the commit record last
                self._write_remote_part(con, k, y, m, rel, out_of_core)
                result.files.append(rel.as_posix())
                continue
            dest = self.root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if out_of_core:  # DuckDB writes the partition itself; then fsync and rename, as below
                tmp = dest.with_name(f".tmp-{uuid.uuid4().hex}-{dest.name}")
                con.execute(
                    "COPY (SELECT site, time, parameter, value FROM new WHERE kind = ? AND year(time) = ? AND "
                    f"month(time) = ? ORDER BY site, time, parameter) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)",
                    [k, y, m])
                with open(tmp, "rb") as fh:
                    os.fsync(fh.fileno())
                os.replace(tmp, dest)
                _fsync_dir(dest.parent)
                result.files.append(str(rel))
                continue
            part = con.sql(
                "SELECT site, time, parameter, value FROM new WHERE kind = ? AND year(time) = ? AND month(time) = ? "
                "ORDER BY site, time, parameter", params=[k, y, m]).to_arrow_table().cast(self.SCHEMA)
            _write_atomic(dest, lambda fh, t=part: pq.write_table(t, fh, compression="zstd"))
            result.files.append(str(rel))
        result.appended = n_new
        pause = os.environ.get(PAUSE_ENV)
        if pause:
            Path(pause).write_text(import_id)
            _time.sleep(3600)
        record = {
            "import_id": import_id, "committed_at": _time.time(), "source": source,
            "records": n_new, "files": result.files,
        }
        body = json.dumps(record, ensure_ascii=False, indent=1).encode()
        if self.fs is not None:
            self.fs.pipe_file(f"{self.url}/{COMMITS}/{import_id}.json", body)
            return result
        _write_atomic(self.root / COMMITS / f"{import_id}.json", lambda fh: fh.write(body))
        return result

    def _write_remote_part(self, con: Any, k: str, y: int, m: int, rel: Path, out_of_core: bool) -> None:
        import tempfile

        query = ("SELECT site, time, parameter, value FROM new WHERE kind = ? AND year(time) = ? AND "
                 "month(time) = ? ORDER BY site, time, parameter")
        url = self.where(rel)
        self.fs.makedirs(url.rsplit("/", 1)[0], exist_ok=True)
        if out_of_core:  # DuckDB writes the partition to a local file, which is then uploaded whole
            with tempfile.TemporaryDirectory(prefix="envgov-lake-part-") as tmp:
                local = Path(tmp) / rel.name
                con.execute(f"COPY ({query}) TO '{local}' (FORMAT parquet, COMPRESSION zstd)", [k, y, m])
                self.fs.put_file(str(local), url)
            return
        part = con.sql(query, params=[k, y, m]).to_arrow_table().cast(self.SCHEMA)
        sink = pa.BufferOutputStream()
        pq.write_table(part, sink, compression="zstd")
        self.fs.pipe_file(url, sink.getvalue().to_pybytes())
