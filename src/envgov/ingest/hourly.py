"""Read hourly station observations (CSV / CSV.GZ / XLSX / Parquet) through a column-mapping profile.

Output: a long pyarrow table (kind, site, time, parameter, value) in canonical units, `time` being the
local (Asia/Shanghai) START of the averaging hour as a naive timestamp. Validation is all-or-nothing:
with any error the report carries no table and nothing is written anywhere.

    >>> from envgov.ingest.hourly import ingest_file            # doctest: +SKIP
    >>> report = ingest_file("PRSA_Data_Dongsi_20130301-20170228.csv.gz")   # profile detected
"""
from __future__ import annotations

import csv
import gzip
import io
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa

from envgov.ingest.prefetch import parquet_memory, stream_threshold
from envgov.ingest.profile import Profile, detect_profile, load_profile, normalise_unit, parameter_registry
from envgov.ingest.report import MAX_LISTED_ISSUES, Gap, ImportReport, Issue
from envgov.rules import dates as date_window

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
ISO_RE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)
OBS_SCHEMA = pa.schema([
    ("kind", pa.string()), ("site", pa.string()), ("time", pa.timestamp("s")),
    ("parameter", pa.string()), ("value", pa.float64()),
])
MAX_GAP_RANGES = 5


# ---------------------------------------------------------------- readers: (header, rows of cells)

def _read_table(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """Header and (row number, cells) pairs. Row numbers are 1-based lines/sheet rows (header = 1)."""
    name = path.name.lower()
    if name.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(path)
    if name.endswith(".parquet"):
        return _read_parquet(path)
    return _read_csv(path)


def _read_csv(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        import charset_normalizer

        best = charset_normalizer.from_bytes(raw).best()
        text = str(best) if best is not None else raw.decode("gb18030", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])

    def rows() -> Iterator[tuple[int, list[Any]]]:
        prev = reader.line_num  # the file line a record starts on (a quoted value may span lines)
        for row in reader:
            start, prev = prev + 1, reader.line_num
            if row:
                yield start, row

    return [h.strip() for h in header], rows()


def _read_xlsx(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header = [("" if h is None else str(h)).strip() for h in next(it, ())]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for i, row in enumerate(it, start=2):
            if row and any(c is not None and c != "" for c in row):
                yield i, list(row)
        wb.close()

    return header, rows()


def _read_parquet(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    import pyarrow.parquet as pq

    t = pq.read_table(path)
    cols = [t.column(n).to_pylist() for n in t.column_names]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for i in range(t.num_rows):
            yield i + 2, [c[i] for c in cols]  # row 1 = the column names, as in a sheet

    return list(t.column_names), rows()


def _header(path: Path) -> list[str] | None:
    """Column names without reading the data (None for a workbook: read with its data)."""
    name = path.name.lower()
    if name.endswith((".xlsx", ".xlsm")):
        return None
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    from envgov.ingest.columnar import csv_header

    return csv_header(path)


def _stream_columnar(path: Path, prof: Profile, known_sites: set[str] | None, specs: dict[str, Any],
                     wide_params: list[tuple[str, str, float]], report: ImportReport, progress: Any,
                     gaps: bool = True) -> bool:
    import tempfile

    from envgov.ingest import columnar

    spill = tempfile.TemporaryDirectory(prefix="envgov-ingest-")
    try:
        wr = columnar.stream_csv(path, prof, known_sites, specs, wide_params, Path(spill.name) / "wide.parquet",
                                 progress, gaps=gaps)
    except columnar.NotInOrder:
        spill.cleanup()
        report.warn(None, None, "文件较大但未按站点、时间顺序排列，已整体读入内存")
        return False
    except columnar.Fallback:
        spill.cleanup()
        return False
    _fill_report(report, wr, specs)
    report.reader = "columnar-stream"
    if report.ok and wr.wide_path is not None:
        report.wide_path, report.period, report._spill = wr.wide_path, wr.period, spill
        report.observations = _parquet_observations(wr.wide_path)
        report._long_from_wide = lambda _w: columnar.wide_to_long(
            __import__("pyarrow.parquet", fromlist=["read_table"]).read_table(wr.wide_path), specs)
    else:
        spill.cleanup()
    return True


def _parquet_observations(path: Path) -> int:
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    total = 0
    for g in range(meta.num_row_groups):
        rg = meta.row_group(g)
        for c in range(2, rg.num_columns):
            col = rg.column(c)
            total += rg.num_rows - (col.statistics.null_count if col.statistics is not None else 0)
    return total


def _read_columnar(path: Path, prof: Profile, arrow: Any, known_sites: set[str] | None, specs: dict[str, Any],
                   wide_params: list[tuple[str, str, float]], report: ImportReport, gaps: bool = True) -> bool:
    """Read a wide file with the columnar reader into `report`; False when the row reader must read it."""
    from envgov.ingest import columnar

    name = path.name.lower()
    try:
        if arrow is None:
            if name.endswith(".parquet"):
                arrow = columnar.read_parquet_arrow(path)
            else:
                labels = [prof.columns["site"]] + ([prof.columns["time"]] if prof.time_format != "parts" else [])
                arrow = columnar.read_csv_arrow(path, [c for _, c, _ in wide_params], prof.missing, labels)
    except columnar.Fallback:
        report.warn(None, None, "文件的行无法按列式方式准确定位（如引号内换行、各行列数不一），已改用逐行方式读取")
        return False
    table, wr = arrow
    table = table.rename_columns([n.strip() for n in table.column_names])
    columnar.check_wide(table, prof, known_sites, specs, wide_params, wr, gaps=gaps)
    _fill_report(report, wr, specs)
    if report.ok and wr.table is not None:
        wide = wr.table
        report.observations = sum(len(wide[c]) - wide[c].null_count for c in wide.column_names[2:])
        report.wide = wide
        report._long_from_wide = lambda w: columnar.wide_to_long(w, specs)
    return True


def _fill_report(report: ImportReport, wr: Any, specs: dict[str, Any]) -> None:
    """Counts, gaps and the located errors (first rows per group, grouped counts) of a columnar read."""
    from envgov.ingest import columnar

    report.reader = "columnar"
    report.rows_read, report.missing_values = wr.rows_read, wr.missing_values
    report.duplicates_dropped = wr.duplicates_dropped
    if wr.note:
        report.warn(None, None, wr.note)
    if wr.groups:
        lines = {id(g): wr.lines(g.rows) for g in wr.groups}

        def issues(limit: int | None) -> list[Issue]:
            out = []
            for g in wr.groups:
                k = len(g.rows) if limit is None else min(limit, len(g.rows))
                for i, line in zip(g.rows[:k], lines[id(g)][:k]):
                    out.append((int(line), g.order, Issue(report.file, int(line), g.column, g.message(i))))
            return [x[2] for x in sorted(out, key=lambda x: (x[0], x[1]))]

        report.errors = issues(columnar.FIRST_PER_GROUP)[:MAX_LISTED_ISSUES]
        report.error_count = wr.error_count
        report.error_groups = [{"column": g.column, "reason": g.label, "count": g.count} for g in wr.groups]
        report._all_errors = lambda: issues(None)
        return
    if report.rows_read == 0 or (wr.table is None and wr.wide_path is None):
        report.error(None, None, "文件没有数据行")
        return
    report.gaps = wr.gaps


# ---------------------------------------------------------------- cell parsing

class CellError(ValueError):
    """A cell that cannot be used; the message is the Chinese reason."""


def _is_missing(cell: Any, missing: tuple[str, ...]) -> bool:
    if cell is None:
        return True
    if isinstance(cell, float) and math.isnan(cell):
        return True
    return isinstance(cell, str) and cell.strip() in missing


def _number(cell: Any) -> float:
    if isinstance(cell, bool):
        raise CellError(f"「{cell}」不是数值")
    if isinstance(cell, (int, float)):
        return float(cell)
    s = str(cell).strip()
    try:
        v = float(s)
    except ValueError:
        raise CellError(f"「{s}」不是数值") from None
    if math.isinf(v) or math.isnan(v):
        raise CellError(f"「{s}」不是有限数值")
    return v


def _to_local_start(local: datetime, hour: int, conv: str) -> datetime:
    """Local naive datetime of the START of the averaging hour, from a date and an hour label."""
    if conv == "start":
        if not 0 <= hour <= 23:
            raise CellError(f"小时数 {hour} 超出范围：本配置以小时起始时刻标记（0–23 时）")
        return local.replace(hour=hour)
    # hour-ending labels: 01:00 … 24:00 (00:00 is the same instant as 24:00 of the day before)
    if not 0 <= hour <= 24:
        raise CellError(f"小时数 {hour} 超出范围：本配置以小时结束时刻标记（1–24 时）")
    return local.replace(hour=0) + timedelta(hours=hour - 1)


def _parse_iso(cell: Any, profile: Profile, tz: ZoneInfo) -> datetime:
    if isinstance(cell, datetime):
        dt = cell
        if dt.tzinfo is not None:
            dt = dt.astimezone(LOCAL_TZ).replace(tzinfo=None)
        elif tz is not LOCAL_TZ:
            dt = dt.replace(tzinfo=tz).astimezone(LOCAL_TZ).replace(tzinfo=None)
        if dt.minute or dt.second or dt.microsecond:
            raise CellError(f"时间「{cell}」不是整点")
        if not date_window.in_window(dt):
            raise _out_of_window(cell)
        return _in_window(_to_local_start(dt.replace(hour=0), dt.hour, profile.hour_convention), cell)
    s = str(cell).strip()
    m = ISO_RE.match(s)
    if not m:
        raise CellError(f"时间「{s}」不是 ISO 8601 格式（如 2015-01-01T08:00）")
    y, mo, d, h, mi, sec, off = m.groups()
    if not date_window.year_in_window(int(y)):
        raise _out_of_window(s)
    if h is None:
        raise CellError(f"时间「{s}」缺少小时")
    hour, minute, second = int(h), int(mi or 0), int(sec or 0)
    if minute or second:
        raise CellError(f"时间「{s}」不是整点")
    try:
        day = datetime(int(y), int(mo), int(d))
    except ValueError:
        raise CellError(f"日期「{s}」不存在") from None
    if hour == 24 and profile.hour_convention == "start":
        raise CellError(f"时间「{s}」：本配置以小时起始时刻标记（00:00–23:00），不接受 24:00")
    start = _to_local_start(day, hour, profile.hour_convention)
    if off is not None:
        if off == "Z":
            offset = UTC
        else:
            sign = 1 if off[0] == "+" else -1
            digits = off[1:].replace(":", "")
            offset = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        return _in_window(_as_local(start, offset), s)
    if tz is not LOCAL_TZ:
        return _in_window(_as_local(start, tz), s)
    return _in_window(start, s)


def _parse_parts(cells: Mapping[str, Any], profile: Profile, tz: ZoneInfo) -> datetime:
    vals = {}
    for role in ("year", "month", "day", "hour"):
        col = profile.columns[role]
        c = cells.get(col)
        try:
            v = _number(c)
        except CellError:
            raise CellError(f"列「{col}」的「{c}」不是整数") from None
        if v != int(v):
            raise CellError(f"列「{col}」的「{c}」不是整数")
        vals[role] = int(v)
    label = f"{vals['year']}-{vals['month']}-{vals['day']}"
    if not date_window.year_in_window(vals["year"]):
        raise _out_of_window(label)
    try:
        day = datetime(vals["year"], vals["month"], vals["day"])
    except ValueError:
        raise CellError(f"日期 {label} 不存在") from None
    start = _to_local_start(day, vals["hour"], profile.hour_convention)
    if tz is not LOCAL_TZ:
        return _in_window(_as_local(start, tz), label)
    return _in_window(start, label)


def _out_of_window(label: Any) -> CellError:
    return CellError(f"时间「{label}」超出可接受的年份范围（{date_window.window_text()}）")


def _as_local(start: datetime, tz: Any) -> datetime:
    try:
        return start.replace(tzinfo=tz).astimezone(LOCAL_TZ).replace(tzinfo=None)
    except OverflowError:  # an offset that carries the hour past year 9999 or before year 1
        raise CellError(f"时间「{start:%Y-%m-%d %H:%M}」超出可表示的范围") from None


def _in_window(local: datetime, label: Any) -> datetime:
    """The local start of hour, once the plausible window (envgov.rules.dates) accepts it."""
    if not date_window.in_window(local):
        raise _out_of_window(label)
    return local


# ---------------------------------------------------------------- main entry

def read_hourly(
    path: str | Path,
    profile: str | Path | Mapping[str, Any] | Profile | None = None,
    stations: Iterable[str] | None = None,
    progress: Any = None,
    gaps: bool = True,
) -> ImportReport:
    """Read and validate one file. Returns the report; `report.table` is set only when it has no error.

    `gaps=False`: a caller that does not show the data gaps (the CLI's evaluation) skips searching them
    in a columnar read, whole or streamed (`report.gaps` stays empty); nothing else changes.

    A wide CSV or Parquet file larger than `stream_threshold()` is read in batches and its checked wide rows
    written to a temporary Parquet file (`report.wide_path`, removed with the report) instead of held in memory.
    `progress(rows_read, fraction)` is called after each batch."""
    path = Path(path)
    report = ImportReport(file=path.name)
    if not path.exists():
        report.error(None, None, "文件不存在")
        return report
    arrow = None  # (table, WideRead) of the columnar reader, when it has read the file
    try:
        header = _header(path)
        if header is None:  # a workbook: its first sheet read once, into Arrow
            from envgov.ingest.columnar import read_xlsx_arrow

            arrow = read_xlsx_arrow(path)
            header = [h if not h.startswith("_col") else "" for h in arrow[0].column_names]
    except Exception as exc:  # noqa: BLE001 - any unreadable container (corrupt xlsx/parquet, …)
        report.error(None, None, f"无法读取文件：{exc}")
        return report
    if profile is None:
        prof = detect_profile(header)
        if prof is None:
            report.error(1, None, "无法根据表头识别数据格式，请用 --profile 指定导入配置"
                                  f"（表头：{', '.join(header[:12])}）")
            return report
    else:
        try:
            prof = load_profile(profile)
        except ValueError as exc:
            report.error(None, None, str(exc))
            return report
    report.profile = prof.name
    index = {h: i for i, h in enumerate(header)}
    needed = [c for r, c in prof.columns.items() if not (r == "time" and prof.time_format == "parts")]
    if prof.layout == "wide":
        needed += [p["column"] for p in prof.parameters.values()]
    absent = [c for c in needed if c not in index]
    if absent:
        report.error(1, ", ".join(absent), f"表头缺少配置「{prof.name}」要求的列")
        return report

    specs, _ = parameter_registry()
    tz = ZoneInfo(prof.timezone) if prof.timezone != "Asia/Shanghai" else LOCAL_TZ
    known_sites = set(stations) if stations is not None else None
    wide_params: list[tuple[str, str, float]] = []
    for code, p in prof.parameters.items():
        if code not in specs:
            raise ValueError(f"配置 {prof.name}：未知参数代码 {code}")
        unit = normalise_unit(p["unit"])
        if unit not in specs[code].units:
            raise ValueError(f"配置 {prof.name}：参数 {code} 的单位 {p['unit']} 无法换算为 {specs[code].unit}")
        wide_params.append((code, p["column"], specs[code].units[unit]))

    name = path.name.lower()
    if prof.layout == "wide" and arrow is None and not name.endswith((".xlsx", ".xlsm")) and (
            parquet_memory(path) if name.endswith(".parquet") else path.stat().st_size) > stream_threshold():
        if _stream_columnar(path, prof, known_sites, specs, wide_params, report, progress, gaps):
            return report
    if prof.layout == "wide":
        done = _read_columnar(path, prof, arrow, known_sites, specs, wide_params, report, gaps)
        if done:
            return report

    try:
        header, rows = _read_table(path)
    except Exception as exc:  # noqa: BLE001
        report.error(None, None, f"无法读取文件：{exc}")
        return report
    index = {h: i for i, h in enumerate(header)}
    if path.name.lower().endswith((".csv", ".gz", ".txt")):
        from envgov.ingest.fast import try_fast

        fast = try_fast(path, prof, header, known_sites, specs, wide_params)
        if fast is not None:
            report.rows_read, report.missing_values = fast.rows_read, fast.missing_values
            report.observations = len(fast.value)
            report.gaps = find_gaps(fast.site, fast.time, fast.parameter)
            report.table = pa.table(
                {"kind": pa.array(fast.kind, pa.string()), "site": pa.array(fast.site, pa.string()),
                 "time": pa.array(fast.time, pa.timestamp("s")), "parameter": pa.array(fast.parameter, pa.string()),
                 "value": pa.array(fast.value, pa.float64())}, schema=OBS_SCHEMA)
            return report

    seen: dict[tuple[str, datetime, str], tuple[float, int]] = {}
    out_kind: list[str] = []
    out_site: list[str] = []
    out_time: list[datetime] = []
    out_param: list[str] = []
    out_value: list[float] = []
    time_cache: dict[Any, datetime] = {}
    c_site = index[prof.columns["site"]]
    c_time = index.get(prof.columns.get("time", ""), -1)

    def add(row_no: int, column: str, site: str, t: datetime, code: str, raw: Any, factor: float) -> None:
        try:
            v = _number(raw) * factor
        except CellError as exc:
            report.error(row_no, column, str(exc))
            return
        spec = specs[code]
        if v < 0 and spec.min >= 0:
            report.error(row_no, column, f"{spec.name} 为负值 {raw}，浓度不能为负")
            return
        if v < spec.min or (spec.max is not None and v > spec.max):
            report.error(row_no, column, f"{spec.name} 的值 {raw} 超出可能范围（{spec.min:g}–{spec.max:g} {spec.unit}）")
            return
        key = (site, t, code)
        prev = seen.get(key)
        if prev is not None:
            if prev[0] == v:
                report.duplicates_dropped += 1
            else:
                report.error(row_no, column, f"与第 {prev[1]} 行重复（站点 {site}，{t:%Y-%m-%d %H:%M}，{code}）"
                                             f"但数值不同：{prev[0]:g} 与 {v:g}")
            return
        seen[key] = (v, row_no)
        out_kind.append(spec.kind)
        out_site.append(site)
        out_time.append(t)
        out_param.append(code)
        out_value.append(v)

    for row_no, cells in rows:
        report.rows_read += 1
        if len(cells) < len(header):
            cells = list(cells) + [None] * (len(header) - len(cells))
        site_raw = cells[c_site]
        site = "" if site_raw is None else str(site_raw).strip()
        if not site:
            report.error(row_no, prof.columns["site"], "站点编号为空")
            continue
        if known_sites is not None and site not in known_sites:
            report.error(row_no, prof.columns["site"], f"未知站点「{site}」（不在站点名录中）")
            continue
        try:
            if prof.time_format == "parts":
                key = tuple(cells[index[prof.columns[r]]] for r in ("year", "month", "day", "hour"))
                t = time_cache.get(key)
                if t is None:
                    t = _parse_parts({prof.columns[r]: cells[index[prof.columns[r]]]
                                      for r in ("year", "month", "day", "hour")}, prof, tz)
                    time_cache[key] = t
            else:
                raw_t = cells[c_time]
                t = time_cache.get(raw_t) if isinstance(raw_t, str) else None
                if t is None:
                    if _is_missing(raw_t, ("",)):
                        raise CellError("时间为空")
                    t = _parse_iso(raw_t, prof, tz)
                    if isinstance(raw_t, str):
                        time_cache[raw_t] = t
        except CellError as exc:
            report.error(row_no, prof.columns.get("time", "year/month/day/hour"), str(exc))
            continue

        if prof.layout == "wide":
            for code, col, factor in wide_params:
                raw = cells[index[col]]
                if _is_missing(raw, prof.missing):
                    report.missing_values += 1
                    continue
                add(row_no, col, site, t, code, raw, factor)
            continue

        # long layout: parameter, value, unit per row
        pcol, vcol, ucol = prof.columns["parameter"], prof.columns["value"], prof.columns.get("unit")
        code = str(cells[index[pcol]] or "").strip().lower()
        if code not in specs:
            report.error(row_no, pcol, f"未知参数代码「{code}」")
            continue
        spec = specs[code]
        raw = cells[index[vcol]]
        if _is_missing(raw, prof.missing):
            report.missing_values += 1
            continue
        factor = 1.0
        if ucol is not None:
            unit_raw = "" if cells[index[ucol]] is None else str(cells[index[ucol]])
            unit = normalise_unit(unit_raw)
            if unit not in spec.units:
                report.error(row_no, ucol, f"单位「{unit_raw}」不适用于 {spec.name}（应为 {spec.unit}"
                                           + (f"，或 {'、'.join(u for u in spec.units if u != spec.unit)}"
                                              if len(spec.units) > 1 else "") + "）")
                continue
            factor = spec.units[unit]
        add(row_no, vcol, site, t, code, raw, factor)

    if report.rows_read == 0:
        report.error(None, None, "文件没有数据行")
    if not report.ok:
        return report
    report.observations = len(out_value)
    report.gaps = find_gaps(out_site, out_time, out_param)
    table = pa.table(
        {"kind": out_kind, "site": out_site, "time": pa.array(out_time, pa.timestamp("s")),
         "parameter": out_param, "value": pa.array(out_value, pa.float64())},
        schema=OBS_SCHEMA,
    )
    report.table = table
    return report


def find_gaps(sites: Any, times: Any, params: Any) -> list[Gap]:
    """Missing hours between the first and last observation of each (site, parameter)."""
    import numpy as np

    if len(sites) == 0:
        return []
    site = np.asarray(sites, dtype=object)
    param = np.asarray(params, dtype=object)
    t = np.asarray(times, dtype="datetime64[s]").astype("int64")
    order = np.lexsort((t, param, site))
    site, param, t = site[order], param[order], t[order]
    same = (site[1:] == site[:-1]) & (param[1:] == param[:-1])
    step = np.diff(t)
    at = np.nonzero(same & (step > 3600))[0]
    gaps: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for i in at:
        gaps.setdefault((site[i], param[i]), []).append((int(t[i]), int(t[i + 1])))
    out = []
    for (s, p), spans in gaps.items():
        missing = sum((b - a) // 3600 - 1 for a, b in spans)
        ranges = tuple(
            (datetime.fromtimestamp(a + 3600, UTC).strftime("%Y-%m-%dT%H:%M"),
             datetime.fromtimestamp(b - 3600, UTC).strftime("%Y-%m-%dT%H:%M"))
            for a, b in spans[:MAX_GAP_RANGES]
        )
        out.append(Gap(str(s), str(p), int(missing), ranges))
    return out


def ingest_file(
    path: str | Path,
    profile: str | Path | Mapping[str, Any] | Profile | None = None,
    stations: Iterable[str] | None = None,
    lake: Any = None,
    progress: Any = None,
    source: str | None = None,
) -> ImportReport:
    """Read, validate and (when `lake` is given and the file is clean) append to the observation lake.

    All-or-nothing: an error anywhere (in the file, or a conflict with what the lake already holds)
    leaves the lake unchanged. Re-importing the same file appends nothing. `source` is written into the
    lake's commit record (default: the file's path); `report.lake_import_id` names the commit.
    """
    source = str(path) if source is None else source
    report = read_hourly(path, profile=profile, stations=stations, progress=progress)
    if lake is None or not report.ok:
        return report
    if report.wide_path is not None:  # streamed: the lake reads the checked Parquet file itself
        import pyarrow.parquet as pq

        specs, _ = parameter_registry()
        cols = pq.read_schema(report.wide_path).names[2:]
        result = lake.append_wide_parquet(report.wide_path, {c: specs[c].kind for c in cols}, source=source)
    else:
        result = lake.append(report.table, source=source)
    for conflict in result.conflicts[:50]:
        report.error(None, conflict.parameter,
                     f"与数据湖中已有数据冲突：站点 {conflict.site}，{conflict.time:%Y-%m-%d %H:%M}，"
                     f"已有 {conflict.existing:g}，本文件 {conflict.value:g}（未写入任何数据）")
    if result.conflicts and len(result.conflicts) > 50:
        report.error_count += len(result.conflicts) - 50
    if not report.ok:
        report.table = None
        return report
    report.appended = result.appended
    report.already_present = result.already_present
    report.lake_import_id = result.import_id
    return report
