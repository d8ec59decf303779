"""HJ 192-2015 生态环境状况评价技术规范 as data: EI weights, grades, grades of change, the environmental-
restriction caps, and the normalisation coefficients as far as other.md §2.1 gives them.

Cited from /work/shared/reference/other.md §2.1 (source ids "S-Oxx"). `confidence` as there: "2+src", "1src",
"unconfirmed" (then a user-set parameter or a value stored as None, never a number invented here).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from envgov.catalogue import gettext_noop
from envgov.standards.water.tables import Document

# other.md §2.1: issued and in force 2015-03-13, replaces HJ/T 192-2006 [2+SRC] (S-O23, S-O24).
HJ192 = Document(
    id="HJ 192-2015", title="生态环境状况评价技术规范", version="2015", effective_from=date(2015, 3, 13),
    effective_to=None, replaces="HJ/T 192-2006", confidence="2+src", source="other.md §2.1（S-O23、S-O24）",
)


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    weight: float
    inverted: bool  # enters as (100 − index): a higher index is worse


# EI = 0.35×生物丰度 + 0.25×植被覆盖 + 0.15×水网密度 + 0.15×(100 − 土地胁迫) + 0.10×(100 − 污染负荷)
#      + 环境限制指数 (a constraint, see below)   [1SRC] (S-O25 production code; identical to the brief)
COMPONENTS: tuple[Component, ...] = (
    Component("biological_abundance", gettext_noop("生物丰度指数"), 0.35, False),
    Component("vegetation_cover", gettext_noop("植被覆盖指数"), 0.25, False),
    Component("water_network_density", gettext_noop("水网密度指数"), 0.15, False),
    Component("land_stress", gettext_noop("土地胁迫指数"), 0.15, True),
    Component("pollution_load", gettext_noop("污染负荷指数"), 0.10, True),
)
WEIGHTS_CONFIDENCE = "1src"
BY_KEY: dict[str, Component] = {c.key: c for c in COMPONENTS}
assert abs(sum(c.weight for c in COMPONENTS) - 1.0) < 1e-12


@dataclass(frozen=True)
class Grade:
    word: str
    minimum: float | None  # EI ≥ minimum (None: no lower bound)


# Grades [2+SRC] (S-O25, S-O26, S-O63): 优 EI ≥ 75; 良 55 ≤ EI < 75; 一般 35 ≤ EI < 55; 较差 20 ≤ EI < 35; 差 EI < 20.
GRADES: tuple[Grade, ...] = (
    Grade(gettext_noop("优"), 75.0),
    Grade(gettext_noop("良"), 55.0),
    Grade(gettext_noop("一般"), 35.0),
    Grade(gettext_noop("较差"), 20.0),
    Grade(gettext_noop("差"), None),
)
GRADE_WORDS: tuple[str, ...] = tuple(g.word for g in GRADES)


@dataclass(frozen=True)
class ChangeBand:
    word: str
    minimum: float  # |ΔEI| ≥ minimum (and below the next band's minimum)


# Change ΔEI = EI(t) − EI(base) [2+SRC] (S-O25, S-O63): |ΔEI| < 1 无明显变化; 1 ≤ |ΔEI| < 3 略微变化;
# 3 ≤ |ΔEI| < 8 明显变化; |ΔEI| ≥ 8 显著变化; ΔEI > 0 变好, < 0 变差.
CHANGE_BANDS: tuple[ChangeBand, ...] = (
    ChangeBand(gettext_noop("显著变化"), 8.0),
    ChangeBand(gettext_noop("明显变化"), 3.0),
    ChangeBand(gettext_noop("略微变化"), 1.0),
    ChangeBand(gettext_noop("无明显变化"), 0.0),
)
BETTER = gettext_noop("变好")
WORSE = gettext_noop("变差")

# 环境限制指数 is a constraint, not an additive number (other.md §2.1). Which events trigger which constraint:
# the official table was not read — UNCONFIRMED, so the user states the constraint of a year. Its effect as
# the reference code applies it [1SRC] (S-O25): "downgrade one grade" caps EI just below the lower boundary of
# its grade (74.9 / 54.9 / 34.9 / 19.9); the severer case ("cannot be 优 or 良") caps at 54.9.
NO_CONSTRAINT = ""
DOWNGRADE_ONE = "downgrade_one"
NOT_EXCELLENT_OR_GOOD = "not_excellent_or_good"
CONSTRAINTS: dict[str, str] = {
    NO_CONSTRAINT: gettext_noop("无"),
    DOWNGRADE_ONE: gettext_noop("降一级"),
    NOT_EXCELLENT_OR_GOOD: gettext_noop("不能为优、良"),
}
CAP_BELOW_BOUNDARY = 0.1  # 74.9 = 75 − 0.1 … (S-O25)
CONSTRAINT_CONFIDENCE = "1src"


@dataclass(frozen=True)
class Coefficient:
    key: str
    label: str
    value: float | None  # None: not found (UNCONFIRMED)
    used_in: str
    confidence: str


# 归一化系数 as used in production code [1SRC] (S-O25) unless noted (other.md §2.1 table). envgov takes the
# component indices as input (the provincial centre publishes them); these are kept for a later computation of
# the sub-indices from raw data, whose units are UNCONFIRMED (km², km, t, mm).
COEFFICIENTS: tuple[Coefficient, ...] = (
    Coefficient("A_bio", gettext_noop("生境质量"), 511.2642131067, "生境质量指数", "2+src"),  # S-O25, S-O27
    Coefficient("A_riv", gettext_noop("河流长度"), 84.3704083981, "水网密度指数", "1src"),
    Coefficient("A_lak", gettext_noop("湖库面积"), 591.7908642005, "水网密度指数", "1src"),
    Coefficient("A_res", gettext_noop("水资源量"), 86.3869548281, "水网密度指数", "1src"),
    Coefficient("A_ero", gettext_noop("土地胁迫"), 236.04356779, "土地胁迫指数", "1src"),
    Coefficient("A_COD", gettext_noop("化学需氧量"), 4.3937397289, "污染负荷指数", "1src"),
    Coefficient("A_NH3", gettext_noop("氨氮"), 40.1764754986, "污染负荷指数", "1src"),
    Coefficient("A_SO2", gettext_noop("二氧化硫"), 0.0648660287, "污染负荷指数", "1src"),
    Coefficient("A_YFC", gettext_noop("烟粉尘"), 4.0904459321, "污染负荷指数", "1src"),
    Coefficient("A_NOX", gettext_noop("氮氧化物"), 0.5103049278, "污染负荷指数", "1src"),
    Coefficient("A_SOL", gettext_noop("固体废物"), 0.0749894283, "污染负荷指数", "1src"),
    Coefficient("A_veg", gettext_noop("植被覆盖"), None, "植被覆盖指数", "unconfirmed"),
)

COEFFICIENT: dict[str, float | None] = {c.key: c.value for c in COEFFICIENTS}

# Sub-index formulas as the reference code writes them [1SRC] (S-O25; other.md §2.1). Units must match those the
# coefficients were derived with (areas km², emissions t, precipitation mm) — UNCONFIRMED.
# 土地胁迫指数 = A_ero × (0.4·重度侵蚀 + 0.2·中度侵蚀 + 0.2·建设用地 + 0.2·其他土地胁迫) / 区域面积
LAND_STRESS_WEIGHTS: dict[str, float] = {"severe_erosion": 0.4, "moderate_erosion": 0.2, "construction": 0.2,
                                         "other_stress": 0.2}
# 污染负荷指数 = 0.20·A_COD·COD/Q + 0.20·A_NH3·NH3-N/Q + 0.20·A_SO2·SO2/S + 0.10·A_YFC·烟粉尘/S + 0.20·A_NOX·NOx/S
#               + 0.10·A_SOL·固废/S, Q = 年降水量(mm) × 区域面积, S = 区域面积
# (emission, weight, coefficient, divided by Q (water) or S (area))
POLLUTION_LOAD_TERMS: tuple[tuple[str, float, str, str], ...] = (
    ("cod", 0.20, "A_COD", "Q"), ("nh3n", 0.20, "A_NH3", "Q"), ("so2", 0.20, "A_SO2", "S"),
    ("dust", 0.10, "A_YFC", "S"), ("nox", 0.20, "A_NOX", "S"), ("solid_waste", 0.10, "A_SOL", "S"),
)
