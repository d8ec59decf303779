"""The district's emergency-reduction rule table (行业, 绩效分级, 预警级别 → 措施, 减排比例) for
`envgov.rules.alerts.MeasureTable` — the per-industry, per-grade, per-level content that the reference leaves
UNCONFIRMED (sources.md §3). CSV / XLSX, all or nothing, located Chinese errors.

=========  ========================================  ======================================================
key        headers accepted                          content
=========  ========================================  ======================================================
industry   行业                                       optional: empty = every industry without its own row
grade      绩效分级, 分级                              A+, A, 引领性, B, C, D, 民生保障
level      预警级别, 级别                              yellow/orange/red/blue or 黄色/橙色/红色/蓝色(预警)
measure    措施, 减排措施                              required text
cut        减排比例（%）, 减排比例                      optional: 0–100
=========  ========================================  ======================================================
"""
from __future__ import annotations

from pathlib import Path

from envgov.catalogue import gettext_noop
from envgov.ingest.rows import CellProblem, Column, Rows, number, read_rows, take, text
from envgov.rules.alerts import GRADES, LEVEL_NAMES, MeasureTable, parse_grade

COLUMNS: tuple[Column, ...] = (
    Column("industry", ("行业",), required=False),
    Column("grade", ("绩效分级", "分级")),
    Column("level", ("预警级别", "级别")),
    Column("measure", ("措施", "减排措施")),
    Column("cut", ("减排比例（%）", "减排比例(%)", "减排比例"), required=False),
)
MSG_GRADE = gettext_noop("「%(value)s」不是绩效分级（应为 %(grades)s）")
MSG_LEVEL = gettext_noop("「%(value)s」不是预警级别（应为 yellow、orange、red、blue 或 黄色、橙色、红色、蓝色）")
MSG_CUT = gettext_noop("减排比例应在 0～100 之间，收到 %(value)s")
WHAT_CUT = gettext_noop("减排比例")

_LEVELS = {**{k: k for k in LEVEL_NAMES}, **{v: k for k, v in LEVEL_NAMES.items()},
           **{v.removesuffix("预警"): k for k, v in LEVEL_NAMES.items()}}


def _grade(cell: object) -> str:
    try:
        return parse_grade(text(cell))
    except ValueError:
        raise CellProblem(MSG_GRADE, value=text(cell), grades="、".join(GRADES.values())) from None


def _level(cell: object) -> str:
    t = text(cell).lower()
    if t not in _LEVELS:
        raise CellProblem(MSG_LEVEL, value=text(cell))
    return _LEVELS[t]


def _cut(cell: object) -> float:
    v = number(cell, WHAT_CUT)
    if v > 100:
        raise CellProblem(MSG_CUT, value=text(cell))
    return v


def read_measure_table(path: Path | str) -> tuple[MeasureTable | None, Rows]:
    rows = read_rows(path, COLUMNS)
    if not rows.ok:
        return None, rows
    table = MeasureTable()
    for n, rec in rows.rows:
        grade, ok1 = take(rows, n, rec, "grade", _grade)
        level, ok2 = take(rows, n, rec, "level", _level)
        measure, ok3 = take(rows, n, rec, "measure", text)
        cut, ok4 = take(rows, n, rec, "cut", _cut, required=False) if "cut" in rows.headers else (None, True)
        if ok1 and ok2 and ok3 and ok4:
            table.add(text(rec.get("industry")), grade, level, measure, cut)
    return (table if rows.ok else None), rows
