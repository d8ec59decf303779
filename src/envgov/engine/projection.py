"""Target projection (达标研判): from a cumulative target's figures so far, what the rest of the period
may still hold for the target to be met as it is judged, and the probability of meeting it estimated
from earlier years' same calendar days. Replaces the former `envgov.engine.budget` (one path).

Judged as the standard judges it: the period statistic is rounded by the reporting rule before it is
compared with the target. For an annual PM2.5 target of 35 µg/m³ reported as an integer under GB/T 8170
(round half to even), the annual mean meets the target while it is below 35.5 (35.5 itself becomes
36: 5 after an odd digit is raised); with 90 valid days at 38 so far and 275 days left the rest of the
year may average up to (35.5·365 − 38·90)/275 = 34.68…, not the plain (35·365 − 38·90)/275 = 34.02.

Rules (what is cumulative, rounding sources, resampling method, status) are in
`envgov.rules.projection`. Threshold arithmetic is exact (fractions); the resampled outcomes are
decided in floating point against the same boundary. No Django here.
"""
from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from envgov.rules import projection as rules
from envgov.standards.air.rounding import Number, round_half_even, to_fraction

LE, GE = "<=", ">="


# ------------------------------------------------------------------------------------------ judging

@dataclass(frozen=True)
class Judging:
    """How a target is judged: the statistic, rounded to `digits` decimals by GB/T 8170 (None: not
    rounded, e.g. a count of days), compared with `target` by `comparator`."""

    comparator: str
    target: Fraction
    digits: int | None
    rounding_source: str = ""

    @classmethod
    def of(cls, comparator: str, target: Number, digits: int | None, rounding_source: str = "") -> Judging:
        if comparator not in (LE, GE):
            raise ValueError(f"研判只支持“不高于”或“不低于”的目标：{comparator!r}")
        return cls(comparator, to_fraction(target), digits, rounding_source)

    def reported(self, value: Number) -> Fraction:
        v = to_fraction(value)
        return v if self.digits is None else Fraction(round_half_even(v, self.digits))

    def meets(self, value: Number) -> bool:
        r = self.reported(value)
        return r <= self.target if self.comparator == LE else r >= self.target

    def boundary(self) -> tuple[Fraction, bool]:
        """(B, inclusive): an unrounded statistic meets the target iff it is below B (`<=` targets) or
        above B (`>=`), and also when it equals B if `inclusive`.

        With rounding to d decimals (step s = 10⁻ᵈ): for `<=`, T' = the largest reportable value ≤ T, B =
        T' + s/2, and B itself is reported as T' exactly when T' ends in an even digit (half to even).
        """
        t = self.target
        if self.digits is None:
            return t, True
        step = Fraction(1, 10 ** self.digits) if self.digits >= 0 else Fraction(10 ** -self.digits)
        if self.comparator == LE:
            kept = math.floor(t / step) * step
            b = kept + step / 2
            return b, Fraction(round_half_even(b, self.digits)) <= t
        kept = math.ceil(t / step) * step
        b = kept - step / 2
        return b, Fraction(round_half_even(b, self.digits)) >= t


def good_ratio(good: int, valid: int, digits: int = rules.RATIO_DIGITS) -> float | None:
    """The good-day ratio as reported: 100·good/valid per cent, GB/T 8170 to `digits` decimals on the
    exact ratio (the engine's `good_ratio` figure)."""
    if not valid:
        return None
    return float(round_half_even(Fraction(100 * int(good), int(valid)), digits))


# ------------------------------------------------------------------------------------------ thresholds

@dataclass(frozen=True)
class Threshold:
    """What the rest of the period may hold.

    kind MEAN: the remaining days' mean must stay below `value` (at most `value` when not `strict`);
    RATIO: at least `value` of the remaining days must be good; COUNT: at most `value` heavy days may
    follow. `plain` is the same figure by plain arithmetic, without the rounding of the judged value.
    """

    kind: str
    over: bool
    reachable: bool | None
    value: float | int | None
    strict: bool
    plain: float | int | None
    boundary: float | None  # the judged statistic's own boundary (e.g. 35.5 for an integer target 35)
    boundary_inclusive: bool
    so_far: float | None  # the period's statistic so far, unrounded
    days_so_far: int  # valid daily values (MEAN) / valid days (RATIO, COUNT) so far
    days_remaining: int
    behind_pace: bool | None  # the rest must do better than the period so far


def mean_threshold(total: Number, n: int, days_remaining: int, judging: Judging) -> Threshold:
    """Largest mean of the remaining days (all assumed valid) that keeps the period mean meeting the
    target. `total` = sum of the period's valid daily values so far, `n` their number."""
    s, m = to_fraction(total), int(days_remaining)
    so_far = None if n <= 0 else s / n
    b, inclusive = judging.boundary()
    if m <= 0:
        return Threshold(rules.MEAN, True, None if so_far is None else judging.meets(so_far), None, False, None,
                         float(b), inclusive, _f(so_far), n, 0, None)
    whole = n + m
    real = (b * whole - s) / m
    plain = (judging.target * whole - s) / m
    if judging.comparator == LE:
        reachable = real > 0 or (inclusive and real == 0)
        behind = None if so_far is None else real < so_far
    else:
        reachable = True  # no upper bound on a concentration
        behind = None if so_far is None else real > so_far
    return Threshold(rules.MEAN, False, reachable, float(real), not inclusive, float(plain), float(b), inclusive,
                     _f(so_far), n, m, behind)


def good_days_threshold(good: int, valid: int, days_remaining: int, judging: Judging) -> Threshold:
    """Fewest good days among the remaining days (all assumed valid) that keep the reported good-day
    ratio (per cent) meeting a `>=` target."""
    if judging.comparator != GE:
        raise ValueError("优良天数比例目标应为“不低于”")
    m = int(days_remaining)
    so_far = None if valid <= 0 else Fraction(100 * good, valid)
    b, inclusive = judging.boundary()
    if m <= 0:
        met = None if so_far is None else judging.meets(so_far)
        return Threshold(rules.RATIO, True, met, None, False, None, float(b), inclusive, _f(so_far), valid, 0, None)
    whole = valid + m
    need_exact = b * whole / 100 - good  # good days g with (good+g)/whole·100 ≥ B
    needed = math.ceil(need_exact)
    if needed == need_exact and not inclusive:
        needed += 1
    needed = max(0, needed)
    plain = max(0, math.ceil(judging.target * whole / 100 - good))
    behind = None if so_far is None else Fraction(needed, m) * 100 > so_far
    return Threshold(rules.RATIO, False, needed <= m, needed, False, plain, float(b), inclusive, _f(so_far),
                     valid, m, behind)


def heavy_days_threshold(heavy: int, valid: int, days_remaining: int, judging: Judging) -> Threshold:
    """Heavy-pollution days still allowed under a `<=` cap (a count: no rounding)."""
    if judging.comparator != LE:
        raise ValueError("重污染天数目标应为“不超过”")
    cap = math.floor(judging.target)
    left = cap - int(heavy)
    m = int(days_remaining)
    if m <= 0:
        return Threshold(rules.COUNT, True, left >= 0, None, False, None, float(judging.target), True,
                         float(heavy), valid, 0, None)
    behind = None if valid <= 0 else Fraction(heavy * m, valid) > left
    return Threshold(rules.COUNT, False, left >= 0, left, False, left, float(judging.target), True, float(heavy),
                     valid, m, behind)


def _f(x: Fraction | None) -> float | None:
    return None if x is None else float(x)


# ------------------------------------------------------------------------------------------ calendar

def window_days(after: dt.date, end: dt.date) -> list[dt.date]:
    """The remaining days of a period: the day after `after` to `end` inclusive."""
    return [after + dt.timedelta(days=i) for i in range(1, (end - after).days + 1)]


def same_day(day: dt.date, year: int) -> dt.date:
    """The same calendar day in another year; 29 February in a common year is 28 February."""
    try:
        return day.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


# ------------------------------------------------------------------------------------------ probability

@dataclass(frozen=True)
class Probability:
    value: float | None
    exact: bool  # every combination counted (else `draws` drawn with `seed`)
    years: tuple[int, ...]
    combinations: int | None  # number of possible combinations of years over the blocks (None: too many)
    draws: int
    seed: int
    block_days: int
    blocks: int
    coverage: float  # share of the remaining days that at least one earlier year has a value for
    note: str = ""  # why there is no probability (message template, gettext_noop)


def probability(kind: str, judging: Judging, so_far_total: Number, so_far_n: int,
                history: Mapping[int, Sequence[float | None]], method: rules.Resampling | None = None,
                ) -> Probability:
    """Probability that the period's judged figure meets the target, by block resampling of earlier
    years (`envgov.rules.projection.Resampling`).

    `history[year]` holds one value per remaining day of the period (aligned with `window_days`),
    None where that year has no valid value: MEAN the pollutant's daily value; RATIO 1 for a good day, 0
    for another valid day; COUNT 1 for a heavy-pollution day, 0 for another valid day. Each outcome adds
    the drawn days to the figures so far (`so_far_total`: sum of daily values, good or heavy days;
    `so_far_n`: their valid days) and judges the whole period.
    """
    from envgov.catalogue import gettext_noop

    method = method or rules.RULE.resampling
    years = tuple(sorted(y for y, vals in history.items() if any(v is not None for v in vals)))
    lengths = {len(v) for v in history.values()}
    m = lengths.pop() if len(lengths) == 1 else (0 if not lengths else -1)
    if m < 0:
        raise ValueError("各年数据的天数不一致")
    common = dict(exact=False, years=years, combinations=None, draws=0, seed=method.seed,
                  block_days=method.block_days, blocks=0, coverage=0.0)
    if len(years) < method.min_years or m == 0:
        return Probability(None, **common, note=gettext_noop("没有往年同期数据，无法估算达标概率"))
    # per block and year: sum and number of valid values
    starts = list(range(0, m, method.block_days))
    sums: list[list[float]] = []
    counts: list[list[int]] = []
    covered = 0
    for a in starts:
        idx = range(a, min(a + method.block_days, m))
        row_s, row_c = [], []
        for y in years:
            vals = [history[y][i] for i in idx if history[y][i] is not None]
            if vals:
                row_s.append(float(sum(vals)))
                row_c.append(len(vals))
        sums.append(row_s)
        counts.append(row_c)
        covered += sum(1 for i in idx if any(history[y][i] is not None for y in years))
    blocks = [(s, c) for s, c in zip(sums, counts) if s]  # blocks no earlier year covers add nothing
    if not blocks:
        return Probability(None, **common, note=gettext_noop("往年同期没有有效数据，无法估算达标概率"))
    sizes = [len(s) for s, _ in blocks]
    combos = math.prod(sizes)
    if combos <= method.enumerate_up_to:
        choice = np.array(list(itertools.product(*[range(k) for k in sizes])), dtype=np.int64).reshape(combos, len(sizes))
        exact, draws = True, combos
    else:
        rng = np.random.default_rng(method.seed)
        choice = np.stack([rng.integers(0, k, size=method.draws) for k in sizes], axis=1)
        exact, draws = False, method.draws
    add_s = np.zeros(draws)
    add_c = np.zeros(draws, dtype=np.int64)
    for j, (s, c) in enumerate(blocks):
        add_s += np.asarray(s)[choice[:, j]]
        add_c += np.asarray(c, dtype=np.int64)[choice[:, j]]
    ok = _meets(kind, judging, float(to_fraction(so_far_total)), int(so_far_n), add_s, add_c)
    value = float(ok.mean())
    return Probability(value, exact, years, combos if combos <= 10 ** 15 else None, draws, method.seed,
                       method.block_days, len(starts), covered / m)


def _meets(kind: str, judging: Judging, total: float, n: int, add_s: np.ndarray, add_c: np.ndarray) -> np.ndarray:
    """Whether each resampled outcome meets the target, against the same boundary as the thresholds.
    Day counts (RATIO, COUNT) are compared in exact integer arithmetic, means in floating point."""
    b, inclusive = judging.boundary()
    if kind == rules.MEAN:
        denom = n + add_c
        stat = (total + add_s) / np.maximum(denom, 1)
        lhs, rhs = stat, float(b)
        has = denom > 0
    elif kind == rules.RATIO:  # 100·good/valid vs B = p/q  ⇔  100·good·q vs p·valid
        good = np.rint(total + add_s).astype(np.int64)
        valid = n + add_c
        lhs, rhs = 100 * good * b.denominator, b.numerator * valid
        has = valid > 0
    elif kind == rules.COUNT:
        lhs, rhs = np.rint(total + add_s).astype(np.int64) * b.denominator, b.numerator
        has = np.ones(len(add_s), dtype=bool)
    else:
        raise ValueError(kind)
    if judging.comparator == LE:
        ok = (lhs < rhs) | ((lhs == rhs) & inclusive)
    else:
        ok = (lhs > rhs) | ((lhs == rhs) & inclusive)
    return ok & has
