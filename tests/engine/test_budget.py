"""Remaining-year allowances, worked by hand."""
from envgov.engine.budget import good_days_budget, heavy_days_budget, mean_budget


def test_mean_budget():
    # 100 days at 40 µg/m³, target 35 over 365 days: (35·365 − 40·100) / 265 = 33.113…
    b = mean_budget(40.0, 100, 35.0, 265)
    assert b.reachable and abs(b.allowance - 33.1132) < 1e-3 and "33.1" in b.explanation
    assert not mean_budget(200.0, 300, 35.0, 65).reachable  # 35·365 < 200·300


def test_good_days_budget():
    # 78 % of 365 = 284.7 → 285 good days; 200 so far of 250 valid → 85 of the remaining 115
    b = good_days_budget(200, 250, 78.0, 115)
    assert b.reachable and b.allowance == 85
    assert not good_days_budget(100, 250, 78.0, 115).reachable


def test_heavy_days_budget():
    assert heavy_days_budget(3, 4).allowance == 1
    assert not heavy_days_budget(5, 4).reachable
