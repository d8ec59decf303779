"""GCJ-02 ↔ WGS84 against published point pairs.

The pairs are the test vectors of googollee/eviltransform (go/transform_test.go, `TESTS`: wgsLat, wgsLng, gcjLat,
gcjLng), repeated in the project's Python, PHP and Java tests and in wandergis/coordtransform's tests; they
were produced by that project's reference implementation, not by ours."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

import envgov.demo
from envgov.geo.gcj02 import gcj02_to_wgs84, map_coordinates, out_of_china, wgs84_to_gcj02

PUBLISHED = [  # (wgs lon, wgs lat, gcj lon, gcj lat)
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # beijing
]


@pytest.mark.parametrize("w_lon, w_lat, g_lon, g_lat", PUBLISHED)
def test_forward_matches_the_published_pair(w_lon, w_lat, g_lon, g_lat):
    lon, lat = wgs84_to_gcj02(w_lon, w_lat)
    assert lon == pytest.approx(g_lon, abs=1e-9)
    assert lat == pytest.approx(g_lat, abs=1e-9)


@pytest.mark.parametrize("w_lon, w_lat, g_lon, g_lat", PUBLISHED)
def test_inverse_recovers_the_published_wgs84_point(w_lon, w_lat, g_lon, g_lat):
    lon, lat = gcj02_to_wgs84(g_lon, g_lat)
    assert lon == pytest.approx(w_lon, abs=1e-8)  # 1e-8° is about 1 mm
    assert lat == pytest.approx(w_lat, abs=1e-8)


def test_the_beijing_offset_is_the_known_size():
    """GCJ-02 moves Beijing by several hundred metres (PROVENANCE: about 500–600 m): the inverse really moves."""
    lon, _lat = gcj02_to_wgs84(116.38404722455657, 39.91334545536069)
    assert 0.005 < 116.38404722455657 - lon < 0.008


def test_outside_china_nothing_moves():
    assert wgs84_to_gcj02(2.3522, 48.8566) == (2.3522, 48.8566)  # Paris
    assert gcj02_to_wgs84(2.3522, 48.8566) == (2.3522, 48.8566)
    assert out_of_china(2.3522, 48.8566) and not out_of_china(116.4, 39.9)


def test_agrees_with_the_town_list_wgs84_columns():
    """The official town list carries GCJ-02 centres and WGS84 columns derived (by the data's maintainers, see
    shared/data PROVENANCE) with the same inverse, rounded to 6 decimals."""
    rows = list(csv.DictReader((Path(envgov.demo.__file__).with_name("data") / "tongzhou_towns.csv")
                               .open(encoding="utf-8")))
    assert len(rows) == 15
    for r in rows:
        lon, lat = gcj02_to_wgs84(float(r["lon_gcj02"]), float(r["lat_gcj02"]))
        assert abs(lon - float(r["lon_wgs84"])) <= 1.5e-6 and abs(lat - float(r["lat_wgs84"])) <= 1.5e-6, r


def test_map_coordinates_walks_nested_rings_and_drops_altitude():
    geom = {"type": "Polygon", "coordinates": [[[0, 0, 5], [1, 0, 5], [1, 1, 5], [0, 0, 5]]]}
    out = map_coordinates(geom, lambda x, y: (x + 1, y * 2))
    assert out == {"type": "Polygon", "coordinates": [[[1, 0], [2, 0], [2, 2], [1, 0]]]}
