"""Policy numbers of the ledger: reporting periods and their due dates, lag tolerance, response days,
escalation steps. None of these is fixed by a national or Beijing text (the seed plans say 每月 / 每季度
报送 and leave the day to the district), so each is a default the district may change; plain Python, no
Django, so the rules can be read and tested alone.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MONTHLY, QUARTERLY = "monthly", "quarterly"

# A task lags when its achieved share trails the linear schedule by more than this (user-set default).
LAG_TOLERANCE = 0.10
# Days a unit or town has to answer a 督办 opened by the daily check (editable per item).
SUPERVISION_RESPONSE_DAYS = 7
# An unanswered 督办 climbs one step each time this many days pass after its response deadline:
# 经办 (the reporter) → 科室负责人 (the section head) → 分管领导 (the deputy head in charge), both leaders of the
# unit or town addressed (accounts.User.LeaderLevel).
ESCALATION_STEP_DAYS = 3
ESCALATION_LEVELS = ("staff", "section_head", "deputy_in_charge")
# Reporters are reminded of a report this many days before it is due.
REMIND_DAYS_BEFORE_DUE = 3


@dataclass(frozen=True)
class Period:
    """A reporting period: `2024-09` (monthly) or `2024-Q3` (quarterly)."""

    code: str
    start: dt.date
    end: dt.date


def period_of(day: dt.date, frequency: str) -> Period:
    if frequency == QUARTERLY:
        q = (day.month - 1) // 3 + 1
        start = dt.date(day.year, 3 * q - 2, 1)
        code = f"{day.year}-Q{q}"
    else:
        start = dt.date(day.year, day.month, 1)
        code = f"{day.year}-{day.month:02d}"
    months = 3 if frequency == QUARTERLY else 1
    end = _add_months(start, months) - dt.timedelta(days=1)
    return Period(code, start, end)


def parse_period(code: str) -> Period:
    """`2024-09` or `2024-Q3` back to its dates (ValueError on anything else)."""
    year_s, _, rest = code.partition("-")
    year = int(year_s)
    if rest.upper().startswith("Q"):
        q = int(rest[1:])
        if not 1 <= q <= 4:
            raise ValueError(code)
        return period_of(dt.date(year, 3 * q - 2, 1), QUARTERLY)
    return period_of(dt.date(year, int(rest), 1), MONTHLY)


def due_date(period: Period, due_day: int, next_month: bool = True) -> dt.date:
    """The day by which a period's report is due: `due_day` of the month after the period (default), or
    of the period's last month when the plan asks for the report before the period ends; a day past the
    month's end (31 in February) is its last day."""
    month_start = _add_months(period.end.replace(day=1), 1 if next_month else 0)
    month_end = _add_months(month_start, 1) - dt.timedelta(days=1)
    return month_start.replace(day=max(1, min(int(due_day), month_end.day)))  # 31 = the month's last day


def owed_period(today: dt.date, frequency: str, due_day: int, next_month: bool = True) -> Period:
    """The period whose report a party owes today: the earliest started period not yet past its due
    date. With reports due on the 5th of the next month, on 3 October that is September (due in two
    days); from 6 October it is October. A later report supersedes an earlier one (figures are
    cumulative), so a party owes one report at a time, never a backlog."""
    current = period_of(today, frequency)
    previous = period_of(current.start - dt.timedelta(days=1), frequency)
    if due_date(previous, due_day, next_month) >= today:
        return previous
    return current


def periods_between(start: dt.date, end: dt.date, frequency: str) -> list[Period]:
    out: list[Period] = []
    day = start
    while day <= end:
        p = period_of(day, frequency)
        out.append(p)
        day = p.end + dt.timedelta(days=1)
    return out


def expected_share(year_start: dt.date, due: dt.date, today: dt.date) -> float:
    """Linear schedule from the plan's start to a task's deadline."""
    span = (due - year_start).days
    if span <= 0:
        return 1.0
    return min(1.0, max(0.0, (today - year_start).days / span))


def target_status(comparator: str, target, actual) -> str:  # noqa: ANN001 - numbers of one kind
    """met / not_met / unknown: the actual figure against the target by the plan's comparator."""
    if actual is None or actual != actual or target != target:  # none yet, or a stored value that is no number (NaN)
        return "unknown"
    ok = {"<=": actual <= target, ">=": actual >= target, "=": actual == target}[comparator]
    return "met" if ok else "not_met"


def escalation_level(response_due: dt.date, today: dt.date) -> int:
    """0 while the response deadline holds; one step up per ESCALATION_STEP_DAYS after it, capped."""
    if today <= response_due:
        return 0
    steps = 1 + (today - response_due - dt.timedelta(days=1)).days // ESCALATION_STEP_DAYS
    return min(steps, len(ESCALATION_LEVELS) - 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
