"""Compiled SQL remembered across queries and processes, and run on a plain DuckDB connection.

`air._remembered` compiles an Ibis expression to DuckDB SQL once per query shape and keeps it here: in
this process (`MEMO`) and on disk (`$ENVGOV_SQL_CACHE`, default `$XDG_CACHE_HOME/envgov/sql`; `off`
disables it), one JSON file per query with the SQL, the table name to substitute and the result's Arrow
schema. The key is the table's schema as DuckDB sees it, the user-set parameters in force and the
query's shape; the file name is a hash of the key and of a fingerprint of everything the SQL text
depends on (the source of `envgov.engine`, `envgov.standards`, `envgov.rules`, the Ibis and sqlglot
versions), so a changed standard or engine never reads a stale query. A damaged file, or one whose
stored key differs, is ignored. Writes are atomic (temp file + rename).

Nothing here imports Ibis: `results.evaluate_remembered` runs a remembered query without it.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

BATCH_ROWS = 122_880  # DuckDB's row-group size
MEMO: dict[tuple[Any, ...], tuple[str, str, pa.Schema]] = {}
MEMO_MAX = 128


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the settings Ibis gives its own (`ibis.duckdb.connect`), so a
    remembered query runs here exactly as it runs through Ibis."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET python_enable_replacements = false")
    return con


def register(con: duckdb.DuckDBPyConnection, data: pa.Table, name: str | None = None) -> str:
    """Register an Arrow table on a DuckDB connection (zero copy); returns its name. DuckDB scans an
    Arrow table in parallel per record batch, so very large chunks are split first (zero copy)."""
    name = name or f"t_{uuid.uuid4().hex[:10]}"
    if any(c.num_chunks and max(len(x) for x in c.chunks) > 4 * BATCH_ROWS for c in data.columns):
        data = pa.Table.from_batches(data.to_batches(max_chunksize=BATCH_ROWS), schema=data.schema)
    con.register(name, data)
    return name


def full_key(con: duckdb.DuckDBPyConnection, name: str, key: tuple[Any, ...]) -> tuple[Any, ...]:
    """The memo key of a query over table `name`: its columns and DuckDB types, the user-set
    parameters in force, then the query's shape `key`."""
    from envgov.standards.air import parameters

    rel = con.sql(f'SELECT * FROM "{name}"')  # bound, not run
    schema = tuple(zip(rel.columns, (str(t) for t in rel.types)))
    return (schema, parameters.signature(), *key)


def lookup(full: tuple[Any, ...]) -> tuple[str, str, pa.Schema] | None:
    """The remembered (SQL, table name in it, result schema) of a query, from this process or disk."""
    memo = MEMO.get(full)
    if memo is None:
        memo = _from_disk(full)
        if memo is not None:
            _keep(full, memo)
    return memo


def store(full: tuple[Any, ...], memo: tuple[str, str, pa.Schema]) -> None:
    """Remember a compiled query in this process and on disk."""
    _to_disk(full, memo)
    _keep(full, memo)


def run(con: duckdb.DuckDBPyConnection, name: str, memo: tuple[str, str, pa.Schema]) -> pa.Table:
    """Run a remembered query over table `name` (the name it was compiled with is replaced)."""
    sql, memo_name, schema = memo
    sql = sql.replace(f'"{memo_name}"', f'"{name}"')
    return con.sql(sql).to_arrow_table().cast(schema)


def _keep(full: tuple[Any, ...], memo: tuple[str, str, pa.Schema]) -> None:
    if len(MEMO) >= MEMO_MAX:
        MEMO.clear()
    MEMO[full] = memo


def sql_cache_dir() -> Path | None:
    """Folder of the compiled-SQL cache shared by processes ($ENVGOV_SQL_CACHE; default
    $XDG_CACHE_HOME/envgov/sql or ~/.cache/envgov/sql; "off" or "0" disables it)."""
    setting = os.environ.get("ENVGOV_SQL_CACHE", "").strip()
    if setting.lower() in ("0", "off", "no", "false"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "envgov" / "sql"


@cache
def _code_fingerprint() -> str:
    """What the compiled SQL depends on besides its key: the source of the engine, the standards and the
    rules (breakpoints, validity counts, rounding are written into the SQL) and the compiler versions
    (read from the installed distributions, so that Ibis need not be imported)."""
    from importlib.metadata import version

    h = hashlib.sha256(f"{version('ibis-framework')}|{version('sqlglot')}".encode())
    root = Path(__file__).resolve().parents[1]
    for folder in ("engine", "standards", "rules"):
        for f in sorted((root / folder).rglob("*.py")):
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:24]


def _cache_file(full: tuple[Any, ...]) -> Path | None:
    folder = sql_cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(f"{_code_fingerprint()}|{full!r}".encode()).hexdigest()[:32]
    return folder / f"{digest}.json"


def _from_disk(full: tuple[Any, ...]) -> tuple[str, str, pa.Schema] | None:
    """A query compiled by an earlier process (a CLI run pays Ibis compilation once per query shape,
    not on every run). Anything unreadable counts as absent."""
    path = _cache_file(full)
    if path is None:
        return None
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
        if rec["key"] != repr(full):  # a digest collision is not worth a wrong answer
            return None
        schema = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(rec["schema"])))
        return rec["sql"], rec["name"], schema
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return None


def _to_disk(full: tuple[Any, ...], memo: tuple[str, str, pa.Schema]) -> None:
    path = _cache_file(full)
    if path is None:
        return
    sql, name, schema = memo
    rec = {"key": repr(full), "sql": sql, "name": name,
           "schema": base64.b64encode(schema.serialize().to_pybytes()).decode()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a reader sees the old file or the whole new one
    except OSError:
        pass  # a read-only home: the cache is an optimisation only
