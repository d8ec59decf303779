"""HJ 192-2015 as data: weights, grade boundaries and ΔEI bands typed from other.md §2.1."""
from __future__ import annotations

import pytest

from envgov.engine.ecology import change_grade, grade
from envgov.standards import ecology


def test_weights_from_the_formula():
    w = {c.key: (c.weight, c.inverted) for c in ecology.COMPONENTS}
    assert w == {"biological_abundance": (0.35, False), "vegetation_cover": (0.25, False),
                 "water_network_density": (0.15, False), "land_stress": (0.15, True), "pollution_load": (0.10, True)}


@pytest.mark.parametrize(("ei", "word"), [
    (100, "优"), (75, "优"), (74.99, "良"), (55, "良"), (54.99, "一般"), (35, "一般"), (34.99, "较差"),
    (20, "较差"), (19.99, "差"), (0, "差"),
])
def test_grade_boundaries(ei, word):
    # 优 EI ≥ 75; 良 55 ≤ EI < 75; 一般 35 ≤ EI < 55; 较差 20 ≤ EI < 35; 差 EI < 20
    assert grade(ei) == word


@pytest.mark.parametrize(("delta", "band", "direction"), [
    (0, "无明显变化", ""), (0.99, "无明显变化", ""), (-0.99, "无明显变化", ""),
    (1, "略微变化", "变好"), (-1, "略微变化", "变差"), (2.99, "略微变化", "变好"),
    (3, "明显变化", "变好"), (-7.99, "明显变化", "变差"),
    (8, "显著变化", "变好"), (-8, "显著变化", "变差"), (20, "显著变化", "变好"),
])
def test_change_bands(delta, band, direction):
    # |ΔEI| < 1 无明显变化; 1 ≤ |ΔEI| < 3 略微; 3 ≤ |ΔEI| < 8 明显; ≥ 8 显著; > 0 变好
    assert change_grade(delta) == (band, direction)


def test_boundary_after_float_arithmetic():
    # sums of decimals that are 1 or 3 on paper land a hair below or above in binary
    assert 0.7 + 0.1 + 0.1 + 0.1 < 1
    assert change_grade(0.7 + 0.1 + 0.1 + 0.1)[0] == "略微变化"
    assert change_grade(3 * 0.1 * 10)[0] == "明显变化"
    assert 0.1 * 3 * 10 != 3  # the case the noise removal is for


def test_document_and_coefficients():
    assert ecology.HJ192.id == "HJ 192-2015" and str(ecology.HJ192.effective_from) == "2015-03-13"
    coeff = {c.key: c.value for c in ecology.COEFFICIENTS}
    assert coeff["A_bio"] == 511.2642131067 and coeff["A_SOL"] == 0.0749894283
    assert coeff["A_veg"] is None  # not found in the reference: never invented
