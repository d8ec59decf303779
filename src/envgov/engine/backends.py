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

from envgov.engine import sqlcache
from envgov.engine.sqlcache import BATCH_ROWS  # noqa: F401  (DuckDB's row-group size)

BACKENDS = ("duckdb", "pyspark")
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
        return con.table(sqlcache.register(con.con, data, name))
    raise TypeError(f"无法作为数据表：{type(data).__name__}")


def spark_location(location: str) -> str | None:
    """A lake file's location as Spark reads it: a local path as a file: URI, s3:// as s3a:// (the Hadoop
    S3 connector), hdfs:// and other Hadoop schemes as they are; None for fsspec-only stores (memory://)
    that Spark cannot reach (the caller reads those through DuckDB)."""
    if "://" not in location:
        return "file://" + Path(location).resolve().as_posix()  # not as_uri(): Hadoop reads "=" as it is
    scheme = location.split("://", 1)[0]
    if scheme in ("s3", "s3a", "s3n"):
        return "s3a://" + location.split("://", 1)[1]
    if scheme in ("file", "hdfs", "abfs", "abfss", "gs", "wasb", "wasbs", "viewfs"):
        return location
    return None


def spark_lake_table(con: ibis.BaseBackend, lake: Any, kind: str, start: Any, end: Any,
                     sites: Iterable[str] | None = None,
                     parameters: Iterable[str] = ("pm25", "pm10", "so2", "no2", "co", "o3")) -> ibis.Table | None:
    """The lake's committed part files of [start, end) read by Spark itself (no copy through the driver),
    pivoted to the engine's wide shape in Spark as `Lake.to_wide` does in DuckDB (one row per site-hour,
    `max(value)` per parameter: the lake holds one value per key). None when Spark cannot read the
    files' location or there are none."""
    from pyspark.sql import functions as F

    files = lake.files(kind, start, end)
    paths = [spark_location(f) for f in files]
    if not paths or any(p is None for p in paths):
        return None
    session = con._session
    df = session.read.parquet(*paths)
    # the lake's naive wall-clock times as Spark TIMESTAMP in the session's UTC zone (what a table handed
    # over from Arrow gets), whether Spark read them as TIMESTAMP_NTZ or not
    df = df.select(F.col("site").cast("string").alias("site"), F.col("time").cast("timestamp").alias("time"),
                   F.col("parameter").cast("string").alias("parameter"), F.col("value").cast("double").alias("value"))
    # bounds as wall-clock text read in the session zone (a Python datetime literal would be taken as the
    # driver's local time)
    if start is not None:
        df = df.where(F.col("time") >= F.lit(f"{start:%Y-%m-%d %H:%M:%S}").cast("timestamp"))
    if end is not None:
        df = df.where(F.col("time") < F.lit(f"{end:%Y-%m-%d %H:%M:%S}").cast("timestamp"))
    if sites is not None:
        df = df.where(F.col("site").isin([str(x) for x in sites]))
    params = list(parameters)
    wide = df.groupBy("site", "time").pivot("parameter", params).agg(F.max("value"))
    wide = wide.select("site", "time", *[F.col(p).cast("double").alias(p) for p in params])
    name = f"t_{uuid.uuid4().hex[:10]}"
    wide.createOrReplaceTempView(name)
    return con.table(name)
