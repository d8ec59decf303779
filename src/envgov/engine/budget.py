"""What the rest of the year still allows (抠0.1微克): from the figures so far and an annual target, the
largest mean, the fewest good days or the heavy-pollution days left that keep the target reachable.

The remaining days are assumed to be all valid (the best case a district can plan for); the HJ 663
annual mean is the mean of valid daily values, the good-day ratio good days / valid days.
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    reachable: bool
    allowance: float | int | None  # mean to stay under / good days needed / heavy days left
    explanation: str


def mean_budget(mean_so_far: float, days_so_far: int, target: float, days_remaining: int) -> Budget:
    """Largest mean of the remaining days that keeps the annual mean ≤ target."""
    if days_remaining <= 0:
        ok = mean_so_far <= target
        return Budget(ok, None, "全年已结束")
    allowed = (target * (days_so_far + days_remaining) - mean_so_far * days_so_far) / days_remaining
    if allowed < 0:
        return Budget(False, allowed, "即使剩余每天浓度为 0 也无法达标")
    return Budget(True, allowed, f"剩余 {days_remaining} 天平均浓度须不高于 {math.floor(allowed * 10) / 10:g}")


def good_days_budget(good_so_far: int, valid_so_far: int, target_pct: float, days_remaining: int) -> Budget:
    """Fewest good days among the remaining days that keeps the good-day ratio ≥ target."""
    total = valid_so_far + days_remaining
    needed = max(0, math.ceil(target_pct / 100 * total - good_so_far - 1e-9))
    if needed > days_remaining:
        return Budget(False, needed, f"剩余 {days_remaining} 天全部优良也无法达标")
    return Budget(True, needed, f"剩余 {days_remaining} 天中至少 {needed} 天须为优良")


def heavy_days_budget(heavy_so_far: int, cap: int) -> Budget:
    """Heavy-pollution days still allowed under a cap."""
    left = cap - heavy_so_far
    if left < 0:
        return Budget(False, left, f"已超出上限 {-left} 天")
    return Budget(True, left, f"全年剩余可有 {left} 天重污染")
