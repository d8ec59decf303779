"""Ambient air standards as data and exact functions: GB 3095, HJ 633, HJ 663 (2012/2013 and 2026 editions).

`from envgov.standards.air import iaqi, daily_aqi, edition_for, limits, ...` — see `aqi.py` for the
functions, `tables.py` for the tables (each citing its standard and clause), `rounding.py` for GB/T 8170.
Standard library only.
"""
from envgov.standards.air.aqi import (
    DAILY_INPUT_KEYS,
    DailyAqi,
    aqi_level,
    assessment_items,
    breakpoints,
    daily_aqi,
    edition_for,
    iaqi,
    iaqi_exact,
    is_good_day,
    levels,
    limits,
    limits_for,
    percentile,
    phase_for,
    round_concentration,
    rounding_rule,
    validity_rules,
)
from envgov.standards.air.rounding import round_half_even, round_half_up, round_up, to_fraction
from envgov.standards.air.tables import (
    ABOVE_800_RULES,
    BREAKPOINTS,
    DAILY_INDICATORS,
    EDITION_SWITCH_DAY,
    EDITIONS,
    EXCEPTIONAL_EVENT_RULES,
    LEVELS,
    LIMITS,
    OTHER_POLLUTANTS,
    PERCENTILE_METHOD,
    PHASES_2026,
    POLLUTANT_LABELS,
    POLLUTANTS,
    REALTIME_INDICATORS,
    REALTIME_SO2_FALLBACK_KEY,
    ROUNDING_RULES,
    UNITS,
    VALIDITY,
    AirEdition,
    AssessmentItem,
    Breakpoints,
    ExceptionalEventRule,
    Indicator,
    Level,
    Limit,
    RoundingRule,
    ValidityRule,
    ValidityRules,
)

__all__ = [
    "ABOVE_800_RULES", "BREAKPOINTS", "DAILY_INDICATORS", "DAILY_INPUT_KEYS", "EDITION_SWITCH_DAY", "EDITIONS",
    "EXCEPTIONAL_EVENT_RULES", "LEVELS", "LIMITS", "OTHER_POLLUTANTS", "PERCENTILE_METHOD", "PHASES_2026",
    "POLLUTANT_LABELS", "POLLUTANTS", "REALTIME_INDICATORS", "REALTIME_SO2_FALLBACK_KEY", "ROUNDING_RULES",
    "UNITS", "VALIDITY", "AirEdition", "AssessmentItem", "Breakpoints", "DailyAqi", "ExceptionalEventRule",
    "Indicator", "Level", "Limit", "RoundingRule", "ValidityRule", "ValidityRules", "aqi_level",
    "assessment_items", "breakpoints", "daily_aqi", "edition_for", "iaqi", "iaqi_exact", "is_good_day",
    "levels", "limits", "limits_for", "percentile", "phase_for", "round_concentration", "round_half_even",
    "round_half_up", "round_up", "rounding_rule", "to_fraction", "validity_rules",
]
