"""Profile `cnemc-auto`: the national surface-water automatic-station release (CNEMC 国家地表水水质自动
监测实时数据发布系统), as in /work/shared/data/water (PROVENANCE.md §3).

Layout: CSV (or .csv.gz), one row per published record, header
``年月,省份,流域,断面名称,监测时间,水质类别,水温(℃),pH(无量纲),溶解氧(mg/L),电导率(μS/cm),浊度(NTU),
高锰酸盐指数(mg/L),氨氮(mg/L),总磷(mg/L),总氮(mg/L),叶绿素α(mg/L),藻密度(cells/L),站点情况``.

* ``年月`` YYYY-MM (the month folder of the release); ``监测时间`` "MM-DD HH:MM" local time without a year —
  the year is taken from 年月 (the year before when the record's month is after 年月's month). ``*`` or
  ``--`` instead of a time: a record without a time (kept, time empty; no period then).
* Values: a number; ``--`` missing; ``*`` not measured (both NULL, never 0). Units must be the header's.
* ``水质类别``: the published class Ⅰ…Ⅴ / 劣Ⅴ (U+2160…); ``*`` and ``-`` = not published.
* The release has no section code: a section is identified by province and name, code ``省份/断面名称``
  (section names repeat across provinces).

Records are kept as published: identical repeats of a whole row are dropped and counted; two different
records of one section at one time are both kept (each has its own published class) and reported.

Section table (`SectionTable`): code, name, province, basin, river (the release names no river: empty),
kind, kind_rule, target. **Kind rule** (documented in docs/water.md): a section is a lake/reservoir
(湖库) when any of its records carries a chlorophyll-a or algal-density entry (a value or ``--``, i.e.
the station measures them; ``*`` = not measured), a river otherwise — the national network measures
chlorophyll-a at lake/reservoir stations (water.md §2.7, "9 + X"). The user corrects it with a sections
file (`read_sections`), which wins over the rule.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from envgov.catalogue import gettext_noop
from envgov.ingest.report import ImportReport
from envgov.standards.water.tables import KINDS, LABEL_CLASSES, LAKE, RIVER

PROFILE = "cnemc-auto"
FIXED = ("年月", "省份", "流域", "断面名称", "监测时间", "水质类别")
VALUE_COLUMNS: dict[str, str] = {
    "水温(℃)": "temp", "pH(无量纲)": "ph", "溶解氧(mg/L)": "do", "电导率(μS/cm)": "cond", "浊度(NTU)": "turb",
    "高锰酸盐指数(mg/L)": "codmn", "氨氮(mg/L)": "nh3n", "总磷(mg/L)": "tp", "总氮(mg/L)": "tn",
    "叶绿素α(mg/L)": "chla", "藻密度(cells/L)": "algae",
}
STATUS_COLUMN = "站点情况"
HEADER: tuple[str, ...] = (*FIXED, *VALUE_COLUMNS, STATUS_COLUMN)
MISSING_TOKENS = ("--", "*", "")
NOT_PUBLISHED = ("*", "-", "")
NO_TIME = ("*", "--", "")
LAKE_MARKER_COLUMNS = ("叶绿素α(mg/L)", "藻密度(cells/L)")
# pH is defined on 0–14; other values only must not be negative (no other bound is documented).
PH_RANGE = (0.0, 14.0)
KIND_RULE_LAKE = gettext_noop("发布数据有叶绿素a或藻密度记录，判为湖库")
KIND_RULE_RIVER = gettext_noop("发布数据无叶绿素a、藻密度记录，判为河流")
KIND_RULE_USER = gettext_noop("用户更正")
_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


@dataclass
class Section:
    code: str
    name: str
    province: str
    basin: str
    river: str = ""
    kind: str = RIVER
    kind_rule: str = ""
    target: int | None = None  # target class 1–5 (the release publishes none)


@dataclass
class SectionTable:
    sections: dict[str, Section] = field(default_factory=dict)

    def kinds(self) -> dict[str, str]:
        return {c: s.kind for c, s in self.sections.items()}

    def targets(self) -> dict[str, int | None]:
        return {c: s.target for c, s in self.sections.items()}

    def apply(self, corrections: Mapping[str, Mapping[str, object]]) -> None:
        """User corrections (from `read_sections`): kind/river/target per code; unknown codes are added."""
        for code, fix in corrections.items():
            s = self.sections.get(code)
            if s is None:
                prov, _, name = code.partition("/")
                s = self.sections[code] = Section(code, str(fix.get("name") or name or code), prov if name else "", "")
            if fix.get("kind"):
                s.kind, s.kind_rule = str(fix["kind"]), KIND_RULE_USER
            if fix.get("river"):
                s.river = str(fix["river"])
            if fix.get("target") is not None:
                s.target = int(fix["target"])  # type: ignore[arg-type]

    def to_table(self) -> pa.Table:
        rows = sorted(self.sections.values(), key=lambda s: s.code)
        return pa.table({
            "code": [s.code for s in rows], "name": [s.name for s in rows], "province": [s.province for s in rows],
            "basin": [s.basin for s in rows], "river": [s.river for s in rows], "kind": [s.kind for s in rows],
            "kind_rule": [s.kind_rule for s in rows],
            "target": pa.array([s.target for s in rows], pa.int8()),
        })


@dataclass
class WaterRelease:
    """Checked records: `samples` (site, time, row, file, published, station_status, parameter columns)
    and the section table filled by the kind rule."""

    report: ImportReport
    samples: pa.Table | None = None
    sections: SectionTable = field(default_factory=SectionTable)


# Value columns the fast path lets the CSV reader convert itself (the lake markers stay text: "*" and "--"
# mean different things there).
_TYPED = tuple(c for c in VALUE_COLUMNS if c not in LAKE_MARKER_COLUMNS)


def _read_csv(path: Path, threads: bool, typed: bool) -> tuple[pa.Table, list[tuple[int | None, int, int]]]:
    """The file as a table: every column text, or (typed) the value columns already float64 with -- and *
    as NULL. A typed read raises ArrowInvalid on the first cell that is not a number; the caller then
    reads text and locates every bad cell."""
    with open(path, "rb") as fh:
        head = fh.read(2)
    short_rows: list[tuple[int | None, int, int]] = []

    def wrong_width(row) -> str:  # a row with too few/many fields: located error, row skipped here
        short_rows.append((row.number, row.actual_columns, row.expected_columns))
        return "skip"

    types = {c: pa.string() for c in HEADER}
    if typed:
        types |= {c: pa.float64() for c in _TYPED}
    opts = pacsv.ReadOptions(block_size=1 << 22, use_threads=threads)
    conv = pacsv.ConvertOptions(strings_can_be_null=False, quoted_strings_can_be_null=False, column_types=types,
                                null_values=list(MISSING_TOKENS), auto_dict_encode=False)
    parse = pacsv.ParseOptions(newlines_in_values=False, invalid_row_handler=wrong_width)
    stream = pa.input_stream(str(path), compression="gzip" if head == b"\x1f\x8b" else None)
    return pacsv.read_csv(stream, read_options=opts, convert_options=conv, parse_options=parse), short_rows


def read_release(path: Path | str, display_name: str | None = None) -> WaterRelease:
    """Read and check one release file; all-or-nothing (no samples when there is any error)."""
    path = Path(path)
    name = display_name or path.name
    report = ImportReport(file=name, profile=PROFILE, reader="columnar")
    out = WaterRelease(report)
    try:
        try:
            raw, short_rows = _read_csv(path, threads=True, typed=True)
        except pa.ArrowInvalid:  # some cell is not a number (or not UTF-8): read as text to locate it
            raw, short_rows = _read_csv(path, threads=True, typed=False)
        if short_rows:  # line numbers are known only to a single-threaded read: read again to locate them
            raw, short_rows = _read_csv(path, threads=False, typed=False)
        names = [n.lstrip("\ufeff").strip() for n in raw.column_names]
    except FileNotFoundError:
        report.error(None, None, "文件不存在")
        return out
    except UnicodeDecodeError:
        report.error(1, None, "不是 UTF-8 编码的文本（如为 GBK，请在 Excel 中另存为“CSV UTF-8”）")
        return out
    except (pa.ArrowInvalid, OSError) as exc:
        why = "不是 UTF-8 编码的文本（如为 GBK，请另存为“CSV UTF-8”）" if "UTF8" in str(exc) or "utf8" in str(exc) \
            else _short(exc)
        report.error(None, None, f"无法按 CSV 读取：{why}")
        return out
    if short_rows:  # the other checks wait: line numbers of later rows would shift by the skipped ones
        for number, actual, expected in short_rows:
            report.error(number, None, f"本行有 {actual} 个字段，表头有 {expected} 列")
        report.error_groups = [{"column": None, "reason": gettext_noop("字段数与表头不符"), "count": len(short_rows)}]
        return out
    # header: every expected column, with the expected unit
    raw = raw.rename_columns(names)
    missing = [c for c in HEADER if c not in names]
    if len(missing) == len(HEADER):
        report.error(1, None, f"表头不是国家地表水自动监测发布数据（{PROFILE}）的格式，应为：{','.join(HEADER)}")
        _groups(report)
        return out
    for col in missing:
        stem = col.split("(")[0]
        other = next((n for n in names if n.split("(")[0] == stem), None)
        if other is not None:
            report.error(1, other, f"单位或写法不符：本配置要求「{col}」，文件为「{other}」（不做单位换算）")
        else:
            report.error(1, col, "缺少此列")
    if missing:
        _groups(report)
        return out
    report.rows_read = raw.num_rows
    # identity columns trimmed; value columns are trimmed only on the slow path below (no spaces in releases)
    cells = {c: raw[c] for c in HEADER}
    for c in FIXED:  # trim identity columns only where some cell has surrounding blanks
        if pc.any(pc.match_substring_regex(cells[c], r"^\s|\s$")).as_py():
            cells[c] = pc.utf8_trim_whitespace(cells[c])
    typed = {c for c in _TYPED if pa.types.is_floating(cells[c].type)}
    n = raw.num_rows
    groups: dict[tuple[str, str], int] = {}

    def bad(mask: np.ndarray, column: str, label: str, message) -> None:
        """Errors of one kind: counted in full, the first 100 rows listed (text built only for those)."""
        rows = np.nonzero(mask)[0]
        if rows.size:
            groups[(column, label)] = groups.get((column, label), 0) + int(rows.size)
            listed = rows[:100]
            texts = pc.take(cells[column], pa.array(listed)).to_pylist()
            for i, text in zip(listed.tolist(), texts):
                report.error(i + 2, column, message(text, i))  # file line: header = 1
            report.error_count += int(rows.size) - listed.size

    def np_bool(arr) -> np.ndarray:
        return pc.fill_null(arr, False).to_numpy(zero_copy_only=False)

    ym = cells["年月"]
    ym_ok = np_bool(pc.match_substring_regex(ym, r"^\d{4}-(0[1-9]|1[0-2])$"))
    bad(~ym_ok, "年月", gettext_noop("年月无法识别"), lambda t, i: f"「{t}」不是年月（应为 YYYY-MM）")
    for col in ("省份", "断面名称"):
        bad(np_bool(pc.equal(cells[col], "")), col, gettext_noop("为空"), lambda t, i, c=col: f"{c}为空")
    # values
    values: dict[str, np.ndarray] = {}
    for col, code in VALUE_COLUMNS.items():
        s = cells[col]
        try:  # fast path: the reader converted the column (or every non-missing cell casts to a number)
            if col in typed:
                v = s.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
                finite = np.isfinite(v) | ~np_bool(pc.is_valid(s))
            else:
                miss_a = pc.is_in(s, value_set=pa.array(MISSING_TOKENS))
                v = pc.cast(pc.if_else(miss_a, pa.scalar(None, pa.string()), s), pa.float64())
                v = v.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
                finite = np.isfinite(v) | np_bool(miss_a)
            if not finite.all():  # "nan", "inf" are not measurements
                raise pa.ArrowInvalid("not finite")
        except pa.ArrowInvalid:  # locate the cells that are not numbers
            if col in typed:  # (only "nan"/"inf" get here): the text of the cells is needed
                raw_t, _ = _read_csv(path, threads=True, typed=False)
                s = raw_t[col].combine_chunks()
            s = cells[col] = pc.utf8_trim_whitespace(s)
            miss = np_bool(pc.is_in(s, value_set=pa.array(MISSING_TOKENS)))
            isnum = np_bool(pc.match_substring_regex(s, _NUMBER))
            bad(~miss & ~isnum, col, gettext_noop("不是数值"), lambda t, i: f"「{t}」不是数值（缺测应为 -- 或 *）")
            v = np.full(n, np.nan)
            if isnum.any():
                v[isnum] = pc.cast(pc.filter(s, pa.array(isnum)), pa.float64()).to_numpy()
        bad(v < 0, col, gettext_noop("负值"), lambda t, i: f"负值 {t}：浓度和测量值不能为负")
        if code == "ph":
            bad((v < PH_RANGE[0]) | (v > PH_RANGE[1]), col, gettext_noop("超出可能范围"),
                lambda t, i: f"pH {t} 不在 0–14 之内")
        values[code] = v
    # time
    tm = cells["监测时间"]
    no_time = np_bool(pc.is_in(tm, value_set=pa.array(NO_TIME)))
    tm_ok = np_bool(pc.match_substring_regex(tm, r"^\d{2}-\d{2} \d{2}:\d{2}$"))
    bad(~no_time & ~tm_ok, "监测时间", gettext_noop("时间无法使用"), lambda t, i: f"「{t}」不是时间（应为 MM-DD HH:MM）")
    times = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    use = tm_ok & ym_ok
    if use.any():
        sel = pa.array(use)
        ym_use, rec = pc.filter(ym, sel), pc.filter(tm, sel)
        year = pc.cast(pc.utf8_slice_codeunits(ym_use, 0, 4), pa.int64())
        fmonth = pc.cast(pc.utf8_slice_codeunits(ym_use, 5, 7), pa.int64())
        rmonth = pc.cast(pc.utf8_slice_codeunits(rec, 0, 2), pa.int64())
        year = pc.if_else(pc.greater(rmonth, fmonth), pc.subtract(year, 1), year)
        iso = pc.binary_join_element_wise(pc.cast(year, pa.string()), pc.replace_substring(rec, " ", "T"), "-")
        parsed = pc.strptime(iso, format="%Y-%m-%dT%H:%M", unit="s", error_is_null=True)
        # a lenient parser may roll 04-31 over to 05-01: valid only if month and day are the ones written
        day = pc.cast(pc.utf8_slice_codeunits(rec, 3, 5), pa.int64())
        valid = np_bool(pc.and_(pc.equal(pc.month(parsed), rmonth), pc.equal(pc.day(parsed), day)))
        idx = np.nonzero(use)[0]
        bad_idx = np.zeros(n, dtype=bool)
        bad_idx[idx[~valid]] = True
        bad(bad_idx, "监测时间", gettext_noop("时间无法使用"), lambda t, i: f"「{t}」不是有效的日期时间")
        times[idx[valid]] = pc.filter(parsed, pa.array(valid)).to_numpy(zero_copy_only=False).astype("datetime64[s]")
        outside = int(np.count_nonzero(np_bool(pc.not_equal(rmonth, fmonth))))
        if outside:
            report.warn(None, "监测时间", f"{outside} 条记录不在「年月」所示月份内（按记录自身日期使用）")
    # published class
    cls_txt = cells["水质类别"]
    known = np_bool(pc.is_in(cls_txt, value_set=pa.array([*LABEL_CLASSES, *NOT_PUBLISHED])))
    bad(~known, "水质类别", gettext_noop("水质类别无法识别"),
        lambda t, i: f"「{t}」不是水质类别（应为 Ⅰ、Ⅱ、Ⅲ、Ⅳ、Ⅴ、劣Ⅴ，或 * 表示未评价）")
    if report.error_count:
        report.error_groups = [{"column": c, "reason": r, "count": k} for (c, r), k in groups.items()]
        return out
    # identical repeats of a whole row: keep the first. Only rows sharing section and 监测时间 text can be
    # identical, so the whole-row key is built for those rows alone (values compare as numbers: "5.70" and
    # "5.7" are one value; -- and * both missing).
    site = pc.binary_join_element_wise(cells["省份"], cells["断面名称"], "/")
    narrow = pc.dictionary_encode(pc.binary_join_element_wise(site, tm, "\x1f").combine_chunks()).indices.to_numpy(
        zero_copy_only=False)
    shared = np.bincount(narrow)[narrow] > 1
    keep = np.ones(n, dtype=bool)
    if shared.any():
        cand = np.nonzero(shared)[0]
        cand_a = pa.array(cand)
        parts = [pc.take(cells[c], cand_a) if c not in VALUE_COLUMNS or c in LAKE_MARKER_COLUMNS else
                 pc.fill_null(pc.cast(pa.array(values[VALUE_COLUMNS[c]][cand], pa.float64(), from_pandas=True),
                                      pa.string()), "") for c in HEADER]
        whole = pc.binary_join_element_wise(*parts, "\x1f")
        first = pa.table({"k": whole, "i": cand_a}).group_by("k").aggregate([("i", "min")])["i_min"].to_numpy()
        keep[cand] = False
        keep[first] = True
    report.duplicates_dropped = int(n - keep.sum())
    if report.duplicates_dropped:
        report.warn(None, None, f"{report.duplicates_dropped} 行与前面某行完全相同，已只保留一行")
    labels = pa.array(list(LABEL_CLASSES), pa.string())  # Ⅰ … 劣Ⅴ in class order
    class_codes = pa.array(list(LABEL_CLASSES.values()), pa.int8())
    published = pc.fill_null(pc.take(class_codes, pc.index_in(cls_txt, value_set=labels)), 0)
    keep_a = pa.array(keep)
    kept = int(keep.sum())
    cols: dict[str, object] = {
        "site": pc.filter(site, keep_a),
        "time": pa.array(times[keep], pa.timestamp("s"), from_pandas=True),
        "file": pa.repeat(pa.scalar(name, pa.string()), kept),
        "row": pa.array(np.nonzero(keep)[0] + 2),
        "published": pc.filter(published, keep_a),
        "station_status": pc.filter(cells[STATUS_COLUMN], keep_a),
    }
    for code, v in values.items():
        cols[code] = pa.array(v[keep], pa.float64(), from_pandas=True)
    samples = pa.table(cols)
    present = sum(int(np.count_nonzero(~np.isnan(v[keep]))) for v in values.values())
    report.observations = present
    report.missing_values = kept * len(values) - present
    # records of one section at one time that differ
    timed_rows = keep & ~np.isnat(times)
    repeated = int(np.count_nonzero(np.bincount(narrow[timed_rows]) > 1)) if timed_rows.any() else 0
    if repeated:
        report.warn(None, "监测时间", f"{repeated} 个断面时刻有多条不同记录（均按发布原样保留并各自评价）")
    untimed = samples.num_rows - int(np.count_nonzero(timed_rows))
    if untimed:
        report.warn(None, "监测时间", f"{untimed} 条记录没有监测时间（* 或 --），只参与逐条评价，不参与时段均值")
    out.samples = samples
    out.sections = _sections(cells, site)
    return out


def _sections(cells: Mapping[str, pa.Array], site: pa.Array) -> SectionTable:
    """One row per section; kind by the documented rule (chlorophyll-a / algal-density entries)."""
    table = SectionTable()
    marker = None
    for col in LAKE_MARKER_COLUMNS:
        m = pc.invert(pc.is_in(cells[col], value_set=pa.array(["*", ""])))
        marker = m if marker is None else pc.or_(marker, m)
    t = pa.table({"site": site, "province": cells["省份"], "basin": cells["流域"], "name": cells["断面名称"],
                  "marker": marker})
    g = t.group_by(["site"], use_threads=False).aggregate(
        [("province", "first"), ("basin", "first"), ("name", "first"), ("marker", "any")])
    for code, prov, basin, nm, lake in zip(*(g[c].to_pylist() for c in
                                             ("site", "province_first", "basin_first", "name_first", "marker_any"))):
        table.sections[code] = Section(code, nm, prov, basin, "", LAKE if lake else RIVER,
                                       KIND_RULE_LAKE if lake else KIND_RULE_RIVER)
    return table


def merge(releases: Sequence[WaterRelease]) -> WaterRelease:
    """Several files as one: samples concatenated; a section is a lake if any file's rule says so."""
    report = ImportReport(file="、".join(r.report.file for r in releases), profile=PROFILE, reader="columnar")
    for r in releases:
        report.rows_read += r.report.rows_read
        report.observations += r.report.observations
        report.missing_values += r.report.missing_values
        report.duplicates_dropped += r.report.duplicates_dropped
        report.warnings += r.report.warnings
    out = WaterRelease(report, pa.concat_tables([r.samples for r in releases if r.samples is not None]))
    for r in releases:
        for code, s in r.sections.sections.items():
            have = out.sections.sections.get(code)
            if have is None or (s.kind == LAKE and have.kind != LAKE):
                out.sections.sections[code] = s
    return out


_KIND_WORDS = {"river": RIVER, "lake": LAKE, "reservoir": LAKE, "河流": RIVER, "湖库": LAKE, "湖泊": LAKE,
               "水库": LAKE, "河": RIVER, "湖": LAKE, "库": LAKE}
SECTION_COLUMNS = ("code", "name", "province", "basin", "river", "kind", "kind_rule", "target")


def read_sections(path: Path | str) -> tuple[dict[str, dict[str, object]], ImportReport]:
    """A user's section table (CSV, UTF-8): columns code and at least one of kind, river, target.

    kind: river/lake (河流/湖库, 湖泊, 水库); target: Ⅰ…Ⅴ or 1–5. Located errors; nothing applied on error."""
    path = Path(path)
    report = ImportReport(file=path.name, profile="sections", reader="row")
    import csv

    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        report.error(None, None, "文件不存在")
        return {}, report
    except UnicodeDecodeError:
        report.error(None, None, "不是 UTF-8 编码的文本")
        return {}, report
    rows = list(csv.reader(text.splitlines()))
    if not rows or "code" not in [h.strip() for h in rows[0]]:
        report.error(1, "code", "缺少列 code（断面编码，如 北京市/东店）")
        return {}, report
    header = [h.strip() for h in rows[0]]
    unknown = [h for h in header if h and h not in SECTION_COLUMNS]
    for h in unknown:
        report.error(1, h, f"未知列（可用列：{'、'.join(SECTION_COLUMNS)}）")
    out: dict[str, dict[str, object]] = {}
    seen: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        rec = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
        code = rec.get("code", "")
        if not code:
            report.error(n, "code", "断面编码为空")
            continue
        if code in seen:
            report.error(n, "code", f"断面「{code}」重复（第 {seen[code]} 行已有）")
            continue
        seen[code] = n
        fix: dict[str, object] = {}
        if rec.get("kind"):
            kind = _KIND_WORDS.get(rec["kind"].lower())
            if kind is None:
                report.error(n, "kind", f"「{rec['kind']}」不是水体类型（应为 river/lake 或 河流/湖库）")
                continue
            fix["kind"] = kind
        if rec.get("target"):
            t = rec["target"].upper().replace("III", "Ⅲ")
            target = LABEL_CLASSES.get(rec["target"]) or (int(t) if re.fullmatch(r"[1-5]", t) else None)
            if target is None or target > 5:
                report.error(n, "target", f"「{rec['target']}」不是目标水质类别（应为 Ⅰ～Ⅴ 或 1～5）")
                continue
            fix["target"] = target
        for k in ("river", "name"):
            if rec.get(k):
                fix[k] = rec[k]
        out[code] = fix
    if not report.ok:
        return {}, report
    report.rows_read = len(rows) - 1
    return out, report


def write_sections(table: SectionTable, path: Path | str) -> None:
    """The section table as CSV (the file `read_sections` reads back), kind as river/lake."""
    import csv

    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(SECTION_COLUMNS)
        for s in sorted(table.sections.values(), key=lambda s: s.code):
            w.writerow([s.code, s.name, s.province, s.basin, s.river, s.kind, s.kind_rule,
                        "" if s.target is None else s.target])


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


def _groups(report: ImportReport) -> None:
    counts: dict[tuple[str | None, str], int] = {}
    for e in report.errors:
        counts[(e.column, e.reason)] = counts.get((e.column, e.reason), 0) + 1
    report.error_groups = [{"column": c, "reason": r, "count": k} for (c, r), k in counts.items()]


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200]
