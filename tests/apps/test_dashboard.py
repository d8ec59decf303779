"""驾驶舱 and the public page: what each shows, to whom; the monthly trend is the engine's monthly mean;
the public page carries no internal data. Expected figures are computed by hand."""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from envgov.apps.dashboard import services, views
from envgov.apps.air import services as monitoring
from envgov.apps.air.models import Station
from envgov.apps.plans.models import Indicator, Target
from envgov.apps.supervision import actions as supervision

SQUARE = {"type": "Polygon", "coordinates": [[[116.6, 39.8], [116.7, 39.8], [116.7, 39.9], [116.6, 39.9], [116.6, 39.8]]]}
EAST = {"type": "Polygon", "coordinates": [[[116.7, 39.8], [116.8, 39.8], [116.8, 39.9], [116.7, 39.9], [116.7, 39.8]]]}


@pytest.fixture
def dash(world, settings, tmp_path):
    settings.OBSERVATION_LAKE = tmp_path / "lake"
    settings.ENVGOV_TODAY = "2024-03-15"
    d = world["district"]
    song, zhang = world["t_songzhuang"], world["town_b"] if "town_b" in world else None
    from envgov.apps.geo.models import Town

    zhang = Town.objects.get(district=d, name="张家湾镇")
    Town.objects.filter(pk=song.pk).update(boundary=SQUARE, boundary_source=Town.BoundarySource.DERIVED)
    Town.objects.filter(pk=zhang.pk).update(boundary=EAST, boundary_source=Town.BoundarySource.IMPORTED)
    Station.objects.create(code="TZ01", name="国控站", kind=Station.Kind.NATIONAL, district=d, town=song)
    Station.objects.create(code="M1", name="宋庄微站", kind=Station.Kind.MICRO, district=d, town=song)
    Station.objects.create(code="M2", name="张家湾微站", kind=Station.Kind.MICRO, district=d, town=zhang)
    area = world["plan"].areas.get(code="air")
    Target.objects.create(plan=world["plan"], area=area, indicator=Indicator.objects.get(code="pm25_mean"),
                          comparator="<=", value=Decimal(35), unit="μg/m³", period_label="全年")
    # January 2024: TZ01 40 on days 1–27 (27 valid days: a valid month), then nothing;
    # February: 24 days of 80 (fewer than 25: no monthly mean); micro-stations 30 (宋庄) and 60 (张家湾) all January
    rows = []
    for day in range(1, 28):
        rows += [f"TZ01,2024-01-{day:02d}T{h:02d}:00,40,50,5,10,0.3,30" for h in range(24)]
    for day in range(1, 25):
        rows += [f"TZ01,2024-02-{day:02d}T{h:02d}:00,80,90,5,10,0.3,30" for h in range(24)]
    for day in range(1, 32):
        rows += [f"M1,2024-01-{day:02d}T{h:02d}:00,30,40,,,," for h in range(24)]
        rows += [f"M2,2024-01-{day:02d}T{h:02d}:00,60,70,,,," for h in range(24)]
    upload = SimpleUploadedFile("dash.csv", ("site,time,pm25,pm10,so2,no2,co,o3\n" + "\n".join(rows) + "\n").encode())
    outcome = monitoring.import_air_file(upload, district=d, acting_user=world["coordinator"])
    assert outcome.record.accepted, outcome.record.report
    world["item_a"] = supervision.open_supervision(world["plan"], acting_user=world["coordinator"], title="抽检滞后督办",
                                                   due_date=dt.date(2024, 3, 1), task=world["task_unit_a"],
                                                   addressee_unit=world["u_market"])
    world["item_b"] = supervision.open_supervision(world["plan"], acting_user=world["coordinator"], title="推广滞后督办",
                                                   due_date=dt.date(2024, 3, 1), task=world["task_unit_b"],
                                                   addressee_unit=world["u_dev"])
    world["zhang"] = zhang
    return world


def _client(user) -> Client:  # noqa: ANN001
    c = Client()
    c.force_login(user)
    return c


def _map(response) -> dict:
    html = response.content.decode()
    return json.loads(re.search(r'<script id="map-data" type="application/json">(.*?)</script>', html, re.S)[1])


def test_monthly_trend_is_the_valid_months_mean(dash):
    trend = services.monthly_means(dash["district"], (2023, 2024))
    jan, feb = trend[2024][0], trend[2024][1]
    assert (jan["value"], jan["valid_days"], jan["short"]) == (40.0, 27, False)  # 27 days of 40: valid (≥ 27)
    assert (feb["value"], feb["valid_days"], feb["short"]) == (None, 24, True)  # 24 < 25 in February
    assert all(m["value"] is None for m in trend[2023])
    # the same figure the engine gives for the month (one computation path): HJ 663 set mean of TZ01 alone
    from envgov.engine.air import evaluate

    hourly = monitoring.lake().to_wide("air", dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 1), sites=["TZ01"])
    engine = evaluate(hourly, dt.date(2024, 1, 1), dt.date(2024, 1, 31), sites=["TZ01"], scope="all",
                      compare_years=None, set_name="全区")["全区"]
    assert engine["pm25"] == jan["value"]


def test_dashboard_for_the_coordinator(dash):
    r = _client(dash["coordinator"]).get("/dashboard/?period=2024-01")
    assert r.status_code == 200
    html = r.content.decode()
    # the PM2.5 target's card: the district mean so far is (27·40 + 24·80) / 51 = 58.8 → 59 > 35; its status is
    # the outlook's (达标研判) when that app is installed, else the target's own (未达标)
    card = html.split('class="kpi target-kpi"')[1].split("</section>")[0]  # the first card (and only one here)
    assert "PM2.5平均浓度" in card and "<b>59 " in card
    try:
        from envgov.apps.outlook.services import projection
    except ImportError:
        assert "未达标" in card
    else:
        label = projection(Target.objects.get(indicator__code="pm25_mean")).status_label
        assert f'<span class="badge' in card and f">{label}</span>" in card and "/outlook/targets/" in card
    assert "抽检滞后督办" in html and "推广滞后督办" in html  # open 督办
    data = _map(r)
    assert [f["properties"]["source"] for f in data["geo"]["features"]] == ["derived", "imported"]
    assert data["derived"] and "示意边界" in html
    towns = {t["name"]: t for t in data["towns"]}
    # 宋庄镇: national 40 on 27 days and micro 30 on 31 days → (27·35 + 4·30) / 31 = 34.35… → 34; 张家湾镇 60
    assert towns["宋庄镇"]["value"] == 34 and towns["张家湾镇"]["value"] == 60
    assert towns["宋庄镇"]["colour"] != towns["张家湾镇"]["colour"]
    assert data["trend"]["series"][1][0] == 40.0


def test_a_reporter_sees_their_own_supervision_only(dash):
    html = _client(dash["unit_a"]).get("/dashboard/").content.decode()
    assert "抽检滞后督办" in html and "推广滞后督办" not in html


def test_the_map_opens_the_town_page_the_viewer_may_open(dash):
    admin = _map(_client(dash["admin"]).get("/dashboard/?period=2024-01"))
    coordinator = _map(_client(dash["coordinator"]).get("/dashboard/?period=2024-01"))
    song = dash["t_songzhuang"].pk
    admin_url = {t["id"]: t["url"] for t in admin["towns"]}[song]
    assert admin_url
    assert _client(dash["admin"]).get(admin_url).status_code == 200
    coordinator_url = {t["id"]: t["url"] for t in coordinator["towns"]}[song]
    if coordinator_url:  # the rankings app's town page, open to the district
        assert _client(dash["coordinator"]).get(coordinator_url).status_code == 200


def test_a_period_that_is_no_period_says_so(dash):
    html = _client(dash["coordinator"]).get("/dashboard/?period=2024-13").content.decode()
    assert "无法识别" in html


def test_public_page_needs_no_login_and_shows_nothing_internal(dash):
    r = Client().get(f"/public/{dash['district'].adcode}/?period=2024-01")
    assert r.status_code == 200
    assert "Set-Cookie" not in r.headers or "sessionid" not in r.headers.get("Set-Cookie", "")
    html = r.content.decode()
    assert "宋庄镇" in html and "张家湾镇" in html and "示意边界" in html
    towns = {t["name"]: t["value"] for t in _map(r)["towns"]}
    assert towns == {"宋庄镇": 34, "张家湾镇": 60}
    internal = ["抽检滞后督办", "推广滞后督办", "抽检含VOCs产品", "推广新能源汽车", "扬尘管控", "市场监管局", "发展改革委",
                "coordinator", "unit_a", "csrfmiddlewaretoken", "微站", "国控站", "TZ01", "督办", "任务"]
    assert [w for w in internal if w in html] == []
    assert Client().get("/public/999999/").status_code == 404


def test_colour_classes_equal_intervals():
    classes, bounds = views.colour_classes([50.0, None, 60.0, 55.0, 59.9])
    assert classes == [0, None, 4, 2, 4]  # (60 − 50) / 5 = 2 per class
    assert bounds[0] == (50.0, 52.0) and bounds[-1] == (58.0, 60.0)
    assert views.colour_classes([None]) == ([None], [])
    assert views.colour_classes([42.0, 42.0])[0] == [0, 0]
