"""Noise app (decision 0035): measurement imports (located errors, all or nothing, 422), rates by class day and
night, the noise targets' figures and status, sensitive-building zones from GeoJSON, pages and scope. Expected
figures are worked by hand from GB 3096-2008 Table 1 (class limits) and the energetic mean."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from envgov.apps.audit.models import AuditLog
from envgov.apps.noise import actions, services
from envgov.apps.noise.models import NoiseImport, NoiseMeasurement, NoisePoint, SensitiveZone

pytestmark = pytest.mark.django_db
HEADER = "点位编码,点位名称,功能区类别,经度,纬度,监测时间,时段,等效声级,监测轮次\n"


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ENVGOV_TODAY = "2024-09-16"


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _upload(c: Client, body: str, name: str = "噪声.csv"):
    return c.post(reverse("noise_import"), {"file": SimpleUploadedFile(name, body.encode("utf-8"))})


GOOD = HEADER + (
    "N1,居民区点,1,116.70,39.90,2024-05-14 10:00,昼间,50.0,2024Q2\n"
    "N1,居民区点,1,116.70,39.90,2024-05-14 14:00,昼间,60.0,2024Q2\n"
    "N1,居民区点,1,116.70,39.90,2024-05-14 23:00,夜间,45.0,2024Q2\n"
    "N2,干线点,4a,116.72,39.91,2024-05-14 10:00,昼间,69.9,2024Q2\n"
    "N2,干线点,4a,116.72,39.91,2024-05-14 22:30,夜间,55.1,2024Q2\n"
)


def test_import_and_rates_by_class_by_hand(world):
    c = _client(world["coordinator"])
    r = _upload(c, GOOD)
    assert r.status_code == 200, r.content.decode()[:800]
    assert NoiseMeasurement.objects.count() == 5
    assert set(NoisePoint.objects.values_list("code", "cls")) == {("N1", "1"), ("N2", "4a")}
    result = services.evaluate(world["district"])
    # N1 day: energetic mean of 50 and 60 = 10·lg((10^5 + 10^6)/2) = 57.40 → 57.4 > 55 (class 1 day) → 超标
    # N1 night: 45.0 ≤ 45 → 达标 (equal to the limit attains it)
    # N2 day: 69.9 ≤ 70 → 达标; N2 night 55.1 > 55 (4a night) → 超标
    times = {(t.point, t.period): t for t in result.point_times}
    assert times[("N1", "day")].leq == 57.4 and not times[("N1", "day")].attained
    assert times[("N1", "night")].attained and times[("N2", "day")].attained
    assert not times[("N2", "night")].attained
    assert (result.rate("day").attained, result.rate("day").monitored, result.rate("day").rate) == (1, 2, 50.0)
    assert result.rate("night", "1").rate == 100.0 and result.rate("night", "4a").rate == 0.0
    assert result.rate("day", "2").rate is None  # class 2 not monitored
    page = c.get(reverse("noise_overview")).content.decode()
    assert "50.0%" in page and "57.4" in page
    record = NoiseImport.objects.get()
    assert AuditLog.objects.filter(action="noise_import", object_id=str(record.pk)).exists()
    assert AuditLog.objects.filter(action="noise_point_create").count() == 2


def test_a_bad_row_refuses_the_whole_file_with_located_errors(world):
    c = _client(world["coordinator"])
    body = GOOD + "N3,坏点,4,116.7,39.9,2024-05-14 23:00,昼间,50,2024Q2\n"
    r = _upload(c, body)
    assert r.status_code == 422
    assert NoiseMeasurement.objects.count() == 0 and NoisePoint.objects.count() == 0
    report = NoiseImport.objects.get().report
    rows = {(e["row"], e["column"]) for e in report["errors"]}
    assert (7, "功能区类别") in rows  # "4" must say 4a or 4b
    assert (7, "时段") in rows  # 23:00 is night, the row says day
    assert "4a" in r.content.decode()


def test_a_file_that_contradicts_a_registered_point_or_repeats_values_is_refused(world):
    c = _client(world["coordinator"])
    assert _upload(c, GOOD).status_code == 200
    again = _upload(c, GOOD)  # the same values once more
    assert again.status_code == 422
    assert NoiseMeasurement.objects.count() == 5
    assert "已入库" in again.content.decode()
    changed = HEADER + "N1,居民区点,2,116.70,39.90,2024-08-14 10:00,昼间,50.0,2024Q3\n"
    r = _upload(c, changed)
    assert r.status_code == 422
    err = NoiseImport.objects.first().report["errors"][0]
    assert (err["row"], err["column"]) == (2, "功能区类别") and "1 类" in err["reason"]
    assert NoisePoint.objects.get(code="N1").cls == "1"  # nothing a user entered is changed silently


def test_only_coordinators_import_and_other_districts_points_are_not_found(world):
    assert _upload(_client(world["unit_a"]), GOOD).status_code == 403
    actions.import_file(_tmp_csv(GOOD), district=world["district"], acting_user=world["coordinator"])
    point = NoisePoint.objects.get(code="N1")
    assert _client(world["other_coordinator"]).get(reverse("noise_point", args=[point.pk])).status_code == 404
    assert _client(world["unit_a"]).get(reverse("noise_point", args=[point.pk])).status_code == 200


def _tmp_csv(body: str):
    import tempfile
    from pathlib import Path

    d = Path(tempfile.mkdtemp())
    p = d / "噪声.csv"
    p.write_text(body, encoding="utf-8")
    return p


def _night_target(world, value="85"):
    from envgov.apps.plans.models import Area, Indicator, Target

    area = Area.objects.create(plan=world["plan"], code="noise", name="静音", order=5)
    return Target.objects.create(plan=world["plan"], area=area, indicator=Indicator.objects.get(code="noise_night_compliance"),
                                 comparator=">=", value=Decimal(value), unit="%")


def _rounds(nights: dict[str, list[float]]) -> str:
    """Night values of points N1…N4 (class 1, limit 45) in rounds Q1 (Feb) and Q3 (Aug)."""
    body = HEADER
    for code, (feb, aug) in nights.items():
        body += f"{code},点{code},1,,,2024-02-10 23:00,夜间,{feb},2024Q1\n"
        body += f"{code},点{code},1,,,2024-08-10 23:00,夜间,{aug},2024Q3\n"
    return body


def test_night_target_met_warn_and_not_met(world):
    target = _night_target(world, "75")
    # 8 night point-times; Feb all ≤ 45; Aug two of four above 45 → year 6/8 = 75.0 % ≥ 75, but August 2/4 = 50 %
    actions.import_file(_tmp_csv(_rounds({"N1": [44, 44], "N2": [43, 46], "N3": [42, 47], "N4": [41, 40]})),
                        district=world["district"], acting_user=world["coordinator"])
    target.refresh_from_db()
    assert target.actual_value == Decimal("75.0") and target.actual_status == "warn"
    assert "2024年8月" in target.actual_reason and "6/8" in target.actual_reason
    target.value = Decimal("80")
    target.save()
    services.refresh_noise_targets(world["district"])
    target.refresh_from_db()
    assert target.actual_status == "not_met" and "截至 2024-08-31" in target.actual_reason
    target.value = Decimal("50")
    target.save()
    services.refresh_noise_targets(world["district"])
    target.refresh_from_db()
    assert target.actual_status == "met"


def test_a_target_without_data_waits(world):
    target = _night_target(world)
    services.refresh_noise_targets(world["district"])
    target.refresh_from_db()
    assert target.actual_value is None and target.actual_status == "unknown"


def _zones(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


def _square(name, x=116.7, y=39.9, d=0.01, **props):
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return {"type": "Feature", "properties": {"name": name, **props}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_zone_import_all_or_nothing_with_located_errors(world):
    c = _client(world["coordinator"])
    good = _zones(_square("某小区", kind="居住区"), _square("某学校", x=116.72, kind="学校"))
    r = c.post(reverse("noise_zones"), {"crs": "wgs84", "file": SimpleUploadedFile("区域.geojson", good)})
    assert r.status_code == 302
    assert set(SensitiveZone.objects.values_list("name", "kind")) == {("某小区", "居住区"), ("某学校", "学校")}
    assert AuditLog.objects.filter(action="noise_zone_import").count() == 2
    bad = _zones(_square("新小区"), {"type": "Feature", "properties": {}, "geometry": None},
                 {"type": "Feature", "properties": {"name": "线"}, "geometry": {"type": "LineString", "coordinates": [[1, 1], [2, 2]]}})
    r = c.post(reverse("noise_zones"), {"crs": "wgs84", "file": SimpleUploadedFile("坏.geojson", bad)})
    assert r.status_code == 422
    text = r.content.decode()
    assert "第 2 个要素" in text and "第 3 个要素" in text and "LineString" in text
    dup = _zones(_square("某小区"))
    r = c.post(reverse("noise_zones"), {"crs": "wgs84", "file": SimpleUploadedFile("重.geojson", dup)})
    assert r.status_code == 422 and "同名" in r.content.decode()
    assert SensitiveZone.objects.count() == 2


def test_map_page_carries_points_zones_and_towns(world):
    c = _client(world["coordinator"])
    _upload(c, GOOD)
    actions.import_zones(world["district"], _zones(_square("某小区")), file_name="z.geojson",
                         acting_user=world["coordinator"])
    r = c.get(reverse("noise_map"))
    assert r.status_code == 200
    html = r.content.decode()
    start = html.index('id="noise-data"')
    data = json.loads(html[html.index(">", start) + 1:html.index("</script>", start)])
    points = {p["code"]: p for p in data["points"]}
    assert points["N1"]["day_colour"] == services.COLOURS[False] and points["N1"]["night_colour"] == services.COLOURS[True]
    assert points["N2"]["night"]["leq"] == 55.1
    assert [z["name"] for z in data["zones"]] == ["某小区"]
    assert "echarts.min.js" in html and "noise.js" in html


def test_parameters_are_set_with_a_reason_and_audited(world):
    c = _client(world["coordinator"])
    r = c.post(reverse("noise_parameters_save"), {"p_night_start": "23:00", "p_night_end": "07:00", "reason": "区政府通告"})
    assert r.status_code == 302
    assert services.noise_parameters(world["district"].pk) == {"night_start": "23:00", "night_end": "07:00"}
    assert AuditLog.objects.filter(action="set_parameter").count() == 2
    # under the district's night 23:00–07:00, 22:30 is day time: a row that says 夜间 is refused
    r = _upload(c, HEADER + "N2,干线点,4a,116.72,39.91,2024-05-14 22:30,夜间,55.1,2024Q2\n")
    assert r.status_code == 422 and "23:00" in r.content.decode()


def test_demo_labels_simulated_data(world):
    from envgov.apps.noise import demo

    assert demo.load(world["district"], world["plan"]) == 0  # no town boundaries: nothing to place the points in


def test_noise_provider_is_registered():
    from envgov.apps.plans import target_figures

    assert set(services.NOISE_TARGET_CODES) <= target_figures.computed_codes()
    assert target_figures.provider_for("noise_day_compliance").provider is services.noise_target_figures
