"""Special transfer fund allocation (envgov.rules.funds) and reduction sums (envgov.rules.reductions),
worked by hand."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from envgov.rules import funds, reductions as red

RULE = funds.RULES["factor-share"]
WEIGHTS = {"pm25_improvement": "40", "good_day_improvement": "20", "vocs_reduction": "20", "nox_reduction": "20"}
VALUES = {
    "甲镇": {"pm25_improvement": "3", "good_day_improvement": "2", "vocs_reduction": "10", "nox_reduction": "1"},
    "乙镇": {"pm25_improvement": "1", "good_day_improvement": "2", "vocs_reduction": "0", "nox_reduction": "2"},
    "丙镇": {"pm25_improvement": "-0.5", "good_day_improvement": "4", "vocs_reduction": "10", "nox_reduction": "0"},
}


def test_hand_worked_allocation():
    # by hand: PM2.5 counted 3, 1, 0 (丙 worsened → 0) of 4 → 3/4, 1/4, 0; good days 2, 2, 4 of 8 → 1/4, 1/4, 1/2;
    # VOCs 10, 0, 10 of 20 → 1/2, 0, 1/2; NOx 1, 2, 0 of 3 → 1/3, 2/3, 0
    # 甲 = .4×3/4 + .2×1/4 + .2×1/2 + .2×1/3 = 31/60; 乙 = .4/4 + .2/4 + .2×2/3 = 17/60; 丙 = .2/2 + .2/2 = 12/60
    # × 1 000 000 元 = 516 666.67, 283 333.33, 200 000 → floors add to 999 999; the remaining yuan to 甲 (.67)
    total = funds.total_yuan("100")
    assert total == 1_000_000
    weights = funds.clean_weights(RULE, WEIGHTS)
    a = funds.allocate(RULE, total, weights, VALUES)
    by = {line.town: line for line in a.lines}
    assert [by[t].share for t in ("甲镇", "乙镇", "丙镇")] == [Fraction(31, 60), Fraction(17, 60), Fraction(12, 60)]
    assert [by[t].amount_yuan for t in ("甲镇", "乙镇", "丙镇")] == [516_667, 283_333, 200_000]
    assert a.allocated_yuan == total
    assert by["甲镇"].remainder_yuan == 1 and by["乙镇"].remainder_yuan == 0
    text = by["丙镇"].reasoning(total)
    assert "PM2.5 浓度改善 -0.5μg/m³（按 0 计）" in text and "分配比例 20.00%" in text and "分配 20 万元" in text
    assert "最大余数法加 1 元" in by["甲镇"].reasoning(total)
    assert a.to_dict()["lines"][0]["amount_wan"] == "51.6667"


def test_weights_are_user_set_without_default():
    with pytest.raises(funds.AllocationError) as exc:
        funds.clean_weights(RULE, {"pm25_improvement": "50"})
    assert len(exc.value.reasons) == 3 and "平台不设默认值" in str(exc.value)
    with pytest.raises(funds.AllocationError, match="之和应为 100%，现为 90%"):
        funds.clean_weights(RULE, {**WEIGHTS, "pm25_improvement": "30"})
    with pytest.raises(funds.AllocationError, match="0～100"):
        funds.clean_weights(RULE, {**WEIGHTS, "nox_reduction": "abc"})


def test_zero_weight_factor_needs_no_values_and_all_negative_is_refused():
    weights = funds.clean_weights(RULE, {"pm25_improvement": "100", "good_day_improvement": "0",
                                         "vocs_reduction": "0", "nox_reduction": "0"})
    a = funds.allocate(RULE, 300, weights, {"甲": {"pm25_improvement": "1"}, "乙": {"pm25_improvement": "2"}})
    assert [x.amount_yuan for x in a.lines] == [100, 200]
    with pytest.raises(funds.AllocationError, match="均不大于 0"):
        funds.allocate(RULE, 300, weights, {"甲": {"pm25_improvement": "-1"}, "乙": {"pm25_improvement": "0"}})
    with pytest.raises(funds.AllocationError, match="乙：缺少"):
        funds.allocate(RULE, 300, weights, {"甲": {"pm25_improvement": "1"}, "乙": {}})


def test_total_in_wan_exact_to_the_yuan():
    assert funds.total_yuan("12.3456") == 123456
    for bad in ("0", "-1", "1.23456", "x"):
        with pytest.raises(ValueError):
            funds.total_yuan(bad)


def _c(code, stage, t):
    return red.Contribution(code, code, stage, Decimal(t), "emission_factor", "系数")


def test_reduction_judgement():
    met = red.judge(Decimal(100), [_c("A", red.COUNTED, "60"), _c("B", red.COUNTED, "40.5")])
    assert met.status == red.MET and met.achieved == Decimal("100.5")
    warn = red.judge(Decimal(100), [_c("A", red.COUNTED, "60"), _c("B", red.PENDING, "50"), _c("C", red.NOT_COUNTED, "99")])
    assert warn.status == red.WARN and warn.achieved == 60 and warn.pending == 50 and "差 40 吨" in warn.reason
    bad = red.judge(Decimal(100), [_c("A", red.COUNTED, "10"), _c("C", red.NOT_COUNTED, "99")])
    assert bad.status == red.NOT_MET and [c.project_code for c in bad.counted] == ["A"]
