"""Status of an indicator against a numeric target: 达标 / 未达标 (shared by the carbon and soil engines).

Values are compared after removing binary noise (10 decimals; not a 修约): 92.0 % of a "≥ 92 %" target is met.
"""
from __future__ import annotations

from envgov.catalogue import gettext_noop

MET = gettext_noop("达标")
NOT_MET = gettext_noop("未达标")
NOISE_DIGITS = 10


def at_least(actual: float, target: float) -> str:
    """达标 when actual ≥ target, else 未达标."""
    return MET if round(actual, NOISE_DIGITS) >= round(target, NOISE_DIGITS) else NOT_MET
