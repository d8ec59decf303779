"""Demo key areas (模拟数据, decision 0038). The demo's national stations are simulated and carry no position, so
each key area is centred on a SIMULATED point (the centre of a town that holds demo construction sites) and
says so; the first gets a strict zone (a square around part of its circle). The district's emission factors and
measure shares are set by the demo as clearly labelled 模拟参数 — made-up numbers to show the arithmetic, not
factors of any inventory guide. Then the demo month's ledger is refreshed and a few site measures checked off.
Everything goes through the actions everyone uses."""
from __future__ import annotations

from envgov.apps.geo.models import District

DEMO_REASON = "模拟参数：演示用的示意数值，不是任何排放清单指南的系数，请按本区实际设定"
DEMO_FACTORS = {"factor:site": "0.00002", "factor:fleet": "0.05", "factor:machinery": "0.0004",
                "factor:catering": "0.01", "cut:fence_4_2": "0.2", "cut:spray_full": "0.3", "cut:dust_new": "0.15",
                "cut:episode_self_cut": "0.05", "cut:clean_machinery": "0.1"}


def load(district: District, acting_user=None) -> int:  # noqa: ANN001
    """Create the demo key areas (once); returns how many were created."""
    from envgov.apps.accounts.models import User
    from envgov.apps.air.models import Station
    from envgov.apps.keyareas import actions
    from envgov.apps.keyareas.models import KeyArea
    from envgov.apps.sources.models import ConstructionSite
    from envgov.geo import areas

    if KeyArea.objects.filter(district=district).exists():
        return 0
    stations = list(Station.objects.filter(district=district, kind__in=("national", "city"), active=True)
                    .order_by("code"))
    sites = list(ConstructionSite.objects.filter(district=district).exclude(lon=None).order_by("pk"))
    if not stations or not sites:
        return 0
    coordinator = (acting_user or User.objects.filter(district=district, role=User.Role.COORDINATOR).order_by("pk")
                   .first())
    centres = []
    for site in sites:  # one centre per town with sites: that town's own centre point (the sites sit around it)
        c = (site.town.lon, site.town.lat) if site.town.lon is not None else (site.lon, site.lat)
        if c not in centres:
            centres.append(c)
    made = []
    for station, (lon, lat) in zip(stations, centres):
        made.append(actions.create_area(district, acting_user=None, is_simulated=True, data={
            "station": station, "name": f"{station.name}重点区域（模拟）", "centre_lon": round(lon, 6),
            "centre_lat": round(lat, 6)}))
    if not made:
        return 0
    first = made[0]
    mx, my = areas.metres_per_degree(first.centre[1])
    lon, lat = first.centre
    dx, dy = 400 / mx, 400 / my  # an 800 m square around the centre: 严控区（模拟）
    ring = [[lon - dx, lat - dy], [lon + dx, lat - dy], [lon + dx, lat + dy], [lon - dx, lat + dy], [lon - dx, lat - dy]]
    import json

    body = json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "name": "严控区（模拟）"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}).encode()
    actions.import_zones(first, acting_user=None, raw=body, file_name="演示严控区（模拟数据）", crs="wgs84",
                         is_simulated=True)
    if coordinator is not None:
        actions.set_parameters(district, acting_user=coordinator, values=DEMO_FACTORS, reason=DEMO_REASON,
                               is_simulated=True)
        from envgov.apps.keyareas import services

        for site in sites:
            _area, zone = services.site_zone(site)
            if zone:
                actions.check_measure(site, acting_user=coordinator, measure="dust_new", done=True,
                                      note="模拟数据：已使用防尘天幕")
                break
    actions.refresh_month(district, acting_user=None)
    return len(made)
