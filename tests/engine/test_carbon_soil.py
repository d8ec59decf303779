"""Carbon-intensity decline and soil safe-use rates: cases worked by hand from the formulas in other.md §3.3, §4.4."""
from __future__ import annotations

import pytest

from envgov.engine import carbon, soil


def test_intensity_and_decline_hand_worked():
    # 2020: 1000 t / 100 万元 = 10 t/万元; 2025: 900 / 120 = 7.5 → (1 − 7.5/10) × 100 = 25 %
    assert carbon.intensity(1000, 100) == 10
    assert carbon.decline(7.5, 10) == 25.0
    (r,) = carbon.evaluate({2020: (1000, 100), 2025: (900, 120)}, 2020, target=15, target_year=2025)
    assert (r.intensity, r.decline_vs_base, r.expected, r.status) == (7.5, 25.0, 15, "达标")
    assert r.explanation == ("2025 年碳排放强度 = 900 ÷ 120 = 7.5000 吨/万元；较 2020 年（10.0000 吨/万元）下降 "
                             "(1 − 7.5000 ÷ 10.0000) × 100 = 25.00%；目标到 2025 年下降 15%，本年应下降 15.00%（目标年），达标")


def test_target_exactly_met_and_missed():
    # 850 / 100 = 8.5 → exactly 15 % → 达标; 851 / 100 → 14.9 % → 未达标
    assert carbon.evaluate({2020: (1000, 100), 2025: (850, 100)}, 2020, 15, 2025)[0].status == "达标"
    assert carbon.evaluate({2020: (1000, 100), 2025: (851, 100)}, 2020, 15, 2025)[0].status == "未达标"


def test_single_year_and_cumulative():
    # intensities 10 → 9.5 → 9.025: annual 5 % and 5 %; cumulative 1 − 0.95² = 9.75 %, not 10 %
    rs = carbon.evaluate({2020: (1000, 100), 2021: (950, 100), 2022: (902.5, 100)}, 2020)
    assert [(r.year, r.annual_decline, r.decline_vs_base) for r in rs] == [(2021, 5.0, 5.0), (2022, 5.0, 9.75)]
    assert carbon.cumulative_from_annual([5, 5]) == 9.75
    assert carbon.cumulative_from_annual([3.2, 4.1, 2.5]) == pytest.approx((1 - 0.968 * 0.959 * 0.975) * 100)


def test_intermediate_year_needs_a_progress_rule():
    figs = {2020: (1000, 100), 2022: (940, 100)}  # 6 % after 2 of 5 years
    (r,) = carbon.evaluate(figs, 2020, 15, 2025)
    assert r.status == "" and "未设定进度规则" in r.explanation
    # linear: 15 × 2/5 = 6 % → 达标; geometric: 1 − 0.85^(2/5) = 6.29 % → 未达标
    assert carbon.evaluate(figs, 2020, 15, 2025, "linear")[0].status == "达标"
    g = carbon.evaluate(figs, 2020, 15, 2025, "geometric")[0]
    assert g.expected == pytest.approx((1 - 0.85 ** 0.4) * 100) and g.status == "未达标"


def test_carbon_bad_input():
    with pytest.raises(ValueError, match="地区生产总值应大于 0"):
        carbon.evaluate({2020: (1000, 0), 2021: (900, 100)}, 2020)
    with pytest.raises(ValueError, match="缺少基准年 2019"):
        carbon.evaluate({2020: (1000, 100)}, 2019)
    with pytest.raises(ValueError, match="进度规则"):
        carbon.evaluate({2020: (1000, 100)}, 2020, progress_rule="fast")


def test_farmland_safe_use_hand_worked():
    # (40 + 45 + 7) / 100 × 100 = 92 % against ≥ 92 % → 达标; against 95 % → 未达标
    r = soil.farmland_safe_use(40, 45, 7, 100, target=92)
    assert (r.rate, r.status) == (92.0, "达标")
    assert r.explanation == "受污染耕地安全利用率 = (40 + 45 + 7) ÷ 100 × 100 = 92.00%；目标 ≥ 92%，达标"
    assert soil.farmland_safe_use(40, 45, 7, 100, target=95).status == "未达标"
    assert soil.farmland_safe_use(40, 45, 7, 100).status == ""


def test_farmland_checks():
    with pytest.raises(ValueError, match="大于受污染耕地总面积"):
        soil.farmland_safe_use(60, 45, 7, 100)
    with pytest.raises(ValueError, match="大于轻微污染耕地面积"):
        soil.farmland_safe_use(40, 45, 7, 100, slight=30)
    with pytest.raises(ValueError, match="不能为负"):
        soil.farmland_safe_use(-1, 45, 7, 100)
    with pytest.raises(ValueError, match="为 0"):
        soil.farmland_safe_use(0, 0, 0, 0)


def test_construction_land_safe_use():
    # 19 of 20 reused plots met the requirements: 95 % against 100 % → 未达标
    r = soil.construction_safe_use(19, 20, target=100, basis="2024 年再开发利用的重点建设用地")
    assert (r.rate, r.status) == (95.0, "未达标")
    assert "口径：2024 年再开发利用的重点建设用地" in r.explanation and "未核实" in r.rule
    assert soil.construction_safe_use(20, 20, target=100).status == "达标"
    with pytest.raises(ValueError, match="大于再开发利用地块数"):
        soil.construction_safe_use(21, 20)
