"""envgov.standards.air against the standards' own tables and worked cases.

Expected numbers are restated here from the reference notes (/work/shared/reference/air.md §1–3 and
air-2026.md §2–3, which restate HJ 633-2012 Table 1, HJ 633-2026 Table 3, GB 3095 Tables 1/2/4), never
taken from the module under test.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pytest

from envgov.standards.air import (
    POLLUTANTS,
    aqi_level,
    breakpoints,
    daily_aqi,
    edition_for,
    iaqi,
    limits,
    limits_for,
    percentile,
    phase_for,
    round_concentration,
    round_half_even,
    round_half_even_float,
    validity_rules,
)

IAQI = (0, 50, 100, 150, 200, 300, 400, 500)
# HJ 633-2012 Table 1, column by column (air.md §1.1).
HJ633_2012_TABLE1 = {
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
# HJ 633-2026 Table 3 (air-2026.md §3.1): only PM10/PM2.5 IAQI-100 breakpoints differ.
HJ633_2026_TABLE3 = dict(HJ633_2012_TABLE1) | {
    ("pm10", "24h"): (0, 50, 120, 250, 350, 420, 500, 600),
    ("pm25", "24h"): (0, 35, 60, 115, 150, 250, 350, 500),
}


def _cases(table):
    for (pollutant, averaging), column in table.items():
        for bp, value in zip(column, IAQI):
            yield pollutant, averaging, bp, value


@pytest.mark.parametrize("pollutant,averaging,conc,expected", list(_cases(HJ633_2012_TABLE1)))
def test_hj633_2012_table1_iaqi_at_every_breakpoint(pollutant, averaging, conc, expected):
    assert iaqi("2012", pollutant, averaging, conc) == expected


@pytest.mark.parametrize("pollutant,averaging,conc,expected", list(_cases(HJ633_2026_TABLE3)))
def test_hj633_2026_table3_iaqi_at_every_breakpoint(pollutant, averaging, conc, expected):
    assert iaqi("2026", pollutant, averaging, conc) == expected


@pytest.mark.parametrize("edition,table", [("2012", HJ633_2012_TABLE1), ("2026", HJ633_2026_TABLE3)])
def test_breakpoint_tables_carry_standard_and_values(edition, table):
    for (pollutant, averaging), column in table.items():
        bp = breakpoints(edition, pollutant, averaging)
        assert bp.conc == tuple(float(c) for c in column)
        assert bp.iaqi == IAQI[: len(column)]
        assert bp.standard == f"HJ 633-{edition}" and bp.edition == edition


def test_just_above_each_breakpoint_2012_rounds_up():
    # HJ 633-2012 §6.2 全部进位: a thousandth above a breakpoint already gives the next integer.
    for (pollutant, averaging), column in HJ633_2012_TABLE1.items():
        for bp, value in zip(column[:-1], IAQI):
            assert iaqi("2012", pollutant, averaging, bp + 0.001) == value + 1, (pollutant, averaging, bp)


def test_just_above_each_breakpoint_2026_rounds_input_first():
    # HJ 633-2026 §4.2.2: GB/T 8170 to integers (CO 1 decimal) first, so +0.4 stays on the breakpoint
    # and +0.6 moves past it.
    for (pollutant, averaging), column in HJ633_2026_TABLE3.items():
        small, large = (0.04, 0.06) if pollutant == "co" else (0.4, 0.6)
        for bp, value in zip(column[:-1], IAQI):
            assert iaqi("2026", pollutant, averaging, bp + small) == value, (pollutant, averaging, bp)
            assert iaqi("2026", pollutant, averaging, bp + large) > value, (pollutant, averaging, bp)


# air.md §1.5 test vectors (Table 1 + ceiling), daily report, 2012 edition.
@pytest.mark.parametrize(
    "pollutant,averaging,conc,expected",
    [
        ("pm25", "24h", 35, 50), ("pm25", "24h", 35.5, 51), ("pm25", "24h", 40, 57), ("pm25", "24h", 75, 100),
        ("pm25", "24h", 76, 102), ("pm10", "24h", 151, 101), ("so2", "24h", 151, 101), ("o3", "8h", 161, 101),
        ("co", "24h", 4.1, 101),
    ],
)
def test_hj633_2012_worked_vectors(pollutant, averaging, conc, expected):
    assert iaqi("2012", pollutant, averaging, conc) == expected


# air-2026.md §3.9 test vectors.
@pytest.mark.parametrize(
    "pollutant,averaging,conc,v2012,v2026",
    [
        ("pm25", "24h", 35, 50, 50), ("pm25", "24h", 60, 82, 100), ("pm25", "24h", 61, 83, 101),
        ("pm25", "24h", 75, 100, 114), ("pm25", "24h", 115, 150, 150), ("pm10", "24h", 120, 85, 100),
        ("pm10", "24h", 150, 100, 112), ("so2", "24h", 150, 100, 100),
    ],
)
def test_air_2026_reference_vectors(pollutant, averaging, conc, v2012, v2026):
    assert iaqi("2012", pollutant, averaging, conc) == v2012
    assert iaqi("2026", pollutant, averaging, conc) == v2026


def test_ceiling_is_exact_at_breakpoints_reached_by_float_arithmetic():
    # 0.1 + 0.2 style noise must not push an exact breakpoint over: CO 4.0 mg/m³ is IAQI 100.
    assert iaqi("2012", "co", "24h", 0.1 * 40) == 100
    assert iaqi("2012", "co", "24h", 3.3 + 0.7) == 100


def test_so2_1h_above_800():
    # 2012 Table 1 note 2: no IAQI from the 1-h value, use the 24-h IAQI; 2026 note b: IAQI 200.
    assert iaqi("2012", "so2", "1h", 800) == 200
    assert iaqi("2012", "so2", "1h", 801) is None
    assert iaqi("2026", "so2", "1h", 800) == 200
    assert iaqi("2026", "so2", "1h", 801) == 200
    assert iaqi("2026", "so2", "1h", 5000) == 200


def test_o3_8h_above_800():
    # 2012 note 3: use the O3 1-h IAQI instead; 2026 note c: IAQI 300.
    assert iaqi("2012", "o3", "8h", 800) == 300
    assert iaqi("2012", "o3", "8h", 801) is None
    assert iaqi("2026", "o3", "8h", 801) == 300
    day = daily_aqi("2012", {"o3_8h": 850, "o3_1h": 900})
    # O3 1-h 900: 300 + 100 × (900 − 800) / 200 = 350
    assert day.aqi == 350 and day.iaqi["o3_8h"] is None and day.primary_indicators == ("o3_1h",)
    assert daily_aqi("2026", {"o3_8h": 850, "o3_1h": 900}).aqi == 300  # 2026 daily ignores O3 1-h


def test_2026_pm_1h_uses_daily_breakpoints_2012_has_none():
    assert iaqi("2026", "pm25", "1h", 60) == 100
    with pytest.raises(ValueError):
        breakpoints("2012", "pm25", "1h")


def test_missing_and_invalid_inputs():
    assert iaqi("2012", "pm25", "24h", None) is None
    assert iaqi("2012", "pm25", "24h", float("nan")) is None
    with pytest.raises(ValueError):
        iaqi("2012", "pm25", "24h", -1)
    with pytest.raises(ValueError):
        iaqi("1996", "pm25", "24h", 10)


def test_above_top_breakpoint_is_capped_at_500_by_default():
    assert iaqi("2012", "pm25", "24h", 600) == 500
    assert iaqi("2012", "pm25", "24h", 600, above_top="none") is None


# ---- rounding (修约) -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value,digits,expected",
    [
        ("60.5", 0, "60"), ("61.5", 0, "62"), ("60.51", 0, "61"), ("60.49", 0, "60"), ("0.25", 1, "0.2"),
        ("0.35", 1, "0.4"), ("1.251", 1, "1.3"), ("1.05", 1, "1.0"), (2.5, 0, "2"), (3.5, 0, "4"),
        ("1250", -2, "1.2E+3"), ("1350", -2, "1.4E+3"),
    ],
)
def test_gbt8170_round_half_even(value, digits, expected):
    assert round_half_even(value, digits) == Decimal(expected)


@pytest.mark.parametrize("value,digits,expected", [
    (60.5, 0, 60.0), (61.5, 0, 62.0), (0.25, 1, 0.2), (0.35, 1, 0.4), (1.05, 1, 1.0), (2.675, 2, 2.68),
    (60.49, 0, 60.0), (35.0, 0, 35.0), (1e-7, 1, 0.0), (123.45, 1, 123.4),
])
def test_float_fast_path_follows_gbt8170_on_the_decimal_form(value, digits, expected):
    # 2.675 is 2.67499999… in binary; GB/T 8170 on the written value gives 2.68 (Python's round: 2.67).
    assert round_half_even_float(value, digits) == expected


def test_float_fast_path_equals_decimal_path_on_many_values():
    rng = np.random.default_rng(8170)
    values = np.concatenate([
        rng.uniform(0, 1000, 20000),                              # arbitrary binary noise
        np.round(rng.uniform(0, 1000, 20000), 1),                 # reported to 0.1
        np.round(rng.uniform(0, 100, 20000), 2),                  # reported to 0.01, ties at 1 digit
        np.round(rng.uniform(0, 50, 20000) * 2) / 2,               # exact halves
        rng.integers(0, 1000, 2000) / 8,                           # means of 8 hours
    ])
    for v in values.tolist():
        for d in (0, 1):
            assert round_half_even_float(v, d) == float(round_half_even(v, d)), (v, d)


def test_2026_rounds_concentrations_before_iaqi_2012_does_not():
    # HJ 633-2026 §4.2.2: PM2.5 60.5 → 60 (GB/T 8170) → IAQI 100; 61.5 → 62 → 101.8… → 102.
    assert iaqi("2026", "pm25", "24h", 60.5) == 100
    assert iaqi("2026", "pm25", "24h", 61.5) == 102
    assert iaqi("2026", "pm25", "24h", 60.51) == 101
    # CO to 1 decimal: 4.05 → 4.0 → 100; 4.15 → 4.2 → 100 + 50 × 0.2 / 10 = 101
    assert iaqi("2026", "co", "24h", 4.05) == 100
    assert iaqi("2026", "co", "24h", 4.15) == 101
    # 2012: no input rounding — PM2.5 60.5 → 50 + 50 × 25.5 / 40 = 81.875 → 82
    assert iaqi("2012", "pm25", "24h", 60.5) == 82
    assert round_concentration("2026", "pm25", 60.5) == Decimal(60)
    assert round_concentration("2026", "co", 1.25) == Decimal("1.2")
    assert round_concentration("2012", "pm25", 60.5) == Decimal("60.5")
    assert round_concentration("2012", "pm25", 60.5, "report") == Decimal(60)


# ---- levels ---------------------------------------------------------------------------------------
LEVEL_ROWS = [  # HJ 633 Table 2 (2012) / Table 1 (2026), Annex A colours
    (50, 1, "优", "绿色", (0, 228, 0)), (51, 2, "良", "黄色", (255, 255, 0)), (100, 2, "良", "黄色", (255, 255, 0)),
    (101, 3, "轻度污染", "橙色", (255, 126, 0)), (150, 3, "轻度污染", "橙色", (255, 126, 0)),
    (151, 4, "中度污染", "红色", (255, 0, 0)), (200, 4, "中度污染", "红色", (255, 0, 0)),
    (201, 5, "重度污染", "紫色", (153, 0, 76)), (300, 5, "重度污染", "紫色", (153, 0, 76)),
    (301, 6, "严重污染", "褐红色", (126, 0, 35)), (500, 6, "严重污染", "褐红色", (126, 0, 35)),
]


@pytest.mark.parametrize("edition", ["2012", "2026"])
@pytest.mark.parametrize("aqi,number,category,colour,rgb", LEVEL_ROWS)
def test_levels_at_boundaries(edition, aqi, number, category, colour, rgb):
    level = aqi_level(edition, aqi)
    assert (level.number, level.category, level.colour, level.rgb) == (number, category, colour, rgb)


def test_level_one_range_per_edition():
    assert aqi_level("2012", 0).aqi_low == 0  # 2012: 0–50
    assert aqi_level("2026", 1).aqi_low == 1  # 2026: 1～50
    assert aqi_level("2012", 1).level_name == "一级" and aqi_level("2012", 1).name == "优"
    assert aqi_level("2026", 301).level_name == "六级" and aqi_level("2026", 301).name == "严重污染"


# ---- daily AQI ------------------------------------------------------------------------------------
def test_pm25_70_is_good_in_2012_and_light_pollution_in_2026():
    old = daily_aqi("2012", {"pm25": 70})
    assert (old.aqi, old.level.category, old.good_day) == (94, "良", True)
    new = daily_aqi("2026", {"pm25": 70})
    assert (new.aqi, new.level.category, new.good_day) == (110, "轻度污染", False)


def test_daily_primary_ties_and_exceeding_only_2012():
    # PM2.5 75 → 100 and PM10 150 → 100 (2012): both primary; none exceeding (IAQI > 100 needed).
    day = daily_aqi("2012", {"pm25": 75, "pm10": 150, "so2": 10, "no2": 20, "co": 0.5, "o3_8h": 80, "o3_1h": 100})
    assert day.aqi == 100 and set(day.primary_pollutants) == {"pm25", "pm10"} and day.exceeding_pollutants == ()
    day = daily_aqi("2012", {"pm25": 76, "pm10": 151})
    assert day.primary_pollutants == ("pm25",) and set(day.exceeding_pollutants) == {"pm25", "pm10"}
    assert daily_aqi("2026", {"pm25": 76, "pm10": 151}).exceeding_pollutants is None


def test_no_primary_pollutant_at_or_below_50():
    day = daily_aqi("2012", {"pm25": 35, "pm10": 50})
    assert day.aqi == 50 and day.primary_pollutants == () and day.level.category == "优"


def test_2026_missing_indicator_publishes_aqi_only_above_100():
    assert daily_aqi("2026", {"pm25": 70}).publishable is True  # 110 > 100
    assert daily_aqi("2026", {"pm25": 40}).publishable is False
    full = {"so2": 5, "no2": 20, "pm10": 40, "co": 0.4, "o3_8h": 90, "pm25": 20}
    assert daily_aqi("2026", full).publishable is True and daily_aqi("2026", full).missing == ()


def test_daily_rejects_unknown_keys():
    with pytest.raises(ValueError):
        daily_aqi("2012", {"pm2.5": 10})


# ---- edition selection ------------------------------------------------------------------------------
def test_edition_auto_switches_on_2026_03_01():
    assert edition_for(date(2026, 2, 28)).key == "2012"
    assert edition_for(date(2026, 3, 1)).key == "2026"
    assert edition_for(datetime(2026, 3, 1, 0, 0)).key == "2026"
    assert edition_for(date(2026, 3, 1), "auto").key == "2026"
    assert edition_for(date(2026, 3, 1), "2012").key == "2012"
    assert edition_for(date(2020, 1, 1), "2026").hj633 == "HJ 633-2026"
    e = edition_for(date(2015, 6, 1))
    assert (e.gb3095, e.hj633, e.hj663) == ("GB 3095-2012", "HJ 633-2012", "HJ 663-2013")


def test_phase_by_date():
    assert phase_for(date(2026, 2, 28)) is None
    assert phase_for(date(2026, 3, 1)) == "transition"
    assert phase_for(date(2030, 12, 31)) == "transition"
    assert phase_for(date(2031, 1, 1)) == "final"


# ---- GB 3095 limits ---------------------------------------------------------------------------------
# air-2026.md §2.1: pollutant, statistic, 2012 G1, G2, 2026 transition G1, G2, final G1, G2
GB3095_TABLE1 = [
    ("so2", "annual", 20, 60, 20, 60, 20, 20), ("so2", "24h", 50, 150, 50, 150, 50, 50),
    ("so2", "1h", 150, 500, 150, 500, 150, 150), ("no2", "annual", 40, 40, 40, 40, 30, 30),
    ("no2", "24h", 80, 80, 80, 80, 50, 50), ("no2", "1h", 200, 200, 200, 200, 200, 200),
    ("co", "24h", 4, 4, 4, 4, 4, 4), ("co", "1h", 10, 10, 10, 10, 10, 10),
    ("o3", "8h", 100, 160, 100, 160, 100, 160), ("o3", "1h", 160, 200, 160, 200, 160, 200),
    ("pm10", "annual", 40, 70, 40, 60, 20, 50), ("pm10", "24h", 50, 150, 50, 120, 50, 100),
    ("pm25", "annual", 15, 35, 15, 30, 10, 25), ("pm25", "24h", 35, 75, 35, 60, 25, 50),
    # Table 2 items changed in 2026 (NOx, with transition footnotes a/b)
    ("nox", "annual", 50, 50, 50, 50, 40, 40), ("nox", "24h", 100, 100, 100, 100, 70, 70),
]


@pytest.mark.parametrize("row", GB3095_TABLE1, ids=lambda r: f"{r[0]}-{r[1]}")
def test_gb3095_limits_both_editions_and_phases(row):
    pollutant, stat, a1, a2, t1, t2, f1, f2 = row
    assert limits("2012", pollutant, stat, 1).value == a1
    assert limits("2012", pollutant, stat, 2).value == a2
    assert limits("2026", pollutant, stat, 1, "transition").value == t1
    assert limits("2026", pollutant, stat, 2, "transition").value == t2
    assert limits("2026", pollutant, stat, 1, "final").value == f1
    assert limits("2026", pollutant, stat, 2, "final").value == f2


def test_limits_need_phase_in_2026_and_carry_units_and_source():
    with pytest.raises(ValueError):
        limits("2026", "pm25", "24h", 2)
    lim = limits("2012", "co", "24h", 2)
    assert lim.unit == "mg/m³" and lim.standard == "GB 3095-2012"
    assert limits_for(date(2026, 3, 1), "pm25", "annual").value == 30
    assert limits_for(date(2031, 1, 1), "pm25", "annual").value == 25
    assert limits_for(date(2025, 12, 31), "pm25", "annual").value == 35
    with pytest.raises(ValueError):
        limits("2012", "co", "annual", 2)  # no annual CO limit


# ---- validity (GB 3095 Table 4) and percentiles (HJ 663) -----------------------------------------
@pytest.mark.parametrize("edition", ["2012", "2026"])
def test_validity_rules_table4(edition):
    v = validity_rules(edition)
    assert (v.daily_min_hours, v.o3_8h_min_hours, v.annual_min_days, v.monthly_min_days, v.february_min_days) == (
        20, 6, 324, 27, 25)
    assert v.hourly_min_minutes == 45 and v.o3_daily_max_8h_min_windows == 14
    assert {r.statistic for r in v.rows} >= {"annual", "24h", "8h", "1h", "o3_daily_max_8h"}


def test_percentile_hj663_worked_example():
    assert percentile([3, 4, 8, 2, 5, 4], 90) == 6.5  # air.md §3.2
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([7], 98) == 7
    assert percentile([None, 2, 1], 100) == 2
    assert percentile([], 95) is None


def test_percentile_matches_numpy_linear_on_random_series():
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(7)
    for n in (2, 3, 30, 365):
        xs = [float(x) for x in rng.integers(0, 300, n)]
        for p in (90, 95, 98):
            assert percentile(xs, p) == pytest.approx(float(np.percentile(xs, p)), abs=1e-9)


def test_pollutant_codes():
    assert POLLUTANTS == ("so2", "no2", "pm10", "co", "o3", "pm25")


def test_numpy_scalars_are_accepted():
    np = pytest.importorskip("numpy")
    assert iaqi("2012", "pm25", "24h", np.int64(75)) == 100
    assert iaqi("2012", "pm25", "24h", np.float32(35.5)) == 51
    assert iaqi("2012", "pm25", "24h", np.float64("nan")) is None
    assert round_half_even(np.float64(60.5)) == Decimal("60")


def test_exceptional_event_and_assessment_tables_are_dated_and_flagged():
    from envgov.standards.air import EXCEPTIONAL_EVENT_RULES, assessment_items

    dust = EXCEPTIONAL_EVENT_RULES["dust-2016-120"]
    assert dust.applies_from == date(2017, 1, 1) and "120号" in dust.document
    assert EXCEPTIONAL_EVENT_RULES["hj663-2026-exceptional"].applies_from == date(2026, 3, 1)
    # HJ 663-2013 annual items (air.md §3.1): SO2/NO2 98th, PM 95th, CO 95th, O3 90th of daily max 8-h
    pct = {(i.pollutant, i.of): i.percentile for i in assessment_items("2012") if i.statistic == "percentile"}
    assert pct == {("so2", "24h"): 98, ("no2", "24h"): 98, ("pm10", "24h"): 95, ("pm25", "24h"): 95,
                   ("co", "24h"): 95, ("o3", "8h"): 90}
    assert all(i.confidence == "unconfirmed" for i in assessment_items("2026"))
