"""Air figures as people read them: pollutant codes (no2,pm25) as NO₂、PM2.5, never the internal code."""
from __future__ import annotations

from django import template

from envgov.standards.air.tables import POLLUTANT_SYMBOLS

register = template.Library()


@register.filter
def pollutants(codes: str | None) -> str:
    if not codes:
        return ""
    return "、".join(POLLUTANT_SYMBOLS.get(c.strip(), c.strip()) for c in str(codes).split(",") if c.strip())
