"""达标研判 on the platform: the projection starts from the engine's figures stored with the target,
resamples earlier years' materialised daily values, and pages explain it; town decomposition is saved
all-or-nothing with audit. Expected figures are computed by hand in the comments."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from envgov.apps.air import services as monitoring
from envgov.apps.air.models import Station
from envgov.apps.outlook import services
from envgov.apps.outlook.models import OutlookSetting, TownTarget
from envgov.apps.plans.models import Indicator, Target


def _day(day: str, pm25: float) -> list[str]:
    # clean air except PM2.5, so PM2.5 decides the AQI
    return [f"TZ01,{day}T{h:02d}:00,{pm25:g},20,5,10,0.3,30" for h in range(24)]


def _import(world, rows: list[str]) -> None:
    text = "site,time,pm25,pm10,so2,no2,co,o3\n" + "\n".join(rows) + "\n"
    outcome = monitoring.import_air_file(SimpleUploadedFile("tz.csv", text.encode()), district=world["district"],
                                         acting_user=world["coordinator"])
    assert outcome.record.accepted, outcome.record.report


@pytest.fixture
def air(world):
    Station.objects.create(code="TZ01", name="通州站", kind=Station.Kind.NATIONAL, district=world["district"])
    area = world["plan"].areas.get(code="air")
    # a cumulative PM2.5 target to 6 January: 2 days of data, 4 days left
    world["pm25"] = Target.objects.create(
        plan=world["plan"], area=area, indicator=Indicator.objects.get(code="pm25_mean"), comparator="<=",
        value=Decimal(35), unit="μg/m³", period_kind=Target.PeriodKind.CUMULATIVE,
        period_end=dt.date(2024, 1, 6), period_label="1月1日至6日")
    world["good"] = Target.objects.create(
        plan=world["plan"], area=area, indicator=Indicator.objects.get(code="good_day_ratio"), comparator=">=",
        value=Decimal(50), unit="%", period_kind=Target.PeriodKind.CUMULATIVE, period_end=dt.date(2024, 1, 6))
    return world


def _history(world):
    """2022: 3–6 January at 20 µg/m³; 2023: at 30 (both 良 or better, AQI ≤ 100)."""
    rows = []
    for year, value in ((2022, 20), (2023, 30)):
        for d in range(3, 7):
            rows += _day(f"{year}-01-{d:02d}", value)
    _import(world, rows)


def test_projection_from_the_engines_figures_with_resampled_earlier_years(air):
    _history(air)
    _import(air, _day("2024-01-01", 70) + _day("2024-01-02", 30))
    target = Target.objects.get(pk=air["pm25"].pk)
    assert target.actual_value == Decimal(50) and target.actual_as_of == dt.date(2024, 1, 2)
    p = services.projection(target)
    # 6 days in all: the mean must stay below 35.5 (35.5 → 36): remaining sum < 35.5·6 − 100 = 113 →
    # remaining mean < 28.25 (strict). Plain: (35·6 − 100)/4 = 27.5.
    assert (p.threshold, p.strict, p.plain_threshold, p.boundary) == (28.25, True, 27.5, 35.5)
    assert p.threshold_text == "28.25" and p.days_remaining == 4 and p.valid_days == 2
    # one block (7 days ≥ 4): 2022 sums 80 ✓, 2023 sums 120 ✗ → 1/2, counted exactly
    assert p.probability == 0.5 and p.exact and p.years == (2022, 2023)
    assert p.status == "warn" and not p.warn_probability_user_set  # 0.5 < 0.8 (platform default)
    assert "GB/T 8170" in p.rounding and "0 位小数" in p.rounding
    assert "35.5" in p.why and "27.5" in p.why and "重抽样" in p.method
    services.set_warn_probability(air["district"], acting_user=air["coordinator"], value="50%", reason="区考核方案")
    p = services.projection(target)
    assert p.status == "met" and p.warn_probability == 0.5 and p.warn_probability_user_set


def test_good_days_projection_and_valid_days_stored(air):
    _history(air)
    _import(air, _day("2024-01-01", 200) + _day("2024-01-02", 30))  # 2024-01-01: AQI 250, not good
    target = Target.objects.get(pk=air["good"].pk)
    assert target.actual_basis["valid_days"] == 2 and target.actual_basis["good_days"] == 1
    p = services.projection(target)
    # 6 days, target 50.0 %: 49.95 % rounds to 50.0 → 3 good days of 6 (50 %) suffice: 2 more of 4
    assert p.kind == "ratio" and p.threshold == 2 and p.plain_threshold == 2
    assert "恰为 49.95% 时修约为 50%，也达标" in p.why
    assert p.probability == 1.0  # every earlier day is good (AQI ≤ 100)
    from envgov.apps.air.models import AirDaily

    assert AirDaily.objects.filter(station__isnull=True, valid=True).count() == 10


def test_no_earlier_years_and_period_over(air):
    _import(air, _day("2024-01-01", 70) + _day("2024-01-02", 30))
    p = services.projection(Target.objects.get(pk=air["pm25"].pk))
    assert p.probability is None and "无法估算" in p.probability_note
    assert p.status == "warn"  # 28.25 needed after 50 so far: behind pace, no number involved
    rows = []
    for d in range(3, 7):
        rows += _day(f"2024-01-{d:02d}", 10)
    _import(air, rows)
    p = services.projection(Target.objects.get(pk=air["pm25"].pk))
    # (70 + 30 + 4·10)/6 = 23.3 → 23 ≤ 35: over and met
    assert p.over and p.status == "met" and p.days_remaining == 0 and p.threshold is None


def test_targets_without_data_or_not_cumulative(air):
    p = services.projection(air["pm25"])
    assert p.applicable and p.status == "unknown" and "重新计算" in p.reason
    water = Indicator.objects.create(code="water_cod_t", name="COD排放量", unit="吨", area_code="water")
    t = Target.objects.create(plan=air["plan"], area=air["pm25"].area, indicator=water, comparator="<=", value=100)
    p = services.projection(t)
    assert not p.applicable and p.status == "" and p.reason


def test_pages_show_both_figures_and_the_method(air, client):
    _history(air)
    _import(air, _day("2024-01-01", 70) + _day("2024-01-02", 30))
    client.force_login(air["coordinator"])
    page = client.get(reverse("outlook_list")).content.decode()
    assert "28.25" in page and "27.5" in page and "预警" in page and "50.0%" in page
    page = client.get(reverse("outlook_detail", args=[air["pm25"].pk])).content.decode()
    assert "35.5" in page and "重抽样" in page and "平台默认值" in page and "精确值" in page
    dash = client.get(reverse("air_dashboard")).content.decode()
    assert "28.25" in dash and "研判" in dash
    client.force_login(air["unit_a"])
    assert client.get(reverse("outlook_list")).status_code == 403


def test_settings_refuse_bad_values_with_422(air, client):
    client.force_login(air["coordinator"])
    r = client.post(reverse("outlook_settings"), {"warn_probability": "1.5x", "reason": "x"})
    assert r.status_code == 422 and "0 到 1" in r.content.decode()
    r = client.post(reverse("outlook_settings"), {"warn_probability": "0.7", "reason": " "})
    assert r.status_code == 422 and "请填写依据" in r.content.decode()
    assert not OutlookSetting.objects.exists()
    r = client.post(reverse("outlook_settings"), {"warn_probability": "0.7", "reason": "会议纪要"})
    assert r.status_code == 302 and OutlookSetting.objects.get().warn_probability == Decimal("0.7")
    client.force_login(air["auditor"])
    assert client.get(reverse("outlook_settings")).status_code == 200
    assert client.post(reverse("outlook_settings"), {"warn_probability": "0.1", "reason": "x"}).status_code == 403


# ---------------------------------------------------------------- town decomposition

def test_decompose_equal_then_entered_with_audit(air, client):
    from envgov.apps.audit.models import AuditLog

    target = air["pm25"]
    towns = {t.name: t for t in air["district"].towns.all()}
    services.decompose(target, acting_user=air["coordinator"], method="equal", reason="区考核方案")
    assert sorted(TownTarget.objects.values_list("town__name", "value")) == [
        ("宋庄镇", Decimal(35)), ("张家湾镇", Decimal(35))]
    client.force_login(air["coordinator"])
    url = reverse("outlook_towns", args=[target.pk])
    # entered, one town left empty and one not a number: refused whole, located by town, nothing changed
    r = client.post(url, {"method": "entered", f"town_{towns['宋庄镇'].pk}": "abc", "reason": "手工"})
    assert r.status_code == 422
    body = r.content.decode()
    assert "宋庄镇" in body and "张家湾镇：未填写分解目标值" in body
    assert sorted(TownTarget.objects.values_list("value", flat=True)) == [Decimal(35), Decimal(35)]
    r = client.post(url, {"method": "entered", f"town_{towns['宋庄镇'].pk}": "33.5",
                          f"town_{towns['张家湾镇'].pk}": "36", "reason": "手工"})
    assert r.status_code == 302
    assert dict(TownTarget.objects.values_list("town__name", "value")) == {"宋庄镇": Decimal("33.5"),
                                                                           "张家湾镇": Decimal(36)}
    log = AuditLog.objects.filter(action="decompose").order_by("pk")
    assert log.count() == 2 and log.last().after == {"宋庄镇": "33.5", "张家湾镇": "36"}
    assert log.last().before == {"宋庄镇": "35", "张家湾镇": "35"}
    rows = services.town_targets(target)
    assert [r.town for r in rows] == ["宋庄镇", "张家湾镇"] and all(r.status == "unknown" for r in rows)
    client.force_login(air["auditor"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"method": "equal", "reason": "x"}).status_code == 403


def test_decompose_refuses_without_reason_or_method(air):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.decompose(air["pm25"], acting_user=air["coordinator"], method="equal", reason="")
    with pytest.raises(ValidationError):
        services.decompose(air["pm25"], acting_user=air["coordinator"], method="nonsense", reason="x")
    with pytest.raises(ValidationError):  # good-day ratio has no town figures to scale
        services.decompose(air["good"], acting_user=air["coordinator"], method="baseline", baseline="2023",
                           reason="x")
    assert not TownTarget.objects.exists()


def test_issue_case_on_the_page(air, client):
    """The acceptance case end to end: 90 valid days at 38 µg/m³ (1 January – 30 March 2024), a target of
    35 to 30 December (365 days, 275 left). Plain (35·365 − 3420)/275 = 34.02; judged under the HJ 663
    report rule (GB/T 8170, integers: 35.5 → 36) (35.5·365 − 3420)/275 = 34.6818 → below 34.68."""
    rows = []
    day = dt.date(2024, 1, 1)
    while day <= dt.date(2024, 3, 30):
        rows += _day(day.isoformat(), 38)
        day += dt.timedelta(days=1)
    _import(air, rows)
    target = air["pm25"]
    Target.objects.filter(pk=target.pk).update(period_end=dt.date(2024, 12, 30), period_label="")
    monitoring.refresh_air_targets(air["district"])
    target.refresh_from_db()
    assert target.actual_value == Decimal(38) and target.actual_basis["values"]["pm25"] == 90
    p = services.projection(target)
    assert (p.days_remaining, p.plain_text, p.threshold_text, p.strict) == (275, "34.02", "34.68", True)
    assert "HJ 663-2013" in p.rounding and "GB/T 8170" in p.rounding and "0 位小数" in p.rounding
    client.force_login(air["coordinator"])
    page = client.get(reverse("outlook_detail", args=[target.pk])).content.decode()
    assert "34.68" in page and "34.02" in page and "35.5" in page and "修约为 36，不达标" in page


def test_leap_day_of_the_window_takes_28_february_of_a_common_year(air):
    """Data to 27 February 2024; the period ends 1 March: 28, 29 February and 1 March remain. 2023 is a
    common year: its 28 February stands for 29 February too."""
    Target.objects.filter(pk=air["pm25"].pk).update(period_end=dt.date(2024, 3, 1))
    _import(air, _day("2023-02-28", 20) + _day("2023-03-01", 26) + _day("2024-02-27", 50))
    target = Target.objects.get(pk=air["pm25"].pk)
    assert target.actual_as_of == dt.date(2024, 2, 27)
    spec = services.rules.CUMULATIVE["pm25_mean"]
    assert services.earlier_years(target, spec, target.actual_as_of, dt.date(2024, 3, 1)) == {2023: [20, 20, 26]}
    p = services.projection(target)
    # (50·1 + 20 + 20 + 26)/4 = 29 → meets 35: the only combination → 1.0, exact
    assert p.days_remaining == 3 and p.probability == 1.0 and p.exact and p.coverage == 1.0


def test_decompose_by_baseline_and_town_status_from_town_figures(air):
    """宋庄镇 has the national site TZ01 (the district's assessment set), 张家湾镇 a micro-station TZ02 (town
    figures only). January 2023: TZ01 40, TZ02 60 → district 40; target 35 → ratio 0.875: 宋庄镇 35.0,
    张家湾镇 52.5. January 2024: TZ01 30 (≤ 35 达标), TZ02 55 (> 52.5 未达标)."""
    towns = {t.name: t for t in air["district"].towns.all()}
    Station.objects.filter(code="TZ01").update(town=towns["宋庄镇"], town_manual=True)
    Station.objects.create(code="TZ02", name="张家湾微站", kind=Station.Kind.MICRO, district=air["district"],
                           town=towns["张家湾镇"], town_manual=True)
    Target.objects.filter(pk=air["pm25"].pk).update(period_end=dt.date(2024, 12, 31), period_kind="year")
    rows = []
    for year, a, b in ((2023, 40, 60), (2024, 30, 55)):
        for d in range(1, 32):
            day = f"{year}-01-{d:02d}"
            rows += _day(day, a) + [r.replace("TZ01", "TZ02") for r in _day(day, b)]
    _import(air, rows)
    target = Target.objects.get(pk=air["pm25"].pk)
    assert target.actual_value == Decimal(30)  # the micro-station is not in the district's set
    services.decompose(target, acting_user=air["coordinator"], method="baseline", baseline="2023-01", reason="基准")
    got = {r.town: r for r in services.town_targets(target)}
    assert (got["宋庄镇"].value, got["宋庄镇"].baseline_value) == (35.0, 40.0)
    assert (got["张家湾镇"].value, got["张家湾镇"].baseline_value) == (52.5, 60.0)
    assert got["宋庄镇"].baseline_period == "2023年1月"
    # projected like the district, 335 days left (1 February – 31 December 2024, 366 days in all):
    # 宋庄镇 35 → below 35.5: (35.5·366 − 30·31)/335 = 36.009, strictly; 30 so far is on pace → 达标
    assert (got["宋庄镇"].actual, got["宋庄镇"].status, got["宋庄镇"].threshold_text) == (30.0, "met", "低于 36")
    # 张家湾镇 52.5 → reported integers ≤ 52, and 52.5 rounds to 52: at most 52.5: (52.5·366 − 55·31)/335 =
    # 52.269 → at most 52.26; 55 so far is behind → 预警
    assert (got["张家湾镇"].actual, got["张家湾镇"].status, got["张家湾镇"].threshold_text) == (55.0, "warn", "不高于 52.26")
    assert got["宋庄镇"].valid_days == 31 and got["宋庄镇"].completeness == 1.0


def test_baseline_refused_whole_when_a_town_has_no_baseline(air):
    from django.core.exceptions import ValidationError

    towns = {t.name: t for t in air["district"].towns.all()}
    Station.objects.filter(code="TZ01").update(town=towns["宋庄镇"], town_manual=True)
    rows = []
    for d in range(1, 32):
        rows += _day(f"2023-01-{d:02d}", 40)
    _import(air, rows)
    with pytest.raises(ValidationError) as exc:
        services.decompose(air["pm25"], acting_user=air["coordinator"], method="baseline", baseline="2023-01",
                           reason="基准")
    assert "张家湾镇：基准期 2023年1月 没有有效数据" in str(exc.value)
    assert not TownTarget.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.decompose(air["pm25"], acting_user=air["coordinator"], method="baseline", baseline="2023-13",
                           reason="基准")
    assert not TownTarget.objects.exists()


# persona → (view projection, decompose, set parameter) on 通州's target and district; written by hand
OUTLOOK_CHECKS = {
    "admin": (True, True, True), "coordinator": (True, True, True), "auditor": (True, False, False),
    "unit_a": (False, False, False), "town_a": (False, False, False), "leader_a": (False, False, False),
    "other_coordinator": (False, False, False),
}


def test_named_checks_role_by_action(air):
    from envgov.apps.outlook import permissions

    got = {p: (permissions.can_view_projection(air[p], air["pm25"]), permissions.can_decompose(air[p], air["pm25"]),
               permissions.can_set_parameters(air[p], air["district"])) for p in OUTLOOK_CHECKS}
    assert got == OUTLOOK_CHECKS
    other = air["other_coordinator"]
    assert permissions.can_set_parameters(other, air["other_plan"].district)
