"""Approximate town areas from centre points, and placing points (stations, sources) in towns.

No public 街道/乡镇 polygons exist for Beijing (see ../shared/data/boundaries/PROVENANCE.md), so for a district
without imported boundaries each town gets the Voronoi cell of its official centre point, clipped to the
district polygon: every place in the district goes to the nearest centre. This is an approximation (示意边界),
never a legal boundary, and is labelled so wherever it is shown.

Voronoi needs a metric: degrees of longitude are shorter than degrees of latitude by cos(latitude), so the
cells are computed on (lon·cos φ₀, lat), φ₀ the district's mean latitude (an equirectangular projection; over a
district of 50 km the scale error of a single φ₀ is below 0.5 %), and mapped back.
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class Derived:
    cells: dict[Hashable, BaseGeometry]  # key → Polygon / MultiPolygon (WGS84)
    outside: list[Hashable]  # centre points outside the district polygon: no cell


def as_area(geometry: Mapping | BaseGeometry) -> BaseGeometry:
    """A valid (Multi)Polygon from a GeoJSON mapping or a shapely geometry (a self-intersection is repaired)."""
    geom = geometry if isinstance(geometry, BaseGeometry) else shape(geometry)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":  # make_valid may leave stray lines beside the areas
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(parts) if parts else Polygon()
    return geom


def _polygons_only(geom: BaseGeometry) -> BaseGeometry:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    polys: list[Polygon] = []
    for g in parts:
        polys.extend(g.geoms if g.geom_type == "MultiPolygon" else [g])
    return MultiPolygon(polys) if len(polys) != 1 else polys[0]


def derive_cells(district: Mapping | BaseGeometry, centres: Mapping[Hashable, tuple[float, float]]) -> Derived:
    """Voronoi cell of each centre (lon, lat, WGS84) clipped to the district polygon.

    The cells cover the district and do not overlap; each contains its own centre. Centres outside the
    district get no cell (listed in `outside`); two towns with the same centre point cannot be told apart,
    so that is refused (ValueError)."""
    area = as_area(district)
    inside = {k: p for k, p in centres.items() if area.covers(Point(p))}
    outside = [k for k in centres if k not in inside]
    if not inside:
        return Derived({}, outside)
    seen: dict[tuple[float, float], Hashable] = {}
    for k, p in inside.items():
        if tuple(p) in seen:
            raise ValueError(f"same centre point for {seen[tuple(p)]!r} and {k!r}")
        seen[tuple(p)] = k
    if len(inside) == 1:
        (only,) = inside
        return Derived({only: area}, outside)
    lat0 = area.centroid.y
    k_x = math.cos(math.radians(lat0))
    to_plane = lambda g: shapely.transform(g, lambda c: c * [k_x, 1.0])  # noqa: E731
    from_plane = lambda g: shapely.transform(g, lambda c: c / [k_x, 1.0])  # noqa: E731
    plane_area = to_plane(area)
    points = shapely.MultiPoint([(p[0] * k_x, p[1]) for p in inside.values()])
    regions = shapely.voronoi_polygons(points, extend_to=plane_area.envelope.buffer(1.0))
    cells: dict[Hashable, BaseGeometry] = {}
    for key, p in inside.items():
        pt = Point(p[0] * k_x, p[1])
        region = next(r for r in regions.geoms if r.covers(pt))
        cells[key] = _polygons_only(from_plane(region.intersection(plane_area)))
    return Derived(cells, outside)


def place(points: Mapping[Hashable, tuple[float, float]],
          areas: Mapping[Hashable, BaseGeometry]) -> dict[Hashable, Hashable | None]:
    """For each point (lon, lat), the key of the area that contains it (on a shared border: the first in
    `areas` order), or None if it lies in none."""
    tree_keys = list(areas)
    tree = shapely.STRtree([areas[k] for k in tree_keys])
    out: dict[Hashable, Hashable | None] = {}
    for key, p in points.items():
        pt = Point(p)
        hits = sorted(i for i in tree.query(pt, predicate="intersects"))
        out[key] = tree_keys[hits[0]] if hits else None
    return out


def mapping(geom: BaseGeometry) -> dict:
    """GeoJSON mapping of a geometry (lists, not tuples), rounded to 6 decimals (about 0.1 m)."""
    return json_ready(shapely.geometry.mapping(geom))


def json_ready(value):  # noqa: ANN001, ANN201
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, float):
        return round(value, 6)
    return value
