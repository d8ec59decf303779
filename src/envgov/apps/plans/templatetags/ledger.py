"""`{{ value|figure }}`: a stored ledger figure as people write it (envgov.apps.plans.progress.figure) —
7 not 7.0000, — for none, and a word instead of a failure for a value no column should hold (NaN)."""
from __future__ import annotations

from django import template

from envgov.apps.plans import progress

register = template.Library()


@register.filter
def figure(value):  # noqa: ANN001, ANN201
    return progress.figure(value)
