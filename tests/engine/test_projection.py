"""Target projection: thresholds judged as the standard judges (GB/T 8170 half-even rounding of the
reported value) and resampled probabilities — every expected figure computed by hand in the comments."""
from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from envgov.engine import projection as P
from envgov.rules import projection as rules
from envgov.standards import air as std

INT = 0  # report digits of a mean (default of the user-set parameter report_digits)


def judging(target, digits=INT, comparator="<="):
    return P.Judging.of(comparator, target, digits, "test")


# ---------------------------------------------------------------- the acceptance case

def test_issue_case_plain_34_0_real_34_7():
    """Target 35, 90 days at 38, 275 days left (365-day year). Plain: (35·365 − 38·90)/275 = 9355/275 =
    34.0182. Judged: the annual mean is reported as an integer by GB/T 8170; 35.5 → 36 (5 after the odd
    digit 5 is raised), so the mean must stay below 35.5: (35.5·365 − 3420)/275 = 9537.5/275 = 34.6818,
    strictly below."""
    t = P.mean_threshold(38 * 90, 90, 275, judging(35))
    assert t.plain == pytest.approx(9355 / 275) and round(t.plain, 1) == 34.0
    assert t.value == pytest.approx(9537.5 / 275) and round(t.value, 1) == 34.7
    assert t.strict and t.boundary == 35.5 and not t.boundary_inclusive
    assert t.reachable and t.behind_pace  # 34.68 < 38: the rest must do better than so far
    assert t.so_far == 38 and t.days_so_far == 90 and t.days_remaining == 275


def test_the_rounding_used_is_the_standards_report_rule_version():
    """The projection takes its digits from std.rounding_rule(edition, "report"): GB/T 8170 half even,
    integers for PM2.5 under the default of the user-set parameter (HJ 663 digits unconfirmed)."""
    rule = std.rounding_rule("2012", "report")
    assert (rule.method, rule.digits["pm25"], rule.digits["co"]) == ("half_even", 0, 1)
    assert rule.confidence == "unconfirmed" and "GB/T 8170" in rule.source
    assert (rules.RULE.id, rules.RULE.version) == ("envgov.projection", "2026.1")


def test_boundary_strict_or_not_follows_half_even():
    # 35 → boundary 35.5, which rounds to 36: strict
    assert judging(35).boundary() == (Fraction(71, 2), False)
    # 34 → boundary 34.5, which rounds to 34 (4 is even): the mean may equal 34.5
    assert judging(34).boundary() == (Fraction(69, 2), True)
    assert judging(34).meets(34.5) and not judging(35).meets(35.5) and judging(35).meets(35.49)
    # one decimal: 35.0 → 35.05 rounds to 35.0 (0 even): inclusive
    assert judging(35, 1).boundary() == (Fraction(3505, 100), True)
    # a target between reportable values: 35.3 reported as integers → at most 35 → below 35.5
    assert judging(Fraction(353, 10)).boundary() == (Fraction(71, 2), False)
    # >= targets: 78.0 % to 1 decimal → 77.95 rounds to 78.0: inclusive
    assert judging(78, 1, ">=").boundary() == (Fraction(7795, 100), True)
    # counts are not rounded
    assert judging(4, None).boundary() == (Fraction(4), True)


def test_inclusive_boundary_threshold_is_not_strict():
    # target 34 over a 10-day period with nothing so far: the mean may be 34.5 exactly
    t = P.mean_threshold(0, 0, 10, judging(34))
    assert t.value == 34.5 and not t.strict and t.plain == 34 and t.so_far is None and t.behind_pace is None


def test_unreachable_and_over():
    # 300 days at 200: (35.5·365 − 60000)/65 < 0
    t = P.mean_threshold(200 * 300, 300, 65, judging(35))
    assert not t.reachable and t.value < 0
    over = P.mean_threshold(38 * 365, 365, 0, judging(35))
    assert over.over and over.reachable is False and over.value is None
    assert P.mean_threshold(35.4 * 366, 366, 0, judging(35)).reachable is True  # 35.4 → 35


# ---------------------------------------------------------------- good days, heavy days

def test_good_days_needed_with_rounding_saves_one_day():
    """Target 77 % (1 decimal), 200 good of 250 valid, 115 days left (365). Plain: 77 % of 365 = 281.05
    → 282 good days → 82 more. Judged: 281/365 = 76.986 % → 77.0 meets, so 81 more suffice (280/365 =
    76.7 % does not)."""
    t = P.good_days_threshold(200, 250, 115, judging(77, 1, ">="))
    assert (t.plain, t.value, t.reachable) == (82, 81, True)
    assert P.good_ratio(281, 365) == 77.0 and P.good_ratio(280, 365) == 76.7
    # 80 %: 292 good of 365 needed in both readings → 92 more
    assert P.good_days_threshold(200, 250, 115, judging(80, 1, ">=")).value == 92
    # 100 good of 250: even 115 good days give 215/365 = 58.9 %
    assert not P.good_days_threshold(100, 250, 115, judging(78, 1, ">=")).reachable


def test_good_ratio_is_half_even_on_the_exact_ratio():
    assert P.good_ratio(1, 16) == 6.2  # 6.25 → 6.2 (2 is even)
    assert P.good_ratio(15, 16) == 93.8  # 93.75 → 93.8
    assert P.good_ratio(0, 0) is None


def test_heavy_days_left():
    t = P.heavy_days_threshold(3, 200, 100, judging(4, None))
    assert (t.value, t.reachable) == (1, True)
    assert t.behind_pace  # 3 heavy days in 200 → 1.5 expected in the 100 left > 1
    assert not P.heavy_days_threshold(5, 200, 100, judging(4, None)).reachable
    assert P.heavy_days_threshold(4, 365, 0, judging(4, None)).reachable is True


# ---------------------------------------------------------------- calendar

def test_window_and_leap_day():
    days = P.window_days(dt.date(2024, 2, 27), dt.date(2024, 3, 1))
    assert days == [dt.date(2024, 2, 28), dt.date(2024, 2, 29), dt.date(2024, 3, 1)]
    assert [P.same_day(d, 2023) for d in days] == [dt.date(2023, 2, 28), dt.date(2023, 2, 28), dt.date(2023, 3, 1)]
    assert P.same_day(dt.date(2024, 2, 29), 2020) == dt.date(2020, 2, 29)
    assert len(P.window_days(dt.date(2024, 9, 16), dt.date(2024, 12, 31))) == 106
    assert P.window_days(dt.date(2024, 12, 31), dt.date(2024, 12, 31)) == []


# ---------------------------------------------------------------- probability

def method(**kw):
    return rules.Resampling(**{"block_days": 2, "seed": 15, **kw})


def test_all_earlier_years_below_or_above():
    # 10 days at 35 so far; 4 days left; target 35 → remaining sum must be < 35.5·14 − 350 = 147
    below = {2021: [30, 30, 30, 30], 2022: [36, 36, 36, 36]}  # sums 120, 144: all meet
    above = {2021: [40, 40, 40, 40], 2022: [37, 37, 37, 37]}  # sums 160, 148: none
    assert P.probability(rules.MEAN, judging(35), 350, 10, below, method()).value == 1.0
    assert P.probability(rules.MEAN, judging(35), 350, 10, above, method()).value == 0.0


def test_mixed_case_exact_by_enumeration_and_seeded_draws():
    """Two blocks of 2 days, two years: block 1 sums 80 (2022) or 60 (2023), block 2 60 or 80. Remaining
    sum must be < 147: 80+60 ✓, 80+80 ✗, 60+60 ✓, 60+80 ✓ → 3/4."""
    hist = {2022: [40, 40, 30, 30], 2023: [30, 30, 40, 40]}
    exact = P.probability(rules.MEAN, judging(35), 350, 10, hist, method())
    assert exact.value == 0.75 and exact.exact and exact.combinations == 4 and exact.years == (2022, 2023)
    assert exact.blocks == 2 and exact.coverage == 1.0
    drawn = P.probability(rules.MEAN, judging(35), 350, 10, hist, method(enumerate_up_to=0, draws=20_000))
    assert not drawn.exact and drawn.seed == 15
    assert abs(drawn.value - 0.75) < 3 * (0.75 * 0.25 / 20_000) ** 0.5
    again = P.probability(rules.MEAN, judging(35), 350, 10, hist, method(enumerate_up_to=0, draws=20_000))
    assert again.value == drawn.value  # fixed seed: reproducible


def test_ratio_and_count_probabilities_by_enumeration():
    # 7 good of 10 valid, target 70 % (1 decimal): 12 days in all need ≥ 69.95 % → ≥ 8.394 → 9 good:
    # both remaining days good. Blocks of 1 day; 2021 [1,1], 2022 [0,0] → only (1,1) of 4 → 0.25
    hist = {2021: [1, 1], 2022: [0, 0]}
    m = method(block_days=1)
    assert P.probability(rules.RATIO, judging(70, 1, ">="), 7, 10, hist, m).value == 0.25
    # 3 heavy days, cap 4: outcomes 3+2 ✗, 3+1 ✓, 3+1 ✓, 3+0 ✓ → 0.75
    assert P.probability(rules.COUNT, judging(4, None), 3, 200, hist, m).value == 0.75


def test_missing_values_and_no_earlier_years():
    # 2022 has no value on day 2: block 1 of 2022 is its day-1 value alone
    hist = {2022: [30, None, 30, 30]}
    p = P.probability(rules.MEAN, judging(35), 350, 10, hist, method())
    assert p.value == 1.0 and p.coverage == 0.75  # 3 of the 4 days have a value
    none = P.probability(rules.MEAN, judging(35), 350, 10, {}, method())
    assert none.value is None and "无法估算" in none.note
    empty = P.probability(rules.MEAN, judging(35), 350, 10, {2022: [None, None]}, method())
    assert empty.value is None


def test_status_rule():
    kw = {"warn_probability": 0.8}
    assert rules.status(over=True, meets_now=True, reachable=True, probability=None, behind_pace=None, **kw)[0] == "met"
    assert rules.status(over=False, meets_now=None, reachable=False, probability=1.0, behind_pace=True, **kw)[0] == "not_met"
    assert rules.status(over=False, meets_now=None, reachable=True, probability=0.79, behind_pace=True, **kw)[0] == "warn"
    assert rules.status(over=False, meets_now=None, reachable=True, probability=0.8, behind_pace=True, **kw)[0] == "met"
    assert rules.status(over=False, meets_now=None, reachable=True, probability=None, behind_pace=True, **kw)[0] == "warn"
    assert rules.status(over=False, meets_now=None, reachable=True, probability=None, behind_pace=False, **kw)[0] == "met"
