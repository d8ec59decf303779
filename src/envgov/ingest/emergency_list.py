"""The emergency-reduction list (重污染天气应急减排清单): enterprises and construction sites with their
performance grade (绩效分级) and, where the list itself states them, their own measures per warning level.
CSV / XLSX through `envgov.ingest.rows`, all or nothing, located Chinese errors (decision 0031).

==========  =================================================  ===============================================
key         headers accepted                                   content
==========  =================================================  ===============================================
kind        类型, 对象类型                                        optional: 企业 (default) or 工地 / 施工工地
name        名称, 企业名称, 单位名称, 工地名称                       required
code        统一社会信用代码, 信用代码                              企业: required, GB 32100 check digit; 工地: optional
town        街乡镇, 所在街乡镇, 属地                                 required (the caller checks it is a town of the district)
industry    行业, 所属行业                                         optional (empty: the measure table's rows for every industry)
grade       绩效分级, 分级                                         A+, A, 引领性, B, C, D, 民生保障
unit        行业主管部门, 监管单位, 主管部门                          optional (the caller checks it is a unit of the district)
yellow      黄色预警措施                                           optional: the unit's own measures at that level
orange      橙色预警措施                                           optional
red         红色预警措施                                           optional
==========  =================================================  ===============================================

Nothing is corrected silently: a code is taken as written (not upper-cased, not trimmed inside).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from envgov.catalogue import gettext_noop
from envgov.ingest.rows import CellProblem, Column, Rows, read_rows, take, text
from envgov.rules.alerts import GRADES, parse_grade
from envgov.standards import codes

ENTERPRISE, SITE = "enterprise", "site"
KIND_WORDS = {"企业": ENTERPRISE, "工业企业": ENTERPRISE, "工地": SITE, "施工工地": SITE, "建筑工地": SITE}
LEVEL_KEYS = ("yellow", "orange", "red")

COLUMNS: tuple[Column, ...] = (
    Column("kind", ("类型", "对象类型"), required=False),
    Column("name", ("名称", "企业名称", "单位名称", "工地名称")),
    Column("code", ("统一社会信用代码", "信用代码"), required=False),
    Column("town", ("街乡镇", "所在街乡镇", "属地")),
    Column("industry", ("行业", "所属行业"), required=False),
    Column("grade", ("绩效分级", "分级")),
    Column("unit", ("行业主管部门", "监管单位", "主管部门"), required=False),
    Column("yellow", ("黄色预警措施",), required=False),
    Column("orange", ("橙色预警措施",), required=False),
    Column("red", ("红色预警措施",), required=False),
)
MSG_KIND = gettext_noop("「%(value)s」不是对象类型（应为 企业 或 工地）")
MSG_GRADE = gettext_noop("「%(value)s」不是绩效分级（应为 %(grades)s）")
MSG_CODE_NEEDED = gettext_noop("企业须填写统一社会信用代码")
MSG_CODE_TWICE = gettext_noop("统一社会信用代码 %(code)s 已在第 %(first)s 行")
MSG_NAME_TWICE = gettext_noop("工地「%(name)s」已在第 %(first)s 行（同一街乡镇）")
MSG_TOO_LONG = gettext_noop("超过 %(n)s 个字")

TEMPLATE_HEADER = ("类型", "名称", "统一社会信用代码", "街乡镇", "行业", "绩效分级", "行业主管部门",
                   "黄色预警措施", "橙色预警措施", "红色预警措施")


@dataclass(frozen=True)
class ListEntry:
    row: int
    kind: str
    name: str
    code: str
    town: str
    industry: str
    grade: str
    unit: str
    measures: dict[str, str] = field(default_factory=dict)  # level → the list's own text


@dataclass
class ListInput:
    rows: Rows
    entries: list[ListEntry] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rows.ok


def _kind(cell: object) -> str:
    t = text(cell)
    if t not in KIND_WORDS:
        raise CellProblem(MSG_KIND, value=t)
    return KIND_WORDS[t]


def _grade(cell: object) -> str:
    try:
        return parse_grade(text(cell))
    except ValueError:
        raise CellProblem(MSG_GRADE, value=text(cell), grades="、".join(GRADES.values())) from None


def _code(cell: object) -> str:
    raw = cell if isinstance(cell, str) else text(cell)
    p = codes.problem(raw)
    if p is not None:
        raise CellProblem(p.template, **p.values)
    return raw


def _limited(n: int):  # noqa: ANN202
    def convert(cell: object) -> str:
        t = text(cell)
        if len(t) > n:
            raise CellProblem(MSG_TOO_LONG, n=n)
        return t
    return convert


def read_emergency_list(path: Path | str) -> ListInput:
    """Checked list entries of a file, all or nothing (towns and units are the caller's to resolve)."""
    rows = read_rows(path, COLUMNS)
    out = ListInput(rows)
    if not rows.ok:
        return out
    entries: list[ListEntry] = []
    seen_code: dict[str, int] = {}
    seen_site: dict[tuple[str, str], int] = {}
    for n, rec in rows.rows:
        kind, ok0 = take(rows, n, rec, "kind", _kind, required=False) if "kind" in rows.headers else (None, True)
        kind = kind or ENTERPRISE
        name, ok1 = take(rows, n, rec, "name", _limited(120))
        code, ok2 = (take(rows, n, rec, "code", _code, required=False) if "code" in rows.headers else (None, True))
        town, ok3 = take(rows, n, rec, "town", _limited(60))
        industry, ok4 = (take(rows, n, rec, "industry", _limited(60), required=False)
                         if "industry" in rows.headers else (None, True))
        grade, ok5 = take(rows, n, rec, "grade", _grade)
        unit, ok6 = take(rows, n, rec, "unit", _limited(80), required=False) if "unit" in rows.headers else (None, True)
        own: dict[str, str] = {}
        ok7 = True
        for lv in LEVEL_KEYS:
            if lv in rows.headers:
                v, ok = take(rows, n, rec, lv, _limited(500), required=False)
                ok7 = ok7 and ok
                if v:
                    own[lv] = v
        if ok0 and ok2 and kind == ENTERPRISE and not code:
            rows.error(n, "code" if "code" in rows.headers else "统一社会信用代码", MSG_CODE_NEEDED)
            ok2 = False
        if ok2 and code:
            if code in seen_code:
                rows.error(n, "code", MSG_CODE_TWICE, code=code, first=seen_code[code])
                ok2 = False
            else:
                seen_code[code] = n
        if ok0 and ok1 and ok3 and kind == SITE and not code:
            key = (name, town)
            if key in seen_site:
                rows.error(n, "name", MSG_NAME_TWICE, name=name, first=seen_site[key])
                ok1 = False
            else:
                seen_site[key] = n
        if all((ok0, ok1, ok2, ok3, ok4, ok5, ok6, ok7)):
            entries.append(ListEntry(n, kind, name, code or "", town, industry or "", grade, unit or "", own))
    if rows.ok:
        out.entries = entries
    return out
