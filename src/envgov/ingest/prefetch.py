"""Decoding a Parquet input in the background while the rest of a command is imported.

Imports nothing of the project and no NumPy, so a caller can start the read first thing (`envgov air
evaluate` on one Parquet file); `columnar.read_parquet_arrow` takes the result for the same unchanged file.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

_PREFETCHED: dict[tuple[str, int, int], Any] = {}


def _file_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path.resolve()), st.st_mtime_ns, st.st_size


def prefetch_parquet(path: Path) -> None:
    """Start reading a Parquet file in a background thread (Arrow decodes without the GIL), so that a
    caller can import the engine meanwhile; `read_parquet_arrow` of the same unchanged file takes the
    result. One file at a time is held."""
    import threading

    import pyarrow.parquet as pq

    key = _file_key(path)
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["table"] = pq.ParquetFile(path).read()
        except Exception as exc:  # noqa: BLE001 - given to the reader, which reports it as before
            box["error"] = exc
    thread = threading.Thread(target=run, name="envgov-parquet-prefetch", daemon=True)
    _PREFETCHED.clear()
    _PREFETCHED[key] = (thread, box)
    thread.start()
