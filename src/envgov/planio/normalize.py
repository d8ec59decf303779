"""Normalise a plan's raw text, keeping a map back to the original.

Steps (each keeps the character map, see `MappedText`):
1. line ends, BOM, odd spaces;
2. inline romanisation noise of scraped pages: "區(qū)" and "落實(shi)" — a parenthesised pinyin syllable
   right after a Chinese character (real parentheses such as (VOCs), (COD), (扣除沙尘影响) are kept:
   they are not lower-case pinyin syllables);
3. full-width letters and digits to half width, Chinese punctuation to its full-width form;
4. Traditional → Simplified with OpenCC (t2s);
5. lines that are not part of the plan: page numbers ("-12-"), page headers repeated on every page,
   footnotes at page bottoms, web-page boilerplate (share buttons, ICP numbers, document-site banners);
6. spaces next to Chinese characters; lines broken mid-sentence are re-joined.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from functools import lru_cache

from envgov.planio.mapped import MappedText

CJK = "\u4e00-\u9fff\u3400-\u4dbf"

# ---------------------------------------------------------------- romanisation noise
_TONE = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")
_PINYIN = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|uai|uan|van|ian|iao|ai|ei|ao|ou|an|en|in|un|vn|ia|ie|iu|ua|uo|ue|ve|ui|er|a|o|e|i|u|v)"
    r"|hm|hng|ng|m|n"
)
_PAREN_LATIN = re.compile(rf"(?<=[{CJK}）)])\(([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{{1,6}})\)")


def is_pinyin_syllable(s: str) -> bool:
    return _PINYIN.fullmatch(s.lower().translate(_TONE)) is not None


_TONED = re.compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ]")
# a tone-marked syllable in parentheses is noise wherever it stands (even after mojibake "?")
_PAREN_TONED = re.compile(r"[(?]([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,6})\)")


def _drop_pinyin(m: re.Match[str]) -> str:
    return "" if is_pinyin_syllable(m.group(1)) else m.group(0)


def _drop_toned(m: re.Match[str]) -> str:
    return "" if _TONED.search(m.group(1)) and is_pinyin_syllable(m.group(1)) else m.group(0)


# ---------------------------------------------------------------- punctuation and width
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}


def _width(m: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", m.group(0))


_FULLWIDTH_ALNUM = re.compile(
    r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff0e\uff05\uff0f\u2080-\u2089\u2070\u00b9\u00b2\u00b3\u2074-\u2079]"
)
# half-width punctuation between non-digits becomes Chinese punctuation ("1,000" and "18:47" stay)
_HALF_PUNCT = re.compile(r"[,;:](?!\d)|(?<!\d)[,;:]|[!?()]")


def _punct(m: re.Match[str]) -> str:
    return _HALF_TO_FULL[m.group(0)]


# ---------------------------------------------------------------- lines that are not the plan
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-－—–一]\s*\d{1,3}\s*[-－—–一]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3}|\d{1,3})\s*$"
)
_BOILERPLATE_PATTERNS = (
    r"_第\d+页$",
    r"^已阅读\d+页",
    r"^下载本文档$",
    r"^版权说明[:：]",
    r"^文档简介$",
    r"^(?:分享|字号|打印|关闭|收藏|索\s*引\s*号|公开责任部门|信息名称|文\s*号|信息有效性|生成日期|发布日期|内容概述|发布机构|成文日期|主题分类)\s*[:：]",
    r"^日期[:：].{0,40}(?:来源|浏览)",
    r"^来源[:：]",
    r"^【?\s*(?:打印本页|关闭窗口|返回顶部|字体[:：]?\s*大\s*中\s*小)",
    r"京ICP备|ICP备\d|公网安备|网站标识码",
    r"扫一扫",
    r"^\s*[大中小]\s*[大中小]\s*[大中小]\s*$",
)
_BOILERPLATE = re.compile("|".join(_BOILERPLATE_PATTERNS))
# once one of these shows in the last part of a document, the rest is site footer
_FOOTER_START = re.compile(r"^(?:温馨提示|主办[:：]|版权所有|Copyright|©|相关文档|相关推荐|最新文档)")


def _is_page_number(line: str) -> bool:
    return "\t" not in line and bool(_PAGE_NUMBER.match(line))


def _is_boilerplate(line: str) -> bool:
    if "\t" in line.strip():
        return False  # a table row
    return bool(_PAGE_NUMBER.match(line) or _BOILERPLATE.search(line))


# ---------------------------------------------------------------- headings (shared with segment.py)
CN_NUM = "一二三四五六七八九十百零〇两"
HEADING = re.compile(
    rf"^(?:第[{CN_NUM}\d]+[章节部分篇条]|附件\s*\d{{1,2}}(?=[:：\s]|$)|[{CN_NUM}]+(?:、|[.．](?![\d{CN_NUM}]))|（[{CN_NUM}]*）|\d{{1,2}}[.．、](?!\d)|（\d{{1,2}}）|\(\d{{1,2}}\)|[①-⑳])"
)
_TERMINAL = tuple("。！？；：…”’」』")  # a line ending with one of these may end a paragraph
_SENTENCE_END = tuple("。！？")


_OPEN_END = tuple("，、（“《‘—")
_CLOSE_START = tuple("，。、；：）”》’！？")


def _visual_width(s: str) -> float:
    # Latin letters and digits take a little more than half a Chinese character in common fonts
    return sum(0.6 if ord(c) < 0x2E80 else 1.0 for c in s)


# ---------------------------------------------------------------- the pipeline
@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _to_simplified(mt: MappedText) -> MappedText:
    conv = _t2s()
    new = conv.convert(mt.text)
    if len(new) == len(mt.text):
        return mt.translate_same_length(new)
    # a phrase conversion changed the length somewhere: convert line by line, then char by char
    pieces: list = []
    start = 0
    for line in mt.text.split("\n"):
        end = start + len(line)
        conv_line = conv.convert(line)
        if len(conv_line) == len(line):
            pieces.extend((conv_line[i], start + i) for i in range(len(line)))
        else:
            pieces.extend((conv.convert(line[i]), start + i) for i in range(len(line)))
        if end < len(mt.text):
            pieces.append((end, end + 1))
        start = end + 1
    return mt.build(pieces)


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, without the newline."""
    out = []
    start = 0
    for line in text.split("\n"):
        out.append((start, start + len(line)))
        start += len(line) + 1
    return out


def _drop_lines(mt: MappedText) -> MappedText:
    text = mt.text
    spans = _lines(text)
    lines = [text[a:b].strip() for a, b in spans]
    n = len(lines)
    keep = [bool(s) for s in lines]

    # site footer: everything after a footer marker in the last 30% of the document
    for i in range(int(n * 0.7), n):
        if _FOOTER_START.match(lines[i]):
            for j in range(i, n):
                keep[j] = False
            break

    for i, s in enumerate(lines):
        if keep[i] and _is_boilerplate(s):
            keep[i] = False

    # page headers/footers: a short line repeated on many pages (keep its first occurrence: the title)
    counts = Counter(s for s in lines if s)
    page_breaks = sum(1 for s in lines if s and _is_page_number(s))
    seen: set[str] = set()
    for i, s in enumerate(lines):
        if keep[i] and len(s) <= 40 and counts[s] >= 3 and not HEADING.match(s) and "\t" not in s:
            if s in seen:
                keep[i] = False
            seen.add(s)

    # footnotes: at a page bottom (just before a page number), a line that starts with the footnote's
    # number, which also appears as a marker in the text shortly before it.
    if page_breaks:
        for i, s in enumerate(lines):
            if not (s and _is_page_number(s)):
                continue
            block = [j for j in range(max(0, i - 12), i) if lines[j] and keep[j]][-5:]
            for k, j in enumerate(block):
                m = re.match(r"^(\d{1,2})(?=[^\d.．、%])", lines[j]) or re.match(
                    r"^(\d)(?=\d{4}年)", lines[j]
                )
                if not m or HEADING.match(lines[j]):
                    continue
                num = m.group(1)
                before = text[max(0, spans[j][0] - 3000) : spans[j][0]]
                if before.rstrip()[-1:].isdigit():
                    continue  # a number wrapped across lines ("等1" / "1座"), not a footnote
                if re.search(rf"[{CJK}”》）)]{num}(?![\d.．%])", before):
                    for jj in block[k:]:
                        keep[jj] = False
                    break

    pieces = []
    first = True
    for (a, b), k in zip(spans, keep):
        if not k:
            continue
        # strip the line's own leading/trailing spaces
        raw = text[a:b]
        # table rows (cells joined by tabs) keep their empty leading/trailing cells
        a2 = a + (len(raw) - len(raw.lstrip(" ")))
        b2 = b - (len(raw) - len(raw.rstrip(" ")))
        if not first:
            pieces.append(("\n", a))
        pieces.append((a2, b2))
        first = False
    return mt.build(pieces)


def _join_broken_lines(mt: MappedText) -> MappedText:
    """Re-join lines broken mid-sentence (hard-wrapped PDFs, scraped pages)."""
    text = mt.text
    spans = _lines(text)
    lines = [text[a:b] for a, b in spans]
    widths = [_visual_width(s) for s in lines if s]
    if not widths:
        return mt
    # A document is hard-wrapped when many lines share the same (maximal) width and do not end a sentence.
    # Width is measured both in characters and visually (digits and Latin letters are narrower): layouts
    # wrap by visual width, copies made by hand by characters.
    chars = [len(s) for s in lines if s]
    long_w = sorted(widths)[int(len(widths) * 0.9)] if len(widths) >= 10 else max(widths)
    long_c = sorted(chars)[int(len(chars) * 0.9)] if len(chars) >= 10 else max(chars)
    near_full = [
        (_visual_width(s), len(s))
        for s in lines
        if s and (_visual_width(s) >= long_w - 3 or len(s) >= long_c - 2) and not s.endswith(_SENTENCE_END)
    ]
    hard_wrapped = len(widths) >= 10 and len(near_full) >= 0.3 * len(widths)
    wrap_w = statistics.median(w for w, _ in near_full) if hard_wrapped else None
    wrap_c = statistics.median(c for _, c in near_full) if hard_wrapped else None

    pieces: list = []
    prev: str | None = None
    for (a, b), s in zip(spans, lines):
        if prev is None:
            pieces.append((a, b))
            prev = s
            continue
        join = False
        if prev and s and "\t" not in prev and "\t" not in s:
            if s.startswith(_CLOSE_START) and "\t" not in s:
                join = True  # no paragraph starts with a closing mark
            elif wrap_w is not None:
                full = (
                    _visual_width(prev) >= wrap_w * 0.8 or len(prev) >= wrap_c * 0.8
                ) and not prev.endswith(_SENTENCE_END)
                join = (full or prev.endswith(_OPEN_END)) and not HEADING.match(s)
            elif wrap_w is None:
                # one paragraph per line: join only where the break is visibly inside a sentence
                join = (prev.endswith(_OPEN_END) or s.startswith(_CLOSE_START)) and not HEADING.match(s)
        pieces.append((a, b) if join else ("\n", a))
        if not join:
            pieces.append((a, b))
        prev = s
    return mt.build(pieces)


def normalize_text(raw: str) -> MappedText:
    """Normalise `raw`; the result maps each character back to an offset in `raw`."""
    mt = MappedText.identity(raw)
    mt = mt.sub(r"\r\n?", "\n")
    mt = mt.sub(r"[\ufeff\u200b\u200c\u200d\u2060]", "")
    mt = mt.sub(r"[\u00a0\u2002\u2003\u2009\u3000]", " ")
    mt = mt.sub(_PAREN_LATIN, _drop_pinyin)
    mt = mt.sub(_PAREN_TONED, _drop_toned)
    mt = mt.sub(_FULLWIDTH_ALNUM, _width)
    mt = mt.sub(r"[\uff08\uff09]", lambda m: m.group(0))  # already full width
    mt = mt.sub(_HALF_PUNCT, _punct)
    mt = mt.sub(r"[—–]{2}|──", "——")
    mt = _to_simplified(mt)
    mt = rebuild_flat_tables(mt)  # before spaces between Chinese words go: they may separate cells
    if is_scrambled(mt.text):  # such a mirror also writes a space for a mark ("1。深化土壤环境质量调查 在现有…"):
        mt = mt.sub(rf"(?<=[{CJK}])[ ]+(?=[{CJK}])", "，")  # Chinese never spaces its words, so it was one
    # spaces next to Chinese characters, and inside "PM 2.5"
    mt = mt.sub(rf"(?<=[{CJK}，。；：、（）“”《》])[ ]+|[ ]+(?=[{CJK}，。；：、（）“”《》])", "")
    mt = mt.sub(r"(?<=[A-Za-z]) +(?=\d)", "")
    mt = mt.sub(r"(?<=\d) +(?=%)", "")
    mt = _drop_lines(mt)
    mt = _join_broken_lines(mt)
    mt = mt.sub(r"。{2,}", "。")
    mt = ascii_full_stops(mt)
    mt = unscramble(mt)
    mt = split_inline_markers(mt)
    return mt


# ---------------------------------------------------------------- task markers run into the text
_CN_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九")}


def _cn_value(s: str) -> int | None:
    if s == "十":
        return 10
    if len(s) == 1:
        return _CN_VALUE.get(s)
    if len(s) == 2 and s[0] == "十":
        return 10 + _CN_VALUE.get(s[1], -100)
    if len(s) == 2 and s[1] == "十":
        return 10 * _CN_VALUE.get(s[0], -100)
    if len(s) == 3 and s[1] == "十":
        return 10 * _CN_VALUE.get(s[0], -100) + _CN_VALUE.get(s[2], -100)
    return None


# markers as they may stand inside a line; the level and the number of each
_INLINE_MARKER = re.compile(
    r"(?P<l1>[一二三四五六七八九十]{1,3})、(?=[\u4e00-\u9fff“])"
    r"|（?(?P<l2>(?<![\u4e00-\u9fff])[一二三四五六七八九十]{1,3})）(?=[\u4e00-\u9fff“])"
    r"|(?<![\d.．])(?P<l3>\d{1,2})[.．、](?=[\u4e00-\u9fff“])"
    r"|（(?P<l4>\d{1,2})）(?=[\u4e00-\u9fff“])"
)
_LEVELS = ("l1", "l2", "l3", "l4")


def _marker_level(m: re.Match[str]) -> tuple[int, int | None]:
    for i, k in enumerate(_LEVELS):
        if m.group(k):
            v = m.group(k)
            return i, (int(v) if v.isdigit() else _cn_value(v))
    return -1, None


def split_inline_markers(mt: MappedText, scrambled: bool = False) -> MappedText:
    """Start a new line where a numbered item begins inside a line: a plan pasted from a PDF or a web copy
    that lost its line breaks ("…达到65%。二、工作内容（一）划定区域1.核心控制区。…"). A marker inside a line
    starts an item only when it continues the numbering (1 after its parent, n after n−1) and stands after a
    sentence end or right after a short heading; numbers inside sentences ("第1.5条", "1、2号线") do not."""
    text = mt.text
    last: list[int | None] = [None] * len(_LEVELS)
    cuts: list[int] = []
    rewrites: dict[int, tuple[int, str]] = {}  # position → (length of the marker, its new form)
    ends = "。；！？，、.," if scrambled else "。；！？"
    line_start = 0
    seg_start = 0  # where the current line or item begins
    seg_level = -1
    for m in _INLINE_MARKER.finditer(text):
        nl = text.rfind("\n", 0, m.start())
        if nl + 1 != line_start:
            line_start = seg_start = nl + 1
            seg_level = -1
        level, value = _marker_level(m)
        if value is None:
            continue
        if scrambled and level == 0 and value == 1 and seg_level == 0 and m.start() - seg_start <= 16:
            # "三、主要任务，一，掌握……": a 一 right after a part heading is its first section
            level = 1
            rewrites[m.start()] = (len(m.group(0)), f"（{m.group('l1')}）")
        at_line_start = m.start() == line_start
        if not at_line_start:
            before = text[seg_start : m.start()]
            prev = text[m.start() - 1]
            expected = (last[level] or 0) + 1
            parent_fresh = level > 0 and seg_level == level - 1
            in_sequence = value == expected or (value == 1 and (parent_fresh or last[level] is None))
            after_sentence = prev in ends or (prev in "）" and value == expected and value > 1)
            after_heading = seg_level >= 0 and seg_level < level and len(before) <= 30 and (
                scrambled
                or not re.search(r"[。，；]", before)
                # "（一）开展调查，掌握状况1.深入开展…": a heading of two phrases, then its first item
                or (value == 1 and parent_fresh and not re.search(r"[。；]", before))
            )
            if not (in_sequence and (after_sentence or after_heading)):
                continue
            cuts.append(m.start())
        seg_start, seg_level = m.start(), level
        last[level] = value
        for deeper in range(level + 1, len(_LEVELS)):
            last[deeper] = None
    if not cuts and not rewrites:
        return mt
    pieces: list = []
    prev_cut = 0
    for c in sorted(set(cuts) | set(rewrites)):
        pieces.append((prev_cut, c))
        if c in cuts:
            pieces.append(("\n", c))
        prev_cut = c
        if c in rewrites:
            n, new = rewrites[c]
            pieces.append((new, c))
            prev_cut = c + n
    pieces.append((prev_cut, len(text)))
    return mt.build(pieces)


# ---------------------------------------------------------------- scrambled punctuation
_SCRAMBLE = "，。、.,；"
_PART_WORDS = "主要任务|重点任务|工作任务|主要目标|工作目标|总体要求|指导思想|基本原则|保障措施|工作措施|重点工作|具体指标|总体目标|工作思路"
_DOT_IN_WORDS = re.compile(r"(?<=[\u4e00-\u9fff])\.(?=[\u4e00-\u9fff])")


def is_scrambled(text: str) -> bool:
    """A mirror that replaced punctuation at random: full stops between words, marks before 以上…"""
    dots = len(_DOT_IN_WORDS.findall(text))
    odd = len(re.findall(r"\d[，。、.](?:以上|左右|以下)|[，。、.]{1}(?:以上|左右)[，。、.]", text))
    return dots >= 3 and dots + odd >= 0.15 * (text.count("。") + 1)


_ASCII_STOP = re.compile(
    r"(?<![\n。；：一二三四五六七八九十\d])(?<=[\u4e00-\u9fff”’）》%])\.(?=[\u4e00-\u9fff“（《]|\s|$)"
    r"|(?<=[\u4e00-\u9fff”）》%]{2})\.(?=[\u4e00-\u9fff“（《\n]|$)"
    r"|(?<=[\u4e00-\u9fff”）》%])\.(?=\d{1,2}[.、．][\u4e00-\u9fff])"  # "…1.0平方公里.3.加大…"
    r"|(?<=[\u4e00-\u9fff”）》])\.(?=(?:19|20)\d\d年)"  # "提升脱硫脱硝效率.2014年6月底前"
)


def ascii_full_stops(mt: MappedText) -> MappedText:
    """A copy that writes "." for every full stop (text pasted from a PDF or an English-punctuation site):
    "." after Chinese text becomes "。" — not after a numbered marker ("一.", "2.") and not in numbers."""
    dots = len(_DOT_IN_WORDS.findall(mt.text)) + len(re.findall(r"[\u4e00-\u9fff]\.\n", mt.text))
    all_dots = dots >= 3 and mt.text.count("。") <= 0.1 * dots
    if not all_dots and is_scrambled(mt.text):
        return mt  # a mirror that scrambled its marks: unscramble() reads it
    return mt.sub(_ASCII_STOP, "。")


def unscramble(mt: MappedText) -> MappedText:
    """Undo what a scrambled mirror did where it can be undone without guessing words: a mark between a
    value and 以上/左右/以下 is dropped; numbered markers written with any mark ("一，", "1。") get their
    marker form; a mark between two bodies' names is a list comma. Headings then end at their first mark."""
    if not is_scrambled(mt.text):
        return mt
    mt = mt.sub(r"(?<=\d)[，。、.,](?=(?:及)?(?:以上|左右|以下))", "")
    mt = mt.sub(r"(?:(?<=^)|(?<=[\n，。、.,；\s]))([一二三四五六七八九十]{1,2})[，。、.,](?=[\u4e00-\u9fff])", lambda m: m.group(1) + "、")
    mt = mt.sub(r"(?:(?<=^)|(?<=[\n，。、.,；\s\u4e00-\u9fff]))(\d{1,2})[，。、,](?=[\u4e00-\u9fff])", lambda m: m.group(1) + ".")
    # a part heading whose marker lost its mark or the break before it ("95以上三，主要任务，一摸清现状")
    mt = mt.sub(
        rf"([一二三四五六七八九十]{{1,2}})[，。、.,]?(?=(?:{_PART_WORDS})[，。、.,])",
        lambda m: "\n" + m.group(1) + "、",
    )
    mt = mt.sub(
        rf"(?<=(?:{_PART_WORDS})[，。、.,])([一二三四五六七八九十]{{1,2}})(?=[\u4e00-\u9fff])",
        lambda m: m.group(1) + "、",
    )
    mt = mt.sub(r"(?<=[局委办])[。.，](?=[市区县]?[\u4e00-\u9fff]{1,8}?(?:局|委|办))", "、")
    mt = split_inline_markers(mt, scrambled=True)
    # a heading ends at its first mark: "1.完善土壤环境监测网络，统一规划" → title 完善土壤环境监测网络
    return mt.sub(
        r"(?m)^((?:[一二三四五六七八九十]{1,2}、|（[一二三四五六七八九十]{1,2}）|\d{1,2}\.)[^，。、.,\n]{2,30})[，、.,]",
        lambda m: m.group(1) + "。",
    )


# ---------------------------------------------------------------- tables flattened into text
_HEADER_START = re.compile(r"^\s*(?:序号|编号|序)\s*\|?\s*(?:\||$)")
# "序号 工作任务 责任单位 配合单位 完成时间 1 清理河道… 县水利局 …": cells separated by spaces, rows run on
_SPACED_HEADER = re.compile(r"^\s*(?:序号|编号)[ \u3000]+(?:[\u4e00-\u9fff（）()/]{2,12}[ \u3000]+){2,}")
_ROW_NUMBER = re.compile(r"^\d{1,3}[.、．]?$")


def _spaced_cells(text: str, start: int) -> tuple[list[tuple[int, int]], int]:
    """Cells separated by spaces (and line ends) from `start` to the end of the paragraph run."""
    cells: list[tuple[int, int]] = []
    end = start
    pos = start
    for line in text[start:].split("\n"):
        a = pos
        pos += len(line) + 1
        s = line.strip()
        if not s:
            continue
        if cells and not re.search(r"[ \u3000]", s) and len(s) > 60:
            break  # a paragraph of prose after the table
        for m in re.finditer(r"[^ \u3000]+", line):
            cells.append((a + m.start(), a + m.end()))
        end = pos - 1
    return cells, end


def _cells_of(text: str, start: int, pipe: bool) -> tuple[list[tuple[int, int]], int]:
    """(start, end) of each cell from `start` on, and where the table ends. With pipes ("a | b |") cells
    are split at "|"; without, each non-empty line is a cell (a web copy of a table laid out one cell a line)."""
    cells: list[tuple[int, int]] = []
    pos = start
    end = start
    for line in text[start:].split("\n"):
        a, b = pos, pos + len(line)
        pos = b + 1
        s = line.strip()
        if not s:
            continue
        if pipe and "|" not in s:
            break
        if not pipe and (_BOILERPLATE.search(s) or _FOOTER_START.match(s) or len(s) > 5000):
            break
        if pipe:
            p = a
            parts = line.split("|")
            for k, piece in enumerate(parts):
                lead = len(piece) - len(piece.lstrip())
                # an empty cell between two bars is a cell; the rest of the line after the last bar is not
                # (a line that opens with " |" opens with an empty cell)
                if piece.strip() or (0 < k < len(parts) - 1) or (k == 0 and piece and len(parts) > 1):
                    cells.append((p + lead, p + lead + len(piece.strip())))
                p += len(piece) + 1
        else:
            lead = len(line) - len(line.lstrip())
            cells.append((a + lead, a + lead + len(s)))
        end = b
    return cells, end


def _merge_surplus(row: list[int], ncols: int, cells: list[tuple[int, int]], words: list[str], text: str) -> list[int]:
    """A spaced row with more pieces than columns: a cell held spaces. The number and the last columns keep
    the row's first and last pieces; the pieces between form the task cell (the column after 序号)."""
    tail = row[len(row) - (ncols - 2) :] if ncols > 2 else []
    middle = row[1 : len(row) - len(tail)]
    cells.append((cells[middle[0]][0], cells[middle[-1]][1]))
    words.append(text[cells[-1][0] : cells[-1][1]])
    return [row[0], len(cells) - 1] + tail


def _row_no(cell: str) -> int:
    return int(cell.rstrip(".、．"))


def _fits_left(body: list[int], ref: list[int], words: list[str]) -> bool:
    """Does a short row line up with a full row better from the left than from the right (by cell length)?"""
    import math

    def cost(pairs) -> float:
        return sum(abs(math.log1p(len(words[a])) - math.log1p(len(words[b]))) for a, b in pairs)

    left = cost(zip(body, ref))
    right = cost(zip(body, ref[len(ref) - len(body) :]))
    return left <= right


def rebuild_flat_tables(mt: MappedText) -> MappedText:
    """A task table whose rows were flattened by a web copy (one cell a line, or "a | b |" rows broken over
    lines) becomes one tab-separated line per row again, as the readers write .docx tables. The header is
    the run of short cells from 序号 to the first row number; a row runs from its number to the next one
    (n+1). A row short of cells lost its leftmost cells to a merged cell above: its cells are aligned right."""
    text = mt.text
    pieces: list = []
    last = 0
    offset = 0
    for line in text.split("\n"):
        start = offset
        offset += len(line) + 1
        if start < last or "\t" in line:
            continue
        spaced = bool(_SPACED_HEADER.match(line)) and "|" not in line
        if not spaced and not _HEADER_START.match(line):
            continue
        pipe = "|" in line
        cells, end = _spaced_cells(text, start) if spaced else _cells_of(text, start, pipe)
        words = [text[a:b] for a, b in cells]
        first_row = next((i for i, w in enumerate(words) if _ROW_NUMBER.match(w)), None)
        if first_row is None or first_row < 3:
            continue
        header = list(range(first_row))
        if any(len(words[i]) > 20 or "。" in words[i] for i in header):
            continue
        ncols = len(header)
        rows: list[list[int]] = []
        expected = _row_no(words[first_row])
        for i in range(first_row, len(words)):
            if _ROW_NUMBER.match(words[i]) and _row_no(words[i]) == expected and (not rows or len(rows[-1]) > 1):
                rows.append([i])
                expected += 1
            elif rows:
                rows[-1].append(i)
        if not rows:
            continue
        out: list = []
        out.append((last, start))
        for k, i in enumerate(header):
            if k:
                out.append(("\t", cells[i][0]))
            out.append(cells[i])
        full: list[int] | None = None
        for row in rows:
            if spaced and len(row) > ncols:
                row = _merge_surplus(row, ncols, cells, words, text)
            body = row[1:ncols]  # cells beyond the header's width are notes after the table
            gap = [None] * (ncols - 1 - len(body))
            if gap and full is not None and _fits_left(body, full[1:], words):
                slots: list[int | None] = [row[0]] + body + gap  # empty cells at the end were dropped
            else:
                slots = [row[0]] + gap + body  # the leftmost cells were merged into the row above
            if not gap:
                full = row
            out.append(("\n", cells[row[0]][0]))
            for k, ci in enumerate(slots):
                if k:
                    out.append(("\t", cells[row[0]][0] if ci is None else cells[ci][0]))
                if ci is not None:
                    out.append(cells[ci])
        last = cells[rows[-1][-1]][1]
        while last < len(text) and text[last] in " |":
            last += 1
        pieces.extend(out)
    if not pieces:
        return mt
    pieces.append((last, len(text)))
    return mt.build(pieces)
