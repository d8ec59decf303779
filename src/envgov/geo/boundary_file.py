"""Reading a town-boundary GeoJSON upload: check every feature, match it to a town by code or name, convert
GCJ-02 to WGS84 when the user says the file is in GCJ-02. All or nothing: any error and nothing is taken;
every error names the feature (1-based, as a person counts), the property and the reason.

Messages are msgids (Chinese) marked with gettext_noop; the Django side translates `template % values`.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from envgov.catalogue import gettext_noop
from envgov.geo.gcj02 import gcj02_to_wgs84, map_coordinates
from envgov.geo.towns import as_area, mapping

WGS84 = "wgs84"
GCJ02 = "gcj02"
CODE_KEYS = ("code", "town_code", "town_code_12", "adcode", "区划代码")
NAME_KEYS = ("name", "town_name", "town_name_official", "名称")
MAX_OVERLAP = 0.01  # of the smaller of two features' areas; more is two towns claiming the same ground
DECIMALS = 6  # about 0.1 m; the stored geometry is rounded to this


@dataclass(frozen=True)
class TownRef:
    key: Hashable
    code: str
    names: tuple[str, ...]  # short and official name


@dataclass(frozen=True)
class FileError:
    feature: int | None  # 1-based; None for the file as a whole
    prop: str  # the property or part of the feature ("geometry", "code"…), "" for the file
    template: str
    values: tuple[tuple[str, object], ...] = ()


@dataclass
class Reading:
    boundaries: dict[Hashable, dict] = field(default_factory=dict)  # town key → GeoJSON geometry (WGS84)
    errors: list[FileError] = field(default_factory=list)


def _err(out: Reading, feature: int | None, prop: str, template: str, **values: object) -> None:
    out.errors.append(FileError(feature, prop, template, tuple(values.items())))


def _numbers_ok(c) -> bool:  # noqa: ANN001
    if c and isinstance(c[0], (int, float)) and not isinstance(c[0], bool):
        return len(c) >= 2 and all(isinstance(v, (int, float)) and math.isfinite(v) for v in c[:2]) \
            and -180 <= c[0] <= 180 and -90 <= c[1] <= 90
    return isinstance(c, list) and bool(c) and all(isinstance(x, list) and _numbers_ok(x) for x in c)


def _rings_closed(geometry: dict) -> bool:
    """RFC 7946 §3.1.6: a linear ring has at least four positions and its first and last are the same."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    if not isinstance(polygons, list) or not polygons:
        return False
    for rings in polygons:
        if not isinstance(rings, list) or not rings:
            return False
        for ring in rings:
            if not isinstance(ring, list) or len(ring) < 4 or ring[0][:2] != ring[-1][:2]:
                return False
    return True


def _round(geometry: dict) -> dict:
    return map_coordinates(geometry, lambda x, y: (round(x, DECIMALS), round(y, DECIMALS)))


def _code(value: object) -> str:
    s = str(value).strip()
    return s + "000" if re.fullmatch(r"\d{9}", s) else s  # the 9-digit 乡级 code is the 12-digit one less 000


def read_boundaries(raw: bytes, *, crs: str, towns: Sequence[TownRef],
                    district: BaseGeometry | None = None, max_bytes: int | None = None) -> Reading:
    out = Reading()
    if max_bytes is not None and len(raw) > max_bytes:
        _err(out, None, "", gettext_noop("文件过大（上限 %(mb)s MB）"), mb=max_bytes // (1024 * 1024))
        return out
    if crs not in (WGS84, GCJ02):
        _err(out, None, "", gettext_noop("请选择坐标系（WGS84 或 GCJ-02）"))
        return out
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        _err(out, None, "", gettext_noop("文件不是 UTF-8 编码的文本"))
        return out
    except ValueError as exc:
        _err(out, None, "", gettext_noop("文件不是有效的 GeoJSON（JSON 格式错误，第 %(line)s 行）"),
             line=getattr(exc, "lineno", "?"))
        return out
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        _err(out, None, "", gettext_noop("文件须为 GeoJSON FeatureCollection（要素集合）"))
        return out
    if not data["features"]:
        _err(out, None, "", gettext_noop("文件中没有要素"))
        return out
    by_code = {t.code: t for t in towns}
    by_name: dict[str, TownRef] = {}
    for t in towns:
        for n in t.names:
            if n:
                by_name.setdefault(n, t)
    taken: dict[Hashable, int] = {}
    shapes: list[tuple[int, BaseGeometry]] = []
    for i, feat in enumerate(data["features"], start=1):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            _err(out, i, "type", gettext_noop("不是 GeoJSON 要素（Feature）"))
            continue
        props = feat.get("properties") if isinstance(feat.get("properties"), dict) else {}
        code_key = next((k for k in CODE_KEYS if props.get(k) not in (None, "")), None)
        name_key = next((k for k in NAME_KEYS if props.get(k) not in (None, "")), None)
        town = None
        if code_key:
            town = by_code.get(_code(props[code_key]))
            if town is None:
                _err(out, i, code_key, gettext_noop("区划代码“%(code)s”不是本区的街乡镇"), code=props[code_key])
                continue
        elif name_key:
            town = by_name.get(str(props[name_key]).strip())
            if town is None:
                _err(out, i, name_key, gettext_noop("名称“%(name)s”不是本区的街乡镇"), name=props[name_key])
                continue
        else:
            _err(out, i, "properties", gettext_noop("缺少区划代码或名称属性（code / name）"))
            continue
        if town.key in taken:
            _err(out, i, code_key or name_key or "", gettext_noop("与第 %(other)s 个要素是同一个街乡镇"),
                 other=taken[town.key])
            continue
        taken[town.key] = i
        geom = feat.get("geometry")
        if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            _err(out, i, "geometry", gettext_noop("几何类型须为 Polygon 或 MultiPolygon，实为 %(kind)s"),
                 kind=(geom or {}).get("type", "—") if isinstance(geom, dict) else "—")
            continue
        if not _numbers_ok(geom.get("coordinates")):
            _err(out, i, "geometry", gettext_noop("坐标须为经度、纬度（度），且在有效范围内"))
            continue
        if not _rings_closed(geom):
            _err(out, i, "geometry", gettext_noop("几何无法读取（环须闭合且至少 4 个点）"))
            continue
        if crs == GCJ02:
            geom = map_coordinates(geom, gcj02_to_wgs84)
        try:
            poly = as_area(shape(_round(geom)))
        except (ValueError, TypeError, shapely.errors.ShapelyError):
            _err(out, i, "geometry", gettext_noop("几何无法读取（环须闭合且至少 4 个点）"))
            continue
        if poly.is_empty or poly.area == 0:
            _err(out, i, "geometry", gettext_noop("面积为零"))
            continue
        if district is not None and not poly.intersects(district):
            _err(out, i, "geometry", gettext_noop("边界不在本区范围内（请检查坐标系和经纬度顺序）"))
            continue
        shapes.append((i, poly))
        out.boundaries[town.key] = mapping(poly)
    for a in range(len(shapes)):
        for b in range(a + 1, len(shapes)):
            (ia, pa), (ib, pb) = shapes[a], shapes[b]
            if pa.intersects(pb) and pa.intersection(pb).area > MAX_OVERLAP * min(pa.area, pb.area):
                _err(out, ib, "geometry", gettext_noop("与第 %(other)s 个要素的边界大面积重叠"), other=ia)
    if out.errors:
        out.boundaries = {}
    return out
