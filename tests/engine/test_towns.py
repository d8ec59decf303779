"""Town figures and rankings (envgov.engine.towns, envgov.rules.ranking) against cases computed by hand.

Validity numbers are those of GB 3095-2012 Table 4 as the reference gives them (air.md §2.2): ≥ 27 daily
means in a month, ≥ 25 in February, ≥ 324 in a year. Every expected value below is worked out in the
comment beside it, not taken from the code.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from envgov.engine import towns as T
from envgov.rules import ranking as R
from envgov.standards import air as std

TODAY = dt.date(2024, 9, 16)  # the demo's pinned day


def validity(**kw):
    return R.period_validity(std.validity_rules("2012"), **kw)


def towns(n: int) -> list[T.Town]:
    return [T.Town(i + 1, f"镇{i + 1}", f"1101121{i:02d}000") for i in range(n)]


def matrix(period: T.TownPeriod, rows: list[list[float | None]]) -> np.ndarray:
    """Town × day matrix; a row shorter than the period is padded with missing days."""
    out = np.full((len(rows), period.days), np.nan)
    for i, r in enumerate(rows):
        out[i, : len(r)] = [np.nan if v is None else v for v in r]
    return out


# ------------------------------------------------------------------ periods

def test_parse_month_quarter_year_ytd():
    p = T.parse_period("2024-03", TODAY)
    assert (p.kind, p.start, p.end, p.label, p.days) == ("month", dt.date(2024, 3, 1), dt.date(2024, 3, 31), "2024年3月", 31)
    q = T.parse_period("2024-Q1", TODAY)
    assert (q.start, q.end, q.days, q.label) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31), 91, "2024年第1季度")  # 31+29+31
    y = T.parse_period("2023", TODAY)
    assert (y.start, y.end, y.is_whole_year) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31), True)
    ytd = T.parse_period("2024-ytd", TODAY)
    assert (ytd.kind, ytd.start, ytd.end) == ("ytd", dt.date(2024, 1, 1), TODAY)
    assert ytd.days == 260  # 31+29+31+30+31+30+31+31 = 244, + 16 days of September


def test_a_period_containing_today_ends_today_and_a_future_one_is_refused():
    p = T.parse_period("2024-09", TODAY)
    assert (p.end, p.nominal_end, p.label) == (TODAY, dt.date(2024, 9, 30), "2024年9月（1—16日）")
    assert T.parse_period("2024", TODAY).end == TODAY
    for bad in ("2024-10", "2025", "2024-13", "2024-Q5", "三月", "", "2024-02-30..2024-03-01", "0001-01"):
        with pytest.raises(T.PeriodError):
            T.parse_period(bad, TODAY)


def test_same_period_last_year_february_and_ytd():
    feb = T.parse_period("2024-02", TODAY).same_period_last_year()
    assert (feb.start, feb.end, feb.days, feb.label) == (dt.date(2023, 2, 1), dt.date(2023, 2, 28), 28, "2023年2月")
    feb25 = T.parse_period("2025-02", dt.date(2025, 6, 1)).same_period_last_year()
    assert (feb25.end, feb25.days) == (dt.date(2024, 2, 29), 29)  # the leap year's February is whole
    ytd = T.parse_period("2024-ytd", TODAY).same_period_last_year()
    assert (ytd.start, ytd.end, ytd.key) == (dt.date(2023, 1, 1), dt.date(2023, 9, 16), "2023-ytd")
    cut = T.parse_period("2024-09", TODAY).same_period_last_year()
    assert (cut.start, cut.end) == (dt.date(2023, 9, 1), dt.date(2023, 9, 16))  # the same 16 days
    ytd_leap = T.parse_period("2024-ytd", dt.date(2024, 2, 29)).same_period_last_year()
    assert ytd_leap.end == dt.date(2023, 2, 28)


# ------------------------------------------------------------------ validity (GB 3095 Table 4 per month)

@pytest.mark.parametrize("text, valid_days, ok", [
    ("2024-02", 25, True), ("2024-02", 24, False),  # leap February (29 days): ≥ 25
    ("2023-02", 25, True), ("2023-02", 24, False),  # common February (28 days): ≥ 25
    ("2024-03", 27, True), ("2024-03", 26, False),  # other months: ≥ 27
    ("2024-04", 27, True), ("2024-04", 26, False),
])
def test_month_validity(text, valid_days, ok):
    p = T.parse_period(text, TODAY)
    daily = matrix(p, [[30.0] * valid_days])
    f = T.air_figures(towns(1), p, "pm25", daily, {1: 1}, validity())[0]
    assert (f.valid, f.valid_days, f.days) == (ok, valid_days, p.days)
    assert f.completeness == pytest.approx(valid_days / p.days)
    assert (f.value == 30.0) if ok else (f.value is None and f"少于 {25 if p.start.month == 2 else 27} 个" in f.note)


def test_quarter_with_a_missing_month_is_not_valid_and_says_which():
    p = T.parse_period("2024-Q1", TODAY)
    # January and February complete, March has only 20 valid days (the rest missing)
    row = [20.0] * 31 + [40.0] * 29 + [60.0] * 20
    f = T.air_figures(towns(1), p, "pm25", matrix(p, [row]), {1: 2}, validity())[0]
    assert not f.valid and f.value is None and f.valid_days == 80
    assert f.note == "2024年3月有效日均值 20 个，少于 27 个"
    assert f.unrounded == pytest.approx((20 * 31 + 40 * 29 + 60 * 20) / 80)  # 37.25, kept beside


def test_year_needs_324_days_even_when_every_month_passes():
    p = T.parse_period("2023", TODAY)
    # 27 valid days in every month (25 in February): 11·27 + 25 = 322 < 324
    row: list[float | None] = []
    for y, m, cov, md in p.months():
        keep = 25 if m == 2 else 27
        row += [35.0] * keep + [None] * (md - keep)
    f = T.air_figures(towns(1), p, "pm25", matrix(p, [row]), {1: 1}, validity())[0]
    assert not f.valid and f.note == "全年有效日均值 322 个，少于 324 个"


def test_partial_month_to_today_is_checked_in_proportion():
    p = T.parse_period("2024-09", TODAY)  # 1–16 September: ⌈27 × 16 / 30⌉ = ⌈14.4⌉ = 15 needed
    ok = T.air_figures(towns(1), p, "pm25", matrix(p, [[30.0] * 15]), {1: 1}, validity())[0]
    short = T.air_figures(towns(1), p, "pm25", matrix(p, [[30.0] * 14]), {1: 1}, validity())[0]
    assert ok.valid and not short.valid and "少于 15 个" in short.note
    unchecked = T.air_figures(towns(1), p, "pm25", matrix(p, [[30.0] * 3]), {1: 1},
                              validity(partial_month="none"))[0]
    assert unchecked.valid  # the district chose not to check incomplete months


def test_min_completeness_set_by_the_district():
    p = T.parse_period("2024-03", TODAY)
    f = T.air_figures(towns(1), p, "pm25", matrix(p, [[30.0] * 28]), {1: 1}, validity(min_completeness=0.95))[0]
    assert not f.valid and f.note == "数据完整率 90% 低于本区设定的 95%"  # 28/31 = 90.3 %


def test_town_without_sites_and_town_without_valid_data():
    p = T.parse_period("2024-03", TODAY)
    figs = T.air_figures(towns(3), p, "pm25", matrix(p, [[30.0] * 31, [], []]), {1: 1, 2: 3}, validity())
    assert figs[0].valid and figs[0].value == 30.0
    assert (figs[1].valid, figs[1].value, figs[1].sites, figs[1].note) == (False, None, 3, "时段内无有效日均值")
    assert figs[2].sites == 0 and "没有" in figs[2].note


# ------------------------------------------------------------------ town daily values with weights

def _one_day(mode: str, weights: dict[str, float]) -> float:
    # one town, one day: a national site at 40, two micro-stations at 60 and 80 (Σ 140, n 2)
    town = np.array([0, 0]); day = np.array([0, 0])
    kind = T.kind_index(["national", "micro"])
    out = T.town_daily(town, day, kind, np.array([40.0, 140.0]), np.array([1, 2]), 1, 1,
                       T.weights_vector(weights), mode)
    return float(out[0, 0])


def test_site_weighting_by_kind():
    assert _one_day("site", {}) == pytest.approx(60.0)  # (40 + 60 + 80) / 3: the plain mean of sites
    assert _one_day("site", {"national": 2}) == pytest.approx(55.0)  # (2·40 + 60 + 80) / (2 + 1 + 1)
    assert _one_day("kind", {}) == pytest.approx(55.0)  # (40 + (60 + 80)/2) / 2
    assert _one_day("kind", {"national": 3}) == pytest.approx(47.5)  # (3·40 + 70) / 4
    assert _one_day("site", {"micro": 0}) == pytest.approx(40.0)  # micro-stations left out
    with pytest.raises(ValueError):
        _one_day("max", {})


def test_no_weighted_site_on_a_day_is_a_missing_day():
    out = T.town_daily(np.array([0]), np.array([1]), T.kind_index(["micro"]), np.array([50.0]), np.array([1]),
                       2, 3, T.weights_vector({}), "site")
    assert np.isnan(out[0, 0]) and out[0, 1] == 50.0 and np.isnan(out[1]).all()


# ------------------------------------------------------------------ rankings

def _figs(values: list[float | None], p: T.TownPeriod) -> list[T.TownFigure]:
    rows = [[v] * p.days if v is not None else [] for v in values]
    sites = {i + 1: 1 for i in range(len(values))}
    return T.air_figures(towns(len(values)), p, "pm25", matrix(p, rows), sites, validity())


def test_concentration_ranks_ties_on_reported_values():
    p = T.parse_period("2024-03", TODAY)
    # reported (integers, GB/T 8170): 30.4 → 30, 29.6 → 30, 28.2 → 28, 41.5 → 42 (half to even), none
    rows = T.rank(_figs([30.4, 29.6, 28.2, 41.5, None], p), "concentration", bottom_n=1)
    got = [(r.town, r.value, r.rank, r.flagged) for r in rows]
    assert got == [("镇3", 28.0, 1, False), ("镇1", 30.0, 2, False), ("镇2", 30.0, 2, False),
                   ("镇4", 42.0, 4, True), ("镇5", None, None, False)]
    assert rows[-1].reason == "时段内无有效日均值"


def test_bottom_n_includes_towns_tied_with_the_last_flagged():
    assert R.bottom_flags([1, 2, 2, 4], 1) == [False, False, False, True]
    assert R.bottom_flags([1, 2, 2, 4], 2) == [False, True, True, True]  # 2nd from the bottom is a tie for 2
    assert R.bottom_flags([1, 2, 2, 4], 0) == [False] * 4
    assert R.bottom_flags([1, None], 5) == [True, False]
    assert R.competition_ranks([5, 5, 5]) == [1, 1, 1]
    assert R.competition_ranks([3, 1, 2, 1]) == [4, 1, 3, 1]


def test_improvement_against_last_year_with_last_year_missing():
    p = T.parse_period("2024-03", TODAY)
    now = _figs([30.0, 36.0, 44.0, 33.0, None], p)
    last = _figs([40.0, 40.0, 40.0, None, 40.0], p.same_period_last_year())
    rows = T.rank(now, "improvement", last_year=last, bottom_n=1)
    by_town = {r.town: r for r in rows}
    # (30 − 40)/40 = −25.0 %, (36 − 40)/40 = −10.0 %, (44 − 40)/40 = +10.0 %
    assert [(r.town, r.change_pct, r.rank) for r in rows[:3]] == [("镇1", -25.0, 1), ("镇2", -10.0, 2), ("镇3", 10.0, 3)]
    assert by_town["镇3"].flagged
    assert by_town["镇4"].rank is None and "去年同期数据不足" in by_town["镇4"].reason
    assert by_town["镇5"].rank is None and by_town["镇5"].reason == "时段内无有效日均值"  # this year has no data


def test_change_rate_rounding_and_zero_base():
    assert R.change_pct(37, 33, 1) == (12.1, None)  # 4/33 = 12.1212… %
    assert R.change_pct(35, 40, 0) == (-12.0, None)  # −12.5 % → −12 (half to even)
    assert R.change_pct(30, 0, 1)[0] is None


def test_composite_score_with_user_weights():
    p = T.parse_period("2024-03", TODAY)
    figs = _figs([35.0, 28.0, 49.0], p)
    values = {1: {"pm25": 35.0, "pm10": 70.0}, 2: {"pm25": 28.0, "pm10": 84.0}, 3: {"pm25": 49.0, "pm10": 70.0}}
    refs = {"pm25": 35.0, "pm10": 70.0}  # GB 3095-2012 grade-2 annual limits
    plain = T.rank(figs, "composite", composite_values=values, references=refs, bottom_n=1)
    # 35/35 + 70/70 = 2.00; 28/35 + 84/70 = 0.8 + 1.2 = 2.00 (tie); 49/35 + 70/70 = 1.4 + 1 = 2.40
    assert [(r.town, r.score, r.rank) for r in plain] == [("镇1", 2.0, 1), ("镇2", 2.0, 1), ("镇3", 2.4, 3)]
    weighted = T.rank(figs, "composite", composite_values=values, references=refs,
                      composite_spec={"pm25": {"weight": 3, "reference": None}, "pm10": {"weight": 1, "reference": None}})
    # 3·1 + 1 = 4.00; 3·0.8 + 1.2 = 3.60; 3·1.4 + 1 = 5.20
    assert [(r.town, r.score, r.rank) for r in weighted] == [("镇2", 3.6, 1), ("镇1", 4.0, 2), ("镇3", 5.2, 3)]
    missing = T.rank(figs, "composite", composite_values={1: {"pm25": 35.0, "pm10": None}}, references=refs)
    assert all(r.rank is None for r in missing) and "PM10 数据不足" in missing[0].reason
    no_ref = T.rank(figs, "composite", composite_values=values, references={},
                    composite_spec={"dustfall": {"weight": 1, "reference": None}})
    assert "没有参比值" in no_ref[0].reason


# ------------------------------------------------------------------ monthly measures

def test_measure_figures_quarter():
    p = T.parse_period("2024-Q1", TODAY)
    jan, feb, mar = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)
    values = {(1, jan): 5.2, (1, feb): 6.1, (1, mar): 7.0, (2, jan): 4.0, (2, mar): 5.0}
    f1, f2, f3 = T.measure_figures(towns(3), p, values)
    assert (f1.value, f1.valid_days, f1.days, f1.basis) == (6.1, 3, 3, "month")  # (5.2 + 6.1 + 7.0)/3 = 6.1
    assert not f2.valid and f2.note == "已录入 2 个月，应有 3 个月"
    assert not f3.valid and f3.note == "时段内没有录入数据"
    # entered as "4.0" and "5.0" (one decimal): (4.0 + 5.0)/2 = 4.5 keeps one decimal
    relaxed = T.measure_figures(towns(2), p, values, min_completeness=0.6, digits={(2, jan): 1, (2, mar): 1})[1]
    assert relaxed.valid and relaxed.value == 4.5
    # entered as "4" and "5": 4.5 reported to an integer, GB/T 8170 half to even → 4
    assert T.measure_figures(towns(2), p, values, min_completeness=0.6, digits={(2, jan): 0, (2, mar): 0})[1].value == 4


def test_measure_month_not_yet_over_is_not_required():
    p = T.parse_period("2024-ytd", TODAY)  # Jan–Aug whole, September partly
    values = {(1, dt.date(2024, m, 1)): 10.0 + m for m in range(1, 9)}
    f = T.measure_figures(towns(1), p, values)[0]
    # (11 + … + 18)/8 = 14.5; entered as integers → reported 14 (GB/T 8170 half to even)
    assert f.valid and f.days == 8 and f.unrounded == 14.5 and f.value == 14



# ------------------------------------------------------------------ properties of the ranks

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(st.lists(st.one_of(st.none(), st.integers(0, 60).map(float)), max_size=40), st.integers(0, 10))
def test_sports_ranks_and_bottom_n_properties(values, n):
    ranks = R.competition_ranks(values)
    present = [v for v in values if v is not None]
    for v, r in zip(values, ranks):
        # the rank is one more than the number of strictly smaller values; none for a missing value
        assert (r is None) if v is None else r == 1 + sum(1 for w in present if w < v)
    flags = R.bottom_flags(ranks, n)
    flagged = [r for r, f in zip(ranks, flags) if f]
    assert all(r is not None for r in flagged)
    if n and present:
        assert len(flagged) >= min(n, len(present))  # at least N (more only through ties)
        worst_unflagged = max((r for r, f in zip(ranks, flags) if r is not None and not f), default=0)
        assert all(r > worst_unflagged for r in flagged)  # nobody ranked worse is left out
    else:
        assert not flagged
