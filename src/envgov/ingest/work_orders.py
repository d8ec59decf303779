"""12345 / 12369 work orders (Excel / CSV template) for the complaint rates (`envgov.rules.complaints`), and
the district's category keyword rules. All or nothing, every error located (file, row, column, reason).

Work-order template (English or Chinese header; order free). The reference (sources.md §4) names what the
rates need — dispatch, signing/contact within the limit, the complainant's resolution and satisfaction
answers — not a column layout; the headers below are envgov's template with the usual platform words:

============  =========================================  ====================================================
key           headers accepted                           content
============  =========================================  ====================================================
id            工单编号, 工单号                              required, unique in the file
channel       来源渠道, 渠道, 来源                          optional: 12345 or 12369
dispatched    派单时间, 受理时间                            required: YYYY-MM-DD HH:MM
unit          承办单位, 责任单位                            required
town          街乡镇, 乡镇, 街道                            optional (empty: counted as 未填写街乡镇)
address       诉求地址, 地址, 事发地址                       optional (repeated-address flags need it)
content       诉求内容, 内容, 问题描述                       optional (category rules read it)
category      诉求类别, 类别                                optional: as entered; empty → by the rules
responded     签收时间, 响应时间, 联系时间                    optional: not before the dispatch
limit         响应时限（小时）, 响应时限                      optional: hours; empty → parameter response_limit_hours
resolved      是否解决, 解决情况                            已解决/解决/是 · 未解决/否 · empty = no answer
satisfaction  满意度, 满意情况, 评价                          满意 · 基本满意 · 不满意 · empty = no answer
reopen_of     原工单编号, 重启原工单                         optional: the order this one reopens
============  =========================================  ====================================================

Category rules (CSV / XLSX): `category,keywords` (类别,关键词) — one row per category in matching order,
keywords separated by 、 , ， ; or spaces.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from envgov.catalogue import gettext_noop
from envgov.ingest.rows import CellProblem, Column, Rows, local_time, number, read_rows, take, text
from envgov.rules.complaints import BASIC, SATISFIED, UNSATISFIED, CategoryRule, CategoryRules, WorkOrder
from envgov.rules.dates import in_window, window_text

COLUMNS: tuple[Column, ...] = (
    Column("id", ("工单编号", "工单号")),
    Column("channel", ("来源渠道", "渠道", "来源"), required=False),
    Column("dispatched", ("派单时间", "受理时间")),
    Column("unit", ("承办单位", "责任单位")),
    Column("town", ("街乡镇", "乡镇", "街道"), required=False),
    Column("address", ("诉求地址", "地址", "事发地址"), required=False),
    Column("content", ("诉求内容", "内容", "问题描述"), required=False),
    Column("category", ("诉求类别", "类别"), required=False),
    Column("responded", ("签收时间", "响应时间", "联系时间"), required=False),
    Column("limit", ("响应时限（小时）", "响应时限(小时)", "响应时限"), required=False),
    Column("resolved", ("是否解决", "解决情况"), required=False),
    Column("satisfaction", ("满意度", "满意情况", "评价"), required=False),
    Column("reopen_of", ("原工单编号", "重启原工单"), required=False),
)
CATEGORY_COLUMNS: tuple[Column, ...] = (Column("category", ("类别",)), Column("keywords", ("关键词",)))

MSG_CHANNEL = gettext_noop("「%(value)s」不是受理渠道（应为 12345 或 12369）")
MSG_RESOLVED = gettext_noop("「%(value)s」不是解决情况（应为 已解决、未解决，未评价留空）")
MSG_SATISFACTION = gettext_noop("「%(value)s」不是满意度（应为 满意、基本满意、不满意，未评价留空）")
MSG_LIMIT = gettext_noop("响应时限应大于 0 小时，收到 %(value)s")
MSG_BEFORE = gettext_noop("签收时间 %(responded)s 早于派单时间 %(dispatched)s")
MSG_DUP_ID = gettext_noop("工单编号「%(id)s」已在第 %(first)s 行")
MSG_SELF = gettext_noop("原工单编号不能是本工单")
MSG_CYCLE = gettext_noop("工单「%(id)s」的重启关系成环")
MSG_DUP_CATEGORY = gettext_noop("类别「%(name)s」已在第 %(first)s 行")
MSG_NO_KEYWORDS = gettext_noop("类别「%(name)s」没有关键词")
WHAT_LIMIT = gettext_noop("响应时限")
MSG_WINDOW = gettext_noop("时间「%(value)s」不在 %(window)s之内")

_RESOLVED = {"已解决": True, "解决": True, "是": True, "未解决": False, "否": False}
_SATISFACTION = {"满意": SATISFIED, "非常满意": SATISFIED, "基本满意": BASIC, "不满意": UNSATISFIED}


def _channel(cell: object) -> str:
    t = text(cell)
    if t not in ("12345", "12369"):
        raise CellProblem(MSG_CHANNEL, value=t)
    return t


def _resolved(cell: object) -> bool:
    t = text(cell)
    if t not in _RESOLVED:
        raise CellProblem(MSG_RESOLVED, value=t)
    return _RESOLVED[t]


def _satisfaction(cell: object) -> str:
    t = text(cell)
    if t not in _SATISFACTION:
        raise CellProblem(MSG_SATISFACTION, value=t)
    return _SATISFACTION[t]


def _limit(cell: object) -> float:
    v = number(cell, WHAT_LIMIT)
    if v <= 0:
        raise CellProblem(MSG_LIMIT, value=text(cell))
    return v


def _time(cell: object):
    when = local_time(cell)[0]
    if not in_window(when):
        raise CellProblem(MSG_WINDOW, value=text(cell), window=window_text())
    return when


_CELLS = (("id", text, True), ("channel", _channel, False), ("dispatched", _time, True), ("unit", text, True),
          ("responded", _time, False), ("limit", _limit, False), ("resolved", _resolved, False),
          ("satisfaction", _satisfaction, False))


@dataclass
class WorkOrderInput:
    rows: Rows
    orders: list[WorkOrder] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rows.ok


def read_work_orders(path: Path | str) -> WorkOrderInput:
    """Checked work orders of a file, all or nothing (see the module text)."""
    rows = read_rows(path, COLUMNS)
    out = WorkOrderInput(rows)
    if not rows.ok:
        return out
    seen: dict[str, int] = {}
    orders: list[WorkOrder] = []
    for n, rec in rows.rows:
        got = {k: take(rows, n, rec, k, conv, req) for k, conv, req in _CELLS if k in rows.headers}
        if not all(ok for _, ok in got.values()):
            continue
        v = {k: val for k, (val, _) in got.items()}
        oid = v["id"]
        if oid in seen:
            rows.error(n, "id", MSG_DUP_ID, id=oid, first=seen[oid])
            continue
        seen[oid] = n
        responded = v.get("responded")
        if responded is not None and responded < v["dispatched"]:
            rows.error(n, "responded", MSG_BEFORE, responded=text(rec["responded"]), dispatched=text(rec["dispatched"]))
            continue
        reopen = text(rec.get("reopen_of"))
        if reopen and reopen == oid:
            rows.error(n, "reopen_of", MSG_SELF)
            continue
        orders.append(WorkOrder(
            id=oid, dispatched=v["dispatched"], unit=v["unit"], town=text(rec.get("town")),
            channel=v.get("channel") or "", address=text(rec.get("address")), content=text(rec.get("content")),
            category=text(rec.get("category")), responded=responded, limit_hours=v.get("limit"),
            resolved=v.get("resolved"), satisfaction=v.get("satisfaction"), reopen_of=reopen, row=n))
    by_id = {o.id: o for o in orders}
    for o in orders:
        cur, path_ids = o, {o.id}
        while cur.reopen_of in by_id:
            cur = by_id[cur.reopen_of]
            if cur.id in path_ids:
                rows.error(o.row, "reopen_of", MSG_CYCLE, id=o.id)
                break
            path_ids.add(cur.id)
    if rows.ok:
        out.orders = orders
    return out


def read_category_rules(path: Path | str) -> tuple[CategoryRules | None, Rows]:
    """The district's keyword rules (version: the file name), or (None, rows with the errors)."""
    rows = read_rows(path, CATEGORY_COLUMNS)
    if not rows.ok:
        return None, rows
    seen: dict[str, int] = {}
    rules: list[CategoryRule] = []
    for n, rec in rows.rows:
        name, ok = take(rows, n, rec, "category", text)
        if not ok:
            continue
        if name in seen:
            rows.error(n, "category", MSG_DUP_CATEGORY, name=name, first=seen[name])
            continue
        seen[name] = n
        words = tuple(w for w in re.split(r"[、,，;；\s]+", text(rec.get("keywords"))) if w)
        if not words:
            rows.error(n, "keywords", MSG_NO_KEYWORDS, name=name)
            continue
        rules.append(CategoryRule(name, words))
    if not rows.ok:
        return None, rows
    return CategoryRules("user:" + Path(path).name, "user", tuple(rules),
                         note=gettext_noop("本区设定的关键词规则")), rows
