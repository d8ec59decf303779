"""Ecological component indices per area and year (CSV / XLSX), for the EI of HJ 192-2015.

Columns (English key or Chinese header): ``area``/区域 (optional; empty = one area), ``year``/年份,
``biological_abundance``/生物丰度指数, ``vegetation_cover``/植被覆盖指数, ``water_network_density``/水网密度指数,
``land_stress``/土地胁迫指数, ``pollution_load``/污染负荷指数, ``constraint``/环境限制 (optional: 无, 降一级,
不能为优、良). Every index is required, numeric and not negative; one row per area and year. All or nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from envgov.catalogue import gettext_noop
from envgov.ingest.rows import (
    Column,
    Rows,
    number,
    read_rows,
    take,
    text,
    year,
)
from envgov.standards.ecology.tables import COMPONENTS, CONSTRAINTS

COLUMNS: tuple[Column, ...] = (
    Column("area", ("区域", "行政区", "地区"), required=False),
    Column("year", ("年份", "年度")),
    *(Column(c.key, (c.label,)) for c in COMPONENTS),
    Column("constraint", ("环境限制", "环境限制指数"), required=False),
)
CONSTRAINT_WORDS: dict[str, str] = {**{k: k for k in CONSTRAINTS if k}, **{v: k for k, v in CONSTRAINTS.items()},
                                    "": "", "-": "", "—": "", "不能为优良": "not_excellent_or_good",
                                    "不能为优或良": "not_excellent_or_good"}
MSG_CONSTRAINT = gettext_noop("「%(value)s」不是环境限制（应为 无、降一级 或 不能为优、良）")
MSG_DUPLICATE = gettext_noop("%(area)s%(year)s 年已在第 %(first)s 行")
WHAT_INDEX = gettext_noop("指数")


@dataclass
class EcologyInput:
    rows: Rows
    records: list[dict[str, object]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rows.ok


def read_indices(path: Path | str) -> EcologyInput:
    rows = read_rows(path, COLUMNS)
    out = EcologyInput(rows)
    if not rows.ok:
        return out
    seen: dict[tuple[str, int], int] = {}
    records: list[dict[str, object]] = []
    for n, rec in rows.rows:
        values: dict[str, float] = {}
        area = text(rec.get("area"))
        yr, ok = take(rows, n, rec, "year", year)
        bad = not ok
        for c in COMPONENTS:
            v, ok = take(rows, n, rec, c.key, lambda raw: number(raw, WHAT_INDEX))
            if ok:
                values[c.key] = v
            bad = bad or not ok
        word = text(rec.get("constraint"))
        constraint = CONSTRAINT_WORDS.get(word)
        if constraint is None:
            rows.error(n, "constraint", MSG_CONSTRAINT, value=word)
            bad = True
        if yr is not None:
            key = (area, yr)
            if key in seen:
                rows.error(n, "year", MSG_DUPLICATE, area=f"{area} " if area else "", year=yr, first=seen[key])
                bad = True
            else:
                seen[key] = n
        if not bad:
            records.append({"area": area, "year": yr, "components": values, "constraint": constraint, "row": n})
    if rows.ok:
        out.records = records
    return out
