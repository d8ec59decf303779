"""Numerical rounding (修约) per GB/T 8170-2008 and the "round up" rule of HJ 633.

GB/T 8170-2008 《数值修约规则与极限数值的表示和判定》 §3.2: keep the digit when the next digit is < 5,
raise it when > 5 or 5 followed by non-zero digits; when the dropped part is exactly 5 the kept digit is
made even ("四舍六入五成双", round half to even). The rule is described from general knowledge in
/work/shared/reference/air-2026.md §3.5 and is the same rule Python's ROUND_HALF_EVEN implements.

Everything here works on exact decimals: a float is read through its shortest repr ("60.5" stays 60.5),
so binary noise never decides a half-way case.
"""
from __future__ import annotations

import math
import numbers
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

Number = int | float | Decimal | Fraction | str


def to_fraction(value: Number) -> Fraction:
    """Exact rational value of a number; floats are read as the decimal their repr shows."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("布尔值不是浓度")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"数值无效：{value!r}")
        return Fraction(Decimal(repr(float(value))))
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, str):
        return Fraction(Decimal(value.strip()))
    if isinstance(value, numbers.Integral):  # e.g. numpy integers
        return Fraction(int(value))
    if isinstance(value, numbers.Real):  # e.g. numpy float32
        return to_fraction(float(value))
    raise TypeError(f"不支持的数值类型：{type(value).__name__}")


def _to_decimal(value: Number) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"数值无效：{value!r}")
        return Decimal(repr(float(value)))
    if isinstance(value, Fraction):
        # enough digits that the half-way decision is exact for any ratio of reasonable size
        return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, str):
        return Decimal(value.strip())
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    if isinstance(value, numbers.Real):
        return _to_decimal(float(value))
    return Decimal(value)


def round_half_even(value: Number, digits: int = 0) -> Decimal:
    """GB/T 8170 修约 to `digits` decimal places (negative digits round to tens, hundreds …).

    >>> round_half_even(60.5), round_half_even(61.5), round_half_even("0.25", 1), round_half_even(1.251, 1)
    (Decimal('60'), Decimal('62'), Decimal('0.2'), Decimal('1.3'))
    """
    if isinstance(value, Fraction):
        # exact: decide the half-way case on the rational value itself
        scaled = value * Fraction(10) ** digits
        floor = scaled.numerator // scaled.denominator
        rest = scaled - floor
        if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and floor % 2 == 1):
            floor += 1
        return Decimal(floor).scaleb(-digits)
    quantum = Decimal(1).scaleb(-digits)
    return _to_decimal(value).quantize(quantum, rounding=ROUND_HALF_EVEN)


def round_half_even_float(value: float, digits: int = 0) -> float:
    """`round_half_even` for a float, returned as a float, without Decimal when no tie is possible.

    The decision is made on the value's shortest decimal form (repr), as in `round_half_even`. Only a
    repr that ends exactly on a half at `digits` places (x.5, x.x5) needs the Decimal path; otherwise
    Python's correctly rounded `round` lands on the same decimal, because no half-way point can lie
    between a float and its repr. Used where thousands of results are rounded at once.
    """
    r = repr(value)
    if digits < 0 or "e" in r or "n" in r:  # exponent form, inf, nan
        return float(round_half_even(value, digits))
    frac = r.partition(".")[2]
    if len(frac) <= digits:
        return value
    if len(frac) == digits + 1 and frac[-1] == "5":
        return float(round_half_even(value, digits))
    return round(value, digits)


def round_half_up(value: Number, digits: int = 0) -> Decimal:
    """Round a non-negative value half up (x.5 → next integer); used by conventions that are not GB/T 8170."""
    quantum = Decimal(1).scaleb(-digits)
    if isinstance(value, Fraction):
        scaled = value * Fraction(10) ** digits
        floor = scaled.numerator // scaled.denominator
        if scaled - floor >= Fraction(1, 2):
            floor += 1
        return Decimal(floor).scaleb(-digits)
    return _to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


def round_up(value: Number) -> int:
    """HJ 633 "全部进位取整数": the next integer at or above the exact value (ceiling)."""
    if isinstance(value, Decimal):
        return int(value.to_integral_value(rounding=ROUND_CEILING))
    return math.ceil(to_fraction(value))
