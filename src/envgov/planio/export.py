"""Write an imported plan as an Excel ledger (one sheet of tasks, one of targets) for review."""

from __future__ import annotations

from pathlib import Path

from envgov.planio.importer import ImportedPlan

TASK_HEADERS = [
    "编号",
    "任务名称",
    "任务内容",
    "责任单位",
    "牵头单位",
    "配合单位",
    "涉及街乡镇",
    "完成时限",
    "量化指标",
    "原文位置",
]
TARGET_HEADERS = ["指标", "比较", "数值", "单位", "时段", "原文", "原文位置"]


def write_xlsx(plan: ImportedPlan, path: str | Path) -> None:
    """Write to a temporary file first, then rename: a failed export leaves nothing half-written."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "任务台账"
    ws.append(TASK_HEADERS)
    for t in plan.tasks:
        ws.append(
            [
                t.code,
                t.title,
                t.text,
                "、".join(t.units),
                "、".join(t.lead_units),
                "、".join(t.cooperating_units),
                "、".join(t.towns),
                "、".join(t.deadlines),
                "；".join(q.text for q in t.quantities),
                f"{t.source_span[0]}-{t.source_span[1]}",
            ]
        )
    ws2 = wb.create_sheet("目标指标")
    ws2.append(TARGET_HEADERS)
    for g in plan.targets:
        ws2.append(
            [
                g.indicator,
                g.comparator,
                g.value,
                g.unit,
                g.period,
                g.text,
                f"{g.source_span[0]}-{g.source_span[1]}",
            ]
        )
    ws3 = wb.create_sheet("计划信息")
    for row in (
        ["区", plan.district or ""],
        ["年度", plan.year or ""],
        ["标题", plan.title],
        ["文件", plan.filename],
    ):
        ws3.append(row)
    for w in plan.warnings:
        ws3.append(["提示", w])
    for sheet in (ws, ws2):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    for col, width in zip("ABCDEFGHIJ", (12, 28, 80, 30, 20, 20, 20, 14, 30, 14)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        wb.save(tmp)
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()
