"""The plausible window of dates the platform accepts as input: observations, reporting periods, plan
years. Nothing before monitoring of the six pollutants began in earnest or after the horizon of any plan
the platform could hold; outside it a date is a typing error (9999, 0001, 20224), never data. Plain Python.
"""
from __future__ import annotations

import datetime as dt

# First and last calendar year accepted anywhere a date is typed or imported (inclusive).
EARLIEST_YEAR = 1990
LATEST_YEAR = 2100
EARLIEST_DAY = dt.date(EARLIEST_YEAR, 1, 1)
LATEST_DAY = dt.date(LATEST_YEAR, 12, 31)


def year_in_window(year: int) -> bool:
    return EARLIEST_YEAR <= year <= LATEST_YEAR


def in_window(day: dt.date | dt.datetime) -> bool:
    """True when the day (or the calendar day of a datetime) lies within [EARLIEST_DAY, LATEST_DAY]."""
    return year_in_window(day.year)


def window_text() -> str:
    """The window as people read it, for messages: 1990–2100 年."""
    return f"{EARLIEST_YEAR}–{LATEST_YEAR} 年"
