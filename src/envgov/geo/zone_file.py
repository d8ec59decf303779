"""Reading a GeoJSON upload of areas that are not towns (噪声敏感建筑物集中区域 and the like): every feature a
named Polygon/MultiPolygon, WGS84 or GCJ-02 (converted). All or nothing; each error names the feature (1-based),
the property and the reason (msgids, as `boundary_file`, whose geometry checks are reused)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import shapely
from shapely.geometry import shape

from envgov.catalogue import gettext_noop
from envgov.geo.boundary_file import GCJ02, WGS84, FileError, _numbers_ok, _rings_closed, _round
from envgov.geo.gcj02 import gcj02_to_wgs84, map_coordinates
from envgov.geo.towns import as_area, mapping

MAX_FEATURES = 500
NAME_KEYS = ("name", "名称", "区域名称")
KIND_KEYS = ("kind", "类型", "区域类型")
NOTE_KEYS = ("note", "说明", "备注")


@dataclass(frozen=True)
class Zone:
    feature: int
    name: str
    kind: str
    note: str
    geometry: dict  # WGS84 GeoJSON geometry, rounded to 6 decimals


@dataclass
class ZoneReading:
    zones: list[Zone] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)


def _err(out: ZoneReading, feature: int | None, prop: str, template: str, **values: object) -> None:
    out.errors.append(FileError(feature, prop, template, tuple(values.items())))


def _first(props: dict, keys: tuple[str, ...]) -> tuple[str, str]:
    key = next((k for k in keys if str(props.get(k) or "").strip()), "")
    return key, (str(props[key]).strip() if key else "")


def read_zones(raw: bytes, *, crs: str = WGS84, max_bytes: int | None = None, single: bool = False,
               names_required: bool = True) -> ZoneReading:
    """Named areas of a FeatureCollection (or one Feature, or a bare Polygon geometry). `single`: the file must hold
    exactly one area (a key area's own polygon); `names_required=False`: an unnamed area gets name "" (the caller
    names it)."""
    out = ZoneReading()
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
    names: dict[str, int] = {}
    for i, feat in enumerate(data["features"], start=1):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            _err(out, i, "type", gettext_noop("不是 GeoJSON 要素（Feature）"))
            continue
        props = feat.get("properties") if isinstance(feat.get("properties"), dict) else {}
        name_key, name = _first(props, NAME_KEYS)
        if not name and names_required:
            _err(out, i, "properties", gettext_noop("缺少区域名称属性（name / 名称）"))
            continue
        if len(name) > 80:
            _err(out, i, name_key, gettext_noop("区域名称超过 80 个字符"))
            continue
        if name and name in names:
            _err(out, i, name_key, gettext_noop("与第 %(other)s 个要素同名（“%(name)s”）"), other=names[name], name=name)
            continue
        names[name] = i
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
        out.zones.append(Zone(i, name, _first(props, KIND_KEYS)[1][:40], _first(props, NOTE_KEYS)[1][:200],
                              mapping(poly)))
    if out.errors:
        out.zones = []
    return out
