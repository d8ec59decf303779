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
    elif suffix in (".xlsx", ".xlsm") or (data[:4] == b"PK\x03\x04" and b"xl/workbook" in data[:65536]):
        text = read_xlsx(data, filename)
    elif data[:4] == b"PK\x03\x04" or suffix == ".docx":
        text = read_docx(data, filename)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise PlanImportError(
            "这是旧版 Word（.doc）或加密的 Office 文件，无法直接读取；请另存为 .docx 后再导入", filename
        )
    elif suffix in ("", ".txt", ".text", ".md", ".csv"):
        text = read_txt(data, filename)
    else:
        raise PlanImportError(f"不支持的文件格式“{suffix}”；请使用 .txt、.docx、.xlsx 或带文字层的 .pdf", filename)
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
        raise PlanImportError(
            "无法识别文本编码（试过 UTF-8、GB18030、Big5）；请另存为 UTF-8 后再导入", filename
        )
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
    except Exception as exc:  # python-docx raises many kinds for broken packages
        raise PlanImportError(f"无法打开 .docx 文件：{exc}", filename) from exc
    lines: list[str] = []
    numbering = _Numbering(doc)
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(child, doc)
            # Word's automatic list numbers ("一、", "（一）", "1.") are not in the text: rebuild them
            lines.append(numbering.label(para) + para.text)
        elif tag == "tbl":
            for row in Table(child, doc).rows:
                cells = [re.sub(r"\s*\n\s*", " ", cell.text).replace("\t", " ").strip() for cell in row.cells]
                lines.append("\t".join(cells))
    return "\n".join(lines)


import datetime as dt  # noqa: E402


def read_xlsx(data: bytes, filename: str = "") -> str:
    """A workbook (a 任务分工表): each sheet's rows as tab-separated lines, in the same layout as .docx
    tables. A merged cell's value is carried into every row and column it spans (a 领域 cell merged down
    over its tasks belongs to each of them); line breaks inside a cell are joined."""
    try:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except zipfile.BadZipFile as exc:
        raise PlanImportError("不是有效的 .xlsx 文件（压缩包已损坏或文件被加密）", filename) from exc
    except Exception as exc:  # openpyxl raises many kinds for broken packages
        raise PlanImportError(f"无法打开 .xlsx 文件：{exc}", filename) from exc
    lines: list[str] = []
    for ws in wb.worksheets:
        grid = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
        for rng in ws.merged_cells.ranges:
            v = grid.get((rng.min_row, rng.min_col))
            for r in range(rng.min_row, rng.max_row + 1):
                for col in range(rng.min_col, rng.max_col + 1):
                    grid[(r, col)] = v
        if not grid:
            continue
        max_col = max(c for _, c in grid)
        for r in range(1, max(r for r, _ in grid) + 1):
            cells = []
            for col in range(1, max_col + 1):
                v = grid.get((r, col))
                if isinstance(v, float) and v.is_integer():
                    v = int(v)
                elif isinstance(v, (dt.date, dt.datetime)):
                    v = f"{v.year}年{v.month}月{v.day}日"  # a date cell as the plan would write it
                cells.append(re.sub(r"\s*\n\s*", " ", str(v)).replace("\t", " ").strip() if v is not None else "")
            if any(cells):
                lines.append("\t".join(cells) if sum(1 for x in cells if x) > 1 else next(x for x in cells if x))
    return "\n".join(lines)


_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    if n < 10:
        return _CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for v, r in (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        while n >= v:
            out += r
            n -= v
    return out


def _format_number(fmt: str, n: int) -> str:
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "chineseLegalSimplified",
        "ideographTraditional",
        "japaneseCounting",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
        "ideographLegalTraditional",
    ):
        return _cn_number(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalEnclosedParen":
        return f"（{n}）"
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    return str(n)


class _Numbering:
    """Counters for Word's automatic numbering (paragraph-level or style-level w:numPr)."""

    def __init__(self, doc) -> None:
        from docx.oxml.ns import qn

        self.qn = qn
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = doc.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for an in root.findall(qn("w:abstractNum")):
            lv: dict[int, tuple[str, str, int]] = {}
            for lvl in an.findall(qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                txt = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                lv[int(lvl.get(qn("w:ilvl")))] = (
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    txt.get(qn("w:val")) if txt is not None else "",
                    int(start.get(qn("w:val"))) if start is not None else 1,
                )
            abstract[an.get(qn("w:abstractNumId"))] = lv
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None:
                self.levels[num.get(qn("w:numId"))] = abstract.get(ref.get(qn("w:val")), {})

    def _num_pr(self, para):
        qn = self.qn
        ppr = para._p.pPr
        if ppr is not None and ppr.numPr is not None:
            return ppr.numPr
        style = para.style
        while style is not None:
            spp = style.element.find(qn("w:pPr"))
            if spp is not None and spp.find(qn("w:numPr")) is not None:
                return spp.find(qn("w:numPr"))
            style = style.base_style
        return None

    def label(self, para) -> str:
        if not self.levels or not para.text.strip():
            return ""
        qn = self.qn
        pr = self._num_pr(para)
        if pr is None:
            return ""
        nid_el, ilvl_el = pr.find(qn("w:numId")), pr.find(qn("w:ilvl"))
        nid = nid_el.get(qn("w:val")) if nid_el is not None else None
        ilvl = int(ilvl_el.get(qn("w:val"))) if ilvl_el is not None else 0
        levels = self.levels.get(nid or "")
        if not levels or ilvl not in levels:
            return ""
        fmt, text, _start = levels[ilvl]
        if fmt in ("bullet", "none") or not text:
            return ""
        counters = self.counters.setdefault(nid, {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl][2] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        out = text
        for k in range(ilvl + 1):
            if f"%{k + 1}" in out:
                f, _, st = levels.get(k, ("decimal", "", 1))
                out = out.replace(f"%{k + 1}", _format_number(f, counters.get(k, st)))
        return out


def _pdf_page_text(page) -> str:
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
            except Exception:  # noqa: BLE001 - a failed decrypt attempt means "needs a password"
                ok = 0
            if not ok:
                raise PlanImportError("PDF 已加密（需要密码），无法读取；请提供未加密的文件", filename)
    except PlanImportError:
        raise
    except Exception as exc:  # pypdf raises many kinds for broken files
        raise PlanImportError(f"不是有效的 PDF 文件：{exc}", filename) from exc
    pages: list[str] = []
    try:
        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                pages.append(_pdf_page_text(page))
    except Exception:  # noqa: BLE001 - fall back to pypdf text when pdfplumber fails
        pages = [(p.extract_text() or "") for p in reader.pages]
    text = "\n".join(pages)
    if not text.strip():
        raise PlanImportError(
            f"PDF 没有文字层（共 {len(reader.pages)} 页，可能是扫描件）；请先做文字识别（OCR）再导入",
            filename,
        )
    return text
