"""Small record tables (CSV / CSV.GZ / XLSX) read by named columns, with located, translatable errors.

For indicator inputs that are a few hundred rows (noise monitoring points, ecological component indices):
the file is read through the hourly reader's `_read_table` (same encodings and sheet handling), headers are
matched to column keys through their English and Chinese names, and every problem becomes a
`envgov.reports.xlsx.CellError` — row as the user sees it (header = row 1), the column as written in the
file, the Chinese reason, and the message template (a `gettext_noop` msgid) with its values so that the web
layer can translate it. Callers build records all-or-nothing: with any error they return none.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from envgov.catalogue import gettext_noop
from envgov.reports.xlsx import CellError

MSG_NO_FILE = gettext_noop("文件不存在")
MSG_UNREADABLE = gettext_noop("无法读取文件（应为 CSV、CSV.GZ 或 XLSX）：%(detail)s")
MSG_EMPTY = gettext_noop("文件没有数据行")
MSG_REFUSED = gettext_noop("导入失败（未使用任何数据）：%(file)s 共 %(count)s 处错误")
MSG_NOTE = gettext_noop("注：%(message)s")
MSG_MISSING_COLUMN = gettext_noop("缺少列「%(name)s」（可写作：%(names)s）")
MSG_DUPLICATE_COLUMN = gettext_noop("列「%(name)s」与列「%(other)s」是同一项")
MSG_UNKNOWN_COLUMN = gettext_noop("未知列，已忽略（可用列：%(names)s）")
MSG_EMPTY_CELL = gettext_noop("为空")
MSG_NOT_NUMBER = gettext_noop("「%(value)s」不是数值")
MSG_NEGATIVE = gettext_noop("负值 %(value)s：%(what)s不能为负")
MSG_NOT_TIME = gettext_noop("「%(value)s」不是日期或时间（应为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM）")
MSG_NOT_YEAR = gettext_noop("「%(value)s」不是年份（应为 4 位数字，如 2023）")

HEADER_COLUMN = "表头"
FILE_COLUMN = "文件"
_DATETIME = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


@dataclass(frozen=True)
class Column:
    key: str
    names: tuple[str, ...]  # accepted headers (matched case-insensitively, spaces ignored); first is canonical
    required: bool = True


class CellProblem(ValueError):
    """A cell that cannot be used: a message template (msgid) and its values."""

    def __init__(self, template: str, **values: object) -> None:
        self.template = template
        self.values = {k: str(v) for k, v in values.items()}
        super().__init__(template % self.values if self.values else template)


def cell_error(row: int, column: str, template: str, **values: object) -> CellError:
    texts = {k: str(v) for k, v in values.items()}
    return CellError(row, column, template % texts if texts else template, template, tuple(sorted(texts.items())))


@dataclass
class Rows:
    """Rows of a file keyed by column key (missing optional columns absent); `headers` maps key → header."""

    file: str
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    warnings: list[CellError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int, key_or_column: str, template: str, **values: object) -> None:
        self.errors.append(cell_error(row, self.headers.get(key_or_column, key_or_column), template, **values))

    def summary(self) -> list[str]:
        """The refusal line and every error (for a command line), or the warnings when the file is good."""
        if self.errors:
            return [MSG_REFUSED % {"file": self.file, "count": len(self.errors)}, *(f"  - {m}" for m in self.messages())]
        return [MSG_NOTE % {"message": located(self.file, w)} for w in self.warnings]

    def messages(self) -> list[str]:
        """Every error as one Chinese line: file, row, column, reason."""
        return [located(self.file, e) for e in self.errors]


def located(file: str, e: CellError) -> str:
    where = [file]
    if e.row:
        where.append(f"第 {e.row} 行")
    if e.column and e.column != FILE_COLUMN:
        where.append(f"列「{e.column}」")
    return "，".join(where) + f"：{e.reason}"


def _norm(name: str) -> str:
    return re.sub(r"\s+", "", str(name)).lower()


def read_rows(path: Path | str, columns: Iterable[Column]) -> Rows:
    """Header-checked rows of a CSV/XLSX file. Blank rows are skipped; cells keep their raw value
    (text stripped; XLSX numbers and dates as openpyxl gives them)."""
    path = Path(path)
    cols = tuple(columns)
    out = Rows(file=path.name)
    if not path.exists():
        out.errors.append(cell_error(0, FILE_COLUMN, MSG_NO_FILE))
        return out
    from envgov.ingest.hourly import _read_table

    try:
        header, rows = _read_table(path)
        body = list(rows)
    except Exception as exc:  # noqa: BLE001 - any unreadable container (corrupt xlsx, binary …)
        out.errors.append(cell_error(0, FILE_COLUMN, MSG_UNREADABLE, detail=type(exc).__name__))
        return out
    lookup = {_norm(n): c for c in cols for n in (c.key, *c.names)}
    index: dict[str, int] = {}
    all_names = "、".join(c.names[0] for c in cols)
    for i, h in enumerate(header):
        if not h:
            continue
        c = lookup.get(_norm(h))
        if c is None:
            out.warnings.append(cell_error(1, h, MSG_UNKNOWN_COLUMN, names=all_names))
            continue
        if c.key in index:
            out.errors.append(cell_error(1, h, MSG_DUPLICATE_COLUMN, name=h, other=header[index[c.key]]))
            continue
        index[c.key] = i
        out.headers[c.key] = h
    for c in cols:
        if c.required and c.key not in index:
            out.errors.append(cell_error(1, HEADER_COLUMN, MSG_MISSING_COLUMN, name=c.names[0],
                                         names="、".join(dict.fromkeys((c.key, *c.names)))))
    if out.errors:
        return out
    for n, cells in body:
        rec: dict[str, Any] = {}
        for key, i in index.items():
            v = cells[i] if i < len(cells) else None
            rec[key] = v.strip() if isinstance(v, str) else v
        if all(v is None or v == "" for v in rec.values()):
            continue
        out.rows.append((n, rec))
    if not out.rows:
        out.errors.append(cell_error(0, FILE_COLUMN, MSG_EMPTY))
    return out


def is_empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and cell.strip() == "") or (isinstance(cell, float) and math.isnan(cell))


def number(cell: Any, what: str = "", negative_ok: bool = False) -> float:
    """A finite number; CellProblem otherwise (negative values too, unless `negative_ok`)."""
    if isinstance(cell, bool):
        raise CellProblem(MSG_NOT_NUMBER, value=cell)
    if isinstance(cell, (int, float)):
        v = float(cell)
    else:
        s = str(cell).strip()
        try:
            v = float(s)
        except ValueError:
            raise CellProblem(MSG_NOT_NUMBER, value=s) from None
    if not math.isfinite(v):
        raise CellProblem(MSG_NOT_NUMBER, value=cell)
    if v < 0 and not negative_ok:
        raise CellProblem(MSG_NEGATIVE, value=cell, what=what)
    return v


def local_time(cell: Any) -> tuple[datetime, bool]:
    """A local date or date-time; the flag says whether a clock time was given."""
    if isinstance(cell, datetime):
        return cell.replace(tzinfo=None), True
    if isinstance(cell, date):
        return datetime(cell.year, cell.month, cell.day), False
    s = str(cell).strip()
    m = _DATETIME.match(s)
    if m is None:
        raise CellProblem(MSG_NOT_TIME, value=s)
    y, mo, d, hh, mm, ss = m.groups()
    try:
        t = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        raise CellProblem(MSG_NOT_TIME, value=s) from None
    return t, hh is not None


def year(cell: Any) -> int:
    if isinstance(cell, bool):
        raise CellProblem(MSG_NOT_YEAR, value=cell)
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    s = str(cell).strip()
    if not re.fullmatch(r"\d{4}", s):
        raise CellProblem(MSG_NOT_YEAR, value=s)
    return int(s)


def text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()



def take(rows: Rows, n: int, rec: dict[str, Any], key: str, convert: Any, required: bool = True) -> tuple[Any, bool]:
    """(converted cell, ok) of column `key` in row `n`; an empty required cell or a CellProblem is recorded
    as a located error (ok False). An empty optional cell is (None, True)."""
    raw = rec.get(key)
    if is_empty(raw):
        if required:
            rows.error(n, key, MSG_EMPTY_CELL)
            return None, False
        return None, True
    try:
        return convert(raw), True
    except CellProblem as exc:
        rows.error(n, key, exc.template, **exc.values)
        return None, False
