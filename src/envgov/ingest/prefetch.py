"""Decoding a Parquet input in the background while the rest of a command is imported.

Imports nothing of the project and no NumPy, so a caller can start the read first thing (`envgov air
evaluate` on one Parquet file); `columnar.read_parquet_arrow` takes the result for the same unchanged file.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

_PREFETCHED: dict[tuple[str, int, int], Any] = {}


def _file_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path.resolve()), st.st_mtime_ns, st.st_size


def stream_threshold() -> int:
    """Files above this size are read in batches (bytes; $ENVGOV_INGEST_STREAM_MB, default 256 MB): a CSV
    by its size on disk, a Parquet file by the size of its values in memory (`parquet_memory`)."""
    return int(float(os.environ.get("ENVGOV_INGEST_STREAM_MB", "256")) * 1e6)


def parquet_memory(path: Path) -> int:
    """Bytes a Parquet file's values take once decoded (8 per cell: rows × columns × 8), from its footer."""
    import pyarrow.parquet as pq

    md = pq.ParquetFile(path).metadata
    return md.num_rows * md.num_columns * 8


def prefetch_parquet(path: Path) -> None:
    """Start reading a Parquet file in a background thread (Arrow decodes without the GIL), so that a
    caller can import the engine meanwhile; `read_parquet_arrow` of the same unchanged file takes the
    result. One file at a time is held."""
    import threading

    import pyarrow.parquet as pq

    key = _file_key(path)
    _PREFETCHED.clear()
    try:
        if parquet_memory(path) > stream_threshold():
            return  # read in batches later, never whole
    except Exception:  # noqa: BLE001 - an unreadable file is reported by the reader
        return
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["table"] = pq.ParquetFile(path).read()
        except Exception as exc:  # noqa: BLE001 - given to the reader, which reports it as before
            box["error"] = exc
    thread = threading.Thread(target=run, name="envgov-parquet-prefetch", daemon=True)
    _PREFETCHED[key] = (thread, box)
    thread.start()
