"""Tables of GB 3095, HJ 633 and HJ 663, editions 2012/2013 and 2026, as data.

Every table names its standard, clause/table, edition and effective dates, and cites where the
numbers were read (source ids refer to /work/shared/reference/air.md "S-Axx" and air-2026.md "Sx").
`confidence` follows the reference files: "official" (read in the standard's text), "press" (MEE
statement), "2+src"/"1src" (secondary sources), "unconfirmed" (not verified: a user-set parameter).

Units: µg/m³ for every pollutant except CO in mg/m³ (project convention, same as the standards).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Pollutant codes of the six basic items (GB 3095 Table 1); order is the project's canonical order.
POLLUTANTS: tuple[str, ...] = ("so2", "no2", "pm10", "co", "o3", "pm25")
# Other items of GB 3095 Table 2.
OTHER_POLLUTANTS: tuple[str, ...] = ("tsp", "nox", "pb", "bap")
UNITS: dict[str, str] = {p: "µg/m³" for p in POLLUTANTS + OTHER_POLLUTANTS} | {"co": "mg/m³"}
POLLUTANT_LABELS: dict[str, str] = {
    "so2": "二氧化硫", "no2": "二氧化氮", "pm10": "PM10", "co": "一氧化碳", "o3": "臭氧", "pm25": "PM2.5",
    "tsp": "总悬浮颗粒物", "nox": "氮氧化物", "pb": "铅", "bap": "苯并[a]芘",
}
# How daily reports write the six items (HJ 633 Table 1 names in chemical notation), e.g. 首要污染物 NO₂、PM2.5.
POLLUTANT_SYMBOLS: dict[str, str] = {"so2": "SO₂", "no2": "NO₂", "pm10": "PM10", "co": "CO", "o3": "O₃", "pm25": "PM2.5"}
# Averaging times used by breakpoints and limits. "8h" = 8-h moving mean (limits: daily maximum 8-h mean).
AVERAGINGS: tuple[str, ...] = ("1h", "8h", "24h", "annual", "quarterly")


# ---------------------------------------------------------------------------------------------------
# Editions and their dates
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AirEdition:
    """One consistent set of the three air standards, selected by the date of the data."""

    key: str  # "2012" or "2026"
    gb3095: str
    hj633: str
    hj663: str
    # first and last local day the set applies to in envgov's date selection (None = open)
    applies_from: date | None
    applies_to: date | None
    note: str


# Source: air-2026.md §1 (CONFIRMED text: GB 3095-2026 and HJ 633-2026 forewords, in force 2026-03-01,
# the 2012 editions repealed that day); air.md §1 (HJ 633-2012 issued 2012-02-29, nationwide 2016-01-01),
# §3 (HJ 663-2013 in force 2013-10-01).
EDITIONS: dict[str, AirEdition] = {
    "2012": AirEdition(
        key="2012",
        gb3095="GB 3095-2012",
        hj633="HJ 633-2012",
        hj663="HJ 663-2013",
        applies_from=None,
        applies_to=date(2026, 2, 28),
        note="2012 版（GB 3095-2012 全国 2016-01-01 实施，重点地区更早实施；更早的标准未建模）",
    ),
    "2026": AirEdition(
        key="2026",
        gb3095="GB 3095-2026",
        hj633="HJ 633-2026",
        hj663="HJ 663-2026",
        applies_from=date(2026, 3, 1),
        applies_to=None,
        note="2026 版，2026-03-01 起实施；GB 3095-2026 2030-12-31 前为过渡阶段限值",
    ),
}
EDITION_SWITCH_DAY = date(2026, 3, 1)

# GB 3095-2026 §4.4 (CONFIRMED text, air-2026.md §1): transition-phase limits nationwide until
# 2030-12-31, final limits from 2031-01-01. The phase is chosen by date, not by region.
PHASES_2026: dict[str, tuple[date, date | None]] = {
    "transition": (date(2026, 3, 1), date(2030, 12, 31)),
    "final": (date(2031, 1, 1), None),
}


# ---------------------------------------------------------------------------------------------------
# HJ 633 IAQI breakpoints
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Breakpoints:
    """One column of the IAQI breakpoint table: concentration BP_i ↔ IAQI_i."""

    standard: str
    edition: str
    pollutant: str
    averaging: str  # "1h", "24h", "8h"
    conc: tuple[float, ...]
    iaqi: tuple[int, ...]
    realtime_only: bool = False  # footnote: only for the real-time (hourly) report
    source: str = ""


_IAQI_ROWS = (0, 50, 100, 150, 200, 300, 400, 500)

# HJ 633-2012 Table 1 (CONFIRMED text, S-A1 / S4 p.2; air.md §1.1, air-2026.md §3.1).
# Columns cut at IAQI 200 (SO2 1h, footnote 2) and IAQI 300 (O3 8h, footnote 3).
_HJ633_2012 = {
    ("so2", "24h"): (0, 50, 150, 475, 800, 1600, 2100, 2620),
    ("so2", "1h"): (0, 150, 500, 650, 800),
    ("no2", "24h"): (0, 40, 80, 180, 280, 565, 750, 940),
    ("no2", "1h"): (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    ("pm10", "24h"): (0, 50, 150, 250, 350, 420, 500, 600),
    ("co", "24h"): (0, 2, 4, 14, 24, 36, 48, 60),
    ("co", "1h"): (0, 5, 10, 35, 60, 90, 120, 150),
    ("o3", "1h"): (0, 160, 200, 300, 400, 800, 1000, 1200),
    ("o3", "8h"): (0, 100, 160, 215, 265, 800),
    ("pm25", "24h"): (0, 35, 75, 115, 150, 250, 350, 500),
}
# HJ 633-2026 Table 3 (CONFIRMED text, S2 p.3; air-2026.md §3.1): identical to 2012 except the IAQI-100
# breakpoint of PM10 (150 → 120) and PM2.5 (75 → 60).
_HJ633_2026 = dict(_HJ633_2012) | {
    ("pm10", "24h"): (0, 50, 120, 250, 350, 420, 500, 600),
    ("pm25", "24h"): (0, 35, 60, 115, 150, 250, 350, 500),
}
# Footnote 1 (2012) / a (2026): 1-h columns for the real-time report only; 2012 names SO2, NO2, CO,
# 2026 adds O3 (the 2026 daily report no longer uses the O3 1-h maximum).
_REALTIME_ONLY = {
    "2012": {("so2", "1h"), ("no2", "1h"), ("co", "1h")},
    "2026": {("so2", "1h"), ("no2", "1h"), ("co", "1h"), ("o3", "1h")},
}


def _build_breakpoints() -> dict[tuple[str, str, str], Breakpoints]:
    out: dict[tuple[str, str, str], Breakpoints] = {}
    for edition, table, standard, where in (
        ("2012", _HJ633_2012, "HJ 633-2012", "HJ 633-2012 表1"),
        ("2026", _HJ633_2026, "HJ 633-2026", "HJ 633-2026 表3"),
    ):
        for (pollutant, averaging), conc in table.items():
            out[(edition, pollutant, averaging)] = Breakpoints(
                standard=standard,
                edition=edition,
                pollutant=pollutant,
                averaging=averaging,
                conc=tuple(float(c) for c in conc),
                iaqi=_IAQI_ROWS[: len(conc)],
                realtime_only=(pollutant, averaging) in _REALTIME_ONLY[edition],
                source=where,
            )
    return out


BREAKPOINTS: dict[tuple[str, str, str], Breakpoints] = _build_breakpoints()

# Limits of a column where the table stops and a special rule takes over (both editions, CONFIRMED text).
#   2012 Table 1 note 2: SO2 1-h > 800 → no IAQI from it, use the SO2 24-h IAQI instead.
#   2012 Table 1 note 3: O3 8-h > 800 → no IAQI from it, use the O3 1-h IAQI instead.
#   2026 Table 3 note b: SO2 1-h > 800 → SO2 IAQI = 200.  note c: O3 8-h > 800 → O3 IAQI = 300.
# Exactly 800 is still inside the table.
ABOVE_800_RULES: dict[tuple[str, str, str], dict[str, object]] = {
    ("2012", "so2", "1h"): {"above": 800, "use": ("so2", "24h"), "source": "HJ 633-2012 表1 注2"},
    ("2012", "o3", "8h"): {"above": 800, "use": ("o3", "1h"), "source": "HJ 633-2012 表1 注3"},
    ("2026", "so2", "1h"): {"above": 800, "iaqi": 200, "source": "HJ 633-2026 表3 注b"},
    ("2026", "o3", "8h"): {"above": 800, "iaqi": 300, "source": "HJ 633-2026 表3 注c"},
}

# Above the IAQI-500 breakpoint neither edition gives a rule (air-2026.md §3.8, UNCONFIRMED). envgov
# reports 500 (the top of the scale, common practice) and says so in provenance; user-settable.
ABOVE_TOP_POLICY_DEFAULT = "cap"  # "cap" → 500; "none" → no IAQI


# ---------------------------------------------------------------------------------------------------
# Levels, categories, colours (HJ 633-2012 Table 2 + Annex A; HJ 633-2026 Table 1 + Annex A)
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Level:
    number: int  # 1–6
    name: str  # 空气质量指数类别: 优, 良, 轻度污染, 中度污染, 重度污染, 严重污染
    level_name: str  # 空气质量指数级别: 一级 … 六级
    colour: str  # 绿色 …
    rgb: tuple[int, int, int]
    cmyk: tuple[int, int, int, int]
    aqi_low: int
    aqi_high: int | None  # None = open (level 6)

    @property
    def category(self) -> str:
        """HJ 633's word for the name (类别)."""
        return self.name


# CONFIRMED text: HJ 633-2012 Table 2 / Annex A Table A.1 (S-A1); HJ 633-2026 §4.1.1, Table 1, Annex A
# Table A.1 (S2). Same six levels and colours in both; 2012 level 1 is AQI 0–50, 2026 "1～50".
_LEVEL_ROWS = (
    (1, "一级", "优", "绿色", (0, 228, 0), (40, 0, 100, 0), 50),
    (2, "二级", "良", "黄色", (255, 255, 0), (0, 0, 100, 0), 100),
    (3, "三级", "轻度污染", "橙色", (255, 126, 0), (0, 52, 100, 0), 150),
    (4, "四级", "中度污染", "红色", (255, 0, 0), (0, 100, 100, 0), 200),
    (5, "五级", "重度污染", "紫色", (153, 0, 76), (10, 100, 40, 30), 300),
    (6, "六级", "严重污染", "褐红色", (126, 0, 35), (30, 100, 100, 30), None),
)


def _build_levels(first_low: int) -> tuple[Level, ...]:
    levels, low = [], first_low
    for number, level_name, name, colour, rgb, cmyk, high in _LEVEL_ROWS:
        levels.append(Level(number, name, level_name, colour, rgb, cmyk, low, high))
        low = (high or 0) + 1
    return tuple(levels)


LEVELS: dict[str, tuple[Level, ...]] = {"2012": _build_levels(0), "2026": _build_levels(1)}
GOOD_DAY_MAX_AQI = 100  # 优良天 = AQI ≤ 100 (优 + 良); air.md §3.3 [2+SRC]


# ---------------------------------------------------------------------------------------------------
# Report indicators (HJ 633-2012 §5.1.2–5.1.3 Tables 3–4; HJ 633-2026 §4.2.2–4.2.3 Tables 4–5)
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Indicator:
    key: str  # name of the value in an input mapping, e.g. "pm25", "o3_8h"
    pollutant: str
    averaging: str  # breakpoint column used
    meaning: str


# Daily report. 2012: 7 indicators incl. O3 daily max 1-h; 2026: 6 indicators (O3 1-h dropped).
# CONFIRMED text (air-2026.md §3.3).
DAILY_INDICATORS: dict[str, tuple[Indicator, ...]] = {
    "2012": (
        Indicator("so2", "so2", "24h", "SO2 24小时平均"),
        Indicator("no2", "no2", "24h", "NO2 24小时平均"),
        Indicator("pm10", "pm10", "24h", "PM10 24小时平均"),
        Indicator("co", "co", "24h", "CO 24小时平均"),
        Indicator("o3_1h", "o3", "1h", "O3 日最大1小时平均"),
        Indicator("o3_8h", "o3", "8h", "O3 日最大8小时滑动平均"),
        Indicator("pm25", "pm25", "24h", "PM2.5 24小时平均"),
    ),
    "2026": (
        Indicator("so2", "so2", "24h", "SO2 日平均"),
        Indicator("no2", "no2", "24h", "NO2 日平均"),
        Indicator("pm10", "pm10", "24h", "PM10 日平均"),
        Indicator("co", "co", "24h", "CO 日平均"),
        Indicator("o3_8h", "o3", "8h", "O3 日最大8小时滑动平均"),
        Indicator("pm25", "pm25", "24h", "PM2.5 日平均"),
    ),
}

# Real-time report to the letter of each edition.
# 2012 (Table 4): 1-h SO2/NO2/O3/CO; O3 8-h moving mean; PM10/PM2.5 IAQI from the 24-h moving mean
#   (their 1-h values are published as concentrations only). SO2 1-h > 800 falls back to "so2_24h".
# 2026 (Table 5): 1-h means of the six pollutants; PM 1-h values use the daily breakpoints (§4.2.4).
REALTIME_INDICATORS: dict[str, tuple[Indicator, ...]] = {
    "2012": (
        Indicator("so2", "so2", "1h", "SO2 1小时平均"),
        Indicator("no2", "no2", "1h", "NO2 1小时平均"),
        Indicator("co", "co", "1h", "CO 1小时平均"),
        Indicator("o3", "o3", "1h", "O3 1小时平均"),
        Indicator("o3_8h", "o3", "8h", "O3 8小时滑动平均"),
        Indicator("pm10_24h", "pm10", "24h", "PM10 24小时滑动平均"),
        Indicator("pm25_24h", "pm25", "24h", "PM2.5 24小时滑动平均"),
    ),
    "2026": (
        Indicator("so2", "so2", "1h", "SO2 1小时平均"),
        Indicator("no2", "no2", "1h", "NO2 1小时平均"),
        Indicator("co", "co", "1h", "CO 1小时平均"),
        Indicator("o3", "o3", "1h", "O3 1小时平均"),
        Indicator("pm10", "pm10", "24h", "PM10 1小时平均（按日平均分段）"),
        Indicator("pm25", "pm25", "24h", "PM2.5 1小时平均（按日平均分段）"),
    ),
}
# 2012 real-time: the SO2 24-h value that replaces a 1-h value above 800 (Table 1 note 2).
REALTIME_SO2_FALLBACK_KEY = "so2_24h"


# ---------------------------------------------------------------------------------------------------
# Rounding (修约)
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RoundingRule:
    edition: str
    purpose: str  # "iaqi_input" (concentration before IAQI), "iaqi" (IAQI/AQI result), "report"
    method: str  # "none", "half_even" (GB/T 8170), "ceiling"
    digits: dict[str, int] = field(default_factory=dict)  # per pollutant, decimals kept
    confidence: str = "official"
    source: str = ""


_INT_CO1 = {p: 0 for p in POLLUTANTS} | {"co": 1}
ROUNDING_RULES: dict[tuple[str, str], RoundingRule] = {
    # HJ 633-2012 §6.2 "全部进位取整数" (CONFIRMED text).
    ("2012", "iaqi"): RoundingRule("2012", "iaqi", "ceiling", source="HJ 633-2012 §6.2"),
    # HJ 633-2012 does not round concentrations before the IAQI (air.md §1.5, CONFIRMED text).
    ("2012", "iaqi_input"): RoundingRule("2012", "iaqi_input", "none", source="HJ 633-2012（未规定）"),
    # HJ 663-2013 reporting digits: UNCONFIRMED (air.md §3.5); practice is integers, CO 1 decimal, GB/T
    # 8170. A default that the user may change; flagged as unconfirmed in provenance.
    ("2012", "report"): RoundingRule(
        "2012", "report", "half_even", _INT_CO1, "unconfirmed", "HJ 663-2013（未核实，按 GB/T 8170 惯例）"
    ),
    # HJ 633-2026 §4.2.6 (CONFIRMED text).
    ("2026", "iaqi"): RoundingRule("2026", "iaqi", "ceiling", source="HJ 633-2026 §4.2.6"),
    # HJ 633-2026 §4.2.2–4.2.3: concentrations rounded per GB/T 8170 to integers (CO 1 decimal) before
    # the IAQI (CONFIRMED text).
    ("2026", "iaqi_input"): RoundingRule(
        "2026", "iaqi_input", "half_even", _INT_CO1, source="HJ 633-2026 §4.2.2、§4.2.3，GB/T 8170"
    ),
    # HJ 663-2026 "修约要求更加细化" (press, air-2026.md §5.1); digits UNCONFIRMED. Same default as above.
    ("2026", "report"): RoundingRule(
        "2026", "report", "half_even", _INT_CO1, "unconfirmed", "HJ 663-2026（原文未获取，按 GB/T 8170 惯例）"
    ),
}


# ---------------------------------------------------------------------------------------------------
# GB 3095 concentration limits
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Limit:
    standard: str
    edition: str
    pollutant: str
    statistic: str  # "annual", "24h", "1h", "8h" (daily max 8-h), "quarterly"
    grade: int  # 1 or 2
    phase: str | None  # None (2012) or "transition"/"final" (2026)
    value: float
    unit: str
    confidence: str
    source: str

    def __float__(self) -> float:
        return self.value


# GB 3095-2012 Table 1 (basic) and Table 2 (other items). [2+SRC] (air.md §2.1; air-2026.md §2.1–2.2).
#   (pollutant, statistic, grade 1, grade 2)
_GB3095_2012 = (
    ("so2", "annual", 20, 60), ("so2", "24h", 50, 150), ("so2", "1h", 150, 500),
    ("no2", "annual", 40, 40), ("no2", "24h", 80, 80), ("no2", "1h", 200, 200),
    ("co", "24h", 4, 4), ("co", "1h", 10, 10),
    ("o3", "8h", 100, 160), ("o3", "1h", 160, 200),
    ("pm10", "annual", 40, 70), ("pm10", "24h", 50, 150),
    ("pm25", "annual", 15, 35), ("pm25", "24h", 35, 75),
    ("tsp", "annual", 80, 200), ("tsp", "24h", 120, 300),
    ("nox", "annual", 50, 50), ("nox", "24h", 100, 100), ("nox", "1h", 250, 250),
    ("pb", "annual", 0.5, 0.5), ("pb", "quarterly", 1, 1),
    ("bap", "annual", 0.001, 0.001), ("bap", "24h", 0.0025, 0.0025),
)
# GB 3095-2026 Table 1 and Table 2 with footnotes a/b (CONFIRMED text, S1; air-2026.md §2.1–2.2).
#   (pollutant, statistic, transition g1, transition g2, final g1, final g2)
_GB3095_2026 = (
    ("so2", "annual", 20, 60, 20, 20), ("so2", "24h", 50, 150, 50, 50), ("so2", "1h", 150, 500, 150, 150),
    ("no2", "annual", 40, 40, 30, 30), ("no2", "24h", 80, 80, 50, 50), ("no2", "1h", 200, 200, 200, 200),
    ("co", "24h", 4, 4, 4, 4), ("co", "1h", 10, 10, 10, 10),
    ("o3", "8h", 100, 160, 100, 160), ("o3", "1h", 160, 200, 160, 200),
    ("pm10", "annual", 40, 60, 20, 50), ("pm10", "24h", 50, 120, 50, 100),
    ("pm25", "annual", 15, 30, 10, 25), ("pm25", "24h", 35, 60, 25, 50),
    ("tsp", "annual", 80, 200, 80, 200), ("tsp", "24h", 120, 300, 120, 300),
    ("nox", "annual", 50, 50, 40, 40), ("nox", "24h", 100, 100, 70, 70), ("nox", "1h", 250, 250, 250, 250),
    ("pb", "annual", 0.5, 0.5, 0.5, 0.5), ("pb", "quarterly", 1, 1, 1, 1),
    ("bap", "annual", 0.001, 0.001, 0.001, 0.001), ("bap", "24h", 0.0025, 0.0025, 0.0025, 0.0025),
)


def _build_limits() -> dict[tuple[str, str, str, int, str | None], Limit]:
    out: dict[tuple[str, str, str, int, str | None], Limit] = {}
    for pollutant, statistic, g1, g2 in _GB3095_2012:
        table = "表1" if pollutant in POLLUTANTS else "表2"
        for grade, value in ((1, g1), (2, g2)):
            out[("2012", pollutant, statistic, grade, None)] = Limit(
                "GB 3095-2012", "2012", pollutant, statistic, grade, None, float(value), UNITS[pollutant],
                "2+src", f"GB 3095-2012 {table}",
            )
    for pollutant, statistic, t1, t2, f1, f2 in _GB3095_2026:
        table = "表1" if pollutant in POLLUTANTS else "表2"
        for phase, pair in (("transition", (t1, t2)), ("final", (f1, f2))):
            for grade, value in zip((1, 2), pair):
                out[("2026", pollutant, statistic, grade, phase)] = Limit(
                    "GB 3095-2026", "2026", pollutant, statistic, grade, phase, float(value),
                    UNITS[pollutant], "official", f"GB 3095-2026 {table}" + ("（过渡阶段）" if phase == "transition" else ""),
                )
    return out


LIMITS: dict[tuple[str, str, str, int, str | None], Limit] = _build_limits()


# ---------------------------------------------------------------------------------------------------
# Data-validity rules (GB 3095 Table 4; O3 daily max 8-h in HJ 663 §6.1.2)
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ValidityRule:
    statistic: str  # "annual", "24h", "8h", "1h", "o3_daily_max_8h", "quarterly"
    pollutants: tuple[str, ...]
    minimum: int  # count of the unit below
    unit: str  # "daily_means", "hourly_means", "minutes", "8h_means", "daily_samples"
    per_month: int | None = None  # additional monthly minimum (annual means)
    per_february: int | None = None
    valid_if_exceeds: bool = False  # a short statistic still counts if it already exceeds the limit
    confidence: str = "official"
    source: str = ""


@dataclass(frozen=True)
class ValidityRules:
    """Named thresholds for the engine, plus the table rows they come from."""

    edition: str
    hourly_min_minutes: int  # 1-h mean: ≥ 45 min of sampling
    daily_min_hours: int  # 24-h (daily) mean: ≥ 20 hourly means
    o3_8h_min_hours: int  # 8-h moving mean: ≥ 6 hourly means in the window
    o3_daily_max_8h_min_windows: int  # daily max 8-h: ≥ 14 valid 8-h means in the day …
    o3_daily_max_8h_valid_if_exceeds: bool  # … or fewer if the value already exceeds the limit
    annual_min_days: int  # annual mean: ≥ 324 daily means …
    monthly_min_days: int  # … and ≥ 27 in every month …
    february_min_days: int  # … (≥ 25 in February)
    rows: tuple[ValidityRule, ...]


def _validity(edition: str) -> ValidityRules:
    gb = "GB 3095-2012 表4" if edition == "2012" else "GB 3095-2026 表4"
    hj = "HJ 663-2013 §6.1.2" if edition == "2012" else "HJ 663-2026 §6.1.2"
    # 2012 Table 4: [1SRC] (air.md §2.2), same thresholds as the 2026 text read in full (air-2026.md §2.4).
    c_main = "1src" if edition == "2012" else "official"
    c_other = "unconfirmed" if edition == "2012" else "official"
    rows = (
        ValidityRule("annual", ("so2", "no2", "pm10", "pm25", "nox"), 324, "daily_means", 27, 25,
                     confidence=c_main, source=gb),
        ValidityRule("24h", ("so2", "no2", "co", "pm10", "pm25", "nox"), 20, "hourly_means",
                     confidence=c_main, source=gb),
        ValidityRule("8h", ("o3",), 6, "hourly_means", confidence=c_main, source=gb),
        ValidityRule("1h", ("so2", "no2", "co", "o3", "nox"), 45, "minutes", confidence=c_other, source=gb),
        ValidityRule("annual", ("tsp", "bap", "pb"), 60, "daily_samples", per_month=5,
                     confidence=c_other, source=gb),
        ValidityRule("quarterly", ("pb",), 15, "daily_samples", per_month=5, confidence=c_other, source=gb),
        ValidityRule("24h", ("tsp", "bap", "pb"), 24, "sampling_hours", confidence=c_other, source=gb),
        # [1SRC] third-party manifest quoting HJ 663 §6.1.2 (air.md §2.2; air-2026.md §5.2): UNCONFIRMED.
        ValidityRule("o3_daily_max_8h", ("o3",), 14, "8h_means", valid_if_exceeds=True,
                     confidence="unconfirmed", source=hj),
    )
    return ValidityRules(
        edition=edition,
        hourly_min_minutes=45,
        daily_min_hours=20,
        o3_8h_min_hours=6,
        o3_daily_max_8h_min_windows=14,
        o3_daily_max_8h_valid_if_exceeds=True,
        annual_min_days=324,
        monthly_min_days=27,
        february_min_days=25,
        rows=rows,
    )


VALIDITY: dict[str, ValidityRules] = {"2012": _validity("2012"), "2026": _validity("2026")}


# ---------------------------------------------------------------------------------------------------
# HJ 663 assessment statistics and percentile method
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AssessmentItem:
    pollutant: str
    statistic: str  # "annual_mean" or "percentile"
    of: str  # series the statistic is taken over: "24h" daily means, "8h" daily max 8-h means
    percentile: int | None
    compared_with: str  # limit statistic it is compared with: "annual", "24h", "8h"
    confidence: str
    source: str


# HJ 663-2013 annual assessment items. CO 95th / O3 90th [2+SRC] (bulletins); SO2/NO2 98th and PM 95th
# [2+SRC] codebases, text not read (air.md §3.1). HJ 663-2026: same list UNCONFIRMED (air-2026.md §5.2).
def _assessment(edition: str) -> tuple[AssessmentItem, ...]:
    src = "HJ 663-2013" if edition == "2012" else "HJ 663-2026（原文未获取，沿用 2013 版项目）"
    c = "2+src" if edition == "2012" else "unconfirmed"
    return (
        AssessmentItem("so2", "annual_mean", "24h", None, "annual", c, src),
        AssessmentItem("so2", "percentile", "24h", 98, "24h", c, src),
        AssessmentItem("no2", "annual_mean", "24h", None, "annual", c, src),
        AssessmentItem("no2", "percentile", "24h", 98, "24h", c, src),
        AssessmentItem("pm10", "annual_mean", "24h", None, "annual", c, src),
        AssessmentItem("pm10", "percentile", "24h", 95, "24h", c, src),
        AssessmentItem("pm25", "annual_mean", "24h", None, "annual", c, src),
        AssessmentItem("pm25", "percentile", "24h", 95, "24h", c, src),
        AssessmentItem("co", "percentile", "24h", 95, "24h", c, src),
        AssessmentItem("o3", "percentile", "8h", 90, "8h", c, src),
    )


ASSESSMENT_ITEMS: dict[str, tuple[AssessmentItem, ...]] = {"2012": _assessment("2012"), "2026": _assessment("2026")}

# Percentile method, HJ 663-2013 Annex A (air.md §3.2 [1SRC], with the worked example
# {3,4,8,2,5,4}, p=90 → 6.5): sort ascending, k = 1 + (n − 1)·p/100, s = int(k),
# m = X(s) + (X(s+1) − X(s))·(k − s). HJ 663-2026 keeps it: UNCONFIRMED.
PERCENTILE_METHOD = {
    "2012": {"method": "hj663-annex-a-linear", "confidence": "1src", "source": "HJ 663-2013 附录A"},
    "2026": {"method": "hj663-annex-a-linear", "confidence": "unconfirmed", "source": "HJ 663-2026（未核实）"},
}


# ---------------------------------------------------------------------------------------------------
# Exceptional events / dust deduction
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExceptionalEventRule:
    key: str
    edition: str
    document: str
    applies_from: date
    applies_to: date | None
    causes: tuple[str, ...]  # causes the rule names; empty = not known
    pollutants: tuple[str, ...]  # pollutants whose data are excluded; empty = not known
    excluded_from: tuple[str, ...]  # statistics/uses the exclusion applies to; empty = not known
    designated_by: str
    confidence: str
    note: str


# Before 2026: only the MEE sand-dust rule 环办监测〔2016〕120号 (from 2017-01-01; air.md §7 [1SRC]):
# particulate data of dust-affected periods are deducted in assessment, target checks and monthly city
# ranking; which hours/days and PM2.5 and/or PM10: UNCONFIRMED (attachment not reachable).
# From 2026-03-01: HJ 663-2026 defines "例外事件" (press, air-2026.md §5.1); causes and handling UNCONFIRMED.
# Hence envgov treats exclusions as user-designated periods and keeps raw and deducted series side by side.
EXCEPTIONAL_EVENT_RULES: dict[str, ExceptionalEventRule] = {
    "dust-2016-120": ExceptionalEventRule(
        key="dust-2016-120",
        edition="2012",
        document="环办监测〔2016〕120号《受沙尘天气过程影响城市空气质量评价补充规定》",
        applies_from=date(2017, 1, 1),
        applies_to=date(2026, 2, 28),
        causes=("沙尘天气过程",),
        pollutants=(),
        excluded_from=("评估", "考核", "城市排名"),
        designated_by="中国环境监测总站审核（卫星遥感、沙尘暴监测网及气象沙尘信息为依据）",
        confidence="1src",
        note="扣除的时段与颗粒物项目（PM2.5/PM10）细则未核实，需由用户指定",
    ),
    "hj663-2026-exceptional": ExceptionalEventRule(
        key="hj663-2026-exceptional",
        edition="2026",
        document="HJ 663-2026 例外事件",
        applies_from=date(2026, 3, 1),
        applies_to=None,
        causes=(),
        pollutants=(),
        excluded_from=(),
        designated_by="未核实",
        confidence="press",
        note="仅确认标准新增例外事件定义及相关要求；原因清单、认定程序、剔除方式均未核实，由用户指定",
    ),
}
