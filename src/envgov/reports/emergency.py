"""The after-action report (重污染天气应急响应总结报告) of one warning episode as a .docx in the layout of
GB/T 9704-2012 (the page, fonts and sizes of `envgov.reports.docx`, as the 督办单 and the circulars use).

Plain Python (no Django): the caller hands in an `AfterAction` (plain data) and gets the bytes. Every
figure in it is counted by the caller from what was recorded (the episode, its action sheet, the
inspection check-ins); nothing is estimated here. The document text is Chinese (an official document).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Mm

from envgov.reports.docx import BODY_FONT, HEADING_FONT, _font, chinese_date, line, new_document, title, to_bytes


@dataclass
class PhaseLine:
    level: str  # 黄色预警 …
    start: dt.date
    end: dt.date
    change: str  # 启动 / 升级 / 降级

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class GradeLine:
    grade: str  # A级 …
    units: int
    measures: list[str]  # the measures of that grade at the level (texts as on the action sheet)
    unset: int = 0  # units of the grade whose level measures the district has not set


@dataclass
class Finding:
    unit: str
    town: str
    at: str  # local time as written
    inspector: str
    note: str


@dataclass
class AfterAction:
    issuer: str  # 北京市通州区生态环境局
    district: str
    plan: str  # the warning plan's title
    level: str  # the episode's level as started
    start: dt.date
    end: dt.date  # the day the warning was lifted (or the planned end)
    started_by: str
    ended_by: str
    end_note: str
    phases: list[PhaseLine]
    reasons: list[str]
    listed: int  # units on the action sheet
    grades: list[GradeLine]
    inspected_units: int
    checkins: int
    complied: int
    not_complied: int
    findings: list[Finding] = field(default_factory=list)  # the check-ins that found a measure not complied with
    written_on: dt.date | None = None
    simulated: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _table(doc, header: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[int, ...]) -> None:  # noqa: ANN001
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text, w in zip(table.rows[0].cells, header, widths):
        cell.width = Mm(w)
        _font(cell.paragraphs[0].add_run(text), HEADING_FONT, 12)
    for row in rows:
        cells = table.add_row().cells
        for cell, text, w in zip(cells, row, widths):
            cell.width = Mm(w)
            _font(cell.paragraphs[0].add_run(text), BODY_FONT, 12)


def after_action_report(r: AfterAction) -> bytes:
    doc = new_document()
    span = f"{chinese_date(r.start)}至{chinese_date(r.end)}" if r.end != r.start else chinese_date(r.start)
    title(doc, f"关于{span}重污染天气应急响应的总结报告")
    if r.simulated:
        line(doc, "（模拟数据，仅供演示）", align="center")
    line(doc, "一、预警发布与解除情况", heading=True)
    line(doc, f"依据《{r.plan}》，{r.district}于{chinese_date(r.start)}启动{r.level}（{r.started_by}），"
              f"于{chinese_date(r.end)}解除（{r.ended_by}），预警共持续 {r.days} 天。")
    if r.reasons:
        line(doc, "启动条件：" + "；".join(r.reasons) + "。")
    if r.phases:
        _table(doc, ("预警级别", "起始日期", "结束日期", "天数", "变化"),
               [(p.level, p.start.isoformat(), p.end.isoformat(), str(p.days), p.change) for p in r.phases],
               (36, 34, 34, 20, 32))
    if r.end_note:
        line(doc, f"解除说明：{r.end_note}")
    line(doc, "二、应急减排措施落实情况", heading=True)
    line(doc, f"本次预警任务单列入应急减排清单内企业和工地 {r.listed} 家，按绩效分级落实以下措施：")
    for g in r.grades:
        text = f"{g.grade} {g.units} 家：" + "；".join(g.measures) + "。"
        if g.unset:
            text += f"其中 {g.unset} 家的本级别具体措施尚未设定（任务单标注“未设置”）。"
        line(doc, text)
    line(doc, "三、现场巡查情况", heading=True)
    line(doc, f"预警期间共巡查打卡 {r.checkins} 次，覆盖企业和工地 {r.inspected_units} 家"
              f"（占任务单 {r.listed} 家）；措施落实 {r.complied} 次，未落实 {r.not_complied} 次。")
    if r.findings:
        line(doc, "四、发现的问题", heading=True)
        _table(doc, ("企业/工地", "街乡镇", "巡查时间", "巡查人", "情况"),
               [(f.unit, f.town, f.at, f.inspector, f.note or "措施未落实") for f in r.findings],
               (40, 26, 32, 22, 36))
    doc.add_paragraph()
    line(doc, r.issuer, align="right")
    line(doc, chinese_date(r.written_on or r.end), align="right")
    return to_bytes(doc)
