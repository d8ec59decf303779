"""Monitoring wiring: an uploaded file is validated all-or-nothing, daily AQI is materialised and the plan's
air targets get their actual value — expected figures from HJ 633's own tables."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from envgov.apps.air import services
from envgov.apps.air.models import AirDaily, ObservationImport, Station
from envgov.apps.plans.models import Indicator, Target


@pytest.fixture
def air_world(world, settings, tmp_path):
    settings.OBSERVATION_LAKE = tmp_path / "lake"
    Station.objects.create(code="TZ01", name="通州站", kind=Station.Kind.NATIONAL, district=world["district"])
    area = world["plan"].areas.get(code="air")
    Target.objects.create(plan=world["plan"], area=area, indicator=Indicator.objects.get(code="pm25_mean"),
                          comparator="<=", value=Decimal(35), unit="μg/m³", period_label="全年")
    Target.objects.create(plan=world["plan"], area=area, indicator=Indicator.objects.get(code="good_day_ratio"),
                          comparator=">=", value=Decimal(78), unit="%", period_label="全年")
    return world


def _wide(rows: list[str]) -> SimpleUploadedFile:
    text = "site,time,pm25,pm10,so2,no2,co,o3\n" + "\n".join(rows) + "\n"
    return SimpleUploadedFile("tz.csv", text.encode())


def _day(day: str, pm25: float) -> list[str]:
    # clean air except PM2.5, so PM2.5 decides the AQI
    return [f"TZ01,{day}T{h:02d}:00,{pm25:g},20,5,10,0.3,30" for h in range(24)]


def test_import_materialises_daily_aqi_and_target(air_world):
    # PM2.5 = 70 µg/m³ all day: HJ 633-2012 IAQI = 50 + (100-50)/(75-35)·(70-35) = 93.75 → 94, 良 (level 2)
    rows = _day("2024-01-01", 70) + _day("2024-01-02", 30)
    outcome = services.import_air_file(_wide(rows), district=air_world["district"], acting_user=air_world["coordinator"])
    assert outcome.record.accepted, outcome.record.report
    day1 = AirDaily.objects.get(station__code="TZ01", day=dt.date(2024, 1, 1))
    assert (day1.aqi, day1.level, day1.primary_pollutants) == (94, 2, "pm25")
    district_day = AirDaily.objects.get(station__isnull=True, day=dt.date(2024, 1, 1))
    assert district_day.aqi == 94
    pm25 = Target.objects.get(indicator__code="pm25_mean")
    assert pm25.actual_value == Decimal(50)  # (70 + 30) / 2
    assert pm25.status == "not_met" and pm25.actual_as_of == dt.date(2024, 1, 2)
    ratio = Target.objects.get(indicator__code="good_day_ratio")
    assert ratio.actual_value == Decimal(100)  # both days ≤ 100


def test_bad_file_is_refused_whole_with_located_error(air_world):
    rows = _day("2024-01-01", 70)
    rows[6] = "TZ01,2024-01-01T06:00,abc,20,5,10,0.3,30"  # text in a number, file row 8
    outcome = services.import_air_file(_wide(rows), district=air_world["district"], acting_user=air_world["coordinator"])
    assert not outcome.record.accepted
    errors = outcome.record.report["errors"]
    assert any(e["row"] == 8 and e["column"] == "pm25" for e in errors), errors
    assert AirDaily.objects.count() == 0
    assert services.lake().to_arrow("air").num_rows == 0


def test_unknown_station_is_refused(air_world):
    rows = [r.replace("TZ01", "XX99") for r in _day("2024-01-01", 70)]
    outcome = services.import_air_file(_wide(rows), district=air_world["district"], acting_user=air_world["coordinator"])
    assert not outcome.record.accepted
    assert "XX99" in str(outcome.record.report["errors"])


def test_import_page_is_for_coordinators_only(air_world, client):
    client.force_login(air_world["unit_a"])
    assert client.get(reverse("air_import")).status_code == 403
    client.force_login(air_world["coordinator"])
    response = client.post(reverse("air_import"), {"file": _wide(_day("2024-01-01", 70))})
    assert response.status_code == 200 and "导入成功" in response.content.decode()
    assert ObservationImport.objects.filter(accepted=True).count() == 1
    page = client.get(reverse("air_dashboard")).content.decode()
    assert "PM2.5平均浓度" in page and "70" in page


def test_outlook_tells_what_the_rest_of_the_year_allows(air_world):
    """The outlook is the projection's (envgov.apps.outlook), from the engine's figures stored with the target."""
    from envgov.apps.outlook.services import projection

    rows = _day("2024-01-01", 70) + _day("2024-01-02", 30)
    services.import_air_file(_wide(rows), district=air_world["district"], acting_user=air_world["coordinator"])
    pm25 = Target.objects.get(indicator__code="pm25_mean")
    assert pm25.actual_basis["values"]["pm25"] == 2 and pm25.actual_basis["unrounded"]["pm25"] == 50
    p = projection(pm25)
    # 2 days at mean 50; 364 days left in 2024. Plain: (35·366 − 100)/364 = 34.9176; judged (integer report,
    # 35.5 → 36): (35.5·366 − 100)/364 = 35.4203, strictly below
    assert p.reachable and abs(p.plain_threshold - 34.9176) < 1e-3 and abs(p.threshold - 35.4203) < 1e-3 and p.strict


# ---- user-set parameters for the unconfirmed rules ----------------------------------------------------

def _day_o3_gaps(day: str, pm25: float, missing: set[int]) -> list[str]:
    return [f"TZ01,{day}T{h:02d}:00,{pm25:g},20,5,10,0.3,{'' if h in missing else 90}" for h in range(24)]


def test_parameter_change_recomputes_daily_results_and_is_logged(air_world, client):
    from envgov.apps.audit.models import AuditLog
    from envgov.apps.air.models import AirParameter

    # 2024-01-01: O3 missing 00–02 h → 16 valid 8-h windows (HJ 663 default needs 14). 2024-01-02: PM2.5
    # 600 µg/m³, above the HJ 633-2012 table (top 500 → IAQI 500 by default).
    rows = _day_o3_gaps("2024-01-01", 30, {0, 1, 2}) + _day("2024-01-02", 600)
    assert services.import_air_file(_wide(rows), district=air_world["district"],
                                    acting_user=air_world["coordinator"]).record.accepted
    site = AirDaily.objects.filter(station__code="TZ01")
    assert site.get(day=dt.date(2024, 1, 1)).o3_8h == 90.0
    assert site.get(day=dt.date(2024, 1, 2)).aqi == 500

    client.force_login(air_world["coordinator"])
    page = client.get(reverse("air_parameters")).content.decode()
    assert "未核实" in page and 'name="p_o3_daily_max_8h_min_windows"' in page
    response = client.post(reverse("air_parameters_save"), {
        "p_report_digits": "0", "p_report_digits_co": "1", "p_o3_daily_max_8h_min_windows": "17",
        "p_o3_daily_max_8h_valid_if_exceeds": "on", "p_above_top_policy": "none",
        "reason": "按市站口径（测试）"}, follow=True)
    assert "已保存 2 项参数" in response.content.decode()
    assert site.get(day=dt.date(2024, 1, 1)).o3_8h is None  # 16 windows < 17
    assert site.get(day=dt.date(2024, 1, 2)).aqi != 500  # PM2.5 above the table now has no IAQI
    assert dict(AirParameter.objects.values_list("key", "value")) == {
        "o3_daily_max_8h_min_windows": 17, "above_top_policy": "none"}
    logs = AuditLog.objects.filter(action="set_parameter")
    assert logs.count() == 2 and all("按市站口径" in log.note for log in logs)
    page = client.get(reverse("air_parameters")).content.decode()
    assert "用户设定" in page and "按市站口径（测试）" in page


def test_parameter_errors_change_nothing_and_others_may_only_read(air_world, client):
    from envgov.apps.air.models import AirParameter

    client.force_login(air_world["coordinator"])
    response = client.post(reverse("air_parameters_save"), {"p_o3_daily_max_8h_min_windows": "30", "reason": "x"},
                           follow=True)
    assert "未保存" in response.content.decode() and "1–17" in response.content.decode()
    response = client.post(reverse("air_parameters_save"), {"p_o3_daily_max_8h_min_windows": "15", "reason": " "},
                           follow=True)
    assert "请填写依据" in response.content.decode()
    assert AirParameter.objects.count() == 0
    for persona in ("unit_a", "auditor"):
        client.force_login(air_world[persona])
        page = client.get(reverse("air_parameters"))
        assert page.status_code == 200 and "未核实" in page.content.decode()
        assert 'name="p_report_digits"' not in page.content.decode()  # read-only for them
        assert client.post(reverse("air_parameters_save"), {"p_report_digits": "1", "reason": "x"}).status_code == 403
    assert AirParameter.objects.count() == 0


def test_parameter_page_in_english(air_world, client, settings):
    client.force_login(air_world["coordinator"])  # the form lists every choice
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("air_parameters")).content.decode()
    assert "Reporting digits (SO2, NO2, PM10, PM2.5, O3, µg/m³)" in page and "None (left empty)" in page
    assert "评价浓度修约位数" not in page


def test_chinese_header_template_is_offered_and_recognised(air_world, client):
    client.force_login(air_world["coordinator"])
    page = client.get(reverse("air_import")).content.decode()
    assert reverse("air_import_template") in page
    template = client.get(reverse("air_import_template"))
    assert template.status_code == 200
    header = template.content.decode("utf-8-sig").strip()
    assert header == "站点,时间,PM2.5,PM10,SO2,NO2,CO,O3"
    rows = [r.replace("-01T", "-01 ") for r in _day("2024-01-01", 70)]  # "2024-01-01 06:00"
    upload = SimpleUploadedFile("模板.csv", ("\ufeff" + header + "\n" + "\n".join(rows) + "\n").encode())
    outcome = services.import_air_file(upload, district=air_world["district"], acting_user=air_world["coordinator"])
    assert outcome.record.accepted and outcome.record.report["profile"] == "zh-wide"
    assert AirDaily.objects.get(station__code="TZ01", day=dt.date(2024, 1, 1)).aqi == 94


def test_refused_import_shows_grouped_errors_and_offers_all_as_csv(air_world, client):
    rows = _day("2024-01-01", 70) + _day("2024-01-02", 70)
    for i in range(0, 30):                     # 30 PM2.5 cells "x" on file lines 2–31
        rows[i] = rows[i].replace(",70,", ",x,")
    rows[40] = rows[40].replace(",0.3,", ",-1,")  # CO negative on line 42
    client.force_login(air_world["coordinator"])
    response = client.post(reverse("air_import"), {"file": _wide(rows)})
    page = response.content.decode()
    assert response.status_code == 422 and "错误汇总" in page and "30" in page
    record = ObservationImport.objects.get(accepted=False)
    assert {(g["column"], g["reason"], g["count"]) for g in record.report["error_groups"]} == {
        ("pm25", "不是数值", 30), ("co", "负值", 1)}
    assert len(record.report["errors"]) == 21  # the first 20 rows of the PM2.5 group, and the CO row
    csv_text = client.get(reverse("air_import_errors") + f"?id={record.pk}").content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0] == "行,列,原因" and len(lines) == 32
    assert lines[1].startswith("2,pm25,") and lines[-1].startswith("42,co,")
    assert client.get(reverse("air_import_errors") + "?id=999999").status_code == 404
    client.force_login(air_world["unit_a"])
    assert client.get(reverse("air_import_errors")).status_code == 403


def test_micro_stations_get_daily_results_but_stay_out_of_the_district_set(air_world):
    """全区 (the district's assessment set and its targets) is national and city points only; a micro-station's
    hours give it its own daily results and leave the district's figure alone."""
    Station.objects.create(code="TZM1", name="微站", kind=Station.Kind.MICRO, district=air_world["district"])
    rows = _day("2024-01-01", 70) + [r.replace("TZ01", "TZM1").replace(",70,", ",150,") for r in _day("2024-01-01", 70)]
    outcome = services.import_air_file(_wide(rows), district=air_world["district"], acting_user=air_world["coordinator"])
    assert outcome.record.accepted, outcome.record.report
    assert AirDaily.objects.get(station__code="TZM1", day=dt.date(2024, 1, 1)).pm25 == 150
    assert AirDaily.objects.get(station__isnull=True, day=dt.date(2024, 1, 1)).pm25 == 70  # not (70 + 150) / 2
    pm25 = Target.objects.get(indicator__code="pm25_mean")
    assert pm25.actual_value == Decimal(70) and pm25.actual_source.startswith("1个站点")
