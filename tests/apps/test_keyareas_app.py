"""Key areas (decision 0038): a site just inside / just outside the circle, the strict zone wins, a missing
emission factor is shown as 排放系数未设置 (never a number), the checklist per zone, the monthly refresh is
idempotent, GeoJSON imports are all or nothing with located errors, and scope (other districts not found,
town reporters see and check off their own town's sites only, unit reporters see no sources)."""
from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from envgov.apps.air.models import Station
from envgov.apps.audit.models import AuditLog
from envgov.apps.geo.models import Town
from envgov.apps.keyareas import actions, services
from envgov.apps.keyareas.models import KeyArea, LedgerMonth, LedgerRow, MeasureCheck
from envgov.apps.sources import actions as sources
from envgov.geo import areas
from envgov.rules import keyareas as rule

pytestmark = pytest.mark.django_db
LON, LAT = 116.66, 39.91


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ENVGOV_TODAY = "2024-09-16"


def east(metres: float, north: float = 0.0) -> dict:
    mx, my = areas.metres_per_degree(LAT)
    return {"lon": LON + metres / mx, "lat": LAT + north / my}


def square(half_m: float, centre_east: float = 0.0) -> list:
    mx, my = areas.metres_per_degree(LAT)
    x0, dx, dy = LON + centre_east / mx, half_m / mx, half_m / my
    return [[x0 - dx, LAT - dy], [x0 + dx, LAT - dy], [x0 + dx, LAT + dy], [x0 - dx, LAT + dy], [x0 - dx, LAT - dy]]


def geojson(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features]}).encode()


@pytest.fixture
def ka(world):
    d = world["district"]
    station = Station.objects.create(code="TZ-N1", name="永顺", kind="national", district=d, lon=LON, lat=LAT)
    area = actions.create_area(d, acting_user=world["coordinator"], data={"station": station})
    town_a, town_b = world["t_songzhuang"], Town.objects.get(district=d, name="张家湾镇")

    def site(name, town, where, **kw):  # noqa: ANN001, ANN003, ANN202
        return sources.create_source("site", d, acting_user=None,
                                     data={"name": name, "town": town, "area_m2": 10000.0, **where, **kw})

    return {**world, "station": station, "area": area,
            "inside": site("内侧工地", town_a, east(740)), "outside": site("外侧工地", town_a, east(760)),
            "strict": site("严控工地", town_b, east(0, 100)),
            "fleet": sources.create_source("fleet", d, acting_user=None,
                                           data={"name": "车队", "town": town_b, "own_vehicles": 12, **east(-200)})}


def client_for(user) -> Client:  # noqa: ANN001
    c = Client()
    c.force_login(user)
    return c


def test_default_diameter_and_station_kinds(ka):
    area = ka["area"]
    assert area.diameter_m == rule.DEFAULT_DIAMETER_M == 1500.0 and area.shape == "circle"
    assert area.centre == (LON, LAT) and area.name == "永顺重点区域"
    micro = Station.objects.create(code="TZ-M1", name="微站", kind="micro", district=ka["district"], lon=LON, lat=LAT)
    with pytest.raises(Exception) as exc:
        actions.create_area(ka["district"], acting_user=ka["coordinator"], data={"station": micro})
    assert "国控或市控" in str(exc.value)
    with pytest.raises(Exception):  # one area per station
        actions.create_area(ka["district"], acting_user=ka["coordinator"], data={"station": ka["station"]})


def test_site_just_inside_and_just_outside_the_circle(ka):
    placed = services.placed_areas(ka["district"])
    assert services.site_zone(ka["inside"], placed) == (ka["area"], rule.AREA)
    assert services.site_zone(ka["outside"], placed) == (None, None)


def test_strict_zone_wins_and_binds_past_the_circle(ka):
    body = geojson(({"name": "严控区甲"}, {"type": "Polygon", "coordinates": [square(200)]}),
                   ({"name": "严控区乙"}, {"type": "Polygon", "coordinates": [square(40, centre_east=790)]}))
    zones = actions.import_zones(ka["area"], acting_user=ka["coordinator"], raw=body, file_name="z.geojson",
                                 crs="wgs84")
    assert [z.name for z in zones] == ["严控区甲", "严控区乙"]
    placed = services.placed_areas(ka["district"])
    assert services.site_zone(ka["strict"], placed)[1] == rule.STRICT
    assert services.site_zone(ka["inside"], placed)[1] == rule.AREA
    assert services.site_zone(ka["outside"], placed)[1] == rule.STRICT  # outside the circle, inside 严控区乙
    assert AuditLog.objects.filter(action="keyareas_zones_import").count() == 1


def test_zone_import_is_all_or_nothing_with_located_errors(ka):
    actions.import_zones(ka["area"], acting_user=ka["coordinator"], crs="wgs84", file_name="ok.geojson",
                         raw=geojson(({"name": "旧"}, {"type": "Polygon", "coordinates": [square(200)]})))
    bad = geojson(({"name": "好"}, {"type": "Polygon", "coordinates": [square(100)]}),
                  ({"name": "线"}, {"type": "LineString", "coordinates": [[LON, LAT], [LON + 0.01, LAT]]}),
                  ({"name": "未闭合"}, {"type": "Polygon", "coordinates": [square(100)[:-1]]}))
    with pytest.raises(actions.FileRefused) as exc:
        actions.import_zones(ka["area"], acting_user=ka["coordinator"], raw=bad, file_name="bad.geojson", crs="wgs84")
    msgs = exc.value.messages
    assert len(msgs) == 2 and "bad.geojson 第 2 个要素（geometry）" in msgs[0] and "LineString" in msgs[0]
    assert "第 3 个要素" in msgs[1] and "闭合" in msgs[1]
    assert [z.name for z in ka["area"].zones.all()] == ["旧"]  # nothing taken
    # through the page: 400 with the located messages, never 500
    c = client_for(ka["coordinator"])
    r = c.post(reverse("keyareas_zones_import", args=[ka["area"].pk]),
               {"crs": "wgs84", "file": SimpleUploadedFile("坏.geojson", b"{not json")})
    assert r.status_code == 400 and "坏.geojson" in r.content.decode() and "JSON 格式错误" in r.content.decode()


def test_missing_factor_is_never_a_number(ka):
    ledger = actions.refresh_month(ka["district"], acting_user=ka["coordinator"])
    rows = {r.source_name: r for r in ledger.rows.all()}
    assert set(rows) == {"内侧工地", "严控工地", "车队"}
    for r in rows.values():
        assert r.factor is None and r.emission_t is None and r.space_t is None and r.reason == rule.MSG_NO_FACTOR
    page = client_for(ka["coordinator"]).get(reverse("keyareas_home")).content.decode()
    assert "排放系数未设置" in page
    book = openpyxl.load_workbook(io.BytesIO(client_for(ka["coordinator"]).get(
        reverse("keyareas_xlsx") + "?month=2024-09").content))
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert "排放系数未设置" in cells and "内侧工地" in cells


def test_estimate_with_user_set_factor_and_shares(ka):
    actions.set_parameters(ka["district"], acting_user=ka["coordinator"], reason="测试",
                           values={"factor:site": "0.0001", "factor:fleet": "0.5"})
    ledger = actions.refresh_month(ka["district"], acting_user=ka["coordinator"])
    inside = ledger.rows.get(source_name="内侧工地")
    assert inside.emission_t == pytest.approx(1.0)  # 10000 m² × 0.0001
    assert inside.space_t is None and inside.reason == services.MSG_NO_SHARE  # shares not set: no invented space
    fleet = ledger.rows.get(source_name="车队")
    assert fleet.emission_t == pytest.approx(6.0) and fleet.space_t is None
    shares = {f"cut:{m.code}": "0.5" for m in rule.SITE_MEASURES}
    actions.set_parameters(ka["district"], acting_user=ka["coordinator"], reason="测试", values=shares)
    actions.check_measure(ka["inside"], acting_user=ka["coordinator"], measure="dust_new", done=True, note="天幕")
    ledger = actions.refresh_month(ka["district"], acting_user=ka["coordinator"])
    inside = ledger.rows.get(source_name="内侧工地")
    # zone 重点区域: 5 measures, dust_new done → 4 open at 0.5 each: 1 − 0.5⁴ = 0.9375
    assert inside.space_t == pytest.approx(0.9375) and "dust_new" not in inside.open_measures
    with pytest.raises(ValueError):
        actions.set_parameters(ka["district"], acting_user=ka["coordinator"], reason="x", values={"cut:dust_new": "1.5"})
    with pytest.raises(ValueError):
        actions.set_parameters(ka["district"], acting_user=ka["coordinator"], reason="", values={"factor:site": "1"})
    assert AuditLog.objects.filter(action="keyareas_parameters_set").count() == 2 + len(shares)


def test_checklist_per_zone(ka):
    body = geojson(({"name": "严控区"}, {"type": "Polygon", "coordinates": [square(200)]}))
    actions.import_zones(ka["area"], acting_user=ka["coordinator"], raw=body, file_name="z.geojson", crs="wgs84")
    strict = {i["code"]: i["strength"] for i in services.checklist(ka["strict"], services.site_zone(ka["strict"])[1])}
    area = {i["code"]: i["strength"] for i in services.checklist(ka["inside"], services.site_zone(ka["inside"])[1])}
    assert strict["fence_4_2"] == rule.REQUIRED and area["fence_4_2"] == rule.URGED
    assert strict["spray_full"] == rule.REQUIRED and area["spray_full"] == rule.URGED
    assert services.checklist(ka["outside"], None) == []
    page = client_for(ka["coordinator"]).get(reverse("keyareas_site", args=[ka["strict"].pk])).content.decode()
    assert "严控区" in page and "必须" in page and 'data-measure="fence_4_2" data-strength="required"' in page
    with pytest.raises(Exception):  # a site outside every area carries no measure
        actions.check_measure(ka["outside"], acting_user=ka["coordinator"], measure="fence_4_2", done=True)


def test_check_off_records_who_when_note_and_audits(ka):
    town_a = ka["town_a"]  # 宋庄镇 reporter: 内侧工地 is in 宋庄镇, 严控工地 in 张家湾镇
    c = client_for(town_a)
    r = c.post(reverse("keyareas_site", args=[ka["inside"].pk]), {"measure": "fence_4_2", "done": "on", "note": "已装"})
    assert r.status_code == 302
    check = MeasureCheck.objects.get(site=ka["inside"], measure="fence_4_2")
    assert check.done and check.checked_by == town_a and check.note == "已装" and check.checked_at is not None
    assert AuditLog.objects.filter(action="keyareas_measure_check", actor=town_a).count() == 1
    assert c.get(reverse("keyareas_site", args=[ka["strict"].pk])).status_code == 404  # another town's site
    with pytest.raises(PermissionDenied):
        actions.check_measure(ka["strict"], acting_user=town_a, measure="fence_4_2", done=True)
    with pytest.raises(PermissionDenied):
        actions.check_measure(ka["inside"], acting_user=ka["auditor"], measure="fence_4_2", done=True)


def test_monthly_refresh_is_idempotent(ka):
    first = actions.refresh_month(ka["district"], acting_user=ka["coordinator"], month="2024-09")
    n = first.rows.count()
    again = actions.refresh_month(ka["district"], acting_user=ka["coordinator"], month="2024-09")
    assert again.pk == first.pk and again.rows.count() == n == 3
    assert LedgerMonth.objects.filter(district=ka["district"]).count() == 1
    call_command("refresh_keyareas", month="2024-09", stdout=io.StringIO())
    call_command("refresh_keyareas", stdout=io.StringIO())  # default: this month (2024-09)
    assert LedgerMonth.objects.count() == 1 and LedgerRow.objects.count() == 3
    actions.refresh_month(ka["district"], acting_user=ka["coordinator"], month="2024-10")
    assert LedgerMonth.objects.count() == 2 and LedgerRow.objects.count() == 6
    with pytest.raises(ValueError):
        actions.refresh_month(ka["district"], acting_user=ka["coordinator"], month="2024-13")
    # the button
    r = client_for(ka["coordinator"]).post(reverse("keyareas_refresh"), {"month": "2024-09"})
    assert r.status_code == 302 and LedgerRow.objects.count() == 6
    assert AuditLog.objects.filter(action="keyareas_refresh").count() == 6


def test_polygon_area_and_diameter_change(ka):
    area = ka["area"]
    actions.update_area(area, acting_user=ka["coordinator"], expected_version=area.version,
                        data={"shape": "circle", "diameter_m": 1600.0})
    area.refresh_from_db()
    assert services.site_zone(ka["outside"])[1] == rule.AREA  # 760 m < 800 m
    body = geojson(({}, {"type": "Polygon", "coordinates": [square(100)]}))
    actions.set_area_polygon(area, acting_user=ka["coordinator"], raw=body, file_name="p.geojson", crs="wgs84",
                             expected_version=area.version)
    area.refresh_from_db()
    assert area.shape == "polygon" and services.site_zone(ka["inside"])[1] is None
    with pytest.raises(Exception):
        actions.update_area(area, acting_user=ka["coordinator"], expected_version=area.version,
                            data={"shape": "circle", "diameter_m": -5.0})


def test_scope_pages(ka):
    actions.refresh_month(ka["district"], acting_user=ka["coordinator"])
    url = reverse("keyareas_home")
    coord = client_for(ka["coordinator"]).get(url).content.decode()
    assert "内侧工地" in coord and "严控工地" in coord and "更新本月台账" in coord
    town = client_for(ka["town_a"]).get(url).content.decode()
    assert "内侧工地" in town and "严控工地" not in town and "更新本月台账" not in town
    unit = client_for(ka["unit_a"]).get(url).content.decode()
    assert "内侧工地" not in unit and "看不到污染源明细" in unit
    other = client_for(ka["other_coordinator"])
    assert "内侧工地" not in other.get(url).content.decode()
    assert other.get(reverse("keyareas_area", args=[ka["area"].pk])).status_code == 404
    assert other.get(reverse("keyareas_site", args=[ka["inside"].pk])).status_code == 404
    assert other.post(reverse("keyareas_area_edit", args=[ka["area"].pk]),
                      {"shape": "circle", "diameter_m": "10", "version": "1"}).status_code == 404
    assert client_for(ka["town_a"]).post(reverse("keyareas_refresh")).status_code == 403
    assert client_for(ka["auditor"]).get(reverse("keyareas_area", args=[ka["area"].pk])).status_code == 200
    with pytest.raises(PermissionDenied):
        actions.refresh_month(ka["district"], acting_user=ka["other_coordinator"])
    with pytest.raises(PermissionDenied):
        actions.set_parameters(ka["district"], acting_user=ka["town_a"], values={"factor:site": "1"}, reason="x")
    KeyArea.objects.get(pk=ka["area"].pk)  # untouched


def test_parameters_page_says_user_set_without_default(ka):
    page = client_for(ka["coordinator"]).get(reverse("keyareas_home")).content.decode()
    assert "用户设定" in page and "无默认值" in page
    r = client_for(ka["coordinator"]).post(reverse("keyareas_parameters"),
                                           {"p_factor:site": "abc", "reason": "测试"}, follow=True)
    assert "须为数字" in r.content.decode()
    assert not services.parameter_values(ka["district"])


def test_api_ledger_scope(ka):
    actions.refresh_month(ka["district"], acting_user=ka["coordinator"])
    names = {r["name"] for r in client_for(ka["coordinator"]).get("/api/keyareas/ledger").json()}
    assert names == {"内侧工地", "严控工地", "车队"}
    rows = client_for(ka["town_a"]).get("/api/keyareas/ledger?month=2024-09").json()
    assert [r["name"] for r in rows] == ["内侧工地"] and rows[0]["factor"] is None and rows[0]["emission_t"] is None
    assert client_for(ka["unit_a"]).get("/api/keyareas/ledger").json() == []
    assert client_for(ka["other_coordinator"]).get("/api/keyareas/ledger").json() == []
