"""User-set parameters for the unconfirmed air rules: checked, applied by the scalar functions and the
engine alike, isolated per context, remembered SQL keyed by them, and named in every result."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pyarrow as pa
import pytest

from envgov.engine import air, backends
from envgov.standards import air as std
from envgov.standards.air import parameters


def _o3_day(missing_hours: set[int], o3: float = 100.0) -> pa.Table:
    """One site, one day (2015-07-01): every pollutant present every hour, O3 missing in `missing_hours`."""
    start = datetime(2015, 7, 1)
    n = 24
    return pa.table({
        "site": ["S"] * n, "time": [start + timedelta(hours=h) for h in range(n)],
        "pm25": [35.4] * n, "pm10": [60.0] * n, "so2": [5.0] * n, "no2": [30.0] * n, "co": [0.56] * n,
        "o3": [None if h in missing_hours else o3 for h in range(n)],
    })


def _windows(missing: set[int]) -> int:
    """Valid 8-h windows of the day (≥ 6 hourly values, windows ending 07:00 … 23:00), by hand."""
    return sum(1 for end in range(7, 24) if sum(1 for h in range(end - 7, end + 1) if h not in missing) >= 6)


def test_defaults_are_the_values_used_before():
    assert parameters.current() == {"report_digits": 0, "report_digits_co": 1, "o3_daily_max_8h_min_windows": 14,
                                    "o3_daily_max_8h_valid_if_exceeds": True, "above_top_policy": "cap"}
    assert std.validity_rules("2012") is std.VALIDITY["2012"]
    assert std.rounding_rule("2026", "report").digits["co"] == 1


@pytest.mark.parametrize("values,message", [
    ({"o3_daily_max_8h_min_windows": 18}, "1–17"),
    ({"o3_daily_max_8h_min_windows": "十四"}, "整数"),
    ({"above_top_policy": "max"}, "可选"),
    ({"o3_daily_max_8h_valid_if_exceeds": "maybe"}, "是或否"),
    ({"no_such_rule": 1}, "未知参数"),
])
def test_bad_values_are_refused_with_a_chinese_message(values, message):
    with pytest.raises(ValueError, match=message):
        parameters.clean(values)


def test_form_strings_are_typed():
    assert parameters.clean({"report_digits": " 1 ", "o3_daily_max_8h_valid_if_exceeds": "否"}) == {
        "report_digits": 1, "o3_daily_max_8h_valid_if_exceeds": False}


def test_above_top_policy_in_scalar_functions_and_engine():
    # HJ 633-2012 Table 1: PM2.5 24-h top breakpoint 500 µg/m³ (IAQI 500); 600 is above the table.
    assert std.iaqi("2012", "pm25", "24h", 600) == 500
    with parameters.using({"above_top_policy": "none"}):
        assert std.iaqi("2012", "pm25", "24h", 600) is None
        assert std.iaqi("2012", "pm25", "24h", 600, above_top="cap") == 500  # an explicit argument wins
        con = backends.connect()
        t = backends.table(con, pa.table({"c": [600.0, 250.0]}))
        got = t.select(i=air.iaqi_expr(t.c, "2012", "pm25", "24h")).to_pyarrow().column("i").to_pylist()
        assert got == [None, 300]  # 250 is the IAQI-300 breakpoint
    assert std.iaqi("2012", "pm25", "24h", 600) == 500


def test_o3_window_count_parameter_changes_the_daily_value():
    missing = {0, 1, 2}  # windows ending 07:00 and 08:00 have 5 and 6 values → 16 valid windows
    assert _windows(missing) == 16
    hourly = _o3_day(missing)
    d = air.daily_results(hourly, date(2015, 7, 1), date(2015, 7, 1))
    assert d.column("o3_8h").to_pylist() == [100.0]
    with parameters.using({"o3_daily_max_8h_min_windows": 17}):
        d = air.daily_results(hourly, date(2015, 7, 1), date(2015, 7, 1))
        assert d.column("o3_8h").to_pylist() == [None]
        assert std.validity_rules("2012").o3_daily_max_8h_min_windows == 17
    # 'valid if it exceeds' (160 µg/m³, GB 3095 grade 2): an exceeding day stays valid with 16 windows …
    high = _o3_day(missing, o3=200.0)
    with parameters.using({"o3_daily_max_8h_min_windows": 17}):
        assert air.daily_results(high, date(2015, 7, 1), date(2015, 7, 1)).column("o3_8h").to_pylist() == [200.0]
    # … unless the user turns that exception off.
    with parameters.using({"o3_daily_max_8h_min_windows": 17, "o3_daily_max_8h_valid_if_exceeds": False}):
        assert air.daily_results(high, date(2015, 7, 1), date(2015, 7, 1)).column("o3_8h").to_pylist() == [None]


def test_report_digits_and_provenance_and_remembered_sql():
    hourly = _o3_day(set())
    con = backends.connect()
    t = backends.table(con, hourly)
    day = date(2015, 7, 1)
    plain = air.evaluate(t, day, day, compare_years=None, con=con)["S"]
    with parameters.using({"report_digits": 1, "report_digits_co": 2, "o3_daily_max_8h_min_windows": 17}):
        tuned = air.evaluate(t, day, day, compare_years=None, con=con)["S"]  # same shape: SQL memo must not reuse
    assert (plain["pm25"], tuned["pm25"]) == (35.0, 35.4)  # GB/T 8170: 35.4 → 35 (0 digits), 35.4 (1 digit)
    assert (plain["co_p95"], tuned["co_p95"]) == (0.6, 0.56)
    by_key = {p["key"]: p for p in tuned["provenance"]["user_parameters"]}
    assert by_key["report_digits"] == {"key": "report_digits", "label": parameters.BY_KEY["report_digits"].label,
                                       "value": 1, "default": 0, "user_set": True, "confidence": "unconfirmed"}
    assert tuned["provenance"]["validity"]["o3_daily_max_8h_min_windows"] == 17
    assert not any(p["user_set"] for p in plain["provenance"]["user_parameters"])
    assert plain["provenance"]["validity"]["o3_daily_max_8h_min_windows"] == 14


def test_values_do_not_leak_to_other_threads_or_after_the_block():
    seen = {}

    def other():
        seen["windows"] = parameters.value("o3_daily_max_8h_min_windows")

    with parameters.using({"o3_daily_max_8h_min_windows": 10}):
        th = threading.Thread(target=other)
        th.start()
        th.join()
        assert parameters.value("o3_daily_max_8h_min_windows") == 10
    assert seen["windows"] == 14
    assert parameters.value("o3_daily_max_8h_min_windows") == 14
