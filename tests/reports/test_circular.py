"""The 通报 core (no database): GB/T 9704-2012 page settings read back from the .docx, the text naming the
bottom towns, the .xlsx tables, the chart, and the LibreOffice PDF with a CJK font embedded.

Expected figures are the standard's, as ../shared/reference/documents.md quotes them (clauses 5.1, 5.2,
7.2–7.5), written out here — not read from envgov.reports.docx."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile

import pytest
from docx import Document
from docx.shared import Pt
from openpyxl import load_workbook
from PIL import Image

from envgov.reports import circular as c

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def section(bottom_n: int = 2) -> c.RankingSection:
    rows = (
        c.RankRow("宋庄镇", 38, 1, 31, 1.0, 40, -5.0, False),
        c.RankRow("永顺镇", 41, 2, 31, 1.0, 39, 5.1, False),
        c.RankRow("潞城镇", 41, 2, 30, 0.97, None, None, False),  # a tie: both 2nd, the next is 4th
        c.RankRow("台湖镇", 45, 4, 31, 1.0, 50, -10.0, True),
        c.RankRow("张家湾镇", 52, 5, 29, 0.94, 48, 8.3, True),
        c.RankRow("于家务回族乡", None, None, 3, 0.1, None, None, False, "有效数据不足"),
    )
    return c.RankingSection("PM2.5", "微克/立方米", "浓度", rows, bottom_n, rule="town-ranking v1")


def content(**kw) -> c.CircularContent:
    base = {"organ": "北京市通州区生态环境局", "number": c.document_number("通环", 2024, 5),
            "signed_on": dt.date(2024, 4, 5), "title": c.default_title("2024年3月"), "period_label": "2024年3月",
            "sections": [section()]}
    return c.CircularContent(**{**base, **kw})


def emu_mm(value) -> float:
    return value / 36000


def east_asia(run) -> str:
    rpr = run._element.rPr
    return rpr.rFonts.get(f"{W}eastAsia") if rpr is not None and rpr.rFonts is not None else ""


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return c.build_docx(content())


def test_document_number_and_draft_number():
    assert c.document_number("通环", 2024, 5) == "通环〔2024〕5号"  # 7.2.5: 〔〕, no leading zero
    assert c.document_number("通环", 2024, None) == "通环〔2024〕　号"


def test_page_settings_gbt_9704(docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    s = doc.sections[0]
    assert round(emu_mm(s.page_width)) == 210 and round(emu_mm(s.page_height)) == 297  # 5.1 A4
    for margin, want in ((s.top_margin, 37), (s.left_margin, 28), (s.bottom_margin, 35), (s.right_margin, 26)):
        assert abs(emu_mm(margin) - want) <= 1  # 5.2.1, ±1 mm
    type_w = emu_mm(s.page_width - s.left_margin - s.right_margin)
    type_h = emu_mm(s.page_height - s.top_margin - s.bottom_margin)
    assert round(type_w) == 156 and round(type_h) == 225  # 版心 156 × 225 mm
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)  # 3号
    assert normal.element.rPr.rFonts.get(f"{W}eastAsia").startswith("仿宋")


def test_mark_number_separator_title_body_date(docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    paras = [p for p in doc.paragraphs if p.text.strip()]
    mark, number, heading = paras[0], paras[1], paras[2]
    assert mark.text == "北京市通州区生态环境局文件"
    assert all(str(r.font.color.rgb) == "FF0000" for r in mark.runs)  # 7.2.4 red
    assert "小标宋" in east_asia(mark.runs[0])
    assert number.text == "通环〔2024〕5号" and number.alignment == 1  # centred
    border = number._p.pPr.find(f"{W}pBdr/{W}bottom")
    assert border is not None and border.get(f"{W}color") == "FF0000"  # 7.2.7 red separator
    assert heading.text == "关于2024年3月各街道（乡镇）生态环境质量排名情况的通报"
    assert heading.runs[0].font.size == Pt(22) and "小标宋" in east_asia(heading.runs[0])  # 7.3.1 2号小标宋
    assert heading.alignment == 1
    assert paras[3].text.endswith("：") and paras[3].paragraph_format.first_line_indent is None  # 7.3.2
    body = paras[4]
    assert body.runs[0].font.size == Pt(16) and east_asia(body.runs[0]).startswith("仿宋")
    assert body.paragraph_format.first_line_indent == Pt(32)  # two characters
    assert any(p.text == "一、排名情况" and east_asia(p.runs[0]) == "黑体" for p in paras)  # 7.3.3 level 1
    assert any(p.text.startswith("（一）") and east_asia(p.runs[0]).startswith("楷体") for p in paras)
    date = paras[-1]
    assert date.text == "2024年4月5日" and date.alignment == 2  # 7.3.5 right, Arabic numerals
    assert date.paragraph_format.right_indent == Pt(64)  # 右空四字


def test_page_numbers_odd_right_even_left(docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    assert doc.settings.odd_and_even_pages_header_footer
    s = doc.sections[0]
    for footer, align, indent in ((s.footer, 2, "right_indent"), (s.even_page_footer, 0, "left_indent")):
        p = footer.paragraphs[0]
        xml = p._p.xml
        assert "PAGE" in "".join(t.text for t in p._p.iter(f"{W}instrText"))
        assert p.text.startswith("— ") and p.text.endswith(" —")  # a dash each side
        assert p.alignment == align and getattr(p.paragraph_format, indent) == Pt(14)  # one character in
        assert all(r.font.size == Pt(14) and east_asia(r) == "宋体" for r in p.runs)  # 4号 宋体
        assert "fldChar" in xml


def test_bottom_towns_named_ties_and_unranked():
    text = c.bottom_sentence(section())
    assert text == ("PM2.5排名后2位的是：台湖镇（45微克/立方米）、张家湾镇（52微克/立方米）。"
                    "于家务回族乡有效数据不足，未参加排名。")
    doc = Document(io.BytesIO(c.build_docx(content(), charts=False)))
    table = doc.tables[0]
    ranks = [row.cells[0].text for row in table.rows[1:]]
    assert ranks == ["1", "2", "2", "4", "5", "—"]  # sports ranking as handed in; unranked last
    assert [row.cells[6].text for row in table.rows[1:]][3:] == ["排名靠后", "排名靠后", "有效数据不足"]
    full = "\n".join(p.text for p in doc.paragraphs)
    assert "请台湖镇、张家湾镇认真分析排名靠后的原因" in full


def test_simulated_data_said_and_draft_date_blank():
    doc = Document(io.BytesIO(c.build_docx(content(simulated=True, signed_on=None,
                                                   number=c.document_number("通环", 2024, None)), charts=False)))
    text = [p.text for p in doc.paragraphs]
    assert "（本通报所用数据含模拟数据，仅供演示。）" in text
    assert text[-1] == "　　年　月　日"


def test_round_trip_of_content():
    data = content(simulated=True)
    assert c.CircularContent.from_dict(data.as_dict()) == data


def test_xlsx_same_tables():
    wb = load_workbook(io.BytesIO(c.build_xlsx(content(sections=[section(), section(3)]))))
    assert len(wb.sheetnames) == 2 and wb.sheetnames[0] == "表1　2024年3月各街道（乡镇）PM2.5浓度排名"
    ws = wb.worksheets[0]
    assert ws["A1"].value == "表1　2024年3月各街道（乡镇）PM2.5浓度排名"
    assert [cell.value for cell in ws[3]] == ["排名", "街道（乡镇）", "PM2.5（微克/立方米）", "去年同期", "同比变化",
                                              "有效天数", "备注"]
    rows = [[cell.value for cell in row] for row in ws.iter_rows(min_row=4)]
    assert rows[0] == [1, "宋庄镇", 38, 40, -5.0, 31, None]
    assert rows[2][:2] == [2, "潞城镇"] and rows[5] == [None, "于家务回族乡", None, None, None, 3, "有效数据不足"]
    assert "通环〔2024〕5号" in ws["A2"].value


def test_chart_png_or_clear_font_message(monkeypatch):
    png = c.chart_png(section(), "图1　测试")
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.width > 1000
    monkeypatch.setattr(c, "find_cjk_font", lambda: None)
    with pytest.raises(c.FontMissing, match="fonts-noto-cjk"):
        c.chart_png(section(), "图1")


def test_charts_are_pictures_in_the_docx(docx_bytes):
    names = zipfile.ZipFile(io.BytesIO(docx_bytes)).namelist()
    assert any(n.startswith("word/media/") and n.endswith(".png") for n in names)


def test_pdf_without_libreoffice_says_so(monkeypatch):
    monkeypatch.setattr(c, "soffice", lambda: None)
    with pytest.raises(c.PdfUnavailable, match="libreoffice-writer-nogui"):
        c.to_pdf(b"")


needs_soffice = pytest.mark.skipif(c.soffice() is None or not shutil.which("pdftotext"),
                                   reason="LibreOffice and poppler-utils (.ci/run installs them)")


@needs_soffice
def test_libreoffice_pdf_has_chinese_text_and_cjk_font(tmp_path, docx_bytes):
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(c.to_pdf(docx_bytes))
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                            check=True).stdout)
    assert "关于2024年3月各街道（乡镇）生态环境质量排名情况的通报" in text
    assert "北京市通州区生态环境局文件" in text and "通环〔2024〕5号" in text
    for town in ("台湖镇", "张家湾镇", "于家务回族乡"):
        assert town in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    embedded = [line for line in fonts.splitlines()[2:] if line.split()[-5] == "yes"]
    assert any("CJK" in line or "Fandol" in line or "WenQuanYi" in line for line in embedded), fonts
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", pages)
    assert size and abs(float(size[1]) - 595.3) < 2 and abs(float(size[2]) - 841.9) < 2  # A4 in points


def test_pdf_timeout_is_a_message(monkeypatch, tmp_path):
    slow = tmp_path / "soffice"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setattr(c, "soffice", lambda: str(slow))
    with pytest.raises(c.PdfUnavailable, match="1 秒内"):
        c.to_pdf(b"x", timeout=1)
