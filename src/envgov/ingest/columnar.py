"""Columnar reader for wide hourly files (CSV / CSV.GZ / Parquet / XLSX → Arrow, kept wide).

The clean path creates no Python object per value: numbers are cast per column by Arrow, missing
markers found with `is_in`, times parsed once per distinct label (a year has 8,760 whatever the number
of sites), sites dictionary-encoded, duplicates and gaps found on integer keys (site index × hour) and
units converted per column. Only where a cast fails or a range check hits are the rows located, and
their messages are written by the same functions as the row-by-row reader (`ingest.hourly`), so the
two paths say the same thing. A CSV whose rows cannot be placed on file lines from Arrow's row index
(quoted newlines, blank lines) has its line numbers taken from a `csv` scan, and the report says so.

Output: `WideRead.table` — site (string), time (timestamp[s], local start of hour), one float64 column
per parameter in canonical units, NULL when missing; site-hours without any value are dropped.
"""
from __future__ import annotations

import gzip
import io
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from envgov.catalogue import gettext_noop
from envgov.ingest.prefetch import _PREFETCHED, _file_key, prefetch_parquet  # noqa: F401
from envgov.ingest.profile import ParameterSpec, Profile
from envgov.ingest.report import Gap

NUMBER_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
FIRST_PER_GROUP = 20  # located rows listed per (column, reason); all are counted, all can be downloaded
MAX_GAP_RANGES = 5
SEP = "\x1f"
STREAM_BLOCK = 1 << 24  # bytes per batch of a streamed CSV
STREAM_ROWS = 1 << 19  # rows per batch of a streamed Parquet file


class Fallback(Exception):
    """The columnar reader cannot place this file exactly; the row-by-row reader must read it."""


@dataclass
class ErrorGroup:
    """Errors of one kind in one column: `rows` are 0-based data-row indices, `message(i)` the text."""

    column: str | None
    label: str
    rows: np.ndarray
    message: Callable[[int], str]
    order: int = 0  # column position, for listing the errors of a row in the row reader's order

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass
class WideRead:
    rows_read: int = 0
    missing_values: int = 0
    duplicates_dropped: int = 0
    table: pa.Table | None = None
    gaps: list[Gap] = field(default_factory=list)
    groups: list[ErrorGroup] = field(default_factory=list)
    lines: Callable[[np.ndarray], np.ndarray] | None = None  # data-row index → file line / sheet row
    note: str | None = None
    edges: dict[str, Any] = field(default_factory=dict)
    wide_path: Path | None = None  # streamed: the checked wide table written here (Parquet)
    period: tuple[datetime, datetime] | None = None

    @property
    def error_count(self) -> int:
        return sum(g.count for g in self.groups)


# ------------------------------------------------------------------------------------------ readers

def _raw_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw


def _utf8(raw: bytes) -> bytes:
    """The bytes as UTF-8 (a GBK/GB18030 export is transcoded, as the row reader does)."""
    try:
        raw.decode("utf-8")
        return raw
    except UnicodeDecodeError:
        import charset_normalizer

        best = charset_normalizer.from_bytes(raw).best()
        text = str(best) if best is not None else raw.decode("gb18030", errors="replace")
        return text.encode("utf-8")


def csv_header(path: Path) -> list[str]:
    import csv

    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"  # (not read_bytes()[:2]: that reads a 4 GB file to look at 2 bytes)
    opener = gzip.open if gz else open
    with opener(path, "rb") as fh:
        first = fh.readline(1 << 20)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _utf8(first).decode("utf-8")
    return [h.strip() for h in next(csv.reader([text]), [])]


def _csv_line_map(data: bytes) -> np.ndarray:
    """File line (1-based) where each data record starts, by Python's csv module (the exact reader)."""
    import csv

    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    next(reader, None)
    starts, prev = [], reader.line_num
    for row in reader:
        if row:
            starts.append(prev + 1)
        prev = reader.line_num
    return np.asarray(starts, dtype=np.int64)


def read_csv_arrow(path: Path, numeric: Iterable[str], missing: Iterable[str] = ("",),
                   labels: Iterable[str] = ()) -> tuple[pa.Table, WideRead]:
    """Whole CSV into Arrow: the parameter columns as float64 first (the clean case), all columns as
    text when a cell is not a number. Raises Fallback when Arrow cannot read the file at all.

    `labels` (the site and time columns) are read dictionary-encoded in the first try: a year has
    8,760 time labels and a few hundred sites however many rows, so the reader keeps one string per
    distinct label instead of one per row (`check_wide` takes either form)."""
    import pyarrow.csv as pacsv

    numeric = set(numeric)
    labels = set(labels) - numeric
    raw = _raw_bytes(path)
    data = raw
    try:
        _first_line(raw).decode("utf-8")
    except UnicodeDecodeError:
        data = _utf8(raw)
    names = csv_header_from(data)
    out = WideRead()

    missing = list(missing)

    def read(types: dict[str, pa.DataType], newlines: bool) -> pa.Table:
        return pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=newlines),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False, null_values=missing),
        )

    text_types = {n: pa.string() for n in names}
    table = None
    dict_type = pa.dictionary(pa.int32(), pa.string())
    try:
        table = read(dict(text_types, **{n: pa.float64() for n in names if n.strip() in numeric},
                          **{n: dict_type for n in names if n.strip() in labels}), False)
        if not all(_finite(table[n]) for n in names if n.strip() in numeric):
            table = None  # inf / nan written as text: the text path says which cells
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) and data is raw:
            data = _utf8(raw)
        table = None
    quoted = data.find(b'"', len(_first_line(data))) != -1  # a quoted header is common and harmless
    if table is None:
        try:
            table = read(text_types, quoted)
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise Fallback(str(exc)) from None
    multiline = quoted and any(_has_newline(table[n]) for n in table.column_names)
    if multiline and table is not None:
        table = read({n: pa.string() for n in names}, True) if not all(
            pa.types.is_string(table[n].type) for n in names) else table
    blank = data.startswith((b"\n", b"\r\n")) or b"\n\n" in data or b"\n\r\n" in data
    if multiline or blank:
        out.lines = lambda rows, _d=data: _csv_line_map(_d)[rows]
        if multiline:
            out.note = "文件中有引号内换行：行号已按逐行方式核对"
    else:
        out.lines = lambda rows: rows + 2
    return table, out


def _has_newline(col: pa.ChunkedArray) -> bool:
    """A text (or dictionary-encoded text) column with a line break inside a cell."""
    if pa.types.is_dictionary(col.type):
        arrays = [c.dictionary for c in col.chunks]
    elif pa.types.is_string(col.type):
        arrays = col.chunks
    else:
        return False
    return any(pc.any(pc.or_(pc.match_substring(a, "\n"), pc.match_substring(a, "\r"))).as_py()
               for a in arrays if len(a))


def _encoded(col: pa.ChunkedArray) -> pa.DictionaryArray:
    """A column as one dictionary array: dictionary-encoded by Arrow, or unified and combined when it was
    read dictionary-encoded already (the CSV reader encodes each block with its own dictionary)."""
    if isinstance(col, pa.Array):
        col = pa.chunked_array([col])
    if pa.types.is_dictionary(col.type):
        return pa.table({"c": col}).unify_dictionaries().column("c").combine_chunks()
    return pc.dictionary_encode(col).combine_chunks()


def csv_header_from(data: bytes) -> list[str]:
    import csv

    first = _first_line(data).decode("utf-8-sig")
    return next(csv.reader([first]), [])


def _first_line(data: bytes) -> bytes:
    """The bytes before the first newline (no copy of the rest, unlike `split`)."""
    end = data.find(b"\n")
    return data if end < 0 else data[:end]


def _finite(col: pa.ChunkedArray) -> bool:
    if not pa.types.is_floating(col.type) or col.null_count == len(col):
        return True
    return not pc.any(pc.invert(pc.is_finite(col))).as_py()


def read_parquet_arrow(path: Path) -> tuple[pa.Table, WideRead]:
    import pyarrow.parquet as pq

    got = _PREFETCHED.pop(_file_key(path), None) if _PREFETCHED else None
    if got is not None:
        thread, box = got
        thread.join()
        if "table" in box:
            return box["table"], WideRead(lines=lambda rows: rows + 2)

    # ParquetFile.read, not read_table: the same table from one file without the dataset layer, whose
    # import pulls in pandas (≈0.5 s of a CLI run)
    t = pq.ParquetFile(path).read()
    return t, WideRead(lines=lambda rows: rows + 2)


def read_xlsx_arrow(path: Path) -> tuple[pa.Table, WideRead]:
    """First sheet into Arrow (openpyxl gives Python cells; they become one Arrow array per column)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        it = wb.worksheets[0].iter_rows(values_only=True)
        header = [("" if h is None else str(h)).strip() for h in next(it, ())]
        cols: list[list[Any]] = [[] for _ in header]
        sheet_rows: list[int] = []
        for i, row in enumerate(it, start=2):
            if not row or not any(c is not None and c != "" for c in row):
                continue
            sheet_rows.append(i)
            for j in range(len(header)):
                cols[j].append(row[j] if j < len(row) else None)
    finally:
        wb.close()
    arrays = []
    for values in cols:
        try:
            arr = pa.array(values)
            if pa.types.is_boolean(arr.type):
                raise pa.ArrowInvalid("bool")
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arr = pa.array([None if v is None else str(v) for v in values], pa.string())
        arrays.append(arr)
    names = [h if h else f"_col{j}" for j, h in enumerate(header)]
    line_of = np.asarray(sheet_rows, dtype=np.int64)
    return pa.table(arrays, names=names), WideRead(lines=lambda rows: line_of[rows])


# ------------------------------------------------------------------------------------------ checks

def _text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        col = pc.cast(col, pa.string())
    return col


def _epoch(dt: datetime) -> int:
    return int(dt.replace(tzinfo=UTC).timestamp())


def check_wide(t: pa.Table, prof: Profile, stations: set[str] | None, specs: dict[str, ParameterSpec],
               wide_params: list[tuple[str, str, float]], out: WideRead,
               time_cache: dict[Any, tuple[int, str | None]] | None = None, gaps: bool = True) -> WideRead:
    """Validate a wide Arrow table (one row per site-hour) and build the engine's wide table.

    `time_cache` (label → seconds, message) is shared by the batches of a streamed file. `gaps=False`
    leaves `out.gaps` empty (a caller that does not report them)."""
    if time_cache is None:
        time_cache = {}
    from envgov.ingest import hourly as h

    n = t.num_rows
    out.rows_read = n
    header = t.column_names
    order = {c: i for i, c in enumerate(header)}
    groups = out.groups
    ok = np.ones(n, dtype=bool)

    # sites: trimmed text, dictionary-encoded
    site_col_name = prof.columns["site"]
    site_col = t[site_col_name]
    site_txt = None  # the site column as plain text (the output's), made when needed
    if pa.types.is_dictionary(site_col.type) and pa.types.is_string(site_col.type.value_type) \
            and not site_col.null_count:
        site_enc = _encoded(site_col)
    else:
        site_raw = _text(site_col)
        site_txt = site_raw.fill_null("") if site_raw.null_count else site_raw
        site_enc = _encoded(site_txt)
    trimmed = pc.utf8_trim_whitespace(site_enc.dictionary)
    if not trimmed.equals(site_enc.dictionary):  # padded codes: trim every cell (" A" and "A" are one site)
        if site_txt is None:
            site_txt = pc.take(site_enc.dictionary, site_enc.indices)
        site_txt = pc.utf8_trim_whitespace(site_txt)
        site_enc = _encoded(site_txt)
    site_idx = _numpy(site_enc.indices).astype(np.int64)
    site_names = site_enc.dictionary.to_pylist()
    empty = np.array([s == "" for s in site_names], dtype=bool)
    if empty.any():  # (a dictionary read from the file may hold a code no row uses)
        rows = np.nonzero(empty[site_idx])[0]
        if len(rows):
            groups.append(ErrorGroup(site_col_name, gettext_noop("站点编号为空"), rows, lambda i: "站点编号为空", -2))
            ok &= ~empty[site_idx]
    if stations is not None:
        unknown = np.array([s != "" and s not in stations for s in site_names], dtype=bool)
        if unknown.any():
            rows = np.nonzero(unknown[site_idx])[0]
            if len(rows):
                groups.append(ErrorGroup(site_col_name, gettext_noop("未知站点"), rows,
                                         lambda i: f"未知站点「{site_names[site_idx[i]]}」（不在站点名录中）", -2))
                ok &= ~unknown[site_idx]

    # times: each distinct label parsed once by the row reader's own functions
    tz = ZoneInfo(prof.timezone) if prof.timezone != "Asia/Shanghai" else h.LOCAL_TZ
    if prof.time_format == "parts":
        roles = ("year", "month", "day", "hour")
        cols = [prof.columns[r] for r in roles]
        key = pc.binary_join_element_wise(*[_text(t[c]).fill_null("\x00") for c in cols], SEP)
        time_col = "year/month/day/hour"

        def parse(v: Any) -> int:
            parts = v.split(SEP) if v is not None else ["\x00"] * len(cols)
            cells = {c: (None if p == "\x00" else p) for c, p in zip(cols, parts)}
            return _epoch(h._parse_parts(cells, prof, tz))
    else:
        time_col = prof.columns["time"]
        key = t[time_col]

        def parse(v: Any) -> int:
            if h._is_missing(v, ("",)):
                raise h.CellError("时间为空")
            return _epoch(h._parse_iso(v, prof, tz))
    enc = _encoded(key)
    tidx = _numpy(enc.indices.fill_null(len(enc.dictionary)) if enc.null_count else enc.indices).astype(np.int64)
    distinct = enc.dictionary.to_pylist() + [None]
    tval = np.zeros(len(distinct), dtype=np.int64)
    tmsg: list[str | None] = []
    for k, v in enumerate(distinct):
        got = time_cache.get(v)
        if got is None:
            try:
                got = (parse(v), None)
            except h.CellError as exc:
                got = (0, str(exc))
            time_cache[v] = got
        tval[k] = got[0]
        tmsg.append(got[1])
    tbad = np.array([m is not None for m in tmsg], dtype=bool)
    if (tbad if enc.null_count else tbad[:-1]).any():  # every dictionary label occurs; the last is NULL's
        rows = np.nonzero(tbad[tidx] & ok)[0]
        if len(rows):
            groups.append(ErrorGroup(time_col, gettext_noop("时间无法使用"), rows, lambda i: tmsg[tidx[i]], -1))
        ok &= ~tbad[tidx]
    secs = tval[tidx]

    # values: one cast per column, located messages only where a cast fails or a range check hits.
    # A clean float64 column in canonical units (the usual Parquet and typed-CSV case) is checked in Arrow
    # and goes to the output as it is; its NumPy values are made only if something needs them
    # (duplicates, rows refused, the gap search).
    all_ok = bool(ok.all())
    values: dict[str, np.ndarray] = {}
    lazy: dict[str, pa.ChunkedArray] = {}  # code → the input column, values not taken into NumPy
    untouched: dict[str, bool] = {}  # the input column can go to the output as it is (zero copy)
    for pos, (code, col, factor) in enumerate(wide_params):
        spec = specs[code]
        raw = t[col]
        if all_ok and factor == 1 and raw.type == pa.float64() and (
                _buffer_in_range(raw, spec) or (_no_nan(raw) and _in_range(*_min_max(raw), spec))):
                out.missing_values += raw.null_count
                lazy[code] = raw
                untouched[code] = True
                continue
        v, bad_rows, bad_msgs, miss = _column_values(raw, prof.missing)
        untouched[code] = factor == 1 and raw.type == pa.float64() and not len(bad_rows)
        if len(bad_rows):
            sel = ok[bad_rows]
            br, bm = bad_rows[sel], [m for m, s in zip(bad_msgs, sel) if s]
            if len(br):
                groups.append(ErrorGroup(col, gettext_noop("不是数值"), br, (lambda msgs, rr: lambda i: msgs[int(np.searchsorted(rr, i))])(bm, br), pos))
        if factor != 1:
            v = v * factor
        n_missing = int(miss.sum()) if all_ok else int((miss & ok).sum())
        out.missing_values += n_missing
        if untouched[code] and n_missing != raw.null_count:
            untouched[code] = False  # NaN cells (missing) must become NULL
        lo = hi = 0.0
        if n_missing < n:
            with warnings.catch_warnings():  # every present cell unreadable: all NaN, nothing to range-check
                warnings.simplefilter("ignore", RuntimeWarning)
                lo, hi = float(np.nanmin(v)), float(np.nanmax(v))
            if np.isnan(lo):
                lo = hi = 0.0
        clean = lo >= spec.min and (spec.max is None or hi <= spec.max) and not (lo < 0 <= spec.min)
        if not clean:  # the range check hit: locate
            present = ~np.isnan(v)
            neg = present & (v < 0) & ok if spec.min >= 0 else np.zeros(n, dtype=bool)
            rng = present & ok & ~neg & ((v < spec.min) | ((v > spec.max) if spec.max is not None else False))

            def cell(i: int, _raw=raw) -> Any:
                return _raw[int(i)].as_py()
            if neg.any():
                groups.append(ErrorGroup(col, gettext_noop("负值"), np.nonzero(neg)[0],
                                         (lambda s, f: lambda i: f"{s.name} 为负值 {f(i)}，浓度不能为负")(spec, cell), pos))
            if rng.any():
                groups.append(ErrorGroup(col, gettext_noop("超出可能范围"), np.nonzero(rng)[0],
                                         (lambda s, f: lambda i: f"{s.name} 的值 {f(i)} 超出可能范围（{s.min:g}–{s.max:g} {s.unit}）")(spec, cell), pos))
            if neg.any() or rng.any():
                v = np.where(neg | rng, np.nan, v)
                untouched[code] = False
        values[code] = v

    def materialise() -> None:
        """NumPy values (NaN where missing, writable) of the columns checked in Arrow only."""
        for code in list(lazy):
            values[code] = _numpy(lazy.pop(code), copy=True)

    # duplicates and gaps on integer keys: site index × hour
    if not ok.any():
        out.table = None
        return out
    keep = None if all_ok else np.nonzero(ok)[0]  # None: every row, in file order
    s_k = site_idx if keep is None else site_idx[keep]
    t_k = secs if keep is None else secs[keep]
    t0 = int(t_k.min())
    hours = (t_k - t0) // 3600
    span = int(hours.max()) + 1
    key_k = s_k * span + hours
    if len(key_k) > 1 and not bool((key_k[1:] > key_k[:-1]).all()):
        keep = np.arange(n) if keep is None else keep
        srt = np.argsort(key_k, kind="stable")
        keep, key_k = keep[srt], key_k[srt]
        first = np.ones(len(keep), dtype=bool)
        first[1:] = key_k[1:] != key_k[:-1]
        if not first.all():
            materialise()
            _duplicates(keep, first, values, wide_params, site_names, site_idx, secs, out, order)
            keep, key_k = keep[first], key_k[first]
    if groups:  # refused: no table, no gaps
        out.table = None
        return out
    if keep is not None or gaps:
        materialise()
    vals = values if keep is None else {code: v[keep] for code, v in values.items()}
    sites_k = site_idx if keep is None else site_idx[keep]
    out.gaps = _gaps(key_k, span, t0, sites_k, site_names, vals) if gaps else []
    # first and last site-hour of the batch, and of each parameter's values (streamed files: the
    # batches are stitched on these)
    m = n if keep is None else len(keep)  # rows kept, in key order

    def row(i: int) -> int:
        return int(i) if keep is None else int(keep[i])
    out.edges = {"rows": (site_names[site_idx[row(0)]], int(secs[row(0)]),
                          site_names[site_idx[row(m - 1)]], int(secs[row(m - 1)])),
                 "sites": set(site_names)}
    any_value = None  # None: no column seen with a value yet
    for code, _col, _f in wide_params:
        if code in lazy:  # keep is None here: the rows are the input's rows
            col_ = lazy[code]
            if col_.null_count == len(col_):
                continue
            present = np.ones(m, dtype=bool) if not col_.null_count else _valid_np(col_)
        else:
            present = ~np.isnan(vals[code])
        any_value = present if any_value is None else (any_value | present)
        if not present.any():
            continue
        a, b = row(present.argmax()), row(m - 1 - present[::-1].argmax())
        out.edges[code] = (site_names[site_idx[a]], int(secs[a]), site_names[site_idx[b]], int(secs[b]))
    if any_value is None:
        any_value = np.zeros(m, dtype=bool)
    if keep is None:
        if site_txt is None:
            site_txt = pc.take(site_enc.dictionary, site_enc.indices)
        cols = {"site": site_txt, "time": _arrow(secs, pa.timestamp("s"))}
        for pos, (code, col, _f) in enumerate(wide_params):
            cols[code] = t[col] if untouched[code] else _arrow(vals[code], pa.float64())
        table = pa.table(cols)
        out.table = table if any_value.all() else table.filter(_arrow(any_value, pa.bool_()))
        return out
    keep, vals = keep[any_value], {c: v[any_value] for c, v in vals.items()}
    out.table = pa.table(
        {"site": pc.take(site_enc.dictionary, _arrow(site_idx[keep].astype(np.int32), pa.int32())),
         "time": _arrow(secs[keep], pa.timestamp("s")),
         **{code: _arrow(v, pa.float64()) for code, v in vals.items()}})
    return out


def _in_range(lo: float, hi: float, spec: ParameterSpec) -> bool:
    """The range check of `check_wide` on a column's smallest and largest value."""
    return lo >= spec.min and (spec.max is None or hi <= spec.max) and not (lo < 0 <= spec.min)


def _buffer_in_range(col: pa.ChunkedArray, spec: ParameterSpec) -> bool:
    """A sufficient test that a float64 column has no NaN and no value out of range: the minimum and
    maximum over its whole value buffers, the slots under NULLs included (whatever they hold), are finite
    and in range. One NumPy pass, no copy; False says nothing (the exact Arrow test follows)."""
    for c in col.chunks:
        if not len(c):
            continue
        buf = c.buffers()[1]
        if buf is None:
            return False
        v = np.frombuffer(buf, dtype=np.float64, count=len(c), offset=c.offset * 8)
        lo, hi = float(v.min()), float(v.max())  # NaN anywhere makes them NaN, and the test below False
        if not (np.isfinite(lo) and np.isfinite(hi) and _in_range(lo, hi, spec)):
            return False
    return True


def _no_nan(col: pa.ChunkedArray) -> bool:
    """No NaN among the values of a float column (a NaN cell is missing, as in the row reader)."""
    return col.null_count == len(col) or not pc.any(pc.is_nan(col)).as_py()


def _min_max(col: pa.ChunkedArray) -> tuple[float, float]:
    """Smallest and largest value of a float column without NaN (0, 0 when every cell is NULL)."""
    mm = pc.min_max(col)
    lo, hi = mm["min"].as_py(), mm["max"].as_py()
    return (0.0, 0.0) if lo is None else (float(lo), float(hi))


def _valid_np(col: pa.ChunkedArray) -> np.ndarray:
    """The validity of an Arrow column as a NumPy bool array (True where a value is present)."""
    parts = []
    for c in col.chunks:
        if c.null_count == 0:
            parts.append(np.ones(len(c), dtype=bool))
        else:
            bits = np.unpackbits(np.frombuffer(c.buffers()[0], dtype=np.uint8), bitorder="little")
            parts.append(bits[c.offset:c.offset + len(c)].astype(bool))
    return np.concatenate(parts) if len(parts) != 1 else parts[0]


def _arrow(v: np.ndarray, typ: pa.DataType) -> pa.Array:
    """A NumPy array as an Arrow array of `typ` over the same memory (NaN → NULL for float64; int64
    seconds for timestamp[s]; bool packed to bits), without pyarrow's pandas layer (see `_numpy`)."""
    n = len(v)
    if pa.types.is_boolean(typ):
        return pa.Array.from_buffers(typ, n, [None, pa.py_buffer(np.packbits(v.astype(bool), bitorder="little"))])
    if pa.types.is_timestamp(typ):
        v = np.ascontiguousarray(v, dtype=np.int64)
    v = np.ascontiguousarray(v)
    validity = None
    if pa.types.is_floating(typ):
        nan = np.isnan(v)
        if nan.any():
            validity = pa.py_buffer(np.packbits(~nan, bitorder="little"))
            return pa.Array.from_buffers(typ, n, [validity, pa.py_buffer(np.where(nan, 0.0, v))])
    return pa.Array.from_buffers(typ, n, [validity, pa.py_buffer(v)])


def _numpy(a: pa.Array | pa.ChunkedArray, copy: bool = False) -> np.ndarray:
    """A numeric Arrow array as NumPy straight from its buffers; NULL becomes NaN (floating types).
    (pyarrow's `to_numpy` and `pa.scalar` go through its pandas layer and import pandas, ≈0.3 s of a CLI
    run.) `copy=True` gives a writable array."""
    chunks = a.chunks if isinstance(a, pa.ChunkedArray) else [a]
    typ = a.type
    floating = pa.types.is_floating(typ)
    if not chunks or not (pa.types.is_integer(typ) or floating) or (
            not floating and any(c.null_count for c in chunks)):
        return np.asarray(a.to_numpy(zero_copy_only=False))
    dt = np.dtype({"double": "float64", "float": "float32", "halffloat": "float16"}.get(str(typ), str(typ)))
    parts = []
    for c in chunks:
        v = np.frombuffer(c.buffers()[1], dtype=dt, count=len(c), offset=c.offset * dt.itemsize)
        if c.null_count:
            bits = np.unpackbits(np.frombuffer(c.buffers()[0], dtype=np.uint8), bitorder="little")
            v = np.where(bits[c.offset:c.offset + len(c)].astype(bool), v, np.nan)
        parts.append(v)
    if len(parts) > 1:
        return np.concatenate(parts)
    return parts[0].copy() if copy and not parts[0].flags.writeable else parts[0]


def _column_values(raw: pa.ChunkedArray, missing: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """(float values with NaN where missing or bad, bad row indices, their messages, missing mask)."""
    from envgov.ingest import hourly as h

    n = len(raw)
    if pa.types.is_floating(raw.type) or pa.types.is_integer(raw.type) or pa.types.is_null(raw.type):
        v = pc.cast(raw, pa.float64())
        v = _numpy(v, copy=True)  # NULL → NaN; NaN is a missing cell, as in the row reader
        return v, np.empty(0, dtype=np.int64), [], np.isnan(v)
    txt = _text(raw)
    trimmed = pc.utf8_trim_whitespace(txt)
    miss = pc.or_(pc.is_null(txt), pc.is_in(trimmed, value_set=pa.array(list(missing), pa.string())))
    miss_np = miss.to_numpy(zero_copy_only=False).astype(bool)
    cand = pc.if_else(miss, pa.scalar(None, pa.string()), trimmed)
    try:
        v = np.asarray(pc.cast(cand, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
        finite = np.isfinite(v) | miss_np
        if finite.all():
            return v, np.empty(0, dtype=np.int64), [], miss_np
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    number = pc.match_substring_regex(cand, NUMBER_RE).fill_null(False)
    v = np.asarray(pc.cast(pc.if_else(number, cand, pa.scalar(None, pa.string())), pa.float64())
                   .to_numpy(zero_copy_only=False), dtype=np.float64)
    odd = np.nonzero(~number.to_numpy(zero_copy_only=False).astype(bool) & ~miss_np)[0]
    bad_rows, msgs, memo = [], [], {}
    odd_cells = pc.take(txt, pa.array(odd)).to_pylist() if len(odd) else []
    for i, cell in zip(odd, odd_cells):
        if cell not in memo:
            try:
                memo[cell] = (h._number(cell), None)
            except h.CellError as exc:
                memo[cell] = (np.nan, str(exc))
        val, msg = memo[cell]
        if msg is None:
            v[i] = val
        else:
            bad_rows.append(i)
            msgs.append(msg)
    return v, np.asarray(bad_rows, dtype=np.int64), msgs, miss_np


def _duplicates(keep: np.ndarray, first: np.ndarray, values: dict[str, np.ndarray],
                wide_params: list[tuple[str, str, float]], site_names: list[str], site_idx: np.ndarray,
                secs: np.ndarray, out: WideRead, order: dict[str, int]) -> None:
    """Repeated site-hours (rows sorted by key, file order within a key), as the row reader: identical
    values dropped and counted, different values an error at the later row; the first value is kept and
    a later row fills what the first one lacks."""
    starts = np.nonzero(first)[0]
    ends = np.append(starts[1:], len(keep))
    multi = np.nonzero(ends - starts > 1)[0]
    err_rows: dict[int, list[tuple[int, str]]] = {}
    for g in multi:
        members = keep[starts[g]:ends[g]]
        head = members[0]
        for pos, (code, col, _f) in enumerate(wide_params):
            v = values[code]
            seen_row = None
            for r in members:
                x = v[r]
                if np.isnan(x):
                    continue
                if seen_row is None:
                    seen_row = r
                    if r != head:
                        v[head] = x
                    continue
                prev = v[head]
                if prev == x:
                    out.duplicates_dropped += 1
                else:
                    err_rows.setdefault(pos, []).append((int(r), int(seen_row)))
    for pos, pairs in err_rows.items():
        code, col, _f = wide_params[pos]
        pairs.sort()
        rows = np.asarray([p[0] for p in pairs], dtype=np.int64)
        prevs = {p[0]: p[1] for p in pairs}
        v = values[code]

        def message(i: int, code=code, prevs=prevs, v=v) -> str:
            i = int(i)
            p = prevs[i]
            t = datetime.fromtimestamp(int(secs[i]), UTC)
            prev_line = int(out.lines(np.asarray([p]))[0]) if out.lines else p + 2
            return (f"与第 {prev_line} 行重复（站点 {site_names[site_idx[i]]}，{t:%Y-%m-%d %H:%M}，{code}）"
                    f"但数值不同：{v[p]:g} 与 {v[i]:g}")
        out.groups.append(ErrorGroup(col, gettext_noop("重复但数值不同"), rows, message, pos))


def _gaps(key: np.ndarray, span: int, t0: int, sites: np.ndarray, site_names: list[str],
          vals: dict[str, np.ndarray]) -> list[Gap]:
    """Missing hours between the first and last value of each (site, parameter); keys sorted."""
    found: dict[tuple[str, str], tuple[int, list[tuple[int, int]]]] = {}
    for code, v in vals.items():
        present = ~np.isnan(v)
        k = key[present]
        if len(k) < 2:
            continue
        s = sites[present]
        step = np.diff(k)
        at = np.nonzero((s[1:] == s[:-1]) & (step > 1))[0]
        if not len(at):
            continue
        gs = s[at]
        missing = np.bincount(gs, weights=step[at] - 1, minlength=len(site_names))
        first = np.ones(len(at), dtype=bool)
        first[1:] = gs[1:] != gs[:-1]
        start = np.maximum.accumulate(np.where(first, np.arange(len(at)), 0))
        listed = at[(np.arange(len(at)) - start) < MAX_GAP_RANGES]
        spans: dict[int, list[tuple[int, int]]] = {}
        for i in listed:
            spans.setdefault(int(s[i]), []).append((t0 + int(k[i] % span) * 3600, t0 + int(k[i + 1] % span) * 3600))
        for si, sp in spans.items():
            found[(site_names[si], code)] = (int(missing[si]), sp)
    out = []
    for (s_name, p) in sorted(found):
        missing_hours, spans_ = found[(s_name, p)]
        ranges = tuple(
            (datetime.fromtimestamp(a + 3600, UTC).strftime("%Y-%m-%dT%H:%M"),
             datetime.fromtimestamp(b - 3600, UTC).strftime("%Y-%m-%dT%H:%M"))
            for a, b in spans_)
        out.append(Gap(s_name, p, missing_hours, ranges))
    return out


class NotInOrder(Exception):
    """A streamed file whose site-hours are not grouped by site in time order across batches."""


def stream_csv(path: Path, prof: Profile, stations: set[str] | None, specs: dict[str, ParameterSpec],
               wide_params: list[tuple[str, str, float]], dest: Path,
               progress: Callable[[int, int], None] | None = None, gaps: bool = True) -> WideRead:
    """Read a CSV (or Parquet file) larger than memory in batches, check each as `check_wide` does, write
    the wide rows to the Parquet file `dest` batch by batch; duplicates and gaps are stitched across
    batch edges.

    Needs the rows grouped by site and in time order across batches (what a monitoring export is);
    raises NotInOrder otherwise (the caller reads the file whole). Line numbers are record + 1 (a
    Parquet row as a sheet row, as the whole-file reader numbers them).
    """
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    parquet = path.name.lower().endswith(".parquet")
    if parquet:
        pfile = pq.ParquetFile(path)
        names = list(pfile.schema_arrow.names)
        total_rows = max(pfile.metadata.num_rows, 1)
    else:
        names = csv_header(path)
    numeric = {c for _, c, _ in wide_params}
    out = WideRead(lines=lambda rows: rows + 2)
    time_cache: dict[Any, tuple[int, str | None]] = {}
    gap_parts: dict[tuple[str, str], list[Any]] = {}
    last: dict[str, tuple[str, int, str, int]] = {}
    seen_sites: set[str] = set()
    writer = None
    schema = pa.schema([("site", pa.string()), ("time", pa.timestamp("s"))]
                       + [(code, pa.float64()) for code, _, _ in wide_params])
    lo = hi = None

    size = max(path.stat().st_size, 1)
    raw_fh = None

    def open_reader(typed: bool):
        nonlocal raw_fh
        if parquet:  # the file's own types: one attempt, no text retry
            return pfile.iter_batches(batch_size=STREAM_ROWS)
        if raw_fh is not None:
            raw_fh.close()
        with open(path, "rb") as fh:
            gz = fh.read(2) == b"\x1f\x8b"
        # Arrow's own file (reads outside the GIL, unlike a Python file object); its position gives the progress
        raw_fh = pa.OSFile(str(path), "rb")
        src = pa.CompressedInputStream(raw_fh, "gzip") if gz else raw_fh
        types = {n: (pa.float64() if typed and n.strip() in numeric else pa.string()) for n in names}
        return pacsv.open_csv(src, read_options=pacsv.ReadOptions(block_size=STREAM_BLOCK),
                              convert_options=pacsv.ConvertOptions(
                                  column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False,
                                  null_values=list(prof.missing)))

    for typed in ((True,) if parquet else (True, False)):
        try:
            reader, base = open_reader(typed), 0
            for batch in reader:
                t = pa.Table.from_batches([batch]).rename_columns([n.strip() for n in names])
                if typed and not parquet and not all(_finite(t[n]) for n in t.column_names if n in numeric):
                    raise pa.ArrowInvalid("not finite")
                w = WideRead(lines=(lambda b: lambda rows: rows + b + 2)(base))
                check_wide(t, prof, stations, specs, wide_params, w, time_cache, gaps=gaps)
                for g in w.groups:
                    out.groups.append(ErrorGroup(g.column, g.label, g.rows + base,
                                                 (lambda f, b: lambda i: f(i - b))(g.message, base), g.order))
                out.rows_read += w.rows_read
                out.missing_values += w.missing_values
                out.duplicates_dropped += w.duplicates_dropped
                base += t.num_rows
                if progress is not None:
                    progress(base, min((base / total_rows) if parquet else (raw_fh.tell() / size), 1.0))
                if w.table is None or out.groups:
                    continue
                first_site, first_t, last_site, last_t = w.edges["rows"]
                prev = last.get("rows")
                if prev is not None:
                    again = (w.edges["sites"] & seen_sites) - {prev[2]}
                    if again or (first_site == prev[2] and first_t <= prev[3]) or \
                            (prev[2] in w.edges["sites"] and first_site != prev[2]):
                        raise NotInOrder()
                seen_sites |= w.edges["sites"]
                last["rows"] = w.edges["rows"]
                for code, _, _ in wide_params if gaps else ():  # a gap across the batch edge comes first
                    e = w.edges.get(code)
                    if e is None:
                        continue
                    p = last.get(code)
                    if p is not None and p[2] == e[0] and e[1] - p[3] > 3600:
                        a, b = p[3], e[1]
                        span = Gap(e[0], code, (b - a) // 3600 - 1, (
                            (datetime.fromtimestamp(a + 3600, UTC).strftime("%Y-%m-%dT%H:%M"),
                             datetime.fromtimestamp(b - 3600, UTC).strftime("%Y-%m-%dT%H:%M")),))
                        gap_parts.setdefault((e[0], code), []).append(span)
                    last[code] = e
                for g in w.gaps:
                    gap_parts.setdefault((g.site, g.parameter), []).append(g)
                tb = w.table.cast(schema)
                mn, mx = pc.min_max(tb["time"]).values()
                lo = mn.as_py() if lo is None else min(lo, mn.as_py())
                hi = mx.as_py() if hi is None else max(hi, mx.as_py())
                if writer is None:
                    # a temporary file read once or twice: snappy writes ≈3× faster than zstd
                    writer = pq.ParquetWriter(dest, schema, compression="snappy")
                writer.write_table(tb, row_group_size=122_880)
            break
        except pa.ArrowInvalid as exc:
            if not typed or parquet:
                raise Fallback(str(exc)) from None
            out = WideRead(lines=lambda rows: rows + 2)
            gap_parts.clear(), last.clear(), seen_sites.clear()
            lo = hi = None
            if writer is not None:
                writer.close()
                writer = None
    if writer is not None:
        writer.close()
    if raw_fh is not None:
        raw_fh.close()
    out.gaps = []
    for key in sorted(gap_parts):
        parts = gap_parts[key]
        ranges = tuple(r for g in parts for r in g.ranges)[:MAX_GAP_RANGES]
        out.gaps.append(Gap(key[0], key[1], sum(g.missing_hours for g in parts), ranges))
    if not out.groups and writer is not None:
        out.wide_path, out.period = dest, (lo, hi)
    return out


def wide_to_long(wide: pa.Table, specs: dict[str, ParameterSpec]) -> pa.Table:
    """The wide table as long observations (kind, site, time, parameter, value): Arrow filters only."""
    from envgov.ingest.hourly import OBS_SCHEMA

    parts = []
    for code in wide.column_names[2:]:
        col = wide[code]
        mask = pc.is_valid(col)
        sub = wide.select(["site", "time"]).filter(mask)
        k = sub.num_rows
        zeros = pa.array(np.zeros(k, dtype=np.int32))
        parts.append(pa.table({
            "kind": pa.DictionaryArray.from_arrays(zeros, pa.array([specs[code].kind])).cast(pa.string()),
            "site": sub["site"], "time": sub["time"],
            "parameter": pa.DictionaryArray.from_arrays(zeros, pa.array([code])).cast(pa.string()),
            "value": col.filter(mask)}, schema=OBS_SCHEMA))
    if not parts:
        return OBS_SCHEMA.empty_table()
    return pa.concat_tables(parts)
