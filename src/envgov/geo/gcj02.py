"""GCJ-02 (the "Mars" datum of Amap/Tencent maps) ↔ WGS84.

The forward offset WGS84 → GCJ-02 is the formula published with the reverse-engineered "eviltransform"
(https://github.com/googollee/eviltransform, README and go/transform.go; the same polynomials and constants are
in wandergis/coordtransform and the 2013 CSDN write-up http://blog.csdn.net/coolypf/article/details/8686588):
the Krasovsky 1940 ellipsoid (a = 6378245 m, e² = 0.00669342162296594323), a polynomial-plus-sines offset in
metres evaluated at (lon − 105, lat − 35), converted to degrees with the meridional and parallel radii of
curvature at the point's latitude. It applies inside China only (the bounding box below, as published there).

There is no closed inverse. GCJ-02 → WGS84 is done by fixed-point iteration: start from the GCJ point, apply
the forward offset, move by the residual, until the residual is below 1e-9° (about 0.1 mm), which takes 3–5
steps; the offset varies slowly (a few metres per km), so each step shrinks the error by about 1000×.
"""
from __future__ import annotations

import math
from collections.abc import Callable

A = 6378245.0  # Krasovsky 1940 semi-major axis, metres
EE = 0.00669342162296594323  # Krasovsky 1940 first eccentricity squared
TOLERANCE_DEG = 1e-9
MAX_STEPS = 30


def out_of_china(lon: float, lat: float) -> bool:
    """Outside the published box the offset is not applied (GCJ-02 equals WGS84 there)."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _offset_lat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def _offset_lon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if out_of_china(lon, lat):
        return lon, lat
    d_lat = _offset_lat(lon - 105.0, lat - 35.0)
    d_lon = _offset_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    w = 1.0 - EE * math.sin(rad) ** 2
    d_lat = d_lat * 180.0 / ((A * (1.0 - EE)) / (w * math.sqrt(w)) * math.pi)
    d_lon = d_lon * 180.0 / (A / math.sqrt(w) * math.cos(rad) * math.pi)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """The WGS84 point whose forward offset lands on (lon, lat), to within TOLERANCE_DEG."""
    if out_of_china(lon, lat):
        return lon, lat
    w_lon, w_lat = lon, lat
    for _step in range(MAX_STEPS):
        g_lon, g_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = g_lon - lon, g_lat - lat
        if abs(e_lon) < TOLERANCE_DEG and abs(e_lat) < TOLERANCE_DEG:
            break
        w_lon, w_lat = w_lon - e_lon, w_lat - e_lat
    return w_lon, w_lat


def map_coordinates(geometry: dict, fn: Callable[[float, float], tuple[float, float]]) -> dict:
    """A GeoJSON geometry (Polygon / MultiPolygon / Point / …) with `fn` applied to every position;
    anything after lon, lat in a position (altitude) is dropped."""

    def walk(c):  # noqa: ANN001, ANN202
        if c and isinstance(c[0], (int, float)):
            return list(fn(float(c[0]), float(c[1])))
        return [walk(x) for x in c]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
