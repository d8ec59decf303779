"""Backend selection for the Ibis computations: DuckDB in-process by default, PySpark for scale.

The same Ibis expressions (envgov.engine.air) run on either; only the connection differs.

    >>> con = connect()                          # DuckDB, in memory
    >>> con = connect("pyspark")                 # doctest: +SKIP  (local Spark session)
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa

BACKENDS = ("duckdb", "pyspark")
BATCH_ROWS = 122_880  # DuckDB's row-group size
_SPARK = None


def connect(backend: str | None = None, **options: Any) -> ibis.BaseBackend:
    """An Ibis connection. `backend` defaults to $ENVGOV_ENGINE_BACKEND or "duckdb"."""
    backend = backend or os.environ.get("ENVGOV_ENGINE_BACKEND", "duckdb")
    if backend == "duckdb":
        return ibis.duckdb.connect(**options)
    if backend == "pyspark":
        return ibis.pyspark.connect(spark_session(**options))
    raise ValueError(f"未知的计算后端：{backend!r}（可选 {', '.join(BACKENDS)}）")


def spark_session(master: str | None = None, **conf: str):
    """A shared local Spark session tuned for small jobs (few shuffle partitions, no UI).

    Session time zone is UTC so that naive local timestamps (Asia/Shanghai wall clock, the project
    convention) keep their wall-clock hour and date inside Spark.
    """
    global _SPARK
    if _SPARK is not None:
        return _SPARK
    from pyspark.sql import SparkSession

    master = master or os.environ.get("ENVGOV_SPARK_MASTER", "local[2]")  # a cluster: spark://host:7077

    builder = (
        SparkSession.builder.master(master)
        .appName("envgov")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.ansi.enabled", "false")
    )
    for k, v in conf.items():
        builder = builder.config(k, v)
    _SPARK = builder.getOrCreate()
    _SPARK.sparkContext.setLogLevel("ERROR")
    return _SPARK


def backend_name(con: ibis.BaseBackend) -> str:
    return con.name


def table(con: ibis.BaseBackend, data: Any, name: str | None = None) -> ibis.Table:
    """An Ibis table on `con` from a pyarrow table, Parquet path(s) or an existing Ibis table."""
    if isinstance(data, ibis.Table):
        return data
    name = name or f"t_{uuid.uuid4().hex[:10]}"
    if isinstance(data, (str, Path)) or (isinstance(data, Iterable) and not isinstance(data, pa.Table)):
        paths = [str(data)] if isinstance(data, (str, Path)) else [str(p) for p in data]
        return con.read_parquet(paths if len(paths) > 1 else paths[0], table_name=name)
    if isinstance(data, pa.Table):
        if con.name == "pyspark":
            # A temp view from pandas; the session time zone is UTC, so naive wall-clock times stay as they are.
            session = con._session
            session.createDataFrame(data.to_pandas()).createOrReplaceTempView(name)
            return con.table(name)
        # DuckDB: register the Arrow table itself (zero copy) instead of copying it into a table.
        # DuckDB scans an Arrow table in parallel per record batch: split very large chunks (zero copy).
        if any(c.num_chunks and max(len(x) for x in c.chunks) > 4 * BATCH_ROWS for c in data.columns):
            data = pa.Table.from_batches(data.to_batches(max_chunksize=BATCH_ROWS), schema=data.schema)
        con.con.register(name, data)
        return con.table(name)
    raise TypeError(f"无法作为数据表：{type(data).__name__}")
