"""envgov.rules.bounds: a figure either fits a numeric(14, 4) column exactly or is refused with a message;
dates fit 1990-01-01–2100-12-31; nothing else ever escapes (property tests on extreme input)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envgov.rules import bounds

EXTREME_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([1e20, 12345678901234567890, "1e20", "9999999999.9999", "10000000000", "0.00001", "-0",
                     "NaN", "-Infinity", "sNaN", "1_000", " 7 ", "七", "", "1e-5", "0x10", True]),
    st.text(max_size=30),
)


def fits_numeric_14_4(value: Decimal) -> bool:
    """What PostgreSQL's numeric(14, 4) stores without rounding or overflow: ≤ 10 digits before the point,
    ≤ 4 after (worked from the column definition, not from the module)."""
    if not value.is_finite():
        return False
    places = max(0, -value.normalize().as_tuple().exponent)  # 7.50000 is 7.5: one place
    whole = format(abs(value), "f").split(".")[0].lstrip("0")
    return places <= 4 and len(whole) <= 10


@settings(max_examples=300, deadline=None)
@given(EXTREME_NUMBERS)
def test_a_figure_fits_its_column_or_is_refused_with_a_message(value):
    try:
        number = bounds.figure(value, "累计完成", minimum=None)
    except bounds.OutOfBounds as exc:
        assert str(exc).startswith("“累计完成”") and exc.problem.template
        return
    assert isinstance(number, Decimal) and fits_numeric_14_4(number)


@pytest.mark.parametrize("value, ok", [
    (Decimal("9999999999.9999"), True), (Decimal("-9999999999.9999"), True), (Decimal("10000000000"), False),
    (Decimal("0.0001"), True), (Decimal("0.00001"), False), (1e20, False), (0.1, True),
])
def test_the_edges_of_numeric_14_4(value, ok):
    try:
        bounds.figure(value, "x", minimum=None)
    except bounds.OutOfBounds:
        assert not ok
    else:
        assert ok


@given(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_dates_are_kept_within_1990_to_2100(day):
    inside = dt.date(1990, 1, 1) <= day <= dt.date(2100, 12, 31)
    try:
        assert bounds.date(day, "完成时限") == day and inside
    except bounds.OutOfBounds as exc:
        assert not inside and "1990-01-01 至 2100-12-31" in str(exc)


@given(st.text())
def test_text_is_kept_only_if_every_database_can_store_it(value):
    try:
        bounds.text(value, "进展情况", max_length=200)
    except bounds.OutOfBounds:
        assert "\x00" in value or len(value) > 200 or any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    else:
        assert "\x00" not in value and len(value) <= 200 and value.encode("utf-8").decode("utf-8") == value


@given(st.integers())
def test_ids_fit_a_64_bit_column(value):
    assert bounds.in_id_range(value) == (1 <= value <= 2**63 - 1)
