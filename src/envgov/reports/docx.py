"""Word documents in the layout of GB/T 9704-2012 党政机关公文格式 (effective 2012-07-01), with python-docx.

Plain Python (no Django): callers hand in plain data and get the .docx bytes. The figures below are the
standard's clauses as given in ../shared/reference/documents.md; a renderer without 仿宋/小标宋 substitutes
the CJK font it has (fonts-noto-cjk), the document still names the intended one.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

# GB/T 9704-2012 5.1, 5.2.1: A4; 天头 37 mm, 订口 28 mm, 版心 156 mm × 225 mm
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM, MARGIN_BOTTOM_MM = 37, 28, 26, 35
# 5.2.2 default 3号 (16 pt) 仿宋; 7.3.1 title 2号 (22 pt) 小标宋; 7.3.3 level-1 headings 黑体
BODY_FONT, BODY_PT = "仿宋_GB2312", 16
TITLE_FONT, TITLE_PT = "方正小标宋简体", 22
HEADING_FONT = "黑体"
# 5.2.3: 22 lines of 28 characters in the 225 mm × 156 mm type area → line pitch 225/22 mm
LINE_PITCH_PT = 225 / 22 / 25.4 * 72


def _font(run, name: str, size_pt: float, bold: bool = False) -> None:  # noqa: ANN001
    run.font.name = name
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    normal.paragraph_format.line_spacing = Pt(LINE_PITCH_PT)
    normal.paragraph_format.space_after = Pt(0)
    return doc


def title(doc: Document, text: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), TITLE_FONT, TITLE_PT)
    doc.add_paragraph()


def line(doc: Document, text: str, *, indent: bool = True, align: str = "left", heading: bool = False) -> None:
    """A body paragraph, indented two characters (7.3.3); `align="right"` for the date (7.3.5)."""
    p = doc.add_paragraph()
    if indent and align == "left":
        p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    if align == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(BODY_PT * 4)  # 右空四字
    elif align == "center":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), HEADING_FONT if heading else BODY_FONT, BODY_PT)


def chinese_date(day: dt.date) -> str:
    """成文日期 in Arabic numerals, e.g. 2024年3月5日 (7.3.5)."""
    return f"{day.year}年{day.month}月{day.day}日"


def to_bytes(doc: Document) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@dataclass
class SupervisionSheet:
    """What a printed 督办单 says, in the words of the page it comes from."""

    issuer: str  # 发文机关, e.g. 北京市通州区生态环境局
    number: str  # 督办编号
    title: str
    addressee: str
    source: str
    level: str
    detail: str
    opened_on: dt.date
    due_date: dt.date
    plan: str = ""
    task: str = ""
    reopen_reason: str = ""
    timeline: list[tuple[str, str, str]] = field(default_factory=list)  # (when, what, who and note)
    response: str = ""
    closure: str = ""
    status: str = ""


def supervision_sheet(sheet: SupervisionSheet) -> bytes:
    """A 督办单 for one item: the header block as a two-column table, then the request, the timeline,
    the answer and the 销号, and the issuer with the date."""
    doc = new_document()
    title(doc, f"{sheet.issuer}\n督 办 单")
    rows = [
        ("督办编号", sheet.number), ("督办事项", sheet.title), ("被督办单位", sheet.addressee),
        ("督办来源", sheet.source), ("督办层级", sheet.level), ("所属计划", sheet.plan), ("关联任务", sheet.task),
        ("发起日期", chinese_date(sheet.opened_on)), ("反馈时限", chinese_date(sheet.due_date)),
        ("办理状态", sheet.status),
    ]
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in rows:
        if not value:
            continue
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Mm(36), Mm(120)
        _font(cells[0].paragraphs[0].add_run(label), HEADING_FONT, 14)
        _font(cells[1].paragraphs[0].add_run(value), BODY_FONT, 14)
    doc.add_paragraph()
    line(doc, "一、督办内容", indent=True, heading=True)
    line(doc, sheet.detail or sheet.title)
    if sheet.reopen_reason:
        line(doc, sheet.reopen_reason)
    line(doc, f"请于{chinese_date(sheet.due_date)}前将整改情况反馈至{sheet.issuer}。")
    if sheet.timeline:
        line(doc, "二、办理过程", heading=True)
        for when, what, who in sheet.timeline:
            line(doc, f"{when}　{what}　{who}".strip())
    line(doc, "三、整改反馈", heading=True)
    line(doc, sheet.response or "（尚未反馈）")
    if sheet.closure:
        line(doc, "四、销号意见", heading=True)
        line(doc, sheet.closure)
    doc.add_paragraph()
    line(doc, sheet.issuer, align="right")
    line(doc, chinese_date(sheet.opened_on), align="right")
    return to_bytes(doc)
