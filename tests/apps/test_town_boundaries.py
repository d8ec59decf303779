"""Town boundaries in the apps (decision 0018): the demo's 示意边界, the import page (all or nothing, located
errors, audited, scope), and stations placed in towns by point-in-polygon unless a person chose the town.

The fixture (tests/conftest.py `world`): 通州区 with 宋庄镇 (110112104000) and 张家湾镇 (110112105000); an admin
of 通州 and a coordinator of 门头沟. The squares below are written by hand."""
from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from envgov.apps.audit.models import AuditLog
from envgov.apps.geo import boundaries
from envgov.apps.geo.models import Town
from envgov.apps.air import actions as station_actions
from envgov.geo.gcj02 import wgs84_to_gcj02


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def square(lon: float, lat: float, d: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d],
                                                 [lon, lat]]]}


WEST, EAST = square(116.6, 39.8, 0.1), square(116.7, 39.8, 0.1)  # 宋庄镇 west, 张家湾镇 east (by hand)


def upload(features: list, name: str = "边界.geojson") -> SimpleUploadedFile:
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()
    return SimpleUploadedFile(name, body, content_type="application/geo+json")


def feat(props: dict, geom: dict) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geom}


@pytest.fixture
def admin_client(world):
    c = Client()
    c.force_login(world["admin"])
    return c


@pytest.fixture
def placed(world):
    """The district polygon (a 0.2° × 0.1° rectangle) and the two towns' centres, one in each half."""
    d = world["district"]
    Town.objects.filter(code="110112104000").update(lon=116.62, lat=39.85)
    Town.objects.filter(code="110112105000").update(lon=116.78, lat=39.85)
    boundaries.derive_town_boundaries(d, acting_user=world["admin"], district_boundary=square(116.6, 39.8, 0.2))
    return d


def test_derived_boundaries_split_the_district_and_are_marked(world, placed):
    west, east = Town.objects.get(code="110112104000"), Town.objects.get(code="110112105000")
    assert west.boundary_source == east.boundary_source == Town.BoundarySource.DERIVED
    # centres 116.62 and 116.78 at the same latitude: the bisector is the meridian 116.70
    assert [round(x, 6) for x in _bounds(west.boundary)] == [116.6, 39.8, 116.7, 40.0]
    assert [round(x, 6) for x in _bounds(east.boundary)] == [116.7, 39.8, 116.8, 40.0]
    assert AuditLog.objects.filter(action="town_boundary_derive").count() == 2


def _bounds(geom: dict) -> list[float]:
    from shapely.geometry import shape

    return list(shape(geom).bounds)


def test_the_town_list_shows_each_kind(world, placed, admin_client):
    Town.objects.filter(code="110112105000").update(boundary_source="imported")
    html = admin_client.get(reverse("manage_towns")).content.decode()
    assert "示意边界" in html and "导入边界" in html
    Town.objects.filter(code="110112104000").update(boundary=None, boundary_source="")
    assert "无边界" in admin_client.get(reverse("manage_towns")).content.decode()
    page = admin_client.get(reverse("manage_town", args=[Town.objects.get(code="110112105000").pk])).content.decode()
    assert "导入边界" in page and "示意边界" not in page


def test_import_replaces_the_derived_boundaries_and_is_audited(world, placed, admin_client):
    r = admin_client.post(reverse("manage_town_boundaries"), {
        "crs": "wgs84", "file": upload([feat({"code": "110112104000"}, square(116.6, 39.8, 0.05))])})
    assert r.status_code == 302
    west, east = Town.objects.get(code="110112104000"), Town.objects.get(code="110112105000")
    assert west.boundary_source == "imported" and _bounds(west.boundary) == [116.6, 39.8, 116.65, 39.85]
    assert east.boundary_source == "derived"  # not in the file: kept
    entry = AuditLog.objects.get(action="town_boundary_import")
    assert entry.object_id == str(west.pk) and entry.after["boundary_source"] == "imported"
    assert entry.before["boundary_source"] == "derived" and "边界.geojson" in entry.note and "WGS84" in entry.note
    assert entry.after["boundary"] == boundaries.geometry_digest(west.boundary) != entry.before["boundary"]
    assert entry.after["boundary"].startswith("SHA-256 ") and len(entry.after["boundary"]) == 8 + 64


def test_a_gcj02_upload_is_converted(world, placed, admin_client):
    gcj = {"type": "Polygon", "coordinates": [[list(wgs84_to_gcj02(x, y)) for x, y in
                                               square(116.6, 39.8, 0.05)["coordinates"][0]]]}
    r = admin_client.post(reverse("manage_town_boundaries"), {
        "crs": "gcj02", "file": upload([feat({"name": "宋庄镇"}, gcj)])})
    assert r.status_code == 302
    assert _bounds(Town.objects.get(code="110112104000").boundary) == pytest.approx([116.6, 39.8, 116.65, 39.85],
                                                                                     abs=2e-6)


def test_a_refused_import_changes_nothing_and_says_where(world, placed, admin_client):
    before = list(Town.objects.order_by("pk").values_list("boundary", "boundary_source"))
    r = admin_client.post(reverse("manage_town_boundaries"), {"crs": "wgs84", "file": upload([
        feat({"code": "110112104000"}, WEST),
        feat({"code": "110109001000"}, EAST),  # 门头沟's 大峪街道
        feat({"name": "张家湾镇"}, {"type": "LineString", "coordinates": [[116.7, 39.8], [116.8, 39.9]]}),
    ])})
    assert r.status_code == 422
    html = r.content.decode()
    assert "发现 2 处错误，文件未导入" in html
    assert "第 2 个要素 · code：区划代码“110109001000”不是本区的街乡镇" in html
    assert "第 3 个要素 · geometry：几何类型须为 Polygon 或 MultiPolygon，实为 LineString" in html
    assert list(Town.objects.order_by("pk").values_list("boundary", "boundary_source")) == before
    assert not AuditLog.objects.filter(action="town_boundary_import").exists()


def test_a_form_without_file_or_crs_is_refused(world, admin_client):
    r = admin_client.post(reverse("manage_town_boundaries"), {})
    assert r.status_code == 422 and "这个字段是必填项" in r.content.decode()


def test_another_districts_admin_cannot_import_here(world):
    other = world["other_coordinator"]
    with pytest.raises(PermissionDenied):
        boundaries.import_town_boundaries(world["district"], b"{}", crs="wgs84", acting_user=other)


def test_stations_are_placed_by_boundary_unless_a_person_chose(world, placed):
    admin = world["admin"]
    auto = station_actions.create_station(acting_user=admin, data={
        "code": "TZ-A", "name": "自动", "kind": "micro", "town": None, "lon": 116.75, "lat": 39.9})
    assert auto.town.code == "110112105000" and not auto.town_manual  # east half
    chosen = station_actions.create_station(acting_user=admin, data={
        "code": "TZ-B", "name": "人工", "kind": "micro", "town": world["t_songzhuang"], "lon": 116.75, "lat": 39.9})
    assert chosen.town_manual and chosen.town.code == "110112104000"
    # the boundaries change: 宋庄镇 now covers the whole district; only the automatic station moves
    Town.objects.filter(code="110112105000").update(boundary=None, boundary_source="")
    Town.objects.filter(code="110112104000").update(boundary=square(116.6, 39.8, 0.2), boundary_source="imported")
    assert boundaries.place_stations(world["district"], acting_user=admin) == 1
    auto.refresh_from_db()
    chosen.refresh_from_db()
    assert auto.town.code == "110112104000" and chosen.town.code == "110112104000" and chosen.town_manual
    assert AuditLog.objects.filter(action="station_placed", object_id=str(auto.pk)).exists()


def test_editing_a_station_keeps_an_automatic_town_automatic(world, placed):
    admin = world["admin"]
    s = station_actions.create_station(acting_user=admin, data={
        "code": "TZ-C", "name": "移动", "kind": "micro", "town": None, "lon": 116.65, "lat": 39.9})
    assert s.town.code == "110112104000"
    data = {"code": "TZ-C", "name": "移动", "kind": "micro", "town": s.town, "lon": 116.75, "lat": 39.9}
    s = station_actions.update_station(s, acting_user=admin, expected_version=s.version, data=data)
    assert s.town.code == "110112105000" and not s.town_manual  # moved east, placed again
    data = {**data, "town": world["t_songzhuang"]}  # a person picks 宋庄镇 against the boundary
    s = station_actions.update_station(s, acting_user=admin, expected_version=s.version, data=data)
    assert s.town.code == "110112104000" and s.town_manual
    s = station_actions.update_station(s, acting_user=admin, expected_version=s.version, data={**data, "lon": 116.76})
    assert s.town.code == "110112104000" and s.town_manual  # a chosen town stays when the point moves


def test_the_demo_gives_every_tongzhou_town_a_derived_boundary(db):
    """The demo loader's step on the real data: the 15 official towns (2016 list, all with centre points) and
    the real 通州 polygon; every town gets a 示意边界 that contains its centre."""
    import csv

    from shapely.geometry import Point, shape

    from envgov.apps.geo.models import District
    from envgov.apps.plans.management.commands import load_demo

    district = District.objects.create(adcode="110112", name="通州区")
    with (load_demo.DATA / "tongzhou_towns.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            Town.objects.create(district=district, code=row["town_code_12"], name=row["town_name_official"],
                                lon=float(row["lon_wgs84"]), lat=float(row["lat_wgs84"]))
    load_demo.Command()._derive_boundaries(district)
    towns = list(Town.objects.filter(district=district))
    assert len(towns) == 15 and {t.boundary_source for t in towns} == {"derived"}
    for t in towns:
        assert shape(t.boundary).covers(Point(t.lon, t.lat)), t.name
    district.refresh_from_db()
    total = sum(shape(t.boundary).area for t in towns)
    assert abs(total - shape(district.boundary).area) <= 0.005 * shape(district.boundary).area
