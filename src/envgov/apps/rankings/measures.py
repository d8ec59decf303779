"""Reading a file of monthly town measures (降尘量, TSP, 道路尘负荷): .xlsx or .csv, one row per town and
month, a column per indicator (blank = not given). Every problem is located (row, column, reason);
the caller writes nothing if there is any. The file is read with the observation importer's reader
(envgov.ingest.hourly), so CSV encodings and Excel cells are handled the same way everywhere."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from envgov.catalogue import gettext_noop
from envgov.ingest.hourly import _read_table as read_table  # the project's CSV/XLSX reader (header, rows)
from envgov.reports.xlsx import CellError
from envgov.rules import bounds
from envgov.rules.dates import year_in_window

# the value column holds 12 digits, 4 after the point (TownMeasure.value)
MEASURE = bounds.DecimalColumn(max_digits=12, decimal_places=4)
TOWN_HEADER, MONTH_HEADER, SOURCE_HEADER = "街乡镇", "月份", "数据来源"
# indicator → the header it is read from (a unit in brackets after it is allowed: 降尘量（t/km²·月）)
INDICATOR_HEADERS = {"dustfall": "降尘量", "tsp": "TSP", "road_dust": "道路尘负荷"}
TEMPLATE_HEADER = (TOWN_HEADER, MONTH_HEADER, "降尘量（t/(km²·月)）", "TSP（µg/m³）", "道路尘负荷（g/m²）", SOURCE_HEADER)
MAX_ROWS = 20000
_MONTH = (re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})(?:\s*[-/.]\s*1|\s*[-/.]\s*01)?$"),
          re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月?$"), re.compile(r"^(\d{4})(\d{2})$"))


@dataclass(frozen=True)
class MeasureRow:
    row: int
    town_id: int
    indicator: str
    month: dt.date
    value: Decimal
    digits: int
    source: str


@dataclass
class Parsed:
    rows: list[MeasureRow] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)


def error(at_row: int, column: str, template: str, **values: object) -> CellError:
    texts = {k: str(v) for k, v in values.items()}
    return CellError(at_row, column, template % texts if texts else template, template, tuple(sorted(texts.items())))


def template_csv() -> bytes:
    """The import template (UTF-8 with BOM so that Excel opens it as UTF-8)."""
    return ("\ufeff" + ",".join(TEMPLATE_HEADER) + "\r\n").encode("utf-8")


def parse_month(value: object) -> dt.date | None:
    """2024-03, 2024/3, 2024年3月, 202403, or an Excel date (its month). Blank → None; else ValueError."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value).strip()
    if not text:
        return None
    for pattern in _MONTH:
        m = pattern.match(text)
        if m:
            year, month = int(m[1]), int(m[2])
            if not 1 <= month <= 12 or not year_in_window(year):
                raise ValueError(text)
            return dt.date(year, month, 1)
    raise ValueError(text)


def parse_value(value: object, label: str) -> tuple[Decimal, int]:
    """The number as entered and its decimals (kept: reported values keep as many). OutOfBounds if refused."""
    number = bounds.figure(value, label, column=MEASURE)
    exponent = number.as_tuple().exponent
    return number, max(0, -int(exponent)) if isinstance(exponent, int) else 0


def _column(header: list[str], name: str) -> int | None:
    for i, h in enumerate(header):
        h = (h or "").strip().lstrip("\ufeff")
        if h == name or (h.startswith(name) and h[len(name):len(name) + 1] in ("(", "（", " ")):
            return i
    return None


def parse_file(path: Path, towns: dict[str, int], today: dt.date) -> Parsed:
    """Rows of the file with every problem located. `towns`: name, official name or 12-digit code → id."""
    out = Parsed()
    try:
        header, rows = read_table(path)
    except Exception:  # noqa: BLE001 - any unreadable upload is the user's file problem
        out.errors.append(error(1, "文件", gettext_noop("无法读取文件，请上传 .xlsx 或 .csv（UTF-8 或 GBK 编码）")))
        return out
    at = {TOWN_HEADER: _column(header, TOWN_HEADER), MONTH_HEADER: _column(header, MONTH_HEADER)}
    for name in (TOWN_HEADER, MONTH_HEADER):
        if at[name] is None:
            out.errors.append(error(1, name, gettext_noop("缺少此列（表头应为：%(header)s）"),
                                    header="、".join(TEMPLATE_HEADER)))
    indicators = {code: _column(header, label) for code, label in INDICATOR_HEADERS.items()}
    indicators = {k: v for k, v in indicators.items() if v is not None}
    if not indicators:
        out.errors.append(error(1, "表头", gettext_noop("没有指标列（降尘量、TSP、道路尘负荷至少一列）")))
    if out.errors:
        return out
    source_at = _column(header, SOURCE_HEADER)
    seen: dict[tuple[int, str, dt.date], int] = {}

    def cell(values: list, i: int | None) -> object:
        return values[i] if i is not None and i < len(values) else None

    for number, values in rows:
        if number > MAX_ROWS + 1:
            out.errors.append(error(number, "文件", gettext_noop("数据行超过 %(n)s 行"), n=MAX_ROWS))
            break
        raw_town = cell(values, at[TOWN_HEADER])
        town_text = "" if raw_town is None else str(raw_town).strip()
        if isinstance(raw_town, float) and raw_town.is_integer():
            town_text = str(int(raw_town))
        if not town_text and not any(str(v).strip() for v in values if v is not None):
            continue
        town_id = towns.get(town_text)
        if town_id is None:
            out.errors.append(error(number, TOWN_HEADER, gettext_noop("“%(value)s”不是本区的街乡镇") if town_text
                                    else gettext_noop("缺少街乡镇"), value=town_text))
        raw_month = cell(values, at[MONTH_HEADER])
        month = None
        try:
            month = parse_month(raw_month)
            if month is None:
                out.errors.append(error(number, MONTH_HEADER, gettext_noop("缺少月份")))
            elif month > today:
                out.errors.append(error(number, MONTH_HEADER, gettext_noop("%(value)s 尚未开始（今天是 %(today)s）"),
                                        value=f"{month:%Y-%m}", today=today.isoformat()))
                month = None
        except ValueError:
            out.errors.append(error(number, MONTH_HEADER, gettext_noop("月份“%(value)s”无法识别（请写成 2024-03）"),
                                    value=str(raw_month).strip()))
        source = str(cell(values, source_at) or "").strip()[:200]
        for code, i in indicators.items():
            raw = cell(values, i)
            if raw is None or str(raw).strip() == "":
                continue
            column = header[i]
            try:
                value, digits = parse_value(raw, INDICATOR_HEADERS[code])
            except bounds.OutOfBounds as exc:
                out.errors.append(error(number, column, exc.problem.template, **dict(exc.problem.values)))
                continue
            if town_id is None or month is None:
                continue
            key = (town_id, code, month)
            if key in seen:
                out.errors.append(error(number, column, gettext_noop("与第%(row)s行重复（同一街乡镇、月份、指标）"),
                                        row=seen[key]))
                continue
            seen[key] = number
            out.rows.append(MeasureRow(number, town_id, code, month, value, digits, source))
    if not out.rows and not out.errors:
        out.errors.append(error(2, "文件", gettext_noop("文件中没有数据行")))
    return out
