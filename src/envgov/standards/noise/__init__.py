"""Environmental-noise standards as data: GB 3096-2008 classes and limits, the night maximum-level rule,
day/night periods and the functional-area attainment rate (HJ 640-2012 §6 as bulletins apply it).

`tables.py` holds the data (each citing other.md §1), `parameters.py` the rules that are UNCONFIRMED or set by
the district (night start/end, the 点次 unit, the 0.1 dB rounding rule). The arithmetic is in
`envgov.engine.noise`.
"""
from envgov.standards.noise import parameters
from envgov.standards.noise.tables import (
    BY_CODE,
    CLASS_CODES,
    CLASSES,
    DAY,
    GB3096,
    HJ640,
    NIGHT,
    NIGHT_LMAX_EXCESS,
    PERIODS,
    NoiseClass,
)

__all__ = [
    "BY_CODE",
    "CLASSES",
    "CLASS_CODES",
    "DAY",
    "GB3096",
    "HJ640",
    "NIGHT",
    "NIGHT_LMAX_EXCESS",
    "PERIODS",
    "NoiseClass",
    "limit",
    "night_lmax_limit",
    "parameters",
]


def limit(code: str, period: str) -> float:
    """GB 3096-2008 Leq limit in dB(A) of class `code` ("0"…"4b") for `period` ("day"/"night")."""
    return BY_CODE[code].limit(period)


def night_lmax_limit(code: str) -> float:
    """GB 3096-2008 §5.4: the highest allowed night-time maximum level of sudden noise (night limit + 15)."""
    return BY_CODE[code].night + NIGHT_LMAX_EXCESS
