"""The ledger workbook (pure, no database): layout offices expect, round trip, located errors."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from envgov.reports import xlsx

STATUS = {"未开始": "not_started", "推进中": "in_progress", "已完成": "completed"}


def rows(n: int = 5) -> list[xlsx.LedgerRow]:
    return [
        xlsx.LedgerRow(task_id=100 + i, version=1, number=i + 1, code=f"三.(一).{i + 1}", title=f"任务{i + 1}",
                       lead_units=["市场监管局"], cooperating_units=["发展改革委", "生态环境局"] if i == 0 else [],
                       due_date=dt.date(2024, 12, 31) if i % 2 == 0 else None, progress="" if i else "已完成抽检3组",
                       status="推进中")
        for i in range(n)
    ]


def test_layout_title_header_frozen_hidden_locked():
    ws = load_workbook(io.BytesIO(xlsx.build_ledger("通州区2024年任务台账", rows(), status_labels=list(STATUS))))["任务台账"]
    assert ws["A1"].value == "通州区2024年任务台账" and "A1:G1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[3]][:7] == ["序号", "任务", "牵头单位", "配合单位", "完成时限", "进展情况", "状态"]
    assert ws.freeze_panes == "C4"
    assert ws.column_dimensions["H"].hidden and ws.column_dimensions["I"].hidden
    assert ws.column_dimensions["B"].width == 48
    assert ws.protection.sheet
    assert ws["H4"].protection.locked and ws["A4"].protection.locked  # id and 序号 are not for typing
    assert not ws["E4"].protection.locked and not ws["C4"].protection.locked
    assert ws["B4"].value == "三.(一).1 任务1" and ws["D4"].value == "发展改革委、生态环境局"
    assert ws["E4"].value == dt.datetime(2024, 12, 31) and ws["E4"].number_format == "yyyy-mm-dd"
    assert ws["H4"].value == 100 and ws["F4"].value == "已完成抽检3组"


def test_round_trip_returns_what_was_written():
    parsed = xlsx.parse_ledger(xlsx.build_ledger("t", rows()), status_labels=STATUS)
    assert parsed.errors == []
    assert [r.task_id for r in parsed.rows] == [100, 101, 102, 103, 104]
    first = parsed.rows[0]
    assert first.row == 4 and first.version == 1 and first.task_text == "三.(一).1 任务1"
    assert first.cooperating_units == ["发展改革委", "生态环境局"] and first.due_date == dt.date(2024, 12, 31)
    assert first.status == "in_progress" and parsed.rows[1].due_date is None


def _edit(data: bytes, cell: str, value) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    wb["任务台账"][cell] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_bad_date_in_row_7_is_located():
    data = _edit(xlsx.build_ledger("t", rows()), "E7", "2024-13-45")
    parsed = xlsx.parse_ledger(data, status_labels=STATUS)
    assert [str(e) for e in parsed.errors] == ["第7行「完成时限」列：日期“2024-13-45”无法识别（请写成 2024-12-31）"]
    assert 7 not in [r.row for r in parsed.rows]


def test_every_bad_row_is_reported():
    data = xlsx.build_ledger("t", rows())
    data = _edit(data, "E5", "明年")
    data = _edit(data, "G6", "差不多了")
    data = _edit(data, "H8", None)
    errors = [(e.row, e.column) for e in xlsx.parse_ledger(data, status_labels=STATUS).errors]
    assert errors == [(5, "完成时限"), (6, "状态"), (8, "系统编号（勿改）")]


@pytest.mark.parametrize("text, expected", [
    ("2024-06-30", dt.date(2024, 6, 30)),
    ("2024/6/30", dt.date(2024, 6, 30)),
    ("2024.06.30", dt.date(2024, 6, 30)),
    ("2024年6月30日", dt.date(2024, 6, 30)),
    ("20240630", dt.date(2024, 6, 30)),
    ("2024年2月底", dt.date(2024, 2, 29)),  # 2024 is a leap year
    ("2023年2月底", dt.date(2023, 2, 28)),
    ("2024年12月底", dt.date(2024, 12, 31)),
    ("2024年底", dt.date(2024, 12, 31)),
    ("", None),
])
def test_dates_as_offices_type_them(text, expected):
    assert xlsx.parse_date(text) == expected


@pytest.mark.parametrize("text", ["2024-13-45", "2023-02-29", "2024年13月底", "年底前", "6月"])
def test_impossible_dates_are_refused(text):
    with pytest.raises(ValueError):
        xlsx.parse_date(text)


def test_units_split_on_office_separators():
    assert xlsx.split_units("区发改委、区财政局，区住建委;市场监管局\n交通局") == [
        "区发改委", "区财政局", "区住建委", "市场监管局", "交通局"]


def test_not_a_workbook_and_wrong_template():
    assert "无法读取" in str(xlsx.parse_ledger(b"not a zip").errors[0])
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["序号", "任务", "牵头单位"])
    buf = io.BytesIO()
    wb.save(buf)
    assert "找不到表头" in str(xlsx.parse_ledger(buf.getvalue()).errors[0])


def test_duplicate_task_rows_are_refused():
    data = _edit(xlsx.build_ledger("t", rows()), "H6", 100)
    errors = xlsx.parse_ledger(data, status_labels=STATUS).errors
    assert [str(e) for e in errors] == ["第6行「系统编号（勿改）」列：与第4行重复"]
