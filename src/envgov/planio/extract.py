"""Extraction of the ledger fields from a task's (or the targets part's) normalised text.

Every function takes normalised text (see normalize.py) and returns items with spans in that text;
the importer maps the spans back to the original document.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import lru_cache

from envgov.planio.units import UnitDictionary

CJK = "\u4e00-\u9fff"
CN_DIGIT = "零〇一二两三四五六七八九"
CN_NUMERAL = "零〇一二两三四五六七八九十百千万亿"


def cn_to_number(s: str) -> float | None:
    """Chinese numeral (or Arabic number, possibly with 万/亿) to a number; cn2an does the work."""
    import cn2an

    try:
        return float(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


# ============================================================ deadlines
@dataclass(frozen=True)
class Deadline:
    date: str
    text: str
    span: tuple[int, int]


def _last_day(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _cn_int(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    v = cn_to_number(s)
    return int(v) if v is not None else None


_Q_END = {1: 3, 2: 6, 3: 9, 4: 12}
_YEAR = r"(?P<y>(?:19|20)\d\d)年"
# Patterns: each yields dates. Order matters only for readability; overlapping matches are resolved
# by keeping the longest at each place.
_DEADLINE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # 2月底、8月底前 / 2024年9月底前 / 6月底前 / 到2024年底 (the 前 may come after a list of months)
    (
        "month_end",
        re.compile(
            rf"(?:{_YEAR})?(?P<m>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})月(?:底|末|份)(?:前|以前|之前|完成)?"
        ),
    ),
    (
        "month_day",
        re.compile(
            rf"(?:{_YEAR})?(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})日(?P<suf>前|以前|之前|起|开始|以后|后)?"
        ),
    ),
    (
        "month_before",
        re.compile(rf"(?:{_YEAR})?(?P<m>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})月(?:前|以前|之前)"),
    ),
    # "2024年6月完成", "6月份完成", "10月中旬前"
    (
        "month_done",
        re.compile(
            rf"(?:{_YEAR})?(?P<m>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})月份?(?P<part>上旬|中旬|下旬)?(?:前|以前|内)?(?=完成|建成|实现|出台|印发|基本完成|全面完成|前完成)"
        ),
    ),
    (
        "month_part",
        re.compile(
            rf"(?:{_YEAR})?(?P<m>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})月(?P<part>上旬|中旬|下旬)(?:前|以前|之前)"
        ),
    ),
    # 年底前 / 2024年底 / 2024年年底前 / 年内 (not 每年底, 五年内)
    (
        "year_end",
        re.compile(
            r"(?:(?P<y>(?:19|20)\d\d)年年?|(?<![每全一二三四五六七八九十两\d])年)(?:底|末|内)(?:前|以前|之前)?"
        ),
    ),
    ("quarter", re.compile(rf"(?<![每按各分])(?:{_YEAR})?第?(?P<q>[一二三四1-4])季度(?:末|底|前|内)?")),
    ("half", re.compile(rf"(?:{_YEAR})?(?P<h>上半年|下半年|年中)")),
    ("flood", re.compile(r"(?:汛前|汛期前|入汛前|主汛期前)")),
    ("five_year", re.compile(r"[“\"]?十(?P<n>[一二三四五六七八九])五[”\"]?(?:时期|期)?末")),
    ("year", re.compile(rf"(?P<pre>到|至|在|于|瞄准|力争|争取|确保|截至)?{_YEAR}(?P<post>前|以前|之前)?")),
]
# a bare year is a deadline when it opens the clause and a result verb follows
_YEAR_RESULT = re.compile(
    r"^[，,]?\s*(?:前|以前|之前|底|末)?[，,]?(?:全区|我区|全市|本区)?(?:力争|基本|全面|要|将|确保|累计|初步)?(?:实现|完成|达到|建成|形成|降至|下降|提高|提升|控制|基本|全面|成功|消除|创建|取得)"
)


def find_deadlines(text: str, year: int | None) -> list[Deadline]:
    """Deadlines stated in `text` as ISO dates. `year` is the plan's year (for 年底前, 6月底前 …)."""
    found: list[tuple[int, int, str]] = []
    for kind, rx in _DEADLINE_PATTERNS:
        for m in rx.finditer(text):
            y = int(m.group("y")) if "y" in rx.groupindex and m.group("y") else year
            date = None
            if kind == "month_end":
                mo = _cn_int(m.group("m"))
                tail = text[m.end() : m.end() + 8]
                # "2月底、8月底前": the 前 closes the whole list
                if y and mo and 1 <= mo <= 12:
                    closed = m.group(0).endswith(("前", "完成"))
                    listed = re.match(r"^(?:、\d{1,2}月底)+(?:前|以前)", tail) is not None
                    bare_end = m.group(0)[-1] in "底末" and (
                        _before(text, m.start(), ("到", "至", "于", "在"))
                        or re.match(r"^[，,]?(?:前|完成|实现|达到|全面|基本)", tail) is not None
                    )
                    if closed or listed or bare_end:
                        date = _last_day(y, mo)
            elif kind == "month_day":
                suf = m.group("suf") or ""
                # "3月15日前", "于2024年12月31日完成", "截至6月30日"
                by = _before(text, m.start(), ("于", "到", "至", "截至", "截止", "截止到")) or re.match(
                    r"^(?:完成|实现|建成|出台|印发)", text[m.end() : m.end() + 4]
                )
                if (suf in ("前", "以前", "之前") or (not suf and by)) and y:
                    mo, d = int(m.group("m")), int(m.group("d"))
                    if 1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1]:
                        date = f"{y:04d}-{mo:02d}-{d:02d}"
            elif kind == "month_before":
                mo = _cn_int(m.group("m"))
                if y and mo and 2 <= mo <= 12:
                    date = _last_day(y, mo - 1)
            elif kind in ("month_done", "month_part"):
                mo = _cn_int(m.group("m"))
                if y and mo and 1 <= mo <= 12:
                    part = m.group("part")
                    date = (
                        f"{y:04d}-{mo:02d}-{10 if part == '上旬' else 20:02d}"
                        if part in ("上旬", "中旬")
                        else _last_day(y, mo)
                    )
            elif kind == "year_end":
                if y:
                    date = f"{y:04d}-12-31"
            elif kind == "quarter":
                q = _cn_int(m.group("q"))
                if y and q in _Q_END:
                    date = _last_day(y, _Q_END[q])
            elif kind == "half":
                if y:
                    date = f"{y:04d}-06-30" if m.group("h") in ("上半年", "年中") else f"{y:04d}-12-31"
            elif kind == "flood":
                if y:
                    date = f"{y:04d}-05-31"  # Beijing's main flood season starts on 6-1
            elif kind == "five_year":
                n = _cn_int(m.group("n"))
                if n:
                    date = f"{2025 + 5 * (10 + n - 14):04d}-12-31"
            elif kind == "year":
                yy = int(m.group("y"))
                after = text[m.end() : m.end() + 12]
                if re.match(
                    r"^(?:度|以来|版|的|[-—~至]|起|开始|以后|后|、|和|）|\)|\d{1,2}月|[一二三四五六七八九十]{1,2}月|[一二三四1-4]季度|上半年|下半年)",
                    after,
                ):
                    continue
                if text[max(0, m.start() - 1) : m.start()] in ("比", "较", "从", "自", "（", "("):
                    continue
                if re.search(
                    r"(?:对照|对比|相比|参照|结合|总结|评估|根据|依据|按照)$",
                    text[max(0, m.start() - 2) : m.start()],
                ):
                    continue  # "对照2023年完成情况": a reference year, not a due date
                if re.match(r"^[，,]?(?:完成|实现|建成|形成|达到)(?:情况|的|量|率|值|任务量)", after):
                    continue
                opens_sentence = m.start() == 0 or text[m.start() - 1] in "。；\n"
                if (
                    m.group("pre")
                    or m.group("post")
                    or _YEAR_RESULT.match(after)
                    # "2025年，X达到市级要求": the year a result is due; "2020年，是收官之年" is context
                    or (
                        opens_sentence
                        and after.startswith("，")
                        and re.search(r"达到|实现|完成|建成|形成|消除|降至|降低到|提高到|提升到", text[m.end() : _sentence_end(text, m.end())])
                    )
                ):
                    date = f"{yy:04d}-12-31"
            if date and re.search(r"每年(?:的)?$|每$|每个$", text[max(0, m.start() - 3) : m.start()]):
                date = None  # "每年3月底前": a recurring date, read by find_recurrences
            if date:
                found.append((m.start(), m.end(), date))
    # keep the longest match where matches overlap
    found.sort(key=lambda t: (t[0], -(t[1] - t[0])))
    out: list[Deadline] = []
    last_end = -1
    for s, e, d in found:
        if s < last_end:
            continue
        out.append(Deadline(d, text[s:e], (s, e)))
        last_end = e
    return out


@dataclass(frozen=True)
class Recurrence:
    rule: str  # "yearly" | "quarterly" | "monthly"
    text: str
    span: tuple[int, int]
    dates: tuple[str, ...]  # the due dates over the plan's years


_RECURRING = re.compile(
    r"每年(?:的)?(?:(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})月(?:(?P<d>\d{1,2})日|底|末|份)|(?P<ye>年底|年末|底))(?:前|以前|之前)?"
    r"|(?P<q>每季度|每个季度)(?:末|底)?(?:前)?"
    r"|(?P<mo>每月|每个月)(?:底|末)(?:前)?"
)


def find_recurrences(text: str, years: list[int]) -> list[Recurrence]:
    """Recurring due dates ("每年3月底前", "每季度末", "每月底前") as a recurrence over the plan's years;
    never turned into one invented date."""
    out: list[Recurrence] = []
    for m in _RECURRING.finditer(text):
        dates: list[str] = []
        if m.group("q"):
            rule = "quarterly"
            dates = [_last_day(y, mo) for y in years for mo in (3, 6, 9, 12)]
        elif m.group("mo"):
            rule = "monthly"
            dates = [_last_day(y, mo) for y in years for mo in range(1, 13)]
        else:
            rule = "yearly"
            for y in years:
                if m.group("ye"):
                    dates.append(f"{y:04d}-12-31")
                    continue
                mo = _cn_int(m.group("m"))
                if not mo or not 1 <= mo <= 12:
                    continue
                if m.group("d"):
                    d = int(m.group("d"))
                    if 1 <= d <= calendar.monthrange(y, mo)[1]:
                        dates.append(f"{y:04d}-{mo:02d}-{d:02d}")
                else:
                    dates.append(_last_day(y, mo))
        out.append(Recurrence(rule, m.group(0), m.span(), tuple(dates)))
    return out


def _before(text: str, pos: int, words: tuple[str, ...]) -> bool:
    head = text[max(0, pos - 3) : pos]
    return any(head.endswith(w) for w in words) or bool(re.search(r"(?:到|至)(?:19|20)\d\d年$", head))


# ============================================================ quantities
@dataclass(frozen=True)
class Quantity:
    value: float  # as written
    unit: str  # as written, one spelling per unit (微克/立方米, μg/m3, ug/m3 → μg/m³)
    text: str
    span: tuple[int, int]
    base_value: float | None = None  # in the base unit: 万/亿 multiplied out
    base_unit: str | None = None

    def __post_init__(self) -> None:
        if self.base_value is None:
            object.__setattr__(self, "base_value", self.value)
        if self.base_unit is None:
            object.__setattr__(self, "base_unit", self.unit)


# units of measure and classifiers, longest first where one is a prefix of another
_UNITS = [
    "微克/立方米",
    "毫克/立方米",
    "μg/m3",
    "µg/m³",
    "µg/m3",
    "ug/m3",
    "ug/m³",
    "mg/m³",
    "mg/m3",
    "mg/L",
    "mg/l",
    "μg/m³",
    "吨/平方公里·月",
    "吨/平方公里",
    "瓦/平方米",
    "立方米/万元",
    "立方米/秒",
    "立方米/日",
    "吨/日",
    "吨/天",
    "吨/年",
    "吨/小时",
    "蒸吨/小时",
    "立方米/天",
    "立方米/小时",
    "吨标煤",
    "吨标准煤",
    "千瓦时",
    "千瓦",
    "兆瓦",
    "蒸吨",
    "平方公里",
    "平方千米",
    "平方米",
    "立方米",
    "公顷",
    "亩",
    "公里",
    "千米",
    "厘米",
    "毫米",
    "米",
    "吨",
    "千克",
    "公斤",
    "%",
    "‰",
    "个百分点",
    "个",
    "家",
    "辆次",
    "辆",
    "条段",
    "条",
    "座",
    "组",
    "处",
    "台",
    "套",
    "项",
    "人次",
    "艘",
    "眼",
    "宗",
    "件",
    "栋",
    "户",
    "所",
    "块",
    "棵",
    "株",
    "只",
    "天",
    "小时",
    "分钟",
    "倍",
    "万元",
    "亿元",
    "元",
    "分贝",
    "km2",
    "km",
    "次",
]
_UNIT_ALIASES = {
    "微克/立方米": "μg/m³",
    "μg/m3": "μg/m³",
    "µg/m³": "μg/m³",
    "µg/m3": "μg/m³",
    "ug/m3": "μg/m³",
    "ug/m³": "μg/m³",
    "mg/m3": "mg/m³",
    "毫克/立方米": "mg/m³",
    "mg/l": "mg/L",
    "吨标准煤": "吨标煤",
    "平方千米": "平方公里",
    "km2": "平方公里",
    "km": "公里",
    "千米": "公里",
}
_NUM = r"\d+(?:\.\d+)?"
_CNUM = rf"[{CN_NUMERAL}]+"
_QTY = re.compile(
    rf"(?P<pre>≤|≥|<=|>=|<|>|不少于|不低于|不超过|不高于|不大于|不小于|至少|超过|低于|高于|达到|达|控制在|降至|约|累计|共|"
    rf"完成|减少|下降|提高|增加)?"
    rf"(?:(?P<num>{_NUM})|(?P<cn>{_CNUM}))(?P<mult>[万亿千百]?)(?P<approx>余|多)?"
    rf"(?P<unit>{'|'.join(re.escape(u) for u in _UNITS)})"
    rf"(?P<post>及以上|及以下|以上|以下|以内|左右)?"
)
_LIST_QTY = re.compile(rf"(?<![\d.、])(?P<nums>(?:{_NUM}、)+)(?={_NUM})")
_FRACTION = re.compile(rf"(?P<den>[{CN_NUMERAL}\d]+)分之(?P<num>[{CN_NUMERAL}\d]+)")
_MULT = {"": 1, "万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}


def _inside(text: str, pos: int, open_: str, close: str) -> bool:
    """Is `pos` inside an open_…close pair (e.g. a document title 《…》)?"""
    o = text.rfind(open_, 0, pos)
    return o != -1 and text.rfind(close, o, pos) == -1 and text.find(close, pos) != -1


_CLASSIFIERS = {
    "个",
    "条",
    "项",
    "次",
    "家",
    "户",
    "所",
    "块",
    "只",
    "处",
    "座",
    "套",
    "台",
    "组",
    "批",
    "倍",
    "天",
}
# a bare number with a comparator word: "保持在0.75以上"
_BARE = re.compile(
    r"(?:(?<=保持在)|(?<=提高到)|(?<=提升到)|(?<=控制在)|(?<=达到)|(?<=不低于)|(?<=不高于))(?P<num>\d+(?:\.\d+)?)(?P<post>及以上|以上|及以下|以下|左右)"
)


def _in_short_paren(text: str, pos: int) -> bool:
    """Inside a short parenthesis of the same sentence ("（1个Ⅲ类、7个Ⅳ类）"); an unclosed "（" far before
    (a copy that lost its "）") does not count."""
    o = text.rfind("（", max(0, pos - 40), pos)
    if o == -1 or re.search(r"[）。；\n]", text[o:pos]):
        return False
    c = re.search(r"[）。；\n]", text[pos : pos + 40])
    return c is not None and c.group(0) == "）"


def _in_short_quote(text: str, pos: int) -> bool:
    """Inside a short quoted slogan (“最后一公里”, “十四五”)?"""
    o = text.rfind("“", max(0, pos - 12), pos)
    if o == -1 or "”" in text[o:pos]:
        return False
    c = text.find("”", pos, pos + 12)
    return c != -1


def find_quantities(text: str) -> list[Quantity]:
    out: list[Quantity] = []
    for m in _QTY.finditer(text):
        start_num = m.start("num") if m.group("num") else m.start("cn")
        prev = text[start_num - 1 : start_num] if start_num > 0 else ""
        if m.group("num"):
            # part of a code or name: PM2.5, C2, NH3, GB3095, 第3次, 22号线
            if re.match(r"[A-Za-z\-—/.]", prev) or prev.isdigit():
                continue
            value = float(m.group("num"))
        else:
            cn = m.group("cn")
            if prev in ("第", "“", '"', "十"):
                continue
            # a bare 千/百/万 is a number only as a threshold ("千吨以上"), not in names ("百万亩造林")
            if re.fullmatch(r"[十百千万亿]+", cn) and not m.group("post"):
                continue
            # counted things written in words ("两个品牌", "一条主线") are phrasing, not ledger figures,
            # unless bounded ("至少一个产业园区")
            if m.group("unit") in _CLASSIFIERS and m.group("pre") not in ("至少", "不少于", "不低于", "超过"):
                continue
            v = {"十": 10.0, "百": 100.0, "千": 1000.0, "万": 1e4, "亿": 1e8}.get(cn) or cn_to_number(cn)
            if v is None:
                continue
            value = v
        if _inside(text, start_num, "《", "》") or _in_short_quote(text, start_num):
            continue
        unit = m.group("unit")
        # "个" after a Chinese numeral in a slogan ("四个转变", "三个协同") is not a measure
        if m.group("cn") and unit == "个" and text[start_num - 1 : start_num] in ("“", ""):
            continue
        unit = _UNIT_ALIASES.get(unit, unit)
        # as written (47.38 亿立方米), and in the base unit (4738000000 立方米)
        base_value, base_unit = value * _MULT[m.group("mult")], unit
        if m.group("mult"):
            unit = m.group("mult") + unit
        s = (
            m.start("pre")
            if m.group("pre")
            in (
                "不少于",
                "不低于",
                "不超过",
                "不高于",
                "至少",
                "达到",
                "控制在",
                "约",
                "≤",
                "≥",
                "<=",
                ">=",
                "<",
                ">",
            )
            else start_num
        )
        out.append(
            Quantity(_clean(value), unit, text[s : m.end()], (s, m.end()), _clean(base_value), base_unit)
        )
    # "分别为57、54、55微克/立方米": every number of the list has the unit written after the last one
    for m in _LIST_QTY.finditer(text):
        last = next((q for q in out if q.span[0] <= m.end("nums") + 1 <= q.span[1] and q.span[0] >= m.end("nums")), None)
        if last is None:
            continue
        pos = m.start("nums")
        for num in m.group("nums").split("、")[:-1]:
            if num and not any(q.span[0] <= pos < q.span[1] for q in out):
                out.append(Quantity(_clean(float(num)), last.unit, num, (pos, pos + len(num))))
            pos += len(num) + 1
    for m in _BARE.finditer(text):
        if not any(q.span[0] <= m.start() < q.span[1] for q in out) and not re.match(
            r"[\d.%]", text[m.end("num") : m.end("num") + 1]
        ):
            out.append(Quantity(_clean(float(m.group("num"))), "", m.group(0), m.span()))
    for m in _FRACTION.finditer(text):
        den, num = cn_to_number(m.group("den")), cn_to_number(m.group("num"))
        if den and num is not None:
            out.append(Quantity(round(num / den, 4), "", m.group(0), m.span()))
    out.sort(key=lambda q: q.span)
    return out


def _clean(v: float) -> float | int:
    return int(v) if float(v).is_integer() else round(v, 6)


# ============================================================ units (actors) and towns
@dataclass
class UnitMention:
    name: str  # canonical
    printed: str
    span: tuple[int, int]
    role: str  # "lead" | "coop" | "actor"
    known: bool


_LEAD_AFTER = re.compile(
    r"^(?:等(?:相关|有关)?(?:部门|单位))?[（(]?(?:要|共同|分别|负责|按职责分工|按职责|按照职责分工|依职责)?"
    r"(?:牵头|负责|主责|会同)"
)
_COOP_AFTER = re.compile(
    r"^(?:等(?:相关|有关)?(?:部门|单位))?[（(]?(?:要|共同|分别)?(?:配合|协助|协办|参与|提供相关配合|提供配合)"
)
_NOT_ACTOR_AFTER = re.compile(
    r"^(?:等(?:相关|有关)?(?:部门|单位))?(?:的|关于|联合印发|印发|拟|制定的|出台的|下达|统筹下|指导下|部署|要求|通报|共享|反馈|备案|报告)"
)
_NOT_ACTOR_BEFORE = re.compile(
    r"(?:向|对|移交|移送|报送|报|提交|交由|抄送|通报|经|按照|依据|根据|参照|协调|落实|贯彻|执行)$"
)
# "会同永顺镇政府、生态环境局": other names (towns, unknown bodies) may stand between 会同 and the unit
_COOP_BEFORE = re.compile(r"(?:会同|配合|协助|联合)(?:[\u4e00-\u9fff（）]{2,14}?[、和及])*$")
_UNKNOWN = re.compile(
    rf"(?:^|(?<=[，。；：、（“\n]))(?P<n>[{CJK}]{{2,14}}?(?:管委会|管理委员会|办公室|分局|支队|大队|执法队|中心|公司|集团|交易所|监测站|局|委|办))"
    r"(?=牵头|会同|负责|主责|配合|协助|组织|督促|推动|推进|加强|开展|落实|做好|摸排|建立|引导|鼓励|按照|依法|定期|严格|加快)"
)
_GENERIC = re.compile(
    r"相关|有关|各|部门|单位|行业|企业|机构|主体|市级|国家|全市|本市|市|配合|制定|推动|推进|组织|会同|协调|按照|依据|"
    r"督促|开展|加强|落实|建立|完善|实施|研究|鼓励|引导|提高|提升|支持|发挥|强化|做好|指导|探索|围绕|"
    r"街道|[镇乡](?:政府|人民政府)?办?$"  # towns go to `towns`, never to units
)


@lru_cache(maxsize=16)
def _alternation(words: tuple[str, ...], head: str, tail: str) -> re.Pattern[str]:
    """One regex for a word list, longest words first (compiled once per dictionary)."""
    return re.compile(head + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + tail)


def _clause_start(text: str, pos: int) -> int:
    i = max(text.rfind(c, 0, pos) for c in "，。；：\n")
    return i + 1


def find_units(text: str, units: UnitDictionary) -> tuple[list[UnitMention], list[str]]:
    """Units named as actors, with their role. Also the towns acting as a unit (潞邑街道牵头)."""
    spans: list[tuple[int, int, str, str, bool]] = []  # start, end, canonical, printed, known
    taken = [False] * (len(text) + 1)

    def add(s: int, e: int, canon: str, printed: str, known: bool) -> None:
        if any(taken[s:e]):
            return
        for i in range(s, e):
            taken[i] = True
        spans.append((s, e, canon, printed, known))

    for m in units.full_regex.finditer(text):
        s, e = m.span()
        printed = m.group(0)
        # a city body (市生态环境局, 十堰市生态环境局) acts as itself: it is a unit, named as printed
        if text[s - 1 : s] == "市" and not printed.startswith("市"):
            s -= 1
            printed = text[s:e]
        add(s, e, units.canonical(printed), printed, True)
    # X部门 with X a short form ("生态环境部门", "市场监管部门")
    if units.short:
        for m in _alternation(tuple(units.short), "(?:区)?(?:", ")(?:部门|委|局)?").finditer(text):
            s, e = m.span()
            printed = m.group(0)
            tail = text[e : e + 10]
            head = text[max(0, s - 1) : s]
            in_list = bool(re.match(r"^(?:、|和|及|与)", tail) or head in ("、",)) and bool(
                re.search(
                    r"等(?:行业主管|相关|有关|职能)?(?:部门|单位)|部门", text[e : e + 60].split("。")[0]
                )
            )
            if printed.endswith("部门") or in_list:
                # short forms are words of ordinary speech too: require a boundary before them
                # ("交界地区生态环境部门执法联动机制" names no actor)
                lead_in = text[max(0, s - 2) : s]
                if head not in (
                    "、",
                    "，",
                    "。",
                    "；",
                    "：",
                    "",
                    "\n",
                    "和",
                    "及",
                    "与",
                    "同",
                    "（",
                ) and not lead_in.endswith(("会同", "配合", "协助", "督促", "由", "指导")):
                    continue
                base = printed.removesuffix("部门")
                canon = units.short.get(base.lstrip("区"), units.canonical(base))
                add(s, e, canon, printed, True)
    for m in _UNKNOWN.finditer(text):
        n = m.group("n")
        if _GENERIC.search(n) or n in units.collectives:
            continue
        add(m.start("n"), m.end("n"), units.canonical(n), n, False)

    spans.sort()
    mentions: list[UnitMention] = []
    # group mentions joined by 、/和 (one list acts together)
    groups: list[list[tuple[int, int, str, str, bool]]] = []
    for sp in spans:
        if groups:
            last = groups[-1][-1]
            between = text[last[1] : sp[0]]
            if re.fullmatch(r"(?:、|和|及|与|以及|，|及其)?", between):
                groups[-1].append(sp)
                continue
        groups.append([sp])
    starts = [g[0][0] for g in groups]
    for gi, g in enumerate(groups):
        gs, ge = g[0][0], g[-1][1]
        before = text[_clause_start(text, gs) : gs]
        after = text[ge : ge + 16]
        if units.collectives and any(after.startswith(c) for c in ("等行业主管部门",)):
            pass
        if _NOT_ACTOR_AFTER.match(after):
            continue
        if _NOT_ACTOR_BEFORE.search(before):
            continue
        if g[0][3].startswith("市") and any(_NOT_ACTOR_BEFORE.search(before[:-k]) for k in (2, 3) if len(before) > k):
            continue  # "落实北京市生态环境局…": the city's name stands between the verb and its body
        if re.search(r"由$", before) and not re.match(r"^(?:等\S{0,4})?(?:负责|牵头|组织)", after):
            continue
        if re.search(r"与$", before) and re.match(r"^(?:共享|通报|对接|沟通|衔接|联网|联动|签订)", after):
            continue
        if re.search(r"(?:在|经)$", before):
            continue
        role = "actor"
        if _LEAD_AFTER.match(after):
            role = "lead"
        elif _COOP_AFTER.match(after) or _COOP_BEFORE.search(before):
            role = "coop"
        else:
            sentence = text[ge : _sentence_end(text, ge)]
            nxt = starts[gi + 1] - ge if gi + 1 < len(starts) else len(sentence)
            own = sentence[: min(20, nxt)]  # up to the next unit: "甲…，乙配合" makes 乙, not 甲, cooperate
            if re.search(r"配合|协助", own) and "牵头" not in own:
                role = "coop"
            elif re.search(r"[，,]?(?:并|同时|要)?会同", sentence[:nxt]) and not re.search(
                r"[，,]?(?:并|同时|要)?会同", before
            ):
                role = "lead"  # "商务局鼓励……，并会同国资委推动……": the subject of 会同 leads
        for s, e, canon, printed, known in g:
            mentions.append(UnitMention(canon, printed, (s, e), role, known))
    unknown = sorted({m.printed for m in mentions if not m.known})
    return mentions, unknown


def _sentence_end(text: str, pos: int) -> int:
    ends = [i for i in (text.find(c, pos) for c in "。；\n") if i != -1]
    return min(ends) if ends else len(text)


_TOWN_PATTERN = re.compile(
    rf"(?:^|(?<=[，。；：、（“\n]))(?P<n>[{CJK}]{{2,4}}?(?:镇|乡|街道))(?P<gov>政府|人民政府|办事处)?"
    r"(?=[、和及]|牵头|会同|负责|配合|等)"
)
_NOT_TOWN = re.compile(
    r"^(?:各|相关|本|全|所在|属地|重点|城区|农村|城镇|乡镇|街乡|镇街|其他|周边|部分|有关|我区|辖区|城乡)|[乡镇]街道$|乡镇$"
)


def find_towns(text: str, units: UnitDictionary) -> list[tuple[str, tuple[int, int]]]:
    out: list[tuple[str, tuple[int, int]]] = []
    if units.towns:
        rx = _alternation(tuple(sorted(units.towns)), "(?:", ")")
        for m in rx.finditer(text):
            # very short names (张镇, 杨镇) only at a word boundary
            if (
                len(m.group(0)) <= 2
                and m.start() > 0
                and text[m.start() - 1] not in "，。；：、（“\n和及与同"
            ):
                continue
            out.append((m.group(0), m.span()))
    for m in _TOWN_PATTERN.finditer(text):
        n = m.group("n")
        if _NOT_TOWN.search(n) or any(s <= m.start("n") < e for _, (s, e) in out):
            continue
        # the name must itself be a proper name: not a verb phrase ("推进宋庄镇" is caught by the list)
        if re.search(r"推进|开展|加强|完成|实施|建设|治理|管理|监管|落实|推动|组织|各", n):
            continue
        out.append((n, m.span("n")))
    # the towns as a whole, when they act
    for alias in sorted(units.all_towns_aliases, key=len, reverse=True):
        for m in re.finditer(re.escape(alias), text):
            after = text[m.end() : m.end() + 12]
            before = text[max(0, m.start() - 4) : m.start()]
            if alias == "属地":
                # bare 属地 is an actor only in "落实属地责任" or standing in a list / acting itself
                ok = before.endswith("落实") and after.startswith("责任")
                ok = ok or (
                    (before[-1:] in ("", "，", "。", "；", "、", "\n", "和", "及") or before.endswith("会同"))
                    and re.match(r"^(?:、|主责|负责|牵头|等|要|和)", after) is not None
                )
                if not ok:
                    continue
            if re.search(r"(?:协助|帮助|指导|督促|帮扶)$", before):
                continue
            if re.search(r"(?:向|对|由|通报|考核|排名)$", before):
                continue
            if any(s <= m.start() < e for _, (s, e) in out):
                continue
            out.append((units.all_towns_name, m.span()))
    out.sort(key=lambda t: t[1])
    return out


# ============================================================ targets
@dataclass(frozen=True)
class Target:
    indicator: str
    comparator: str
    value: float
    unit: str
    period: str
    text: str
    span: tuple[int, int]
    flags: tuple[str, ...] = ()


# comparator words ("不低于" is a floor although it contains "低于")
_CAP_WORDS = re.compile(r"不超过|不高于|不大于|控制在|以内|以下|降至|(?<!不)低于|(?<!不)小于|≤|<(?!=)|<=")
_FLOOR_WORDS = re.compile(r"不低于|不少于|至少|以上|(?<!不)超过|(?<!不)高于|(?<!不)大于|≥|>")
_CAP_INDICATOR = re.compile(r"浓度|(?:污染|超标)天数|降尘|排放总量|排放量|能耗|用水量|负荷|总量")
_FLOOR_INDICATOR = re.compile(r"减排|下降|降幅|削减|利用率|率|比例|比重|覆盖|达标|断面")
_PERIOD = re.compile(r"(?P<p>一季度|二季度|三季度|四季度|第[一二三四]季度|上半年|下半年|汛期|采暖季|供暖季)")


_CONCENTRATION_UNITS = {"μg/m³", "mg/m³", "mg/L"}
_LISTED_BEFORE = re.compile(
    rf"(?:{_NUM}(?:{'|'.join(re.escape(u) for u in _UNITS)})?(?:及以上|以上|及以下|以下)?[、，和及]?)+$"
)


def find_targets(text: str, year: int | None = None) -> list[Target]:
    """Numeric targets: each quantity of the targets part with the indicator it qualifies."""
    out: list[Target] = []
    for q in find_quantities(text):
        s, e = q.span
        if not re.search(r"\d", q.text):
            continue  # numeric targets are written in figures; "一项重要任务" is phrasing
        if _in_short_paren(text, s):
            continue  # a parenthesised split ("1个Ⅲ类、7个Ⅳ类") is a detail of the target, not a target
        cstart = _clause_start(text, s)
        clause_end = min([i for i in (text.find(c, e) for c in "，。；\n") if i != -1] or [len(text)])
        clause = text[cstart:clause_end]
        head = text[cstart:s]
        # a count that says which things the target is about ("27个省级断面优良率达到96.3%", "国控1条断面")
        # is the target's scope, not a target
        if q.unit in _CLASSIFIERS and re.search(r"\d", re.sub(r"（[^）]*）", "", text[e:clause_end])):
            continue
        # values listed after one verb keep its direction: "分别比2015年下降15%、15%、30%以上"
        head = _LISTED_BEFORE.sub("", head)
        # several values for several indicators: "A、B、C减排量分别为430吨、420吨、790吨"
        indicator = re.sub(
            r"(?:分别)?(?:为|达到|达|控制在|不超过|不高于|不低于|不少于|降至|下降|累计下降|累计减排|减排)$",
            "",
            head,
        )
        indicator = re.sub(r"^(?:到|至)?(?:19|20)\d\d年[，]?", "", indicator)
        indicator = re.sub(r"^(?:全年|全区|我区|本区|力争)+|(?:力争|要|应|须|均)+$", "", indicator).strip(
            "，、 "
        )
        if not indicator:
            indicator = clause[: s - cstart] or clause
        post = text[e : e + 6]
        # a count or distance that only says where or what the goal is about ("存在的3个问题",
        # "主要支流1公里范围内排污口") is its scope, not a target
        if re.match(r"^[^，。；\d]{0,6}范围", text[e : e + 10]) or re.search(r"(?:存在的|涉及|共有|现有)$", text[max(0, s - 3) : s]):
            continue
        if re.search(r"(?:以上|及以上)$", q.text) or re.match(r"^(?:及)?以上", post):
            comp = ">="  # the word after the value decides first: "保持在95%以上"
        elif (
            _CAP_WORDS.search(q.text)
            or re.match(r"^(?:及)?(?:以下|以内)", post)
            or re.search(r"(?:控制在|保持在|不超过|不高于|降至)$", head)
        ):
            comp = "<="
        elif (
            _FLOOR_WORDS.search(q.text)
            or re.match(r"^(?:及)?以上", post)
            or re.search(r"(?:不低于|不少于|至少)$", head)
            # "PM2.5浓度同比下降5%": a reduction of at least 5 %, whatever the indicator's direction
            or re.search(r"(?:下降|降低|减少|削减|减排)(?:幅度|比例|率)?(?:达到|达|为)?$", head)
        ):
            comp = ">="
        elif (_CAP_INDICATOR.search(indicator) and not _FLOOR_INDICATOR.search(indicator[-4:])) or (
            q.unit in _CONCENTRATION_UNITS and not _FLOOR_INDICATOR.search(indicator[-4:])
        ):
            comp = "<="  # a concentration goal is a ceiling ("PM10分别为57、54微克/立方米")
        else:
            comp = ">="
        pm = _PERIOD.search(head)
        if pm:
            period = pm.group("p")
        elif re.search(r"累计(?:减排|下降|削减|完成)", clause) or re.search(r"减排量|降幅", indicator):
            period = "累计"
        else:
            period = "全年"
        flags = []
        tail = text[e : e + 20]
        if "扣除沙尘" in tail.split("。")[0][:12]:
            flags.append("扣除沙尘")
        if "左右" in text[e : e + 3] or q.text.endswith("左右"):
            flags.append("左右")
        if "力争" in head:
            flags.append("力争")
        out.append(
            Target(indicator, comp, q.base_value, q.base_unit, period, clause, (cstart, clause_end), tuple(flags))
        )
    # "分别为": pair the i-th value with the i-th indicator
    return _spread_respectively(out, text)


def _spread_respectively(targets: list[Target], text: str) -> list[Target]:
    out = []
    by_clause: dict[tuple[int, int], list[Target]] = {}
    for t in targets:
        by_clause.setdefault(t.span, []).append(t)
    for span, ts in by_clause.items():
        clause = text[span[0] : span[1]]
        m = re.search(r"^(?P<names>.*?)(?:分别为|分别达到|分别是)", clause)
        if m and len(ts) > 1:
            names = [n for n in re.split(r"、|和", m.group("names")) if n]
            if len(names) == len(ts):
                for t, n in zip(ts, names):
                    out.append(Target(n, t.comparator, t.value, t.unit, t.period, t.text, t.span, t.flags))
                continue
        # "A和B达到95%以上": one value for two indicators ending alike (…率 和 …率)
        if len(ts) == 1 and "和" in ts[0].indicator:
            parts = ts[0].indicator.split("和")
            if len(parts) == 2 and parts[0][-1:] == parts[1][-1:] and len(parts[0]) >= 3:
                for p in parts:
                    t = ts[0]
                    out.append(Target(p, t.comparator, t.value, t.unit, t.period, t.text, t.span, t.flags))
                continue
        out.extend(ts)
    return out


_CELL_VALUE = re.compile(
    r"^\s*(?P<cmp>≤|≥|<=|>=|<|>)?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>%|‰|[\u4e00-\u9fff/·a-zA-Zμ³]{0,10})\s*(?P<post>以上|以下|以内|左右)?\s*$"
)


def find_table_targets(text: str) -> list[Target]:
    """Targets in a table of indicators: one row per indicator ("PM2.5年均浓度（微克/立方米）\t≤35")."""
    out: list[Target] = []
    pos = 0
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        if "\t" not in line:
            continue
        cells = line.split("\t")
        indicator, ind_unit, value = None, "", None
        for cell in cells:
            c = cell.strip()
            if indicator is None:
                if len(re.findall(r"[\u4e00-\u9fff]", c)) >= 2 and not _CELL_VALUE.match(c):
                    m = re.search(r"[（(]([^）)]{1,12})[）)]\s*$", c)
                    if m and re.search(r"[/%‰]|米|吨|天|个|微克|毫克", m.group(1)):
                        ind_unit = m.group(1)
                        c = c[: m.start()]
                    indicator = c
                continue
            v = _CELL_VALUE.match(c)
            if v and (v.group("unit") or ind_unit) is not None:
                value = v
                break
        if indicator is None or value is None:
            continue
        unit = _UNIT_ALIASES.get(value.group("unit") or ind_unit, value.group("unit") or ind_unit)
        if unit and unit not in _UNITS and unit not in _UNIT_ALIASES.values():
            continue  # "2024年" or a name, not a unit
        cmp_text = (value.group("cmp") or "") + (value.group("post") or "")
        if _CAP_WORDS.search(cmp_text):
            comp = "<="
        elif _FLOOR_WORDS.search(cmp_text):
            comp = ">="
        elif _CAP_INDICATOR.search(indicator) and not _FLOOR_INDICATOR.search(indicator[-4:]):
            comp = "<="
        else:
            comp = ">="
        pm = _PERIOD.search(indicator)
        flags = tuple(
            f for f, on in (("扣除沙尘", "扣除沙尘" in line), ("左右", value.group("post") == "左右")) if on
        )
        out.append(
            Target(
                indicator.strip(),
                comp,
                _clean(float(value.group("num"))),
                unit,
                pm.group("p") if pm else "全年",
                line.replace("\t", " ").strip(),
                (start, start + len(line)),
                flags,
            )
        )
    return out


# ============================================================ duty notes (who does a task)
@dataclass(frozen=True)
class DutyName:
    name: str  # as printed (normalised text)
    role: str  # "lead" | "coop" | "actor"
    span: tuple[int, int]


_ROLE_LABEL = re.compile(
    r"(?P<label>(?:牵头|责任|主责|负责|配合|协办|参与|协助|协同|实施|承办)(?:单位|部门)|牵头|责任)\s*[:：]"
)
_ROLE_WORD = re.compile(r"(?:共同|分别|按职责)?(?:负责落实|牵头负责|牵头|负责|主责|配合|参与|协助|协办|落实)$")
# a body's name ends like this (a name cut by the end of the page does not)
_BODY_END = re.compile(
    r"(?:局|委|委员会|办|办公室|厅|政府|管委会|管理委员会|中心|站|所|队|支队|大队|分局|院|署|处|室|公司|集团|"
    r"镇|乡|街道|镇街|街镇|园区|开发区|高新区|社区|部|部门|会|[（(][^）)]{1,8}[）)])$"
)
_NOT_A_NAME = re.compile(r"^(?:相关|有关|各有关|各相关|行业监管|行业主管|其他|各级|以下|同上|等)|[。，：:]")
_DUTY_WORDS = re.compile(r"牵头|负责|主责|配合|参与|协助|协办|责任单位|责任部门")


def _bracket_notes(text: str):
    """(start, end) of bracketed notes (…) 〔…〕 【…】 that name who does the work (nesting allowed)."""
    opens, closes = "（(〔【[", "）)〕】]"
    i, n = 0, len(text)
    while i < n:
        if text[i] in opens:
            depth, j = 1, i + 1
            while j < n and depth and j - i < 400:
                if text[j] in opens:
                    depth += 1
                elif text[j] in closes:
                    depth -= 1
                elif text[j] == "\n":
                    break
                j += 1
            inner_end = j - 1 if depth == 0 else j  # an unclosed note runs to the cut
            inner = text[i + 1 : inner_end]
            if _DUTY_WORDS.search(inner) and depth == 0 or (depth and j >= n and _DUTY_WORDS.search(inner)):
                yield i + 1, inner_end
                i = j
                continue
        i += 1


def _label_lines(text: str):
    """(start, end) of duty lines ("牵头单位：区环保局" / "配合单位：…" and a list line continuing them)."""
    pos = 0
    prev_duty = False
    for line in text.split("\n"):
        s, e = pos, pos + len(line)
        pos = e + 1
        stripped = line.strip()
        if _ROLE_LABEL.match(stripped):
            prev_duty = True
            yield s, e
        elif prev_duty and stripped and len(stripped) <= 60 and "。" not in stripped and (
            "、" in stripped or _BODY_END.search(stripped)
        ):
            yield s, e  # "各乡镇（街道）、黎阳建管办" under "配合单位：…"
        else:
            prev_duty = False


def find_duty_names(text: str) -> list[DutyName]:
    """Every body named in a task's duty notes ("（X牵头，A、B配合）", "〔牵头单位：…；配合单位：…〕",
    "责任单位：…" lines), as printed, whether or not the dictionary knows it."""
    out: list[DutyName] = []
    regions = sorted(set(_bracket_notes(text)) | set(_label_lines(text)))
    role, last_end = "actor", -2
    for rs, re_ in regions:
        note = text[rs:re_]
        if rs > last_end + 1:
            role = "actor"  # a continuation line keeps the role of the labelled line above it
        last_end = re_
        for cm in re.finditer(r"[^；;。]+", note):
            clause, cs = cm.group(0), rs + cm.start()
            cut = re.search(r"以下|不再(?:列出|重复)", clause)
            if cut:
                # "以下均需县(市、区)政府落实，不再列出": not this task's own note (from there on)
                clause = clause[: cut.start()]
                if not re.search(r"[\u4e00-\u9fff]{2}", clause):
                    break
            labels = list(_ROLE_LABEL.finditer(clause))
            segments = [(clause[: labels[0].start()] if labels else clause, cs, None)]
            for k, lm in enumerate(labels):
                end = labels[k + 1].start() if k + 1 < len(labels) else len(clause)
                segments.append((clause[lm.end() : end], cs + lm.end(), lm.group("label")))
            for body, bs, label in segments:
                if label:
                    role = "coop" if re.search(r"配合|协办|参与|协助|协同", label) else "lead"
                _names_of(body, bs, role, label is not None or bool(labels) or rs > 0 and role != "actor", out)
            if cut:
                break
    _duty_runs(text, out)
    return out


_BODY_NAME = (
    r"[（(〔【]?[\u4e00-\u9fff]{1,14}?(?:（[^（）]{1,6}）[\u4e00-\u9fff]{0,6}?)?"
    r"(?:管理委员会|管委会|政府|分局|支队|大队|中心|局|委|办|站|所|院|处|厅|署)"
)
# "区水务局牵头，区园林绿化局配合" / "市国土资源局、市农业局等配合" written in the text, not in a note
_DUTY_RUN = re.compile(
    rf"(?P<list>(?:{_BODY_NAME}[、和及])*{_BODY_NAME})(?:等(?:相关|有关)?(?:部门|单位)?)?"
    r"(?:按职责分工|按照职责分工|按职责|依职责|分别|共同|要)?"
    r"(?P<role>负责落实|牵头负责|牵头|负责|主责|配合|参与|协助|协办)"
)


def _duty_runs(text: str, out: list[DutyName]) -> None:
    for cm in re.finditer(r"[^，。；\n]+", text):
        clause, cs = cm.group(0), cm.start()
        pos = 0
        for m in _DUTY_RUN.finditer(clause):
            if m.start() != pos:
                break  # the list must open the clause or follow the previous role word
            pos = m.end()
            role = "coop" if re.search(r"配合|参与|协助|协办", m.group("role")) else "lead"
            off = cs + m.start("list")
            for item in re.split(r"[、和及]", m.group("list")):
                name = re.sub(r"^[（(〔【]*(?:并由|由|并|要|请|均由)?", "", item)
                start = off + (len(item) - len(name))
                if len(name) >= 3 and not _NOT_A_NAME.search(name) and not re.search(r"部门|单位|企业", name):
                    out.append(DutyName(name, role, (start, start + len(name))))
                off += len(item) + 1


_NAME_RUN = re.compile(r"(?:[（(][^）)]*[）)]|[^，,（(])+")
_NAME_ITEM = re.compile(r"(?:[（(][^）)]*[）)]|[^、（(])+")
_RUN_ROLE = re.compile(r"(?:等)?(?:共同|分别|按职责)?(?:负责落实|牵头负责|牵头|负责|主责|配合|参与|协助|协办|落实)$")


def _names_of(body: str, bs: int, role: str, labelled: bool, out: list[DutyName]) -> None:
    """Names of a list ("A、B负责，C、D等参与"): the role word closes each run of names. In a list where one
    name is marked （牵头）, the others cooperate."""
    if re.search(r"[（(](?:牵头|主责)[)）]", body):
        role = "coop"
    for run in _NAME_RUN.finditer(body):
        piece, ps = run.group(0), bs + run.start()
        run_role = role
        wm = _RUN_ROLE.search(piece.rstrip())
        if wm:
            run_role = "coop" if re.search(r"配合|参与|协助|协办", wm.group(0)) else "lead"
            piece = piece[: wm.start()]
        elif not labelled:
            continue  # words before any duty word are not a list of bodies
        for nm in _NAME_ITEM.finditer(piece):
            raw = nm.group(0)
            name = re.sub(r"\s+", "", re.sub(r"等(?:部门|单位)?\s*$", "", raw.strip()))
            marked = re.search(r"[（(](牵头|负责|主责|配合|协办|参与)[)）]$", name)
            item_role = run_role
            if marked:  # "县发改局（牵头）、县环保局": the mark is the role, not part of the name
                name = name[: marked.start()]
                item_role = "coop" if marked.group(1) in ("配合", "协办", "参与") else "lead"
            if len(name) < 2 or len(name) > 24 or _NOT_A_NAME.search(name) or not _BODY_END.search(name):
                continue
            off = ps + nm.start() + (len(raw) - len(raw.lstrip()))
            out.append(DutyName(name, item_role, (off, off + len(name))))


# "环保、建设、园林等部门共同做好…", "发改、住建等部门": an abbreviated list of bodies acting together
_LISTED_BODIES = re.compile(
    rf"(?:^|(?<=[，。；：\n]))(?P<list>(?:[{CJK}]{{2,8}}、)+[{CJK}]{{2,8}})等(?:相关|有关)?(?:部门|单位)"
    r"(?P<after>.{0,6})"
)


def find_listed_bodies(text: str) -> list[DutyName]:
    out: list[DutyName] = []
    for m in _LISTED_BODIES.finditer(text):
        if re.match(r"^(?:的|联合印发|印发|制定|提供|共享|通报)", m.group("after")):
            continue
        lst, pos = m.group("list"), m.start("list")
        if re.match(r"^(?:在|经|向|对|按照|按|根据|依据|依托|结合|报|由)", lst) or "基础" in m.group("after"):
            continue  # departments named as a basis or an addressee do not act here
        lead_in = re.match(r"^(?:会同|联合|与|和|及|组织|督促|协调|指导)", lst)
        if lead_in:
            lst, pos = lst[lead_in.end() :], pos + lead_in.end()
        for item in lst.split("、"):
            if not re.search(r"(?:推进|加强|开展|落实|实施|建设项目|管理$|治理|工作)", item) or len(item) <= 4:
                out.append(DutyName(item, "actor", (pos, pos + len(item))))
            pos += len(item) + 1
    return out
