"""Areas drawn around a point (a station's 重点区域) and placing points in them.

A circle of a given diameter around (lon, lat) is built on a local azimuthal-equidistant plane: east and north
offsets in metres from the centre, turned into degrees with the meridian and parallel radii of the WGS84
ellipsoid at the centre's latitude. Over a few kilometres the error of this local plane is far below a metre,
far finer than any street-named boundary a plan draws.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

from shapely.geometry import Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

from envgov.geo.towns import as_area

# WGS84 ellipsoid (EPSG:4326 / GB/T 2260 maps use the same datum after GCJ-02 is undone)
_A = 6378137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
SEGMENTS = 72  # vertices of a drawn circle: a 1.5 km circle's chord error stays below 1 m


def metres_per_degree(lat: float) -> tuple[float, float]:
    """(metres per degree of longitude, metres per degree of latitude) at latitude `lat`."""
    phi = math.radians(lat)
    w = math.sqrt(1 - _E2 * math.sin(phi) ** 2)
    meridian = _A * (1 - _E2) / w**3  # radius of curvature along the meridian
    normal = _A / w  # along the prime vertical
    return math.radians(1) * normal * math.cos(phi), math.radians(1) * meridian


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Distance in metres between two nearby points (local plane at their mean latitude)."""
    mx, my = metres_per_degree((lat1 + lat2) / 2)
    return math.hypot((lon2 - lon1) * mx, (lat2 - lat1) * my)


def circle(lon: float, lat: float, diameter_m: float, segments: int = SEGMENTS) -> Polygon:
    """The circle of `diameter_m` metres around (lon, lat), as a WGS84 polygon."""
    if not (diameter_m > 0 and math.isfinite(diameter_m)):
        raise ValueError("diameter must be a positive number of metres")
    if not (-180 <= lon <= 180 and -90 < lat < 90):
        raise ValueError("centre outside WGS84 range")
    mx, my = metres_per_degree(lat)
    r = diameter_m / 2
    ring = [(lon + r * math.cos(2 * math.pi * k / segments) / mx, lat + r * math.sin(2 * math.pi * k / segments) / my)
            for k in range(segments)]
    return Polygon(ring)


def area_of(geometry: Mapping | BaseGeometry) -> BaseGeometry:
    """A drawn polygon (GeoJSON mapping) as a valid area; raises ValueError when it holds no area."""
    geom = as_area(geometry if isinstance(geometry, BaseGeometry) else shape(geometry))
    if geom.is_empty or geom.area == 0:
        raise ValueError("the geometry holds no area")
    return geom


def contains(area: BaseGeometry, lon: float, lat: float) -> bool:
    """True when the point lies inside the area or on its edge (a site on the boundary road counts as in)."""
    return area.intersects(Point(lon, lat))
