"""GB 3838-2002 Table 1 and the 评价办法 rules. Expected values are typed from the standard's table
(/work/shared/reference/water.md §1.2, read in the official scan) and hand-worked cases — never taken
from envgov.standards.water.tables."""
from __future__ import annotations

import math

import numpy as np
import pytest

from envgov.standards.water import (
    attained,
    classify,
    exceedance_multiple,
    item_class,
    parameters,
    primary_pollutants,
    proportion_rating,
    status,
    uses_proportion_method,
)

# GB 3838-2002 Table 1, "≤" items: class Ⅰ…Ⅴ limits (mg/L; faecal coliform 个/L), typed from the standard.
LE_ROWS = {
    "codmn": (2, 4, 6, 10, 15),
    "cod": (15, 15, 20, 30, 40),
    "bod5": (3, 3, 4, 6, 10),
    "nh3n": (0.15, 0.5, 1.0, 1.5, 2.0),
    "tp": (0.02, 0.1, 0.2, 0.3, 0.4),  # rivers
    "cu": (0.01, 1.0, 1.0, 1.0, 1.0),
    "zn": (0.05, 1.0, 1.0, 2.0, 2.0),
    "fluoride": (1.0, 1.0, 1.0, 1.5, 1.5),
    "se": (0.01, 0.01, 0.01, 0.02, 0.02),
    "as": (0.05, 0.05, 0.05, 0.1, 0.1),
    "hg": (0.00005, 0.00005, 0.0001, 0.001, 0.001),
    "cd": (0.001, 0.005, 0.005, 0.005, 0.01),
    "cr6": (0.01, 0.05, 0.05, 0.05, 0.1),
    "pb": (0.01, 0.01, 0.05, 0.05, 0.1),
    "cyanide": (0.005, 0.05, 0.2, 0.2, 0.2),
    "phenol": (0.002, 0.002, 0.005, 0.01, 0.1),
    "petroleum": (0.05, 0.05, 0.05, 0.5, 1.0),
    "las": (0.2, 0.2, 0.2, 0.3, 0.3),
    "sulfide": (0.05, 0.1, 0.2, 0.5, 1.0),
    "fecal_coliform": (200, 2000, 10000, 20000, 40000),
}
TP_LAKE = (0.01, 0.025, 0.05, 0.1, 0.2)
TN_LAKE = (0.2, 0.5, 1.0, 1.5, 2.0)
DO = (7.5, 6, 5, 3, 2)  # "≥"


def _boundary_cases(limits):
    """(value, expected class) at every limit: equal → the best class whose limit it meets; just above →
    the next class whose limit differs; above Ⅴ → 劣Ⅴ (6)."""
    cases = []
    for k, lim in enumerate(limits, start=1):
        best = min(j for j, l in enumerate(limits, start=1) if l >= lim)
        cases.append((lim, best))
        above = lim * (1 + 1e-9)
        nxt = next((j for j, l in enumerate(limits, start=1) if l >= above), 6)
        cases.append((above, nxt))
    cases.append((0.0, 1))
    return cases


@pytest.mark.parametrize("code", sorted(LE_ROWS))
def test_every_boundary_of_every_le_item(code):
    for value, expected in _boundary_cases(LE_ROWS[code]):
        assert item_class(code, [value], "river")[0] == expected, (code, value)


def test_equal_neighbouring_limits_take_the_best_class():
    # water.md §1.2 note: COD 14 → Ⅰ, Cu 0.5 → Ⅱ
    assert item_class("cod", [14], "river")[0] == 1
    assert item_class("cod", [15], "river")[0] == 1
    assert item_class("cod", [15.01], "river")[0] == 3
    assert item_class("cu", [0.5], "river")[0] == 2
    assert item_class("cu", [1.0], "river")[0] == 2
    assert item_class("cu", [1.01], "river")[0] == 6


def test_tp_river_versus_lake():
    for value, expected in _boundary_cases(TP_LAKE):
        assert item_class("tp", [value], "lake")[0] == expected, value
    # same value, different class: 0.05 is Ⅱ in a river, Ⅲ in a lake; 0.2 is Ⅲ vs Ⅴ; 0.3 is Ⅳ vs 劣Ⅴ
    assert list(item_class("tp", [0.05, 0.2, 0.3], "river")) == [2, 3, 4]
    assert list(item_class("tp", [0.05, 0.2, 0.3], "lake")) == [3, 5, 6]
    # a per-row kind array
    assert list(item_class("tp", [0.05, 0.05], np.array([False, True]))) == [2, 3]


def test_tn_lakes_only_and_not_counted_by_default():
    for value, expected in _boundary_cases(TN_LAKE):
        assert item_class("tn", [value], "lake")[0] == expected, value
    assert item_class("tn", [3.0], "river")[0] == 0  # the row applies to lakes/reservoirs only
    # 评价办法: TN is a reference item, not one of the 21
    assert classify({"tn": 3.0, "codmn": 1.0}, "lake").cls == 1
    with parameters.using({"lake_tn_counts": True}):
        assert classify({"tn": 3.0, "codmn": 1.0}, "lake").cls == 6
        assert classify({"tn": 3.0, "codmn": 1.0}, "river").cls == 1


def test_do_reversed_direction():
    # "≥": equal to the limit meets it; a lower value is worse
    assert list(item_class("do", [7.5, 7.49, 6, 5.99, 5, 4.99, 3, 2.99, 2, 1.99, 12], "river")) == \
        [1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 1]
    # class Ⅰ also at ≥ 90 % saturation ("饱和率 90%（或 7.5）")
    assert item_class("do", [7.0], "river", do_saturation=[90.0])[0] == 1
    assert item_class("do", [7.0], "river", do_saturation=[89.9])[0] == 2


def test_ph_is_a_range_not_a_scale():
    assert list(item_class("ph", [6.0, 7.5, 9.0, 5.99, 9.01], "river")) == [1, 1, 1, 6, 6]
    # pH inside 6–9 never makes a sample worse than its other items
    assert classify({"ph": 9.0, "codmn": 5}).cls == 3


def test_missing_values_and_water_temperature():
    assert item_class("codmn", [float("nan")], "river")[0] == 0
    assert item_class("temp", [30.0], "river")[0] == 0  # a rule, not a class scale
    assert classify({}).cls == 0
    assert classify({"temp": 20, "tn": 5, "fecal_coliform": 99999}).cls == 0  # reference items only


def test_single_factor_worst_item():
    r = classify({"ph": 7.8, "do": 6.5, "codmn": 3.2, "nh3n": 0.6, "tp": 0.12})
    assert r.items == {"ph": 1, "do": 2, "codmn": 2, "nh3n": 3, "tp": 3}
    assert r.cls == 3 and r.label == "Ⅲ" and r.status == "良好"
    assert classify({"nh3n": 2.01}).label == "劣Ⅴ"
    # faecal coliform is excluded from the class (reference item)
    assert classify({"codmn": 1.0, "fecal_coliform": 50000}).cls == 1


def test_status_words():
    assert [status(c) for c in (1, 2, 3, 4, 5, 6)] == ["优", "优", "良好", "轻度污染", "中度污染", "重度污染"]


def test_exceedance_multiple_against_class_iii():
    # (C − S_III) / S_III: TP river S_III = 0.2 → 0.5 gives 1.5; NH3-N S_III = 1.0 → 1.8 gives 0.8
    assert math.isclose(exceedance_multiple("tp", [0.5], "river")[0], 1.5)
    assert math.isclose(exceedance_multiple("tp", [0.5], "lake")[0], 9.0)  # lake S_III = 0.05
    assert math.isclose(exceedance_multiple("nh3n", [1.8], "river")[0], 0.8)
    assert exceedance_multiple("nh3n", [0.9], "river")[0] == 0.0
    for code in ("do", "ph", "temp"):  # not computed
        assert math.isnan(exceedance_multiple(code, [1.0], "river")[0])
    # against a target class (GB 3838 §5): NH3-N 1.8 against class Ⅱ (0.5) → 2.6
    assert math.isclose(exceedance_multiple("nh3n", [1.8], "river", basis_class=2)[0], 2.6)


def test_primary_pollutants():
    assert primary_pollutants({"codmn": 5.0, "nh3n": 0.9}) == []  # class Ⅲ: none
    # class Ⅴ CODMn 12 (1.0), Ⅴ NH3-N 1.8 (0.8), 劣Ⅴ TP 0.45 (1.25 → 1.2), Pb 0.06 class Ⅴ (0.2) heavy metal
    out = primary_pollutants({"codmn": 12, "nh3n": 1.8, "tp": 0.45, "pb": 0.06, "do": 2.5})
    assert out == ["铅(0.2)", "总磷(1.2)", "高锰酸盐指数(1.0)"]
    with parameters.using({"heavy_metals_first": "named"}):
        assert primary_pollutants({"hg": 0.0009, "codmn": 14})[0] == "高锰酸盐指数(1.3)"
    # DO is named without a multiple
    assert primary_pollutants({"do": 1.0, "codmn": 7}) == ["溶解氧", "高锰酸盐指数(0.2)"]


def test_attainment():
    assert attained(3, 3) is True and attained(4, 3) is False
    assert attained(0, 3) is None and attained(2, None) is None


def test_proportion_method():
    # 10 sections: 9 × Ⅲ or better → 90 % → 优
    assert proportion_rating([1] * 9 + [6]).status == "优"
    assert proportion_rating([2] * 8 + [4, 4]).status == "良好"  # 80 %
    assert proportion_rating([3] * 7 + [4, 4, 4]).status == "轻度污染"  # 70 %, 劣Ⅴ 0 %
    assert proportion_rating([3] * 7 + [4, 6, 6]).status == "中度污染"  # 劣Ⅴ 20 %
    assert proportion_rating([3] * 6 + [6] * 4).status == "重度污染"  # 劣Ⅴ 40 %
    r = proportion_rating([3, 3, 4, 0])  # not-assessed sections left out
    assert r.sections == 3 and math.isclose(r.share_good, 200 / 3)


def test_proportion_threshold_is_a_parameter():
    assert uses_proportion_method(5) and not uses_proportion_method(4)
    with parameters.using({"proportion_min_sections": 6}):
        assert not uses_proportion_method(5)
    with pytest.raises(ValueError):
        parameters.clean({"proportion_min_sections": "x"})
    with pytest.raises(ValueError):
        parameters.clean({"nope": 1})


def test_documents_are_cited():
    from envgov.standards.water import ASSESSMENT_METHOD, GB3838

    assert GB3838.id == "GB 3838-2002" and str(GB3838.effective_from) == "2002-06-01"
    assert ASSESSMENT_METHOD.id == "环办〔2011〕22号"
    assert all(p["confidence"] == "unconfirmed" for p in parameters.provenance())


def test_status_change_between_periods():
    from envgov.standards.water import status_change

    assert status_change("良好", "良好") == "无明显变化"
    assert status_change("良好", "优") == "有所好转"
    assert status_change("轻度污染", "优") == "明显好转"
    assert status_change("优", "中度污染") == "明显变差"
    with pytest.raises(ValueError):
        status_change("优", "很好")
