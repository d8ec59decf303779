"""A reported value as people write it (90, not 90.0; 0.81 as it is; — for none): the ledger's `figure`."""
from decimal import Decimal

from django import template

from envgov.apps.plans.progress import figure

register = template.Library()


@register.filter
def reported(value):  # noqa: ANN001, ANN201
    if value is None or value == "":
        return "—"
    return figure(Decimal(repr(float(value))))
