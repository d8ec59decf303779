"""GB 3096-2008 声环境质量标准 as data: functional-area classes, day/night limits, night maximum-level rule,
day/night periods, and the functional-area attainment rate's definition.

Every table cites /work/shared/reference/other.md (section §1, source ids "S-Oxx"). `confidence` follows
that file: "official", "2+src", "1src"; rules it marks UNCONFIRMED are user-set parameters in
`envgov.standards.noise.parameters`, never numbers invented here. Levels are A-weighted equivalent
continuous sound levels Leq in dB(A).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from envgov.catalogue import gettext_noop
from envgov.standards.water.tables import Document

# other.md §1.1: in force 2008-10-01; replaced GB 3096-93 and GB/T 14623-93; not for aircraft noise around
# airports [2+SRC] (S-O2, S-O3).
GB3096 = Document(
    id="GB 3096-2008", title="声环境质量标准", version="2008", effective_from=date(2008, 10, 1), effective_to=None,
    replaces="GB 3096-93、GB/T 14623-93", confidence="2+src", source="other.md §1.1（S-O2、S-O3）",
)
# other.md §1.4: HJ 640-2012, issued 2012-12-03, in force 2013-03-01 [2+SRC] (S-O10, S-O11); §6 功能区声环境.
HJ640 = Document(
    id="HJ 640-2012", title="环境噪声监测技术规范 城市声环境常规监测", version="2012", effective_from=date(2013, 3, 1),
    effective_to=None, replaces="", confidence="2+src", source="other.md §1.4（S-O10、S-O11）",
)
# other.md §1.1: day/night periods from the noise law, wording read in GB 12523-2011 §3.8 [OFFICIAL] (S-O1).
GB12523 = Document(
    id="GB 12523-2011", title="建筑施工场界环境噪声排放标准", version="2011", effective_from=date(2012, 7, 1),
    effective_to=None, replaces="", confidence="official", source="other.md §1.1–1.2（S-O1）",
)

DAY = "day"
NIGHT = "night"
PERIODS: dict[str, str] = {DAY: gettext_noop("昼间"), NIGHT: gettext_noop("夜间")}


@dataclass(frozen=True)
class NoiseClass:
    code: str  # "0", "1", "2", "3", "4a", "4b"
    area: str  # 声环境功能区 wording as other.md §1.1 gives it, [1SRC] (S-O2; some copies add 城市次干路 to 4a)
    day: float  # 昼间 limit, dB(A)
    night: float  # 夜间 limit, dB(A)

    def limit(self, period: str) -> float:
        return self.day if period == DAY else self.night

    @property
    def label(self) -> str:
        return f"{self.code}类"


# other.md §1.1 table: limits [2+SRC] (S-O2 full table, S-O4, S-O5); area wording [1SRC] (S-O2).
# Pitfall noted there: 4a night is 55 (a popular page's "4类 夜间 60" is 4b only, S-O6).
CLASSES: tuple[NoiseClass, ...] = (
    NoiseClass("0", gettext_noop("康复疗养区等特别需要安静的区域"), 50, 40),
    NoiseClass("1", gettext_noop("以居民住宅、医疗卫生、文化教育、科研设计、行政办公为主，需要保持安静"), 55, 45),
    NoiseClass("2", gettext_noop("以商业金融、集市贸易为主，或居住、商业、工业混杂"), 60, 50),
    NoiseClass("3", gettext_noop("以工业生产、仓储物流为主"), 65, 55),
    NoiseClass("4a", gettext_noop("高速公路、一级公路、二级公路、城市快速路、城市主干路、城市轨道交通（地面段）、内河航道两侧"),
               70, 55),
    NoiseClass("4b", gettext_noop("铁路干线两侧"), 70, 60),
)
BY_CODE: dict[str, NoiseClass] = {c.code: c for c in CLASSES}
CLASS_CODES: tuple[str, ...] = tuple(c.code for c in CLASSES)

# other.md §1.1 special rules [1SRC] (S-O2). Stored for zoning and for reading a point's class; the
# functional-area evaluation uses the class the user gives each point.
RAILWAY_4B_EIA_FROM = date(2011, 1, 1)  # 4b limits apply beside NEW trunk lines whose EIA was approved on/after
EXISTING_RAILWAY_BACKGROUND = {DAY: 70.0, NIGHT: 55.0}  # existing trunk lines through towns: background (no train)

# other.md §1.2: GB 3096-2008 §5.4 夜间突发噪声 — the maximum level may exceed the class night limit by at most
# 15 dB(A) [2+SRC] (S-O2, S-O7, S-O5). (The 10 / 15 "frequent / occasional" pair belongs to the emission
# standards GB 12348-2008 and GB 22337-2008, not to GB 3096-2008.)
NIGHT_LMAX_EXCESS = 15.0

# other.md §1.1: 昼间 06:00–22:00, 夜间 22:00–次日 06:00 [OFFICIAL wording] (S-O1 §3.8); a county-level-or-higher
# government may fix other periods → parameters night_start / night_end (defaults these).
DEFAULT_NIGHT_START = "22:00"
DEFAULT_NIGHT_END = "06:00"

# other.md §1.3: values carried to 0.1 dB (HJ 212 noise fields N3.1 [OFFICIAL], S-S1); the rounding rule
# (half-even or half-up) is UNCONFIRMED → parameter `rounding`.
LEVEL_DIGITS = 1

# other.md §1.4 [2+SRC] (S-O16, S-O17): 功能区声环境质量达标率 counts 点次; day and night separately;
# 昼间达标率 = 昼间达标点次 / 昼间监测点次 × 100 %; a point-time is 达标 when Ld (Ln) ≤ the class limit.
# Reported overall and per class.
RATE_DEFINITION = gettext_noop("达标率 = 达标点次 ÷ 监测点次 × 100%，昼间、夜间分别统计；"
                               "点次的昼间（夜间）等效声级不高于所在功能区类别的限值即为达标")

# other.md §1.4: national target, 声环境功能区夜间达标率 85 % by 2025 (《“十四五”噪声污染防治行动计划》,
# 环大气〔2023〕1号, 2023-01-03) [2+SRC] (S-O18, S-O19).
NATIONAL_NIGHT_RATE_TARGET_2025 = 85.0

# ---------------------------------------------------------------------------------------------------
# Night-time maximum-level rules of the EMISSION standards (other.md §1.2) — kept apart from GB 3096 (a quality
# standard): they judge a source at its boundary, not a functional area. Not used by the area evaluation.
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NightMaxRule:
    standard: str
    what: str
    excess: float  # Lmax at night may exceed the night limit by at most this many dB(A)
    confidence: str


NIGHT_MAX_RULES: tuple[NightMaxRule, ...] = (
    NightMaxRule("GB 3096-2008 §5.4", gettext_noop("夜间突发噪声（声环境功能区）"), 15.0, "2+src"),  # S-O2, S-O7, S-O5
    NightMaxRule("GB 12348-2008", gettext_noop("工业企业厂界夜间频发噪声"), 10.0, "1src"),  # S-O5
    NightMaxRule("GB 12348-2008", gettext_noop("工业企业厂界夜间偶发噪声"), 15.0, "1src"),
    NightMaxRule("GB 22337-2008", gettext_noop("社会生活噪声夜间频发噪声"), 10.0, "1src"),
    NightMaxRule("GB 22337-2008", gettext_noop("社会生活噪声夜间偶发噪声"), 15.0, "1src"),
    NightMaxRule("GB 12523-2011", gettext_noop("建筑施工场界夜间最大声级"), 15.0, "official"),  # S-O1
)

# GB 12523-2011 [OFFICIAL] (S-O1): construction-site boundary limits day 70 / night 55 dB(A) (20-min Leq; Lmax at
# night too); measured inside the noise-sensitive building: limits − 10 dB(A).
CONSTRUCTION_LIMITS = {DAY: 70.0, NIGHT: 55.0}
CONSTRUCTION_INDOOR_REDUCTION = 10.0
# GB 12523-2011 Table 2 background correction [OFFICIAL] (S-O1): difference (measured − background), rounded to an
# integer first → correction in dB(A); below 3 the background must be reduced and the measurement repeated.
# (lowest difference, highest difference or None, correction)
BACKGROUND_CORRECTION: tuple[tuple[int, int | None, float], ...] = ((11, None, 0.0), (6, 10, -1.0), (4, 5, -2.0),
                                                                   (3, 3, -3.0))

# ---------------------------------------------------------------------------------------------------
# HJ 640-2012 grades of the city's regional (区域) and road-traffic (道路交通) sound environment (other.md §1.4):
# value rounded to 0.1, grade = first breakpoint the value does not exceed; above the last = 五级.
# Day rows [2+SRC] (S-O63, S-O12, S-O9, S-O13); night rows [1SRC] (S-O9/S-O13) plus a bulletin consistency check (S-O14).
# How the city value is formed (arithmetic mean of grid points; length-weighted road mean) is UNCONFIRMED and
# not computed here.
# ---------------------------------------------------------------------------------------------------
REGIONAL = "regional"
ROAD = "road"
HJ640_GRADE_WORDS: tuple[str, ...] = (gettext_noop("好"), gettext_noop("较好"), gettext_noop("一般"),
                                      gettext_noop("较差"), gettext_noop("差"))
HJ640_GRADE_LEVELS: tuple[str, ...] = (gettext_noop("一级"), gettext_noop("二级"), gettext_noop("三级"),
                                       gettext_noop("四级"), gettext_noop("五级"))
HJ640_BREAKPOINTS: dict[tuple[str, str], tuple[float, float, float, float]] = {
    (REGIONAL, DAY): (50.0, 55.0, 60.0, 65.0),
    (REGIONAL, NIGHT): (40.0, 45.0, 50.0, 55.0),
    (ROAD, DAY): (68.0, 70.0, 72.0, 74.0),
    (ROAD, NIGHT): (58.0, 60.0, 62.0, 64.0),
}
HJ640_CONFIDENCE: dict[str, str] = {DAY: "2+src", NIGHT: "1src"}
