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
    "background_correction",
    "hj640_grade",
    "limit",
    "night_lmax_limit",
    "parameters",
    "round_level",
]


def limit(code: str, period: str) -> float:
    """GB 3096-2008 Leq limit in dB(A) of class `code` ("0"…"4b") for `period` ("day"/"night")."""
    return BY_CODE[code].limit(period)


def night_lmax_limit(code: str) -> float:
    """GB 3096-2008 §5.4: the highest allowed night-time maximum level of sudden noise (night limit + 15)."""
    return BY_CODE[code].night + NIGHT_LMAX_EXCESS


def background_correction(measured: float, background: float) -> float | None:
    """GB 12523-2011 Table 2: the correction (dB(A)) for a measured level given the background level; None when
    the difference is below 3 (reduce the background and measure again). The difference is rounded to an
    integer first, by the rounding rule in force (parameter `rounding`; other.md §1.2 says "rounded" only)."""
    from envgov.standards.air.rounding import round_half_even, round_half_up
    from envgov.standards.noise.parameters import HALF_EVEN, PARAMETERS
    from envgov.standards.noise.tables import BACKGROUND_CORRECTION

    d = round(measured - background, 9)
    if PARAMETERS.value("rounding") == HALF_EVEN:
        diff = int(round_half_even(d, 0))
    else:
        diff = int(round_half_up(abs(d), 0)) * (1 if d >= 0 else -1)
    for low, high, correction in BACKGROUND_CORRECTION:
        if diff >= low and (high is None or diff <= high):
            return correction
    return None


def round_level(value: float) -> float:
    """A level (or a rate) to 0.1 by the rounding rule in force (parameter `rounding`; other.md §1.3);
    binary noise (1e-9) is removed first."""
    from envgov.standards.air.rounding import round_half_even_float, round_half_up
    from envgov.standards.noise.parameters import HALF_EVEN, PARAMETERS
    from envgov.standards.noise.tables import LEVEL_DIGITS

    clean = round(value, 9)
    if PARAMETERS.value("rounding") == HALF_EVEN:
        return round_half_even_float(clean, LEVEL_DIGITS)
    return float(round_half_up(clean, LEVEL_DIGITS)) if clean >= 0 else -float(round_half_up(-clean, LEVEL_DIGITS))


def hj640_grade(kind: str, period: str, value: float) -> tuple[int, str, str]:
    """HJ 640-2012 grade of a city's regional ("regional") or road-traffic ("road") level for "day"/"night":
    (1–5, 一级…五级, 好…差). The value is rounded to 0.1 first, then the first breakpoint it does not exceed."""
    from envgov.standards.noise.tables import HJ640_BREAKPOINTS, HJ640_GRADE_LEVELS, HJ640_GRADE_WORDS

    v = round_level(value)
    for i, top in enumerate(HJ640_BREAKPOINTS[(kind, period)]):
        if v <= top:
            return i + 1, HJ640_GRADE_LEVELS[i], HJ640_GRADE_WORDS[i]
    return 5, HJ640_GRADE_LEVELS[4], HJ640_GRADE_WORDS[4]
