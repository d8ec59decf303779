"""Key areas: the circle around a station, zones, the plan's site measures, the estimate arithmetic.

Expected values come from the plan's text (通州 2024 task 21) and from geometry worked by hand."""
from __future__ import annotations

import math

import pytest

from envgov.geo import areas
from envgov.rules import keyareas as ka


def test_metres_per_degree_at_the_equator_and_beijing():
    mx, my = areas.metres_per_degree(0.0)
    assert mx == pytest.approx(111_319.49, abs=0.1)  # a·π/180 on the equator
    assert my == pytest.approx(110_574.3, abs=0.5)  # meridian degree at 0°
    mx40, my40 = areas.metres_per_degree(40.0)
    assert mx40 == pytest.approx(85_394, rel=1e-3)  # published tables: 85.39 km at 40°
    assert my40 == pytest.approx(111_035, rel=1e-3)  # 111.04 km at 40°


def test_circle_of_the_plans_diameter_around_a_beijing_station():
    lon, lat = 116.66, 39.91  # near 通州 永乐店 — any Beijing point
    c = areas.circle(lon, lat, ka.DEFAULT_DIAMETER_M)
    assert ka.DEFAULT_DIAMETER_M == 1500.0
    assert c.is_valid and len(c.exterior.coords) == areas.SEGMENTS + 1
    mx, my = areas.metres_per_degree(lat)
    # every vertex 750 m from the centre; a point 740 m east is in, 760 m east is out
    for x, y in c.exterior.coords:
        assert areas.distance_m(lon, lat, x, y) == pytest.approx(750, abs=0.5)
    assert areas.contains(c, lon + 740 / mx, lat)
    assert not areas.contains(c, lon + 760 / mx, lat)
    assert areas.contains(c, lon, lat - 740 / my)
    assert not areas.contains(c, lon, lat - 760 / my)
    # area of the polygon close to π r² (chord loss of a 72-gon: sin(2π/72)·72/2π = 0.99873)
    area_m2 = c.area * mx * my
    assert area_m2 == pytest.approx(math.pi * 750**2 * 0.99873, rel=2e-3)


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_circle_refuses_a_diameter_that_is_no_length(bad):
    with pytest.raises(ValueError):
        areas.circle(116.6, 39.9, bad)


def test_drawn_polygon_without_area_is_refused():
    with pytest.raises(ValueError):
        areas.area_of({"type": "Polygon", "coordinates": [[[116, 39], [116.1, 39], [116, 39]]]})
    ok = areas.area_of({"type": "Polygon", "coordinates": [[[116, 39], [116.1, 39], [116.1, 39.1], [116, 39]]]})
    assert areas.contains(ok, 116.08, 39.05)


def test_zones_and_measures_follow_the_plan_text():
    assert ka.zone_of(True, True) == ka.STRICT
    assert ka.zone_of(False, True) == ka.STRICT  # a strict zone binds even past the circle's edge
    assert ka.zone_of(True, False) == ka.AREA
    assert ka.zone_of(False, False) is None
    assert ka.measures_for(None) == []
    strict = {m.code: s for m, s in ka.measures_for(ka.STRICT)}
    area = {m.code: s for m, s in ka.measures_for(ka.AREA)}
    # 严控区内各施工工地加装 4+2 米围挡 / 严控区外但处于重点区域内的 … 力争做到全覆盖
    assert strict["fence_4_2"] == ka.REQUIRED and area["fence_4_2"] == ka.URGED
    # 严控区内 … 喷淋设施并常态化开启 / 严控区外 … 积极推广使用环场喷淋
    assert strict["spray_full"] == ka.REQUIRED and area["spray_full"] == ka.URGED
    # 重点区域内各施工工地先试先行，采取新型、高效抑尘措施
    assert strict["dust_new"] == area["dust_new"] == ka.REQUIRED


def test_estimate_multiplies_and_compounds_the_missing_cuts():
    e = ka.estimate(2.0, 0.5, [0.5, 0.2])  # 1 t; missing cuts keep 0.5 × 0.8 = 0.4 → space 0.6 t
    assert e.emission_t == pytest.approx(1.0) and e.reduction_space_t == pytest.approx(0.6)
    assert e.reason == ka.MSG_ESTIMATE and e.values["space"] == "0.6"
    assert ka.estimate(2.0, None, []).emission_t is None
    assert ka.estimate(2.0, None, []).reason == ka.MSG_NO_FACTOR
    assert ka.estimate(None, 1.0, []).reason == ka.MSG_NO_ACTIVITY
    assert ka.estimate(3.0, 1.0, []).reduction_space_t == 0.0
    with pytest.raises(ValueError):
        ka.estimate(1.0, 1.0, [1.5])
    with pytest.raises(ValueError):
        ka.estimate(-1.0, 1.0, [])
