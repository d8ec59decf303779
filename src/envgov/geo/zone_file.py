"""Reading a GeoJSON upload of drawn areas (a key area's own polygon, its 严控区): every feature checked, all or
nothing, each error naming the feature (1-based), the property and the reason. GCJ-02 files are converted to
WGS84 when the user says so. The checks of a ring are the town-boundary reader's (envgov.geo.boundary_file).

Messages are msgids (Chinese) marked with gettext_noop; the Django side translates `template % values`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import shapely
from shapely.geometry import shape

from envgov.catalogue import gettext_noop
from envgov.geo.boundary_file import (GCJ02, NAME_KEYS, WGS84, FileError, _numbers_ok, _rings_closed, _round)
from envgov.geo.gcj02 import gcj02_to_wgs84, map_coordinates
from envgov.geo.towns import as_area, mapping

MAX_FEATURES = 50


@dataclass
class Zones:
    polygons: list[tuple[str, dict]] = field(default_factory=list)  # (name, GeoJSON geometry in WGS84)
    errors: list[FileError] = field(default_factory=list)


def _err(out: Zones, feature: int | None, prop: str, template: str, **values: object) -> None:
    out.errors.append(FileError(feature, prop, template, tuple(values.items())))


def read_zones(raw: bytes, *, crs: str, max_bytes: int | None = None, single: bool = False) -> Zones:
    """Polygons of a FeatureCollection (or one Feature, or a bare Polygon geometry). `single`: exactly one."""
    out = Zones()
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
    if isinstance(data, dict) and data.get("type") in ("Polygon", "MultiPolygon"):
        data = {"type": "Feature", "properties": {}, "geometry": data}
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        _err(out, None, "", gettext_noop("文件须为 GeoJSON FeatureCollection（要素集合）"))
        return out
    if not data["features"]:
        _err(out, None, "", gettext_noop("文件中没有要素"))
        return out
    if single and len(data["features"]) != 1:
        _err(out, None, "", gettext_noop("文件须只含一个面要素，实有 %(n)s 个"), n=len(data["features"]))
        return out
    if len(data["features"]) > MAX_FEATURES:
        _err(out, None, "", gettext_noop("要素过多（上限 %(n)s 个）"), n=MAX_FEATURES)
        return out
    for i, feat in enumerate(data["features"], start=1):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            _err(out, i, "type", gettext_noop("不是 GeoJSON 要素（Feature）"))
            continue
        props = feat.get("properties") if isinstance(feat.get("properties"), dict) else {}
        name_key = next((k for k in NAME_KEYS if props.get(k) not in (None, "")), None)
        name = str(props[name_key]).strip()[:80] if name_key else ""
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
        out.polygons.append((name, mapping(poly)))
    if out.errors:
        out.polygons = []
    return out
