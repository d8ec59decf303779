"""The ledger's notion of "today". A demo instance can pin it (ENVGOV_TODAY=2024-09-15) so that a past
plan is shown as it stood on that day; production leaves it unset and uses the local date."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def today() -> dt.date:
    pinned = getattr(settings, "ENVGOV_TODAY", None)
    return dt.date.fromisoformat(pinned) if pinned else timezone.localdate()


def is_pinned() -> bool:
    return bool(getattr(settings, "ENVGOV_TODAY", None))


def now() -> dt.datetime:
    """Timestamps of ledger events; on a pinned demo clock, the pinned day at the current time of day."""
    current = timezone.localtime()
    if not is_pinned():
        return current
    return current.replace(year=today().year, month=today().month, day=today().day)
