"""Read a plan document (.txt in any common encoding, .docx incl. tables, .pdf with a text layer) to text.

The text returned here is "the original": every extracted item's source span points into it.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from envgov.planio.errors import PlanImportError

MAX_BYTES = 200 * 1024 * 1024


def read_document(data: bytes, filename: str) -> str:
    """Text of the document; raises PlanImportError with a Chinese reason when it cannot be read."""
    if not data:
        raise PlanImportError("文件为空（0 字节）", filename)
    if len(data) > MAX_BYTES:
        raise PlanImportError(f"文件过大（{len(data) // 1024 // 1024} MB），超过 200 MB 上限", filename)
    suffix = Path(filename).suffix.lower()
    if data[:5] == b"%PDF-" or suffix == ".pdf":
        text = read_pdf(data, filename)
    elif data[:4] == b"PK\x03\x04" or suffix == ".docx":
        text = read_docx(data, filename)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise PlanImportError("这是旧版 Word（.doc）或加密的 Office 文件，无法直接读取；请另存为 .docx 后再导入", filename)
    elif suffix in ("", ".txt", ".text", ".md", ".csv"):
        text = read_txt(data, filename)
    else:
        raise PlanImportError(f"不支持的文件格式“{suffix}”；请使用 .txt、.docx 或带文字层的 .pdf", filename)
    if not text.strip():
        raise PlanImportError("文件中没有可读的文字", filename)
    return text


def read_txt(data: bytes, filename: str = "") -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096] and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        raise PlanImportError("文件含二进制内容，不是文本文件", filename)
    # UTF-8 with a few broken bytes (a truncated copy, one bad character) is still UTF-8
    loose = data.decode("utf-8-sig", errors="replace")
    if loose.count("\ufffd") <= max(2, len(loose) // 2000):
        return loose
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_16", "utf_8", "gbk", "big5hkscs"]).best()
    if best is None:
        best = from_bytes(data).best()
    enc = best.encoding if best is not None else "gb18030"
    # GBK is a subset of GB18030: decode with the superset so rare characters survive
    if enc in ("gbk", "gb2312", "cp936"):
        enc = "gb18030"
    text = data.decode(enc, errors="replace")
    if text.count("\ufffd") > max(2, len(text) // 200):
        raise PlanImportError("无法识别文本编码（试过 UTF-8、GB18030、Big5）；请另存为 UTF-8 后再导入", filename)
    return text


def read_docx(data: bytes, filename: str = "") -> str:
    """Paragraphs and tables in document order; a table row becomes one line, cells separated by a tab
    (a merged cell repeats its text in every row and column it spans, so columns stay aligned)."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        doc = docx.Document(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise PlanImportError("不是有效的 .docx 文件（压缩包已损坏或文件被加密）", filename) from exc
    except Exception as exc:  # python-docx raises several kinds for broken packages
        raise PlanImportError(f"无法打开 .docx 文件：{exc}", filename) from exc
    lines: list[str] = []
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, doc).text)
        elif tag == "tbl":
            for row in Table(child, doc).rows:
                cells = [re.sub(r"\s*\n\s*", " ", cell.text).replace("\t", " ").strip() for cell in row.cells]
                lines.append("\t".join(cells))
    return "\n".join(lines)


def _pdf_page_text(page) -> str:  # noqa: ANN001 - pdfplumber.page.Page
    """Text of one page; ruled tables become tab-separated rows in their place on the page."""
    tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
    if not tables:
        return page.extract_text() or ""
    parts: list[str] = []
    top = page.bbox[1]
    x0, _, x1, bottom = page.bbox
    for tb in tables:
        t_top, t_bottom = max(tb.bbox[1], top), min(tb.bbox[3], bottom)
        if t_top > top:
            parts.append(page.crop((x0, top, x1, t_top)).extract_text() or "")
        for row in tb.extract():
            # a cell's own line breaks are layout only: Chinese text joins without a space
            parts.append("\t".join(re.sub(r"\s*\n\s*", "", c or "") for c in row))
        top = max(top, t_bottom)
    if top < bottom:
        parts.append(page.crop((x0, top, x1, bottom)).extract_text() or "")
    return "\n".join(p for p in parts if p)


def read_pdf(data: bytes, filename: str = "") -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise PlanImportError("PDF 已加密（需要密码），无法读取；请提供未加密的文件", filename)
    except PlanImportError:
        raise
    except Exception as exc:
        raise PlanImportError(f"不是有效的 PDF 文件：{exc}", filename) from exc
    pages: list[str] = []
    try:
        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                pages.append(_pdf_page_text(page))
    except Exception:
        pages = [(p.extract_text() or "") for p in reader.pages]
    text = "\n".join(pages)
    if not text.strip():
        raise PlanImportError(
            f"PDF 没有文字层（共 {len(reader.pages)} 页，可能是扫描件）；请先做文字识别（OCR）再导入", filename
        )
    return text
