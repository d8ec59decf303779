"""Reading a town-boundary GeoJSON upload: every refusal located (feature, property, reason), nothing taken
when anything is wrong; GCJ-02 files converted."""
from __future__ import annotations

import json

import pytest
from shapely.geometry import box, shape

from envgov.geo import boundary_file as bf
from envgov.geo.gcj02 import wgs84_to_gcj02

TOWNS = [bf.TownRef(1, "110112104000", ("宋庄镇", "宋庄镇")),
         bf.TownRef(2, "110112105000", ("张家湾镇", "张家湾镇")),
         bf.TownRef(3, "110112001000", ("中仓街道", "中仓街道办事处"))]
DISTRICT = box(116.5, 39.6, 117.0, 40.1)


def square(lon: float, lat: float, d: float = 0.01) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d],
                                                 [lon, lat]]]}


def feature(props: dict, geom: dict | None) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geom}


def read(features, crs="wgs84", **kw):  # noqa: ANN001, ANN201
    raw = json.dumps({"type": "FeatureCollection", "features": features}).encode() \
        if isinstance(features, list) else features
    return bf.read_boundaries(raw, crs=crs, towns=TOWNS, district=DISTRICT, **kw)


def located(reading):  # noqa: ANN001, ANN201
    return [(e.feature, e.prop, e.template % dict(e.values) if e.values else e.template) for e in reading.errors]


def test_a_good_file_by_code_by_nine_digit_code_and_by_official_name():
    r = read([feature({"code": "110112104000"}, square(116.70, 39.90)),
              feature({"code": "110112105"}, square(116.72, 39.85)),
              feature({"name": "中仓街道办事处"}, square(116.65, 39.90))])
    assert r.errors == []
    assert set(r.boundaries) == {1, 2, 3}
    assert shape(r.boundaries[1]).bounds == pytest.approx((116.70, 39.90, 116.71, 39.91))


def test_a_gcj02_file_is_stored_in_wgs84():
    wgs = square(116.70, 39.90)
    gcj = {"type": "Polygon", "coordinates": [[list(wgs84_to_gcj02(x, y)) for x, y in wgs["coordinates"][0]]]}
    r = read([feature({"code": "110112104000"}, gcj)], crs="gcj02")
    assert r.errors == []
    assert shape(r.boundaries[1]).bounds == pytest.approx((116.70, 39.90, 116.71, 39.91), abs=2e-6)
    plain = read([feature({"code": "110112104000"}, gcj)], crs="wgs84")  # the same file taken as WGS84
    assert shape(plain.boundaries[1]).bounds[0] > 116.705  # ~500 m east: the offset the user must choose away


@pytest.mark.parametrize("raw, reason", [
    (b"\xff\xfe{", "文件不是 UTF-8 编码的文本"),
    (b'{"type": "FeatureCollection",\n "features": [', "文件不是有效的 GeoJSON（JSON 格式错误，第 2 行）"),
    (b'{"type": "Polygon", "coordinates": []}', "文件须为 GeoJSON FeatureCollection（要素集合）"),
    (b'{"type": "FeatureCollection", "features": []}', "文件中没有要素"),
])
def test_the_file_as_a_whole_is_refused(raw, reason):
    r = read(raw)
    assert located(r) == [(None, "", reason)] and r.boundaries == {}


def test_an_unknown_crs_is_refused():
    assert located(read([], crs="bd09")) == [(None, "", "请选择坐标系（WGS84 或 GCJ-02）")]


def test_a_file_too_large_is_refused():
    assert located(read(b" " * (2 * 1024 * 1024 + 1), max_bytes=2 * 1024 * 1024)) == [
        (None, "", "文件过大（上限 2 MB）")]


def test_every_bad_feature_is_located_and_nothing_is_taken():
    r = read([
        feature({"code": "110112104000"}, square(116.70, 39.90)),  # 1: good
        feature({"code": "110109001000"}, square(116.10, 39.90)),  # 2: 门头沟's 大峪街道
        feature({"name": "永乐店镇"}, square(116.79, 39.70)),  # 3: not a town of this district (in this list)
        feature({"note": "无名"}, square(116.60, 39.80)),  # 4: neither code nor name
        feature({"name": "宋庄镇"}, square(116.75, 39.95)),  # 5: the same town as 1
        feature({"code": "110112105000"}, {"type": "Point", "coordinates": [116.7, 39.8]}),  # 6
        "not a feature",  # 7
    ])
    assert located(r) == [
        (2, "code", "区划代码“110109001000”不是本区的街乡镇"),
        (3, "name", "名称“永乐店镇”不是本区的街乡镇"),
        (4, "properties", "缺少区划代码或名称属性（code / name）"),
        (5, "name", "与第 1 个要素是同一个街乡镇"),
        (6, "geometry", "几何类型须为 Polygon 或 MultiPolygon，实为 Point"),
        (7, "type", "不是 GeoJSON 要素（Feature）"),
    ]
    assert r.boundaries == {}


def test_coordinates_swapped_or_out_of_range_or_elsewhere():
    swapped = {"type": "Polygon", "coordinates": [[[y, x] for x, y in square(116.7, 39.9)["coordinates"][0]]]}
    metres = {"type": "Polygon", "coordinates": [[[450000, 4400000], [451000, 4400000], [451000, 4401000],
                                                  [450000, 4400000]]]}
    r = read([feature({"code": "110112104000"}, swapped), feature({"code": "110112105000"}, metres),
              feature({"code": "110112001000"}, square(121.4, 31.2))])
    assert located(r) == [
        (1, "geometry", "坐标须为经度、纬度（度），且在有效范围内"),  # latitude 116 is out of range
        (2, "geometry", "坐标须为经度、纬度（度），且在有效范围内"),  # projected metres
        (3, "geometry", "边界不在本区范围内（请检查坐标系和经纬度顺序）"),  # Shanghai
    ]


def test_an_unclosed_or_degenerate_ring_is_refused():
    open_ring = {"type": "Polygon", "coordinates": [[[116.7, 39.9], [116.71, 39.9], [116.71, 39.91]]]}
    flat = {"type": "Polygon", "coordinates": [[[116.7, 39.9], [116.71, 39.9], [116.72, 39.9], [116.7, 39.9]]]}
    r = read([feature({"code": "110112104000"}, open_ring), feature({"code": "110112105000"}, flat)])
    assert located(r) == [(1, "geometry", "几何无法读取（环须闭合且至少 4 个点）"), (2, "geometry", "面积为零")]


def test_two_towns_claiming_the_same_ground_are_refused():
    r = read([feature({"code": "110112104000"}, square(116.70, 39.90)),
              feature({"code": "110112105000"}, square(116.705, 39.90))])  # half of it over town 1
    assert located(r) == [(2, "geometry", "与第 1 个要素的边界大面积重叠")]
    touching = read([feature({"code": "110112104000"}, square(116.70, 39.90)),
                     feature({"code": "110112105000"}, square(116.71, 39.90))])  # shares an edge only
    assert touching.errors == []
