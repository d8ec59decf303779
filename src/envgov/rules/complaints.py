"""Complaints (接诉即办): the 三率 — 响应率, 解决率, 满意率 — per unit, town and month; categories by keyword
rules the user edits; repeated complaints at one address. Plain Python, no Django.

What the reference says (/work/shared/reference/sources.md §4):

* 12345 Beijing 接诉即办 (《北京市接诉即办工作条例》, in force 2021-09-24): handling is assessed by
  **响应率、解决率、满意率** [2+SRC S-S34, S-S35]; 12369 (环境保护部令第15号) is the environment hotline.
* The exact formulas and weights are **UNCONFIRMED**. The reference's working definitions, implemented here
  and shown as such:
    响应率 = orders signed/contacted within the limit ÷ orders dispatched;
    解决率 = orders the complainant rates "已解决" ÷ orders rated;
    满意率 = orders rated "满意" ÷ orders rated.
* What the reference does not say, and so is a user-set parameter (`PARAMETERS`), never a silent choice:
  the response limit of an order that does not carry its own (`response_limit_hours`; no default — asked
  for when needed); how a **reopened** order counts (`reopened`: asked for when the month has one);
  whether orders **without an answer** enter the denominators (`unrated`; default: not, per the working
  definition "÷ orders rated"); how "基本满意" counts (`basic_satisfied`: asked for when present); the
  number of orders at one address that flags it as repeated (`repeat_threshold`; 0 = off).
* Categories for routing and statistics (sources.md §4): 油烟, 噪声, 扬尘, 异味/恶臭, 污水/水体污染 …;
  the keyword lists below are envgov's editable default (not an official list).

Rates are exact fractions (numerator, denominator) with the ratio; how a city rounds them is not stated.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from envgov.catalogue import gettext_noop
from envgov.rules.dates import year_in_window
from envgov.standards.air.parameters import Parameter
from envgov.standards.parameter_set import ParameterSet

RULE_ID, RULE_VERSION = "complaints-three-rates", "1"
RULE_CITATION = gettext_noop("三率按参考资料的工作定义：响应率 = 时限内签收/联系的工单 ÷ 派单数；解决率 = 评价“已解决”的工单 ÷ "
                             "参与评价的工单；满意率 = 评价“满意”的工单 ÷ 参与评价的工单（sources.md §4；北京市正式公式与权重未核实）")
ASK = "ask"
MERGE, SEPARATE = "merge", "separate"
EXCLUDE, COUNT_AS_NO = "exclude", "count_as_no"
SATISFIED, BASIC, UNSATISFIED = "satisfied", "basic", "unsatisfied"
NO_TOWN = gettext_noop("（未填写街乡镇）")

PARAMETERS = ParameterSet("complaints", (
    Parameter(
        "response_limit_hours", gettext_noop("响应时限（小时，工单未写明时限时使用；0 = 未设定）"), "int", 0,
        rule=gettext_noop("响应率 = 时限内签收/联系的工单 ÷ 派单数（sources.md §4 工作定义）"),
        why_unconfirmed=gettext_noop("签收、联系的时限未查到（12345 规范草案只写了反馈时限 2 小时、24 小时、7 天、15 天），"
                                     "平台不设默认值；有工单未写明时限时要求设定"),
        minimum=0, maximum=720,
    ),
    Parameter(
        "reopened", gettext_noop("重启（重派）工单的计法"), "choice", ASK,
        rule=gettext_noop("三率按工单计（sources.md §4）"),
        why_unconfirmed=gettext_noop("重启工单算一件还是另算一件未查到；当月有重启工单时要求设定"),
        choices={ASK: gettext_noop("未设定（有重启工单时要求设定）"),
                 MERGE: gettext_noop("与原工单合并为一件：计入原工单派单的月份和单位，每次派单都按时签收才算响应，"
                                     "解决和满意按最后一次的评价"),
                 SEPARATE: gettext_noop("每次派单各算一件")},
    ),
    Parameter(
        "unrated", gettext_noop("未评价工单是否计入解决率、满意率的分母"), "choice", EXCLUDE,
        rule=gettext_noop("解决率、满意率的分母为参与评价的工单（sources.md §4 工作定义）"),
        why_unconfirmed=gettext_noop("正式公式未核实；默认按工作定义不计入"),
        choices={EXCLUDE: gettext_noop("不计入（分母只含参与评价的工单）"),
                 COUNT_AS_NO: gettext_noop("计入分母，按未解决、不满意计")},
    ),
    Parameter(
        "basic_satisfied", gettext_noop("“基本满意”的计法"), "choice", ASK,
        rule=gettext_noop("满意率 = 评价“满意”的工单 ÷ 参与评价的工单（sources.md §4 工作定义）"),
        why_unconfirmed=gettext_noop("“基本满意”是否算满意未查到；工单中出现时要求设定"),
        choices={ASK: gettext_noop("未设定（出现“基本满意”时要求设定）"), SATISFIED: gettext_noop("算满意"),
                 UNSATISFIED: gettext_noop("不算满意")},
    ),
    Parameter(
        "repeat_threshold", gettext_noop("同一地址当月工单达到几件标为重复投诉（0 = 不标记）"), "int", 0,
        rule=gettext_noop("同一地址的重复投诉标记，可转为督办任务"),
        why_unconfirmed=gettext_noop("参考资料未给出件数，由本区设定"),
        minimum=0, maximum=1000,
    ),
))

MSG_MISSING = gettext_noop("缺少用户设定参数 %(key)s（%(label)s）：%(why)s。涉及：%(where)s。请用 --param %(key)s=… 设定")
MSG_MONTH = gettext_noop("月份应写作 YYYY-MM（如 2024-03，1990–2100 年），收到“%(value)s”")
MSG_REOPEN_OUTSIDE = gettext_noop("工单 %(id)s 重启自 %(parent)s，但文件中没有原工单：按一件单独计")
MSG_NO_ORDERS = gettext_noop("%(month)s 没有派单（文件中有派单的月份：%(months)s）")
MSG_REPEAT_OFF = gettext_noop("未设定 repeat_threshold，未标记重复投诉")


class MissingParameter(ValueError):
    def __init__(self, needs: Mapping[str, Sequence[str]]):
        self.needs = {k: list(v) for k, v in needs.items()}
        lines = []
        for key, where in self.needs.items():
            p = PARAMETERS.by_key[key]
            shown = "、".join(where[:5]) + (gettext_noop(" 等 %(n)s 件") % {"n": len(where)} if len(where) > 5 else "")
            lines.append(MSG_MISSING % {"key": key, "label": p.label, "why": p.why_unconfirmed, "where": shown})
        super().__init__("\n".join(lines))


# ------------------------------------------------------------------------- categories (editable rules)

@dataclass(frozen=True)
class CategoryRule:
    category: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class CategoryRules:
    """Keyword rules in order: the first rule with a keyword in the complaint text decides; else `other`."""

    id: str
    version: str
    rules: tuple[CategoryRule, ...]
    other: str = gettext_noop("其他")
    note: str = ""

    @property
    def categories(self) -> tuple[str, ...]:
        return (*dict.fromkeys(r.category for r in self.rules), self.other)

    def categorise(self, content: str) -> tuple[str, str | None]:
        """(category, the keyword that decided it; None for `other`)."""
        text = unicodedata.normalize("NFKC", content or "")
        for r in self.rules:
            for k in r.keywords:
                if k and k in text:
                    return r.category, k
        return self.other, None


DEFAULT_CATEGORIES = CategoryRules(
    "envgov-default", "1",
    (
        CategoryRule(gettext_noop("油烟"), ("油烟", "烧烤", "排烟", "餐饮", "饭店", "炒菜")),
        CategoryRule(gettext_noop("噪声"), ("噪声", "噪音", "扰民", "吵", "施工声", "鸣笛", "广场舞", "夜间施工")),
        CategoryRule(gettext_noop("扬尘"), ("扬尘", "尘土", "灰尘", "渣土", "裸土", "苫盖", "遗撒")),
        CategoryRule(gettext_noop("异味"), ("异味", "恶臭", "臭味", "气味", "刺鼻", "臭气")),
        CategoryRule(gettext_noop("污水"), ("污水", "废水", "排水", "黑臭", "排污", "水体污染")),
    ),
    note=gettext_noop("平台默认关键词（非官方清单），按顺序匹配，先匹配者为准；本区可编辑"),
)


# ------------------------------------------------------------------------- work orders

@dataclass(frozen=True)
class WorkOrder:
    id: str
    dispatched: dt.datetime
    unit: str
    town: str = ""
    channel: str = ""  # 12345, 12369 or "" (not given)
    address: str = ""
    content: str = ""
    category: str = ""  # as entered ("" = by the rules)
    responded: dt.datetime | None = None  # signed / contacted
    limit_hours: float | None = None  # the order's own response limit
    resolved: bool | None = None  # None: no answer
    satisfaction: str | None = None  # satisfied, basic, unsatisfied; None: no answer
    reopen_of: str = ""
    row: int = 0


@dataclass(frozen=True)
class Counted:
    """One order as the rates count it (a merged reopened order is one)."""

    id: str
    rows: tuple[WorkOrder, ...]  # first dispatch first
    month: str
    unit: str
    town: str
    in_time: bool
    resolved: bool | None
    satisfied: bool | None


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator

    def to_dict(self) -> dict[str, object]:
        v = self.value
        return {"numerator": self.numerator, "denominator": self.denominator,
                "rate": v, "percent": None if v is None else round(v * 100, 2)}


@dataclass(frozen=True)
class Rates:
    orders: int
    response: Rate
    resolution: Rate
    satisfaction: Rate

    def to_dict(self) -> dict[str, object]:
        return {"orders": self.orders, "response_rate": self.response.to_dict(),
                "resolution_rate": self.resolution.to_dict(), "satisfaction_rate": self.satisfaction.to_dict()}


@dataclass(frozen=True)
class Repeat:
    address: str
    town: str
    orders: tuple[str, ...]
    categories: tuple[str, ...]


@dataclass(frozen=True)
class MonthRates:
    month: str
    total: Rates
    by_unit: Mapping[str, Rates]
    by_town: Mapping[str, Rates]
    by_category: Mapping[str, int]
    categories: Mapping[str, tuple[str, str]]  # order id → (category, how: "entered" or the keyword / "")
    repeats: tuple[Repeat, ...]
    warnings: tuple[str, ...]
    parameters: tuple[dict[str, object], ...]
    category_rules: CategoryRules = field(default=DEFAULT_CATEGORIES)

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": {"id": RULE_ID, "version": RULE_VERSION, "citation": RULE_CITATION, "confidence": "unconfirmed"},
            "month": self.month, "parameters": list(self.parameters), "warnings": list(self.warnings),
            "total": self.total.to_dict(),
            "by_unit": {k: v.to_dict() for k, v in self.by_unit.items()},
            "by_town": {k: v.to_dict() for k, v in self.by_town.items()},
            "by_category": dict(self.by_category),
            "category_rules": {"id": self.category_rules.id, "version": self.category_rules.version,
                               "note": self.category_rules.note},
            "repeats": [{"address": r.address, "town": r.town, "count": len(r.orders), "orders": list(r.orders),
                         "categories": list(r.categories)} for r in self.repeats],
        }


def parse_month(text: str) -> str:
    try:
        y, m = text.strip().split("-")
        d = dt.date(int(y), int(m), 1)
    except ValueError:
        raise ValueError(MSG_MONTH % {"value": text}) from None
    if len(y) != 4 or not year_in_window(d.year):
        raise ValueError(MSG_MONTH % {"value": text})
    return f"{d.year:04d}-{d.month:02d}"


def _month(t: dt.datetime) -> str:
    return f"{t.year:04d}-{t.month:02d}"


def normalise_address(address: str) -> str:
    """Full-width → half-width (NFKC), spaces and punctuation that people vary removed; for grouping only."""
    t = unicodedata.normalize("NFKC", address)
    return "".join(ch for ch in t if not ch.isspace() and ch not in ",，、.。-—()（）#")


def _in_time(o: WorkOrder, default_limit: int) -> bool:
    limit = o.limit_hours if o.limit_hours is not None else default_limit
    return o.responded is not None and (o.responded - o.dispatched) <= dt.timedelta(hours=limit)


def _rates(items: Sequence[Counted], unrated: str) -> Rates:
    n = len(items)
    resp = sum(1 for c in items if c.in_time)
    rated_r = [c for c in items if c.resolved is not None]
    rated_s = [c for c in items if c.satisfied is not None]
    den_r = n if unrated == COUNT_AS_NO else len(rated_r)
    den_s = n if unrated == COUNT_AS_NO else len(rated_s)
    return Rates(n, Rate(resp, n), Rate(sum(1 for c in rated_r if c.resolved), den_r),
                 Rate(sum(1 for c in rated_s if c.satisfied), den_s))


def month_rates(orders: Iterable[WorkOrder], month: str, values: Mapping[str, object] | None = None,
                categories: CategoryRules = DEFAULT_CATEGORIES) -> MonthRates:
    """三率 of `month` (YYYY-MM; orders by the month of their (first) dispatch), per unit, town and category,
    and repeated addresses. MissingParameter when the month needs a parameter the user has not set."""
    month = parse_month(month)
    all_orders = sorted(orders, key=lambda o: (o.dispatched, o.row))
    with PARAMETERS.using(values) as params:
        provenance = tuple(PARAMETERS.provenance())
    by_id = {o.id: o for o in all_orders}
    warnings: list[str] = []

    def root(o: WorkOrder) -> WorkOrder:
        seen = {o.id}
        while o.reopen_of and o.reopen_of in by_id and o.reopen_of not in seen:
            o = by_id[o.reopen_of]
            seen.add(o.id)
        return o

    needs: dict[str, list[str]] = {}
    month_rows = [o for o in all_orders if _month(root(o).dispatched) == month or _month(o.dispatched) == month]
    if any(o.reopen_of for o in month_rows) and params["reopened"] == ASK:
        needs["reopened"] = [o.id for o in month_rows if o.reopen_of]
    if any(o.satisfaction == BASIC for o in month_rows) and params["basic_satisfied"] == ASK:
        needs["basic_satisfied"] = [o.id for o in month_rows if o.satisfaction == BASIC]
    if params["response_limit_hours"] == 0 and any(o.limit_hours is None for o in month_rows):
        needs["response_limit_hours"] = [o.id for o in month_rows if o.limit_hours is None]
    if needs:
        raise MissingParameter(needs)
    limit = int(params["response_limit_hours"])  # type: ignore[call-overload]

    def satisfied(s: str | None) -> bool | None:
        if s is None:
            return None
        return s == SATISFIED or (s == BASIC and params["basic_satisfied"] == SATISFIED)

    counted: list[Counted] = []
    if params["reopened"] == MERGE:
        groups: dict[str, list[WorkOrder]] = {}
        for o in all_orders:
            r = root(o)
            if o.reopen_of and r is o:
                warnings.append(MSG_REOPEN_OUTSIDE % {"id": o.id, "parent": o.reopen_of})
            groups.setdefault(r.id, []).append(o)
        for rid, rows in groups.items():
            first, last = rows[0], rows[-1]
            counted.append(Counted(rid, tuple(rows), _month(first.dispatched), first.unit, first.town or NO_TOWN,
                                   all(_in_time(o, limit) for o in rows), last.resolved, satisfied(last.satisfaction)))
    else:
        counted = [Counted(o.id, (o,), _month(o.dispatched), o.unit, o.town or NO_TOWN, _in_time(o, limit),
                           o.resolved, satisfied(o.satisfaction)) for o in all_orders]
    items = [c for c in counted if c.month == month]
    if not items:
        months = sorted({c.month for c in counted})
        raise ValueError(MSG_NO_ORDERS % {"month": month, "months": "、".join(months) or "—"})
    unrated = str(params["unrated"])
    by_unit: dict[str, list[Counted]] = {}
    by_town: dict[str, list[Counted]] = {}
    for c in items:
        by_unit.setdefault(c.unit, []).append(c)
        by_town.setdefault(c.town, []).append(c)
    cats: dict[str, tuple[str, str]] = {}
    by_cat: dict[str, int] = {}
    for c in items:
        o = c.rows[0]
        if o.category:
            cat, how = o.category, "entered"
        else:
            text = " ".join(x.content for x in c.rows)
            cat, kw = categories.categorise(text)
            how = kw or ""
        cats[c.id] = (cat, how)
        by_cat[cat] = by_cat.get(cat, 0) + 1
    repeats: list[Repeat] = []
    threshold = int(params["repeat_threshold"])  # type: ignore[call-overload]
    if threshold <= 0:
        warnings.append(MSG_REPEAT_OFF)
    else:
        at: dict[str, list[Counted]] = {}
        for c in items:
            key = normalise_address(c.rows[0].address)
            if key:
                at.setdefault(key, []).append(c)
        for key, group in sorted(at.items()):
            if len(group) >= threshold:
                repeats.append(Repeat(group[0].rows[0].address, group[0].town, tuple(c.id for c in group),
                                      tuple(dict.fromkeys(cats[c.id][0] for c in group))))
    return MonthRates(month, _rates(items, unrated), {k: _rates(v, unrated) for k, v in sorted(by_unit.items())},
                      {k: _rates(v, unrated) for k, v in sorted(by_town.items())}, dict(sorted(by_cat.items())),
                      cats, tuple(repeats), tuple(warnings), provenance, categories)
