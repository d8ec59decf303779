"""GB 3096-2008 as data: expected values typed from other.md §1.1–1.2 (the standard's table), not from our code."""
from __future__ import annotations

import pytest

from envgov.standards import noise
from envgov.standards.noise.parameters import PARAMETERS

# other.md §1.1 table (GB 3096-2008 Table 1), dB(A)
TABLE = {"0": (50, 40), "1": (55, 45), "2": (60, 50), "3": (65, 55), "4a": (70, 55), "4b": (70, 60)}


@pytest.mark.parametrize("code", list(TABLE))
def test_every_class_day_and_night_limit(code):
    day, night = TABLE[code]
    assert noise.limit(code, noise.DAY) == day
    assert noise.limit(code, noise.NIGHT) == night


def test_six_classes_and_4a_night_is_55_not_60():
    assert noise.CLASS_CODES == ("0", "1", "2", "3", "4a", "4b")
    assert noise.limit("4a", "night") == 55  # the popular "4类夜间60" is 4b only (other.md §1.1 pitfall)


@pytest.mark.parametrize("code", list(TABLE))
def test_night_sudden_noise_maximum_is_night_limit_plus_15(code):
    # GB 3096-2008 §5.4 (other.md §1.2): Lmax may exceed the night limit by at most 15 dB(A)
    assert noise.night_lmax_limit(code) == TABLE[code][1] + 15


def test_document_and_periods_are_cited():
    assert noise.GB3096.id == "GB 3096-2008"
    assert str(noise.GB3096.effective_from) == "2008-10-01"
    assert "GB 3096-93" in noise.GB3096.replaces
    assert PARAMETERS.defaults["night_start"] == "22:00" and PARAMETERS.defaults["night_end"] == "06:00"


def test_parameters_are_checked_with_chinese_messages():
    assert PARAMETERS.clean({"night_start": "7:30"}) == {"night_start": "07:30"}
    with pytest.raises(ValueError, match="应为时刻"):
        PARAMETERS.clean({"night_start": "25:00"})
    with pytest.raises(ValueError, match="可选"):
        PARAMETERS.clean({"attainment_unit": "week"})
    with pytest.raises(ValueError, match="未知参数"):
        PARAMETERS.clean({"nope": 1})
    with PARAMETERS.using({"rounding": "half_up"}):
        assert PARAMETERS.value("rounding") == "half_up"
        assert [p["user_set"] for p in PARAMETERS.provenance() if p["key"] == "rounding"] == [True]
    assert PARAMETERS.value("rounding") == "half_even"


def test_emission_standards_night_maximum_rules_are_kept_apart():
    rules = {(r.standard, r.excess) for r in noise.tables.NIGHT_MAX_RULES}
    # GB 3096 §5.4 +15; GB 12348 / GB 22337 frequent +10, occasional +15; GB 12523 +15 (other.md §1.2)
    assert ("GB 3096-2008 §5.4", 15.0) in rules and ("GB 12348-2008", 10.0) in rules
    assert ("GB 22337-2008", 15.0) in rules and ("GB 12523-2011", 15.0) in rules
    assert noise.tables.CONSTRUCTION_LIMITS == {"day": 70.0, "night": 55.0}


@pytest.mark.parametrize(("measured", "background", "correction"), [
    (70, 59, 0.0), (70, 60, -1.0), (70, 64, -1.0), (70, 65, -2.0), (70, 66, -2.0), (70, 67, -3.0), (70, 68, None),
    (70.4, 60, -1.0),  # 10.4 → 10 → −1
    (70.6, 60, 0.0),  # 10.6 → 11 → no correction
])
def test_gb12523_background_correction_table(measured, background, correction):
    # GB 12523-2011 Table 2: > 10 none; 6–10 −1; 4–5 −2; 3 −3; < 3 re-measure (difference rounded first)
    assert noise.background_correction(measured, background) == correction


@pytest.mark.parametrize(("kind", "period", "value", "grade"), [
    # HJ 640-2012 (other.md §1.4): region day ≤50.0 | 50.1–55.0 | 55.1–60.0 | 60.1–65.0 | >65.0
    ("regional", "day", 50.0, 1), ("regional", "day", 50.1, 2), ("regional", "day", 55.0, 2), ("regional", "day", 55.1, 3),
    ("regional", "day", 60.0, 3), ("regional", "day", 65.0, 4), ("regional", "day", 65.1, 5),
    ("regional", "night", 40.0, 1), ("regional", "night", 45.0, 2), ("regional", "night", 50.0, 3),
    ("regional", "night", 55.0, 4), ("regional", "night", 55.1, 5),
    ("road", "day", 68.0, 1), ("road", "day", 70.0, 2), ("road", "day", 72.0, 3), ("road", "day", 74.0, 4),
    ("road", "day", 74.1, 5),
    ("road", "night", 58.0, 1), ("road", "night", 60.0, 2), ("road", "night", 62.0, 3), ("road", "night", 64.0, 4),
    ("road", "night", 64.1, 5),
    ("regional", "day", 50.04, 1),  # rounds to 50.0 first
])
def test_hj640_grades(kind, period, value, grade):
    assert noise.hj640_grade(kind, period, value)[0] == grade


def test_hj640_words_match_the_xuancheng_bulletin():
    # Xuancheng 2018 (other.md §1.4, S-O14): region day 54.5 较好, night 46.1 一般; road day 59.3 / night 51.4 好
    assert noise.hj640_grade("regional", "day", 54.5)[2] == "较好"
    assert noise.hj640_grade("regional", "night", 46.1)[2] == "一般"
    assert noise.hj640_grade("road", "day", 59.3)[2] == "好" and noise.hj640_grade("road", "night", 51.4)[2] == "好"


def test_a_night_cannot_start_when_it_ends():
    with pytest.raises(ValueError, match="夜间开始时刻与结束时刻不能相同（06:00）"):
        PARAMETERS.clean({"night_start": "06:00"})
