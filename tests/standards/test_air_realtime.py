"""Real-time (hourly) AQI rules: dates, conventions, and the vectorised engine against the exact evaluator.

Expected values are computed by hand from HJ 633 Table 1 (air.md §1.1) and the conventions recorded in
/work/shared/data/official_aqi/PROVENANCE.md.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from envgov.engine.aqi_numpy import hourly_aqi_arrays, iaqi_array, round_half_even_array
from envgov.standards.air import iaqi, round_half_even
from envgov.standards.air_realtime import RULES, hourly_aqi, rule_for


def test_auto_rule_by_date():
    assert rule_for(date(2014, 5, 1)).key == "bjmemc-2014"
    assert rule_for(date(2015, 5, 31)).key == "bjmemc-2014"
    assert rule_for(date(2015, 6, 1)).key == "hj633-2012-hourly"
    assert rule_for(date(2026, 2, 28)).key == "hj633-2012-hourly"
    assert rule_for(date(2026, 3, 1)).key == "hj633-2026-hourly"
    assert rule_for(date(2014, 5, 1), "hj633-2012-hourly").key == "hj633-2012-hourly"
    with pytest.raises(ValueError):
        rule_for(date(2014, 5, 1), "nonsense")


def test_bjmemc_2014_uses_pm_24h_means_and_rounds_up():
    # PM2.5 24-h 37 → 50 + 50·2/40 = 52.5 → 53 (ceiling); the 1-h PM value is ignored.
    h = hourly_aqi("bjmemc-2014", {"pm25": 300, "pm25_24h": 37, "so2": 10})
    assert h.aqi == 53 and h.primary_pollutants == ("pm25",)
    # SO2 1-h 82.2 → 82.2/3 = 27.4 → 28
    assert hourly_aqi("bjmemc-2014", {"so2": 82.2}).aqi == 28
    # no O3 8-h indicator in this convention
    assert hourly_aqi("bjmemc-2014", {"o3": 100, "o3_8h": 300}).aqi == 32  # O3 1-h 100·50/160 = 31.25


def test_hj633_2012_hourly_uses_pm_1h_and_rounds_half_up():
    # PM2.5 1-h 37 on the 24-h table: 52.5 → 53 (half up); PM2.5 1-h 36 → 51.25 → 51 (not 52)
    assert hourly_aqi("hj633-2012-hourly", {"pm25": 37}).aqi == 53
    assert hourly_aqi("hj633-2012-hourly", {"pm25": 36}).aqi == 51
    assert hourly_aqi("bjmemc-2014", {"pm25_24h": 36}).aqi == 52
    # PM10 1-h 151 → 100.5 → 101; tie with nothing
    assert hourly_aqi("hj633-2012-hourly", {"pm10": 151, "pm25": 20}).primary_pollutants == ("pm10",)


def test_hj633_2012_letter_rule_includes_o3_8h_and_so2_fallback():
    letter = RULES["hj633-2012-realtime"]
    assert {i.key for i in letter.indicators} == {"so2", "no2", "co", "o3", "o3_8h", "pm10_24h", "pm25_24h"}
    assert hourly_aqi(letter, {"o3": 100, "o3_8h": 161}).aqi == 101
    # SO2 1-h 900 > 800: Table 1 note 2 → IAQI of the SO2 24-h mean (151 → 101)
    h = hourly_aqi(letter, {"so2": 900, "so2_24h": 151})
    assert h.aqi == 101 and h.primary_pollutants == ("so2",)
    # O3 8-h 900 > 800: not used; the O3 1-h IAQI stands
    assert hourly_aqi(letter, {"o3": 900, "o3_8h": 900}).aqi == 350


def test_hj633_2026_hourly():
    r = RULES["hj633-2026-hourly"]
    assert hourly_aqi(r, {"so2": 900}).aqi == 200  # Table 3 note b
    assert hourly_aqi(r, {"pm25": 60.5}).aqi == 100  # GB/T 8170: 60.5 → 60 → 100
    assert hourly_aqi(r, {"pm25": 70}).aqi == 110
    assert hourly_aqi(r, {"pm25": 20}).primary_pollutants == ()
    assert hourly_aqi(r, {}).aqi is None


@pytest.mark.parametrize("edition", ["2012", "2026"])
@pytest.mark.parametrize(
    "pollutant,averaging",
    [("so2", "1h"), ("so2", "24h"), ("no2", "1h"), ("no2", "24h"), ("co", "1h"), ("co", "24h"), ("o3", "1h"),
     ("o3", "8h"), ("pm10", "24h"), ("pm25", "24h")],
)
def test_iaqi_array_equals_exact_evaluator(edition, pollutant, averaging):
    rng = np.random.default_rng(11)
    from envgov.standards.air import breakpoints

    bp = breakpoints(edition, pollutant, averaging)
    top = bp.conc[-1] * 1.1 + 1
    decimals = 2 if pollutant == "co" else 1
    values = np.round(rng.uniform(0, top, 3000), decimals)
    # every breakpoint, and the values around it at the data's precision, plus the x.5 cases
    step = 10.0 ** -decimals
    edges = np.array([c + d for c in bp.conc for d in (-step, 0, step, 0.5, -0.5)])
    values = np.concatenate([values, edges[edges >= 0], [np.nan]])
    got = iaqi_array(edition, pollutant, averaging, values)
    want = [iaqi(edition, pollutant, averaging, None if np.isnan(v) else float(v)) for v in values]
    want = np.array([np.nan if w is None else w for w in want], dtype=float)
    np.testing.assert_array_equal(got, want)


def test_round_half_even_array_matches_decimal():
    xs = np.array([0.5, 1.5, 2.5, 60.5, 61.5, 0.15, 0.25, 0.35, 1.05, 1.25, 4.05, 4.15, 2.675, 7.449999, 3.0])
    for digits in (0, 1):
        got = round_half_even_array(xs, digits)
        want = [float(round_half_even(float(x), digits)) for x in xs]
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_hourly_arrays_equal_scalar_rule_on_random_station_hours():
    rng = np.random.default_rng(5)
    n = 2000
    vals = {
        "so2": np.round(rng.uniform(0, 900, n), 1), "so2_24h": np.round(rng.uniform(0, 300, n), 1),
        "no2": np.round(rng.uniform(0, 400, n), 1), "co": np.round(rng.uniform(0, 12, n), 1),
        "o3": np.round(rng.uniform(0, 500, n), 1), "o3_8h": np.round(rng.uniform(0, 900, n), 1),
        "pm10": np.round(rng.uniform(0, 700, n)), "pm25": np.round(rng.uniform(0, 300, n)),
        "pm10_24h": np.round(rng.uniform(0, 400, n), 1), "pm25_24h": np.round(rng.uniform(0, 300, n), 1),
    }
    for arr in vals.values():  # sprinkle missing values
        arr[rng.random(n) < 0.1] = np.nan
    for rule in RULES.values():
        arr = hourly_aqi_arrays(rule, vals)
        for i in range(0, n, 7):
            h = hourly_aqi(rule, {k: (None if np.isnan(v[i]) else float(v[i])) for k, v in vals.items()})
            assert (np.nan if h.aqi is None else h.aqi) == pytest.approx(arr.aqi[i], nan_ok=True), (rule.key, i)
            assert arr.primary[i] == ";".join(h.primary_pollutants), (rule.key, i)
