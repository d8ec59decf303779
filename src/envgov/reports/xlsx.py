"""The task ledger as an .xlsx in the layout district offices exchange (序号 / 任务 / 牵头单位 / 配合单位 /
完成时限 / 进展情况 / 状态), and the parser that reads the same template back.

Pure: plain rows in, workbook bytes out; bytes in, rows plus located errors out. No Django here — the
glue (envgov.apps.plans.ledger_xlsx) maps rows to tasks and applies changes through the actions.
Hidden, locked columns carry each task's system id and version, so a re-import finds its task even if
rows were re-sorted, and an edit made in the platform after the export is detected, not overwritten.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from envgov.catalogue import gettext_noop  # templates travel with the errors; the web layer translates them
from envgov.rules import bounds

# visible columns, in order, with their width in characters
COLUMNS: list[tuple[str, int]] = [
    ("序号", 6), ("任务", 48), ("牵头单位", 18), ("配合单位", 24), ("完成时限", 12), ("进展情况", 60), ("状态", 9),
]
ID_HEADER, VERSION_HEADER = "系统编号（勿改）", "版本（勿改）"
HEADERS = [name for name, _ in COLUMNS] + [ID_HEADER, VERSION_HEADER]
HEADER_ROW = 3  # row 1 title, row 2 note, row 3 headers, data from row 4
SHEET_TITLE = "任务台账"
UNIT_SEPARATORS = re.compile(r"[、，,;；/\n]+")
MAX_DATA_ROWS = 20000


@dataclass
class LedgerRow:
    """One task as it is written to the sheet."""

    task_id: int
    version: int
    number: int
    code: str
    title: str
    lead_units: Sequence[str]
    cooperating_units: Sequence[str]
    due_date: dt.date | None
    progress: str
    status: str  # the label shown, e.g. 推进中


@dataclass(frozen=True)
class CellError:
    """A located problem in the uploaded sheet; str() is the message shown to the user.

    `template` % `values` is `reason`; both are kept so that a caller can translate the template.
    """

    row: int
    column: str
    reason: str
    template: str = ""
    values: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"第{self.row}行「{self.column}」列：{self.reason}"


def _error(at_row: int, column: str, template: str, **values: object) -> CellError:
    texts = {k: str(v) for k, v in values.items()}
    return CellError(at_row, column, template % texts if texts else template, template, tuple(sorted(texts.items())))


@dataclass
class ParsedRow:
    row: int  # the Excel row number, as the user sees it
    task_id: int
    version: int | None
    task_text: str
    lead_units: list[str]
    cooperating_units: list[str]
    due_date: dt.date | None
    progress: str
    status: str | None  # status code, translated from the label through `status_labels`


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)


# ---------------------------------------------------------------- writing

THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


PARTY_SHEET_TITLE = "各责任方进展"
PARTY_HEADERS = ("编号", "任务", "责任方", "类型", "状态", "销号日期", "工作量完成情况")


@dataclass(frozen=True)
class PartyRow:
    """One responsible party's line of a task, for the read-only second sheet."""

    code: str
    title: str
    party: str
    kind: str  # 单位 / 街乡镇
    status: str
    completed_on: dt.date | None
    quantities: str  # e.g. 淘汰车辆：45/100辆


def _party_sheet(wb: Workbook, rows: Sequence[PartyRow]) -> None:
    ws = wb.create_sheet(PARTY_SHEET_TITLE)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for col, (name, width) in enumerate(zip(PARTY_HEADERS, (12, 40, 18, 8, 10, 12, 50)), start=1):
        cell = ws.cell(row=1, column=col, value=name)
        cell.font = Font(name="宋体", bold=True)
        cell.fill = header_fill
        cell.border = BOX
        ws.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(vertical="top", wrap_text=True)
    for i, row in enumerate(rows, start=2):
        values = (row.code, row.title, row.party, row.kind, row.status, row.completed_on, row.quantities)
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=i, column=col, value=value)
            cell.alignment, cell.border, cell.font = wrap, BOX, Font(name="宋体", size=10)
        ws.cell(row=i, column=6).number_format = "yyyy-mm-dd"
    ws.freeze_panes = "C2"
    if rows:
        ws.auto_filter.ref = f"A1:G{len(rows) + 1}"
    ws.protection.sheet = True  # figures come from the platform; this sheet is not imported


def build_ledger(title: str, rows: Sequence[LedgerRow], *, note: str = "",
                 status_labels: Sequence[str] = (), party_rows: Sequence[PartyRow] = ()) -> bytes:
    """The workbook bytes: title row, note row, header, one row per task; panes frozen under the header
    and right of 任务; technical columns hidden and locked (the sheet is protected without a password so
    that only the editable cells take input — formatting, sorting and filtering stay allowed)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    last_visible = get_column_letter(len(COLUMNS))
    ws.merge_cells(f"A1:{last_visible}1")
    ws["A1"] = title
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.merge_cells(f"A2:{last_visible}2")
    ws["A2"] = note
    ws["A2"].font = Font(name="宋体", size=10, color="666666")
    ws["A2"].alignment = Alignment(horizontal="right")

    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for col, name in enumerate(HEADERS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=name)
        cell.font = Font(name="宋体", bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = header_fill
        cell.border = BOX
    for col, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for col in (len(COLUMNS) + 1, len(COLUMNS) + 2):
        ws.column_dimensions[get_column_letter(col)].hidden = True
        ws.column_dimensions[get_column_letter(col)].width = 10

    editable = {"牵头单位", "配合单位", "完成时限", "进展情况", "状态", "任务"}
    wrap = Alignment(vertical="top", wrap_text=True)
    for i, row in enumerate(rows):
        r = HEADER_ROW + 1 + i
        values = [
            row.number, f"{row.code} {row.title}".strip(), "、".join(row.lead_units),
            "、".join(row.cooperating_units), row.due_date, row.progress, row.status, row.task_id, row.version,
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.alignment = wrap
            cell.border = BOX
            cell.font = Font(name="宋体", size=10)
            cell.protection = Protection(locked=HEADERS[col - 1] not in editable)
        ws.cell(row=r, column=5).number_format = "yyyy-mm-dd"
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=3)
    if rows:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last_visible}{HEADER_ROW + len(rows)}"
    if status_labels:
        dv = DataValidation(type="list", formula1='"' + ",".join(status_labels) + '"', allow_blank=False,
                            showErrorMessage=True, errorTitle="状态", error="请从列表中选择状态")
        ws.add_data_validation(dv)
        if rows:
            dv.add(f"G{HEADER_ROW + 1}:G{HEADER_ROW + len(rows)}")
    ws.protection.sheet = True
    for allowed in ("formatCells", "formatColumns", "formatRows", "sort", "autoFilter"):
        setattr(ws.protection, allowed, False)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    if party_rows:
        _party_sheet(wb, party_rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build_table(title: str, columns: Sequence[tuple[str, int]], rows: Iterable[Sequence[object]], *,
                note: str = "") -> bytes:
    """A plain read-only table in the same house style as the ledger: title row, note row, header, one row
    per record; panes frozen under the header, filters on, wrapped text. `columns` are (header, width)."""
    return build_tables([(title, columns, rows, note)])


def build_tables(sheets: Sequence[tuple[str, Sequence[tuple[str, int]], Iterable[Sequence[object]], str]]) -> bytes:
    """Several `build_table` sheets in one workbook: (title, columns, rows, note) each, in order."""
    wb = Workbook()
    for i, (title, columns, rows, note) in enumerate(sheets):
        _table_sheet(wb.active if i == 0 else wb.create_sheet(), title, columns, rows, note)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _table_sheet(ws, title: str, columns: Sequence[tuple[str, int]], rows: Iterable[Sequence[object]],
                 note: str) -> None:
    ws.title = title[:31]
    last = get_column_letter(len(columns))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = title
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = note
    ws["A2"].font = Font(name="宋体", size=10, color="666666")
    ws["A2"].alignment = Alignment(horizontal="right")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for col, (name, width) in enumerate(columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=name)
        cell.font = Font(name="宋体", bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = header_fill
        cell.border = BOX
        ws.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(vertical="top", wrap_text=True)
    r = HEADER_ROW
    for r, values in enumerate(rows, start=HEADER_ROW + 1):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.alignment = wrap
            cell.border = BOX
            cell.font = Font(name="宋体", size=10)
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    if r > HEADER_ROW:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{r}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1


# ---------------------------------------------------------------- reading

DATE_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
MONTH_END = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:底|末)?$")
YEAR_END = re.compile(r"^(\d{4})\s*年\s*(?:底|末|年底|年末)$")


def parse_date(value: object) -> dt.date | None:
    """A deadline cell: an Excel date, or text as offices type it (2024-12-31, 2024/12/31, 2024年12月31日,
    2024年12月底 → last day of that month, 2024年底 → 31 Dec). Blank → None. Unreadable → ValueError."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for pattern in DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))  # ValueError for 2024-13-45
    m = MONTH_END.match(text)
    if m:
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(text)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    m = YEAR_END.match(text)
    if m:
        return dt.date(int(m[1]), 12, 31)
    raise ValueError(text)


def split_units(value: object) -> list[str]:
    if value is None:
        return []
    return [name.strip() for name in UNIT_SEPARATORS.split(str(value)) if name.strip()]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _int(value: object) -> int | None:
    text = _text(value)
    try:
        return int(text) if text.isdigit() else None
    except ValueError:  # digits int() does not read: ² ③
        return None


def _bound_error(at_row: int, column: str, exc: bounds.OutOfBounds) -> CellError:
    return _error(at_row, column, exc.problem.template, **dict(exc.problem.values))


def parse_ledger(data: bytes, *, status_labels: Mapping[str, str] | None = None) -> ParseResult:
    """Rows of an uploaded ledger with every problem located (row, column, reason); the caller refuses
    the whole file if there is any error. `status_labels` maps the shown label (推进中) to the code."""
    result = ParseResult()
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload is the user's file problem, reported as such
        result.errors.append(_error(1, "文件", gettext_noop("无法读取，请上传由本平台导出的 .xlsx 台账文件")))
        return result
    ws = wb[SHEET_TITLE] if SHEET_TITLE in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header_at, columns = None, {}
    for number, values in enumerate(rows, start=1):
        names = [_text(v) for v in values]
        if "任务" in names and ID_HEADER in names:
            header_at, columns = number, {name: i for i, name in enumerate(names) if name}
            break
        if number >= 10:
            break
    if header_at is None:
        result.errors.append(_error(HEADER_ROW, "表头", gettext_noop("找不到表头（需含“任务”和“%(id_header)s”列），请使用本平台导出的模板"),
                                         id_header=ID_HEADER))
        wb.close()
        return result
    missing = [name for name in HEADERS if name != "序号" and name not in columns]
    for name in missing:
        result.errors.append(_error(header_at, name, gettext_noop("模板缺少此列")))
    if missing:
        wb.close()
        return result

    def cell(values: tuple, name: str) -> object:
        i = columns[name]
        return values[i] if i < len(values) else None

    seen: dict[int, int] = {}
    for number, values in enumerate(rows, start=header_at + 1):
        if number > header_at + MAX_DATA_ROWS:
            result.errors.append(_error(number, "文件", gettext_noop("数据行超过 %(n)s 行"), n=MAX_DATA_ROWS))
            break
        if not any(_text(v) for v in values):
            continue
        errors: list[CellError] = []
        task_id = _int(cell(values, ID_HEADER))
        version = _int(cell(values, VERSION_HEADER))
        if task_id is None:
            errors.append(_error(number, ID_HEADER, gettext_noop("缺少系统编号，无法对应到任务（请勿新增行或清空此列）")))
        elif not bounds.in_id_range(task_id):
            errors.append(_error(number, ID_HEADER, gettext_noop("系统编号 %(id)s 超出范围（请勿修改此列）"), id=task_id))
        elif task_id in seen:
            errors.append(_error(number, ID_HEADER, gettext_noop("与第%(row)s行重复"), row=seen[task_id]))
        else:
            seen[task_id] = number
        raw_due = cell(values, "完成时限")
        try:
            due = parse_date(raw_due)
        except ValueError:
            due = None
            errors.append(_error(number, "完成时限", gettext_noop("日期“%(value)s”无法识别（请写成 2024-12-31）"),
                                  value=_text(raw_due)))
        if due is not None:
            try:
                bounds.date(due, "完成时限")
            except bounds.OutOfBounds as exc:
                errors.append(_bound_error(number, "完成时限", exc))
        if version is not None:
            try:
                bounds.integer(version, VERSION_HEADER, maximum=bounds.VERSION_MAX)
            except bounds.OutOfBounds as exc:
                errors.append(_bound_error(number, VERSION_HEADER, exc))
        status_text, status = _text(cell(values, "状态")), None
        if status_labels is not None:
            if status_text in status_labels:
                status = status_labels[status_text]
            elif status_text in status_labels.values():
                status = status_text
            else:
                choices = "、".join(status_labels)
                errors.append(_error(number, "状态", gettext_noop("“%(value)s”不是有效状态（可选：%(choices)s）"),
                                         value=status_text, choices=choices))
        else:
            status = status_text or None
        if errors:
            result.errors.extend(errors)
            continue
        result.rows.append(ParsedRow(
            row=number, task_id=task_id, version=version,
            task_text=_text(cell(values, "任务")),
            lead_units=split_units(cell(values, "牵头单位")),
            cooperating_units=split_units(cell(values, "配合单位")),
            due_date=due, progress=_text(cell(values, "进展情况")), status=status,
        ))
    wb.close()
    return result
