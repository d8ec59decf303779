"""Approximate town areas (Voronoi cells clipped to the district) and point-in-polygon placement."""
from __future__ import annotations

import csv
import itertools
import json
import math
from pathlib import Path

import shapely
from shapely.geometry import Point, box

import envgov.demo
from envgov.geo.towns import as_area, derive_cells, mapping, place

DATA = Path(envgov.demo.__file__).with_name("data")


def _tongzhou():
    collection = json.loads((DATA / "tongzhou_district_wgs84.geojson").read_text(encoding="utf-8"))
    district = as_area(collection["features"][0]["geometry"])
    rows = list(csv.DictReader((DATA / "tongzhou_towns.csv").open(encoding="utf-8")))
    centres = {r["town_code_12"]: (float(r["lon_wgs84"]), float(r["lat_wgs84"])) for r in rows}
    return district, centres


def _plane(g, lat0):  # noqa: ANN001, ANN202
    """Equirectangular at lat0: areas proportional to true areas over a district this size."""
    k = math.cos(math.radians(lat0))
    return shapely.transform(g, lambda c: c * [k, 1.0])


def test_tongzhou_cells_cover_the_district_without_overlap():
    district, centres = _tongzhou()
    result = derive_cells(district, centres)
    assert result.outside == [] and set(result.cells) == set(centres)  # all 15 official centres are inside
    lat0 = district.centroid.y
    d_area = _plane(district, lat0).area
    areas = {k: _plane(c, lat0).area for k, c in result.cells.items()}
    assert abs(sum(areas.values()) - d_area) <= 0.005 * d_area
    union = shapely.union_all(list(result.cells.values()))
    assert district.difference(union).area <= 0.005 * district.area  # no hole
    for (ka, a), (kb, b) in itertools.combinations(result.cells.items(), 2):
        assert a.intersection(b).area <= 1e-6 * district.area, (ka, kb)
    for key, cell in result.cells.items():
        assert cell.covers(Point(centres[key])), key


def test_the_stored_mapping_keeps_the_partition():
    """What is stored is rounded to 6 decimals; the stored cells still sum to the district within 0.5 %."""
    district, centres = _tongzhou()
    stored = [as_area(mapping(c)) for c in derive_cells(district, centres).cells.values()]
    assert abs(sum(c.area for c in stored) - district.area) <= 0.005 * district.area
    assert json.loads(json.dumps(mapping(stored[0])))["type"] in ("Polygon", "MultiPolygon")


def test_two_centres_split_a_rectangle_at_the_bisector():
    """By hand: centres (0.5, 0.5) and (1.5, 0.5) in the rectangle [0, 2] × [0, 1] split it at x = 1."""
    result = derive_cells(box(0, 0, 2, 1), {"w": (0.5, 0.5), "e": (1.5, 0.5)})
    assert result.cells["w"].equals_exact(box(0, 0, 1, 1).normalize(), 1e-9) or \
        abs(result.cells["w"].symmetric_difference(box(0, 0, 1, 1)).area) < 1e-9
    assert abs(result.cells["e"].symmetric_difference(box(1, 0, 2, 1)).area) < 1e-9


def test_the_bisector_is_measured_in_metres_not_degrees():
    """At 60° N a degree of longitude is half as long as a degree of latitude (cos 60° = 0.5). Centres
    w (0, 60) and e (1, 60.5); the point (0.2, 60.45), by hand, in the metric plane (0.5·lon, lat):
    to w 0.1² + 0.45² = 0.2125, to e 0.4² + 0.05² = 0.1625 → e. In raw degrees it would be
    0.2² + 0.45² = 0.2425 against 0.8² + 0.05² = 0.6425 → w. Only the metric version puts it in e."""
    result = derive_cells(box(-1, 59.5, 2, 61), {"w": (0.0, 60.0), "e": (1.0, 60.5)})
    assert result.cells["e"].contains(Point(0.2, 60.45))
    assert result.cells["w"].contains(Point(0.0, 59.6))


def test_a_centre_outside_the_district_gets_no_cell():
    result = derive_cells(box(0, 0, 1, 1), {"in": (0.5, 0.5), "out": (3.0, 3.0)})
    assert result.outside == ["out"]
    assert abs(result.cells["in"].area - 1.0) < 1e-12


def test_place_points_in_areas():
    areas = {"a": box(0, 0, 1, 1), "b": box(1, 0, 2, 1)}
    got = place({"s1": (0.5, 0.5), "s2": (1.5, 0.2), "s3": (5.0, 5.0), "edge": (1.0, 0.5)}, areas)
    assert got == {"s1": "a", "s2": "b", "s3": None, "edge": "a"}  # on the shared border: the first area


def test_an_invalid_polygon_is_repaired_before_use():
    """A self-intersecting ring (a bow tie, the defect of DataV's 顺义区) is made valid, keeping both lobes."""
    bow = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}
    area = as_area(bow)
    assert area.is_valid and abs(area.area - 2.0) < 1e-12  # two triangles of area 1
