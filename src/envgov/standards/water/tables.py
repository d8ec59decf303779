"""GB 3838-2002 Table 1 and the national assessment method (环办〔2011〕22号) as data.

Every table names its document, clause, edition and effective date, and cites where the numbers were
read: /work/shared/reference/water.md (sections §1–§2, source ids "S-Wxx"). `confidence` follows that
file: "official" (read in the standard's text), "2+src"/"1src" (secondary sources), "unconfirmed"
(not verified: a user-set parameter in `envgov.standards.water.parameters`, never a number invented here).

Units: mg/L, except pH (dimensionless), water temperature (°C) and faecal coliform (个/L).
Classes are numbered 1–5 (Ⅰ–Ⅴ); 6 stands for 劣Ⅴ ("worse than class V", which the standard itself
does not define, water.md §1.1); 0 means "not assessable" wherever a class is an integer array.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# ---------------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    version: str
    effective_from: date | None
    effective_to: date | None  # None = in force
    replaces: str
    confidence: str
    source: str


# water.md §1: in force 2002-06-01, replaced GB 3838-88 and GHZB 1-1999 [OFFICIAL] (S-W1) [2+SRC] (S-W3).
GB3838 = Document(
    id="GB 3838-2002", title="地表水环境质量标准", version="2002", effective_from=date(2002, 6, 1),
    effective_to=None, replaces="GB 3838-88、GHZB 1-1999", confidence="official", source="water.md §1（S-W1、S-W3）",
)
# water.md §2: MEP General Office notice 环办〔2011〕22号 of 2011-03-09 [2+SRC] (S-W5, S-W6). The notice's
# own date is the only date known; the day it took effect is not stated in the sources (taken as issued).
ASSESSMENT_METHOD = Document(
    id="环办〔2011〕22号", title="地表水环境质量评价办法（试行）", version="2011", effective_from=date(2011, 3, 9),
    effective_to=None, replaces="", confidence="2+src", source="water.md §2（S-W5、S-W6）",
)

# ---------------------------------------------------------------------------------------------------
# Classes (GB 3838-2002 §3, water.md §1.1)
# ---------------------------------------------------------------------------------------------------
CLASSES: tuple[int, ...] = (1, 2, 3, 4, 5)
WORSE_THAN_V = 6
NOT_ASSESSABLE = 0
# Roman numerals U+2160… as the national releases print them (PROVENANCE.md §3); 劣Ⅴ for 6.
CLASS_LABELS: dict[int, str] = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ", 5: "Ⅴ", 6: "劣Ⅴ"}
LABEL_CLASSES: dict[str, int] = {v: k for k, v in CLASS_LABELS.items()}
CLASS_USES: dict[int, str] = {  # [OFFICIAL] (S-W1 §3)
    1: "源头水、国家自然保护区",
    2: "集中式生活饮用水地表水源地一级保护区、珍稀水生生物栖息地、鱼虾类产卵场、仔稚幼鱼的索饵场等",
    3: "集中式生活饮用水地表水源地二级保护区、鱼虾类越冬场、洄游通道、水产养殖区等渔业水域及游泳区",
    4: "一般工业用水区及人体非直接接触的娱乐用水区",
    5: "农业用水区及一般景观要求水域",
}

# Water-body kinds that change a limit (TP) or whether an item applies (TN).
RIVER = "river"
LAKE = "lake"  # lake or reservoir (湖泊、水库)
KINDS: dict[str, str] = {RIVER: "河流", LAKE: "湖库"}

# ---------------------------------------------------------------------------------------------------
# GB 3838-2002 Table 1 — basic items (water.md §1.2, [OFFICIAL] S-W1 scan p.2, cross-checked S-W2, S-W4)
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One row of Table 1. `limits` are the class Ⅰ…Ⅴ limits in table order.

    direction: "le" the value must not exceed the limit (≤, lower is better); "ge" the value must reach it
    (≥, DO); "range" inside [low, high] for every class (pH); "rule" not a number (water temperature).
    A value equal to a limit meets it (the standard's "≤"/"≥"), and a value gets the best class whose
    limit it meets (so with equal neighbouring limits, COD 15 is class Ⅰ).
    """

    number: int  # row number in Table 1
    code: str  # envgov parameter code (lower case)
    label: str  # Chinese name as reports write it (the standard's heading adds e.g. "以P计")
    unit: str
    direction: str
    limits: tuple[float, ...] = ()
    lake_limits: tuple[float, ...] | None = None  # TP: lakes and reservoirs
    kinds: tuple[str, ...] = (RIVER, LAKE)  # water bodies the row applies to (TN: lakes/reservoirs only)
    range: tuple[float, float] | None = None  # pH
    note: str = ""

    def limits_for(self, kind: str) -> tuple[float, ...]:
        return self.lake_limits if (kind == LAKE and self.lake_limits is not None) else self.limits


_T1 = "GB 3838-2002 表1"
ITEMS: tuple[Item, ...] = (
    Item(1, "temp", "水温", "℃", "rule",
         note="人为造成的环境水温变化应限制在：周平均最大温升≤1，周平均最大温降≤2（各类相同）"),
    Item(2, "ph", "pH", "无量纲", "range", range=(6.0, 9.0)),
    # Class Ⅰ: "饱和率 90%（或 7.5）". envgov uses 7.5 mg/L and, when a saturation value (do_sat, %) is
    # supplied, also accepts ≥ 90 % saturation (either suffices, as the "或" reads).
    Item(3, "do", "溶解氧", "mg/L", "ge", (7.5, 6, 5, 3, 2), note="Ⅰ类：饱和率 90%（或 7.5 mg/L）"),
    Item(4, "codmn", "高锰酸盐指数", "mg/L", "le", (2, 4, 6, 10, 15)),
    Item(5, "cod", "化学需氧量", "mg/L", "le", (15, 15, 20, 30, 40)),
    Item(6, "bod5", "五日生化需氧量", "mg/L", "le", (3, 3, 4, 6, 10)),
    Item(7, "nh3n", "氨氮", "mg/L", "le", (0.15, 0.5, 1.0, 1.5, 2.0)),
    Item(8, "tp", "总磷", "mg/L", "le", (0.02, 0.1, 0.2, 0.3, 0.4),
         lake_limits=(0.01, 0.025, 0.05, 0.1, 0.2), note="湖、库 0.01/0.025/0.05/0.1/0.2"),
    Item(9, "tn", "总氮", "mg/L", "le", (0.2, 0.5, 1.0, 1.5, 2.0), kinds=(LAKE,)),
    Item(10, "cu", "铜", "mg/L", "le", (0.01, 1.0, 1.0, 1.0, 1.0)),
    Item(11, "zn", "锌", "mg/L", "le", (0.05, 1.0, 1.0, 2.0, 2.0)),
    Item(12, "fluoride", "氟化物", "mg/L", "le", (1.0, 1.0, 1.0, 1.5, 1.5)),
    Item(13, "se", "硒", "mg/L", "le", (0.01, 0.01, 0.01, 0.02, 0.02)),
    Item(14, "as", "砷", "mg/L", "le", (0.05, 0.05, 0.05, 0.1, 0.1)),
    Item(15, "hg", "汞", "mg/L", "le", (0.00005, 0.00005, 0.0001, 0.001, 0.001)),
    Item(16, "cd", "镉", "mg/L", "le", (0.001, 0.005, 0.005, 0.005, 0.01)),
    Item(17, "cr6", "六价铬", "mg/L", "le", (0.01, 0.05, 0.05, 0.05, 0.1)),
    Item(18, "pb", "铅", "mg/L", "le", (0.01, 0.01, 0.05, 0.05, 0.1)),
    Item(19, "cyanide", "氰化物", "mg/L", "le", (0.005, 0.05, 0.2, 0.2, 0.2)),
    Item(20, "phenol", "挥发酚", "mg/L", "le", (0.002, 0.002, 0.005, 0.01, 0.1)),
    Item(21, "petroleum", "石油类", "mg/L", "le", (0.05, 0.05, 0.05, 0.5, 1.0)),
    Item(22, "las", "阴离子表面活性剂", "mg/L", "le", (0.2, 0.2, 0.2, 0.3, 0.3)),
    Item(23, "sulfide", "硫化物", "mg/L", "le", (0.05, 0.1, 0.2, 0.5, 1.0)),
    Item(24, "fecal_coliform", "粪大肠菌群", "个/L", "le", (200, 2000, 10000, 20000, 40000)),
)
BY_CODE: dict[str, Item] = {i.code: i for i in ITEMS}
DO_SATURATION_CLASS1 = 90.0  # % saturation, Table 1 row 3 class Ⅰ [OFFICIAL]
DO_SATURATION_CODE = "do_sat"  # optional input: DO saturation in %, enables the "90 % saturation" reading

# Table 2 — supplementary items for centralised drinking-water sources (one limit each) [OFFICIAL] S-W1 p.3
SUPPLEMENTARY_LIMITS: dict[str, tuple[str, float]] = {
    "sulfate": ("硫酸盐（以SO4²⁻计）", 250), "chloride": ("氯化物（以Cl⁻计）", 250),
    "nitrate": ("硝酸盐（以N计）", 10), "fe": ("铁", 0.3), "mn": ("锰", 0.1),
}

# Other parameters the automatic stations report, with no class limit (water.md §2.7 "9 + X").
OTHER_PARAMETERS: dict[str, tuple[str, str]] = {
    "cond": ("电导率", "μS/cm"), "turb": ("浊度", "NTU"), "chla": ("叶绿素a", "mg/L"), "algae": ("藻密度", "cells/L"),
    DO_SATURATION_CODE: ("溶解氧饱和率", "%"),
}

# ---------------------------------------------------------------------------------------------------
# 地表水环境质量评价办法（试行） (water.md §2)
# ---------------------------------------------------------------------------------------------------
# §2.1 [2+SRC] (S-W6…S-W9): 21 assessment items = Table 1 minus water temperature, TN, faecal coliform;
# these three are reference items, evaluated separately. (Whether lake/reservoir TN joins the class is a
# user-set parameter, `lake_tn_counts`, default no: the 21-item list excludes TN everywhere.)
REFERENCE_ITEMS: tuple[str, ...] = ("temp", "tn", "fecal_coliform")
ASSESSMENT_ITEMS: tuple[str, ...] = tuple(i.code for i in ITEMS if i.code not in REFERENCE_ITEMS)
assert len(ASSESSMENT_ITEMS) == 21

# §2.3 status words [2+SRC] (S-W12, S-W13); colours UNCONFIRMED except red for 劣Ⅴ [1SRC] (S-W8).
@dataclass(frozen=True)
class Status:
    word: str
    colour: str
    colour_confidence: str


STATUS: dict[int, Status] = {
    1: Status("优", "蓝色", "unconfirmed"),
    2: Status("优", "蓝色", "unconfirmed"),
    3: Status("良好", "绿色", "unconfirmed"),
    4: Status("轻度污染", "黄色", "unconfirmed"),
    5: Status("中度污染", "橙色", "unconfirmed"),
    6: Status("重度污染", "红色", "1src"),
}
STATUS_WORDS: tuple[str, ...] = ("优", "良好", "轻度污染", "中度污染", "重度污染")

# §2.4 exceedance multiple 超标倍数 = (C − S) / S with S the class-Ⅲ limit [1SRC] (S-W11), Class-Ⅲ basis
# [2+SRC] (S-W7, S-W14); GB 3838 §5 asks for the multiples against the water body's target class, the same
# formula with S = the target class's limit. Not computed for water temperature, pH and DO.
EXCEEDANCE_BASIS_CLASS = 3
NO_EXCEEDANCE_MULTIPLE: tuple[str, ...] = ("temp", "ph", "do")
# Section main pollutants: none for classes Ⅰ–Ⅲ; otherwise up to 3 items exceeding class Ⅲ, worst class
# first, ties by larger multiple; "cyanide, Pb, Cr and other heavy metals" first when they exceed
# (which items count as "other heavy metals": user-set parameter `heavy_metals_first`). [1SRC] (S-W11)
PRIMARY_POLLUTANTS_MAX = 3
PRIMARY_NONE_UP_TO_CLASS = 3

# §2.5 river/basin from sections [2+SRC] (S-W10, S-W11). Fewer than N sections: mean of each indicator over
# the sections, then single factor; N or more: section-class proportion method. N = 5 and whether exactly
# 5 uses the proportion method are UNCONFIRMED ("more than 5" vs "5 (inclusive) or more"): parameter
# `proportion_min_sections`, default 5 (the reference's instruction: treat exactly 5 as proportion).
PROPORTION_RULES: tuple[tuple[str, str], ...] = (  # evaluated in order; shares in percent
    ("优", "good >= 90"),
    ("良好", "75 <= good < 90"),
    ("轻度污染", "good < 75 and bad < 20"),
    ("中度污染", "good < 75 and 20 <= bad < 40"),
    ("重度污染", "good < 75 and bad >= 40"),
)
PROPORTION_GOOD_EXCELLENT = 90.0
PROPORTION_GOOD_GOOD = 75.0
PROPORTION_BAD_MODERATE = 20.0
PROPORTION_BAD_HEAVY = 40.0
