"""通报 (circulars): the monthly or on-demand ranking circular of a district's streets and townships, as a
.docx in the layout of GB/T 9704-2012 党政机关公文格式, the same tables as an .xlsx, the charts as PNG images,
and a PDF preview made by LibreOffice.

Plain Python (no Django): the caller hands in a `CircularContent` (plain data, JSON round-trip through
`as_dict`/`from_dict`, so a published circular can be rebuilt from what was stored) and gets bytes back.
The page settings, fonts and sizes are the ones of `envgov.reports.docx` (the 督办单 uses them too); this
module adds what a 公文 has and a 督办单 has not: the red 发文机关标志 with the 发文字号 and the red separator
(GB/T 9704 7.2.4–7.2.7), the 主送机关 (7.3.2) and page numbers (7.5). The document text is Chinese whatever
the reader's language: it is an official document (decision 0021).

Charts are drawn with Pillow in a CJK font found on the machine (Debian fonts-noto-cjk); without one, no
chart is drawn and `FontMissing` says so. `to_pdf` runs `soffice --headless --convert-to pdf`; without
LibreOffice, `PdfUnavailable` says so.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from envgov.catalogue import gettext_noop
from envgov.reports import xlsx
from envgov.reports.docx import (
    BODY_FONT,
    BODY_PT,
    HEADING_FONT,
    MARGIN_BOTTOM_MM,
    MARGIN_LEFT_MM,
    MARGIN_RIGHT_MM,
    PAGE_WIDTH_MM,
    TITLE_FONT,
    _font,
    chinese_date,
    line,
    new_document,
    title,
    to_bytes,
)

# GB/T 9704-2012 7.5: page numbers 4号 (14 pt) 半角宋体, "— 1 —", odd pages right and even pages left, one
# character in from the edge of the type area, the dash line 7 mm below the type area
PAGE_NUMBER_FONT, PAGE_NUMBER_PT = "宋体", 14
PAGE_NUMBER_BELOW_MM = 7
# 7.2.4: the 发文机关标志 is red; 7.2.7: a red separator as wide as the type area, 4 mm under the 发文字号
RED = RGBColor(0xFF, 0x00, 0x00)
SEPARATOR_BELOW_NUMBER_MM = 4
# 7.2.4 leaves the size of the mark to the issuer ("醒目、美观、庄重"), at most 22 mm × 15 mm a character:
# the mark fills the type area's width, capped at 15 mm a character
MARK_MAX_CHAR_MM = 15
TYPE_AREA_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 156 mm (5.2.1)
# tables inside the body: 4号 (14 pt) would not fit seven columns into 156 mm; 小四 (12 pt) does. GB/T 9704
# sets no size for tables (5.2.2's default 3号 is for text); the choice is recorded in decision 0021
TABLE_PT = 12
HEADING2_FONT = "楷体_GB2312"  # 7.3.3: level-2 headings 楷体
CHART_WIDTH_MM = 150

DEFAULT_RECIPIENTS = "各街道办事处、乡镇人民政府，区有关单位"


class FontMissing(RuntimeError):
    """No CJK font on this machine: charts cannot be drawn (and a PDF would show empty boxes)."""

    message = gettext_noop("服务器未安装中文字体（Debian 软件包 fonts-noto-cjk），无法绘制通报图表")

    def __init__(self) -> None:
        super().__init__(self.message)


class PdfUnavailable(RuntimeError):
    """LibreOffice is not installed, or it did not convert the document in time."""

    NOT_INSTALLED = gettext_noop("服务器未安装 LibreOffice（Debian 软件包 libreoffice-writer-nogui），无法生成 PDF 预览；"
                                 "请下载 .docx 文件查看")
    TIMED_OUT = gettext_noop("LibreOffice 未能在 %(seconds)s 秒内完成 PDF 转换，请稍后重试或下载 .docx 文件查看")
    FAILED = gettext_noop("LibreOffice 转换 PDF 失败，请下载 .docx 文件查看")

    def __init__(self, template: str, **values: object) -> None:
        self.template, self.values = template, {k: str(v) for k, v in values.items()}
        super().__init__(template % self.values if self.values else template)


# ---------------------------------------------------------------- content

@dataclass(frozen=True)
class RankRow:
    """One town's line of a ranking table, as the ranking computed it (values already rounded)."""

    town: str
    value: float | None
    rank: int | None  # None: not ranked (insufficient data)
    valid_days: int | None = None  # None where the measure is monthly (dustfall, road dust)
    completeness: float | None = None  # 0–1
    last_year_value: float | None = None
    change_pct: float | None = None  # against the same period last year, per cent
    flagged: bool = False  # in the bottom N
    reason: str = ""  # why not ranked, or a note


@dataclass(frozen=True)
class RankingSection:
    """A ranking of the towns on one indicator: a table, a chart, and the sentence naming the bottom towns."""

    indicator: str  # as printed: PM2.5, PM10, 降尘量…
    unit: str  # 微克/立方米…
    by: str  # 浓度 / 改善幅度 / 综合得分 — what the rank orders by
    rows: tuple[RankRow, ...]
    bottom_n: int
    rule: str = ""  # the ranking rule's id and version, printed in the note
    decimals: int = 0
    value_label: str = ""  # column header of the value; default "<indicator>（<unit>）"

    @property
    def bottom(self) -> list[RankRow]:
        """The flagged towns, worst last (in rank order)."""
        return sorted((r for r in self.rows if r.flagged), key=lambda r: (r.rank or 0, r.town))

    @property
    def unranked(self) -> list[RankRow]:
        return [r for r in self.rows if r.rank is None]


@dataclass
class CircularContent:
    """What a 通报 says. `number` is the 发文字号 (通环〔2024〕5号); a draft has none yet."""

    organ: str  # 发文机关全称, e.g. 北京市通州区生态环境局
    number: str
    signed_on: dt.date | None  # 成文日期; None for a draft
    title: str
    period_label: str  # 2024年3月
    sections: list[RankingSection] = field(default_factory=list)
    recipients: str = DEFAULT_RECIPIENTS
    mark: str = ""  # 发文机关标志; default organ + 文件
    intro: str = ""
    requirements: list[str] = field(default_factory=list)
    simulated: bool = False  # data include 模拟数据 (the demo district): said in the text and the note

    @property
    def organ_mark(self) -> str:
        return self.mark or f"{self.organ}文件"

    def as_dict(self) -> dict:
        out = asdict(self)
        out["signed_on"] = self.signed_on.isoformat() if self.signed_on else None
        return out

    @classmethod
    def from_dict(cls, data: dict) -> CircularContent:
        data = dict(data)
        sections = [RankingSection(**{**s, "rows": tuple(RankRow(**r) for r in s["rows"])})
                    for s in data.pop("sections", [])]
        signed = data.pop("signed_on", None)
        return cls(**data, sections=sections, signed_on=dt.date.fromisoformat(signed) if signed else None)


def document_number(prefix: str, year: int, sequence: int | None) -> str:
    """发文字号 (7.2.5): organ code, year in 六角括号 〔〕, sequence without leading zeros — 通环〔2024〕5号.
    A draft (no sequence yet) leaves the number blank: 通环〔2024〕　号."""
    return f"{prefix}〔{year}〕{sequence if sequence is not None else '　'}号"


def default_title(period_label: str) -> str:
    return f"关于{period_label}各街道（乡镇）生态环境质量排名情况的通报"


def _fmt(value: float | None, decimals: int) -> str:
    if value is None:
        return "—"
    return f"{value:.{decimals}f}"


def _pct(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:+.1f}%"


def bottom_sentence(section: RankingSection) -> str:
    """The sentence naming the bottom towns of a ranking (and those not ranked), as printed."""
    bottom = section.bottom
    parts = []
    what = f"{section.indicator}{'' if section.by == '浓度' else section.by}"
    if bottom:
        names = "、".join(f"{r.town}（{_fmt(r.value, section.decimals)}{section.unit}）" if section.by == "浓度"
                         else f"{r.town}" for r in bottom)
        parts.append(f"{what}排名后{len(bottom)}位的是：{names}。")
    else:
        parts.append(f"{what}本期无排名靠后的街道（乡镇）。")
    unranked = section.unranked
    if unranked:
        parts.append(f"{'、'.join(r.town for r in unranked)}有效数据不足，未参加排名。")
    return "".join(parts)


def default_requirements(content: CircularContent) -> list[str]:
    named = []
    for s in content.sections:
        for r in s.bottom:
            if r.town not in named:
                named.append(r.town)
    out = []
    if named:
        out.append(f"请{'、'.join(named)}认真分析排名靠后的原因，制定整改措施，"
                   "于下月10日前将整改情况书面报送区生态环境局。")
    out.append("各街道（乡镇）要对照排名查找不足，强化扬尘管控、道路保洁和散乱污治理，"
               "确保完成年度空气质量改善目标。")
    return out


def table_rows(section: RankingSection) -> list[list[str]]:
    rows = sorted(section.rows, key=lambda r: (r.rank is None, r.rank or 0, r.town))
    out = []
    for r in rows:
        note = r.reason or ("排名靠后" if r.flagged else "")
        out.append([
            str(r.rank) if r.rank is not None else "—", r.town, _fmt(r.value, section.decimals),
            _fmt(r.last_year_value, section.decimals), _pct(r.change_pct),
            str(r.valid_days) if r.valid_days is not None else "—", note,
        ])
    return out


def headers(section: RankingSection) -> list[str]:
    value = section.value_label or f"{section.indicator}（{section.unit}）"
    return ["排名", "街道（乡镇）", value, "去年同期", "同比变化", "有效天数", "备注"]


def table_title(number: int, section: RankingSection, period_label: str) -> str:
    return f"表{number}　{period_label}各街道（乡镇）{section.indicator}{section.by}排名"


def chart_title(number: int, section: RankingSection, period_label: str) -> str:
    return f"图{number}　{period_label}各街道（乡镇）{section.indicator}（{section.unit}）"


def _note(content: CircularContent, section: RankingSection) -> str:
    parts = [f"排名规则：{section.rule}" if section.rule else "", f"后{section.bottom_n}位标注为排名靠后",
             "并列者名次相同，下一名次顺延", "数据含模拟数据" if content.simulated else ""]
    return "；".join(p for p in parts if p) + "。"


# ---------------------------------------------------------------- charts

FONT_CANDIDATES = (  # Debian fonts-noto-cjk, then other common places
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/fandol/FandolHei-Regular.otf",
)


def find_cjk_font() -> tuple[str, int] | None:
    """(file, face index) of a font with Simplified Chinese glyphs: `ENVGOV_CJK_FONT` if set, fontconfig's
    choice for zh-cn, else the usual paths. None if there is none."""
    env = os.environ.get("ENVGOV_CJK_FONT")
    if env:
        return (env, 0) if Path(env).is_file() else None
    fc = shutil.which("fc-match")
    if fc:
        try:
            out = subprocess.run([fc, "-f", "%{file}\t%{index}", "sans-serif:lang=zh-cn"], capture_output=True,
                                 text=True, timeout=10, check=False).stdout
            path, _tab, index = out.partition("\t")
            if path and Path(path).is_file() and ("CJK" in path or "wqy" in path.lower() or "Fandol" in path
                                                  or _has_han(path, int(index or 0))):
                return path, int(index or 0)
        except (OSError, subprocess.SubprocessError, ValueError):
            pass
    for path in FONT_CANDIDATES:
        if Path(path).is_file():
            return path, _sc_index(path)
    return None


def _sc_index(path: str) -> int:
    """Noto's .ttc holds JP, KR, SC, TC, HK faces; the Simplified Chinese one is index 2."""
    return 2 if path.endswith("CJK-Regular.ttc") else 0


def _has_han(path: str, index: int) -> bool:
    from PIL import ImageFont

    try:
        font = ImageFont.truetype(path, 20, index=index)
    except OSError:
        return False
    return font.getmask("镇").getbbox() is not None


def chart_png(section: RankingSection, caption: str) -> bytes:
    """A horizontal bar chart of the towns' values, best first; the bottom towns in red, towns without a
    value listed with 数据不足. Raises FontMissing without a CJK font."""
    from PIL import Image, ImageDraw, ImageFont

    found = find_cjk_font()
    if found is None:
        raise FontMissing()
    path, index = found
    scale = 3  # drawn at 3 × 96 dpi so that 150 mm prints sharp
    font = ImageFont.truetype(path, 13 * scale, index=index)
    small = ImageFont.truetype(path, 11 * scale, index=index)
    head = ImageFont.truetype(path, 15 * scale, index=index)
    rows = sorted(section.rows, key=lambda r: (r.rank is None, r.rank or 0, r.town))
    bar_h, gap = 18 * scale, 8 * scale
    label_w = max([int(font.getlength(r.town)) for r in rows] + [60]) + 12 * scale
    width = int(CHART_WIDTH_MM / 25.4 * 96 * scale)
    top = 40 * scale
    height = top + len(rows) * (bar_h + gap) + 30 * scale
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    draw.text((width // 2, 8 * scale), caption, font=head, fill="black", anchor="mt")
    values = [r.value for r in rows if r.value is not None]
    vmax = max(values) if values else 1.0
    vmin = min(0.0, min(values) if values else 0.0)  # improvement rates may be negative
    span = (vmax - vmin) or 1.0
    value_w = int(font.getlength("0" * 8))
    plot_w = width - label_w - value_w - 10 * scale
    zero_x = label_w + int((0 - vmin) / span * plot_w)
    for i, r in enumerate(rows):
        y = top + i * (bar_h + gap)
        draw.text((label_w - 8 * scale, y + bar_h // 2), r.town, font=font, fill="black", anchor="rm")
        if r.value is None:
            draw.text((label_w + 4 * scale, y + bar_h // 2), "数据不足", font=small, fill="#888888", anchor="lm")
            continue
        x = label_w + int((r.value - vmin) / span * plot_w)
        x0, x1 = sorted((zero_x, x))
        draw.rectangle([x0, y, max(x1, x0 + 1), y + bar_h], fill="#C00000" if r.flagged else "#4472C4")
        draw.text((max(x1, zero_x) + 4 * scale, y + bar_h // 2), _fmt(r.value, section.decimals), font=small,
                  fill="black", anchor="lm")
    draw.line([zero_x, top - 4 * scale, zero_x, height - 26 * scale], fill="#666666", width=scale)
    legend_y = height - 20 * scale
    draw.rectangle([label_w, legend_y, label_w + 14 * scale, legend_y + 12 * scale], fill="#C00000")
    draw.text((label_w + 18 * scale, legend_y + 6 * scale), f"排名后{section.bottom_n}位", font=small,
              fill="black", anchor="lm")
    out = io.BytesIO()
    img.save(out, format="PNG", dpi=(96 * scale, 96 * scale))
    return out.getvalue()


# ---------------------------------------------------------------- the .docx

def _red_mark(doc, content: CircularContent) -> None:
    """发文机关标志 (7.2.4) in red 小标宋, as wide as the type area allows; 发文字号 (7.2.5) two lines below,
    centred; the red separator 4 mm under it (7.2.7) as the number paragraph's bottom border."""
    mark = content.organ_mark
    char_mm = min(MARK_MAX_CHAR_MM, TYPE_AREA_WIDTH_MM / max(len(mark), 1))
    size_pt = math.floor(char_mm / 25.4 * 72)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing = 1.0  # the Normal style's exact pitch would clip the large mark
    run = p.add_run(mark)
    _font(run, TITLE_FONT, size_pt)
    run.font.color.rgb = RED
    doc.add_paragraph()
    doc.add_paragraph()
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(content.number), BODY_FONT, BODY_PT)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "12")  # eighths of a point: 1.5 pt
    bottom.set(qn("w:space"), str(round(SEPARATOR_BELOW_NUMBER_MM / 25.4 * 72)))  # points
    bottom.set(qn("w:color"), "FF0000")
    borders.append(bottom)
    ppr.append(borders)


def _field(run_parent, instruction: str) -> None:
    """A Word field (e.g. PAGE) in the paragraph: begin, instruction, separate, a placeholder, end."""
    def fld(kind: str):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    for part in ("begin", "instr", "separate", "text", "end"):
        run = run_parent.add_run()
        _font(run, PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
        if part == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        elif part == "text":
            run.text = "1"
        else:
            run._r.append(fld(part))


def _page_numbers(doc) -> None:
    """7.5: "— 1 —" in 4号 宋体, odd pages flush right and even pages flush left, one character in."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    # the dash line 7 mm below the type area: the footer's baseline about 7 mm + one 14 pt line under it
    section.footer_distance = Mm(MARGIN_BOTTOM_MM - PAGE_NUMBER_BELOW_MM) - Pt(PAGE_NUMBER_PT)
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
        if odd:
            p.paragraph_format.right_indent = Pt(PAGE_NUMBER_PT)
        else:
            p.paragraph_format.left_indent = Pt(PAGE_NUMBER_PT)
        p.paragraph_format.line_spacing = 1.0
        _font(p.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
        _field(p, "PAGE")
        _font(p.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_PT)


def _heading2(doc, text: str) -> None:
    """A level-2 heading (7.3.3): 3号 楷体, indented two characters like the body."""
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    _font(p.add_run(text), HEADING2_FONT, BODY_PT)


def _caption(doc, text: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = True
    _font(p.add_run(text), HEADING_FONT, TABLE_PT + 2)


def _docx_table(doc, section: RankingSection, note: str) -> None:
    head = headers(section)
    widths = (12, 34, 26, 22, 20, 16, 26)  # mm, 156 in all
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = table_rows(section)
    flagged = [r[1] for r in rows if r[6] == "排名靠后"]
    for row_cells, values, is_head in [(table.rows[0].cells, head, True)] + [
            (table.add_row().cells, r, False) for r in rows]:
        for cell, value, width in zip(row_cells, values, widths):
            cell.width = Mm(width)
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.line_spacing = 1.0
            run = p.add_run(value)
            _font(run, HEADING_FONT if is_head else BODY_FONT, TABLE_PT)
            if not is_head and values[1] in flagged:
                run.font.bold = True
    p = doc.add_paragraph()
    p.paragraph_format.line_spacing = 1.0
    _font(p.add_run(note), BODY_FONT, TABLE_PT)


def build_docx(content: CircularContent, *, charts: bool = True) -> bytes:
    """The 通报 as .docx bytes. With `charts`, each ranking gets its bar chart (FontMissing without a CJK
    font: the caller decides whether to go on with `charts=False`)."""
    doc = new_document()
    for lang in doc.styles.element.iter(qn("w:lang")):  # python-docx's template says en-US
        lang.set(qn("w:eastAsia"), "zh-CN")  # a renderer substituting a font picks Simplified Chinese glyphs
    _red_mark(doc, content)
    doc.add_paragraph()
    title(doc, content.title)  # 7.3.1: two lines below the separator; 主送机关 one line below the title
    line(doc, f"{content.recipients}：", indent=False)
    intro = content.intro or (
        f"为压实属地责任，推动空气质量持续改善，现将{content.period_label}各街道（乡镇）"
        + "、".join(s.indicator for s in content.sections) + "排名情况通报如下。")
    line(doc, intro)
    if content.simulated:
        line(doc, "（本通报所用数据含模拟数据，仅供演示。）")
    line(doc, "一、排名情况", heading=True)
    pngs = [chart_png(s, chart_title(i, s, content.period_label)) for i, s in enumerate(content.sections, 1)] \
        if charts else []
    for i, section in enumerate(content.sections, start=1):
        _heading2(doc, f"（{_chinese_number(i)}）{section.indicator}{section.by}排名")
        line(doc, bottom_sentence(section))
        _caption(doc, table_title(i, section, content.period_label))
        _docx_table(doc, section, _note(content, section))
        if pngs:
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.line_spacing = 1.0  # an exact pitch would clip the picture
            p.add_run().add_picture(io.BytesIO(pngs[i - 1]), width=Mm(CHART_WIDTH_MM))
    line(doc, "二、工作要求", heading=True)
    requirements = content.requirements or default_requirements(content)
    for i, text in enumerate(requirements, start=1):
        # GB/T 9704-2012 §7.3.3: under a first-level 一、 the next level is （一）
        line(doc, f"（{_chinese_number(i)}）{text}" if len(requirements) > 1 else text)
    doc.add_paragraph()
    line(doc, content.organ, align="right")
    line(doc, chinese_date(content.signed_on) if content.signed_on else "　　年　月　日", align="right")
    _page_numbers(doc)
    return to_bytes(doc)


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


# ---------------------------------------------------------------- the .xlsx

def build_xlsx(content: CircularContent) -> bytes:
    """The ranking tables of the 通报, one sheet each, in the house style of `envgov.reports.xlsx`; the
    figures are the same rows as the .docx's tables."""
    sheets = []
    for i, section in enumerate(content.sections, start=1):
        head = headers(section)
        widths = (6, 18, 18, 12, 12, 10, 24)
        rows = []
        for r in sorted(section.rows, key=lambda r: (r.rank is None, r.rank or 0, r.town)):
            rows.append([r.rank, r.town, r.value, r.last_year_value,
                         None if r.change_pct is None else round(r.change_pct, 1), r.valid_days,
                         r.reason or ("排名靠后" if r.flagged else "")])
        sheets.append((table_title(i, section, content.period_label), list(zip(head, widths)), rows,
                       f"{content.number}　{_note(content, section)}"))
    return xlsx.build_tables(sheets)


# ---------------------------------------------------------------- PDF preview

def soffice() -> str | None:
    return os.environ.get("ENVGOV_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


# the fonts a 公文 names → the free faces that stand in for them in the preview (fonts-noto-cjk): the serif
# face for 仿宋/宋体/楷体/小标宋 (Noto has no 仿宋 or 楷体 of its own), the sans face for 黑体. Without these
# aliases fontconfig picks the first face of the Noto collection, the Japanese one.
PREVIEW_FONTS = {
    "Noto Serif CJK SC": (BODY_FONT, "仿宋", "FangSong", TITLE_FONT, "小标宋", HEADING2_FONT, "楷体", "KaiTi",
                          PAGE_NUMBER_FONT, "SimSun"),
    "Noto Sans CJK SC": (HEADING_FONT, "SimHei"),
}


def _fontconfig() -> str:
    """The machine's fontconfig, plus the aliases above (used for the LibreOffice run only)."""
    aliases = "".join(
        f"<alias binding=\"same\"><family>{name}</family><prefer><family>{face}</family></prefer></alias>"
        for face, names in PREVIEW_FONTS.items() for name in names)
    return ('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
            '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>' + aliases + "</fontconfig>")


def to_pdf(docx: bytes, *, timeout: float = 120) -> bytes:
    """The .docx rendered to PDF by LibreOffice (headless, its own throw-away profile so that conversions
    running at once do not share one). Raises PdfUnavailable if LibreOffice is missing, slow or fails."""
    binary = soffice()
    if binary is None:
        raise PdfUnavailable(PdfUnavailable.NOT_INSTALLED)
    with tempfile.TemporaryDirectory(prefix="envgov-pdf-") as tmp:
        src = Path(tmp) / "circular.docx"
        src.write_bytes(docx)
        profile = Path(tmp) / "profile"
        (Path(tmp) / "fonts.conf").write_text(_fontconfig(), encoding="utf-8")
        cmd = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
               "--convert-to", "pdf", "--outdir", tmp, str(src)]
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp,
                                    env={**os.environ, "HOME": tmp,
                                                               "FONTCONFIG_FILE": str(Path(tmp) / "fonts.conf")}, start_new_session=True)
        except OSError as exc:
            raise PdfUnavailable(PdfUnavailable.NOT_INSTALLED) from exc
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(proc.pid, signal.SIGKILL)  # soffice starts soffice.bin: end the whole group it made
            proc.wait()
            raise PdfUnavailable(PdfUnavailable.TIMED_OUT, seconds=int(timeout)) from exc
        out = Path(tmp) / "circular.pdf"
        if not out.is_file() or out.stat().st_size == 0:
            raise PdfUnavailable(PdfUnavailable.FAILED)
        return out.read_bytes()
