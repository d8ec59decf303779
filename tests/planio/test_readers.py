"""Readers: encodings of .txt, .docx with tables, .pdf text layer, and the refusals (clear Chinese reasons)."""

from __future__ import annotations

import io

import pytest
from planio_pdfgen import ascii_pdf, chinese_pdf

from envgov.planio import PlanImportError
from envgov.planio.readers import read_document

PLAN = "某区2024年生态环境保护工作计划\n一、主要任务\n1.加强扬尘管控。区生态环境局牵头，年底前完成。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_txt_simplified_encodings(encoding: str) -> None:
    assert read_document(PLAN.encode(encoding), "plan.txt") == PLAN


def test_txt_big5_traditional() -> None:
    text = "密云區生態環境保護規劃\n一、主要任務\n1.加強揚塵管控。區生態環境局牽頭，年底前完成。\n" * 3
    assert read_document(text.encode("big5"), "plan.txt") == text


def make_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("某区2024年生态环境保护工作计划")
    d.add_paragraph("一、主要任务")
    d.add_paragraph("1.加强扬尘管控。")
    table = d.add_table(rows=2, cols=3)
    for i, v in enumerate(["序号", "任务", "牵头单位"]):
        table.rows[0].cells[i].text = v
    for i, v in enumerate(["1", "开展道路清扫", "城市管理委"]):
        table.rows[1].cells[i].text = v
    d.add_paragraph("2.加强监管。")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_paragraphs_and_tables_in_order() -> None:
    text = read_document(make_docx(), "plan.docx")
    assert text.split("\n") == [
        "某区2024年生态环境保护工作计划",
        "一、主要任务",
        "1.加强扬尘管控。",
        "序号\t任务\t牵头单位",
        "1\t开展道路清扫\t城市管理委",
        "2.加强监管。",
    ]


def test_pdf_text_layer() -> None:
    assert "Task 1 by 2024" in read_document(
        ascii_pdf("BT /F1 12 Tf 72 720 Td (Task 1 by 2024) Tj ET"), "plan.pdf"
    )


def test_pdf_chinese_text_layer() -> None:
    lines = ["某区2024年生态环境保护工作计划", "一、主要任务", "1.加强扬尘管控。区城管委牵头，年底前完成。"]
    assert read_document(chinese_pdf(lines), "plan.pdf").split("\n") == lines


def test_pdf_encrypted_refused() -> None:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    w.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    w.write(buf)
    with pytest.raises(PlanImportError, match="加密"):
        read_document(buf.getvalue(), "secret.pdf")


def test_pdf_without_text_layer_refused() -> None:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    w.write(buf)
    with pytest.raises(PlanImportError, match="没有文字层"):
        read_document(buf.getvalue(), "scan.pdf")


@pytest.mark.parametrize(
    "data, name, reason",
    [
        (b"", "empty.txt", "文件为空"),
        (b"   \n\n  ", "blank.txt", "没有可读的文字"),
        (b"%PDF-1.4\n garbage", "broken.pdf", "不是有效的 PDF"),
        (b"PK\x03\x04 not really a zip", "broken.docx", "不是有效的 .docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.doc", "旧版 Word"),
        (b"\x89PNG\r\n\x1a\n", "image.png", "不支持的文件格式"),
    ],
)
def test_bad_input_refused_with_reason(data: bytes, name: str, reason: str) -> None:
    with pytest.raises(PlanImportError, match=reason) as exc:
        read_document(data, name)
    assert exc.value.filename == name


def test_utf8_with_a_broken_tail_still_read() -> None:
    data = (PLAN * 20).encode("utf-8")[:-1]  # cut inside the last character
    assert read_document(data, "cut.txt").startswith(PLAN)


def test_undecodable_bytes_refused() -> None:
    import random

    rnd = random.Random(1)
    data = bytes(rnd.randrange(128, 256) for _ in range(3000))
    with pytest.raises(PlanImportError):
        read_document(data, "noise.txt")


def _table_pdf() -> bytes:
    """A page with a line above a ruled 2x3 table and a line below it."""
    cells = [["No", "Task", "Lead"], ["1", "Sweep roads", "Bureau A"]]
    ops = ["BT /F1 11 Tf 72 740 Td (Plan 2024 before the table) Tj ET"]
    x0, y_top, col_w, row_h = 72, 700, 150, 30
    for r in range(3):  # horizontal rules
        y = y_top - r * row_h
        ops.append(f"{x0} {y} m {x0 + 3 * col_w} {y} l S")
    for c in range(4):  # vertical rules
        x = x0 + c * col_w
        ops.append(f"{x} {y_top} m {x} {y_top - 2 * row_h} l S")
    for r, row in enumerate(cells):
        for c, v in enumerate(row):
            ops.append(f"BT /F1 11 Tf {x0 + c * col_w + 5} {y_top - (r + 1) * row_h + 10} Td ({v}) Tj ET")
    ops.append("BT /F1 11 Tf 72 600 Td (After the table) Tj ET")
    return ascii_pdf("\n".join(ops))


def test_pdf_ruled_table_becomes_tab_rows_in_place() -> None:
    lines = read_document(_table_pdf(), "table.pdf").split("\n")
    assert lines == [
        "Plan 2024 before the table",
        "No\tTask\tLead",
        "1\tSweep roads\tBureau A",
        "After the table",
    ]


def test_docx_automatic_list_numbers_rebuilt() -> None:
    """Word's automatic numbering is not part of the paragraph text: the reader rebuilds the labels."""
    import docx

    d = docx.Document()
    d.add_paragraph("主要任务")
    d.add_paragraph("加强扬尘管控。", style="List Number")
    d.add_paragraph("推进VOCs治理。", style="List Number")
    buf = io.BytesIO()
    d.save(buf)
    assert read_document(buf.getvalue(), "numbered.docx").split("\n") == [
        "主要任务",
        "1.加强扬尘管控。",
        "2.推进VOCs治理。",
    ]


def test_list_number_formats() -> None:
    from envgov.planio.readers import _format_number

    assert [_format_number("chineseCounting", n) for n in (1, 10, 12, 20)] == ["一", "十", "十二", "二十"]
    assert _format_number("decimalEnclosedCircle", 3) == "③"
    assert _format_number("decimal", 7) == "7" and _format_number("upperRoman", 4) == "IV"
