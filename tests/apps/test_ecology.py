"""Ecology app (decision 0036): EI, grade and change per HJ 192-2015, carbon-intensity declines, soil safe-use
rates from ledger counts, the EI import (located errors, all-or-nothing, 422), permissions, audit, and the
target-figure provider's 达标 / 预警 / 未达标. Expected values are worked by hand from the standard's
weights and grade tables (other.md §2.1), the carbon formulas (§3.3) and the farmland method (§4.4)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from envgov.apps.audit.models import AuditLog
from envgov.apps.ecology import actions, services
from envgov.apps.ecology.models import CarbonYear, EcologyIndex, EcologyParameter, FarmlandLedger

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ENVGOV_TODAY = "2024-09-16"


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


KEYS = ("biological_abundance", "vegetation_cover", "water_network_density", "land_stress", "pollution_load")


def _ei(world, year, values, constraint=""):
    return actions.save_indices(world["district"], acting_user=world["coordinator"], year=year,
                                data={**dict(zip(KEYS, values)), "constraint": constraint, "source": "监测中心"})


def _target(world, code, value, text="", period_label="全年"):
    from envgov.apps.plans.models import Area, Indicator, Target

    area, _ = Area.objects.get_or_create(plan=world["plan"], code="ecology", defaults={"name": "生态保护", "order": 4})
    return Target.objects.create(plan=world["plan"], area=area, indicator=Indicator.objects.get(code=code),
                                 comparator=">=", value=Decimal(str(value)), text=text, period_label=period_label)


def _refreshed(target):
    services.refresh_targets(target.plan.district)
    target.refresh_from_db()
    return target


# ------------------------------------------------------------------------------------------ EI

def test_ei_grade_and_change_by_hand(world):
    # 2023: 0.35×40 + 0.25×60 + 0.15×30 + 0.15×(100−20) + 0.10×(100−10) = 14 + 15 + 4.5 + 12 + 9 = 54.5 → 一般
    # 2024: 0.35×44 + 0.25×64 + 0.15×32 + 0.15×(100−18) + 0.10×(100−8) = 15.4 + 16 + 4.8 + 12.3 + 9.2 = 57.7 → 良
    # ΔEI = 57.7 − 54.5 = 3.2: 3 ≤ |ΔEI| < 8 → 明显变化, > 0 → 变好
    _ei(world, 2023, (40, 60, 30, 20, 10))
    _ei(world, 2024, (44, 64, 32, 18, 8))
    years, prov = services.ei_years(world["district"])
    assert [(y.result.year, y.result.ei, y.result.grade) for y in years] == [(2023, 54.5, "一般"), (2024, 57.7, "良")]
    assert years[1].change.delta == pytest.approx(3.2)
    assert years[1].change.text == "明显变化（变好）"
    assert "HJ 192-2015" in prov["standard"]
    page = _client(world["auditor"]).get(reverse("ecology")).content.decode()
    assert "57.7" in page and "明显变化（变好）" in page and "54.5" in page


def test_ei_boundary_and_constraint(world):
    # all five 50: 17.5 + 12.5 + 7.5 + 7.5 + 5 = 50 → 一般; with 降一级: capped 0.1 below 35 → 34.9 较差
    _ei(world, 2022, (50, 50, 50, 50, 50), constraint="downgrade_one")
    # exactly on the 良 boundary (a boundary value belongs to the better grade):
    # (50, 70, 50, 50, 50) = 17.5 + 17.5 + 7.5 + 7.5 + 5 = 55 → 良
    _ei(world, 2023, (50, 70, 50, 50, 50))
    years, _ = services.ei_years(world["district"])
    assert (years[0].result.ei_computed, years[0].result.ei, years[0].result.grade) == (50, 34.9, "较差")
    assert (years[1].result.ei, years[1].result.grade) == (55, "良")


def test_ei_target_statuses(world):
    t = _target(world, "ei", 55, "生态环境状况指数保“良”创“优”")
    assert _refreshed(t).actual_status == "unknown" and "尚无 2024 年分指数" in t.actual_reason
    _ei(world, 2023, (44, 64, 32, 18, 8))  # 57.7
    _ei(world, 2024, (50, 70, 50, 50, 50))  # 55.0: meets 55 but ΔEI −2.7 → 略微变化（变差） → 预警
    t = _refreshed(t)
    assert (t.actual_value, t.actual_status) == (Decimal("55.0000"), "warn")
    assert "变差" in t.actual_reason and "未达“优”" in t.actual_reason
    _ei(world, 2024, (44, 64, 32, 18, 8.5))  # 57.65: ΔEI −0.05 → 无明显变化 → 达标
    t = _refreshed(t)
    assert (t.actual_value, t.actual_status) == (Decimal("57.6500"), "met")
    _ei(world, 2024, (40, 60, 30, 20, 10))  # 54.5 < 55 → 未达标
    assert _refreshed(t).actual_status == "not_met"
    assert AuditLog.objects.filter(action="compute", object_id=str(t.pk)).exists()


# ------------------------------------------------------------------------------------------ carbon

def _carbon(world, year, co2, gdp):
    return actions.save_carbon_year(world["district"], acting_user=world["coordinator"], year=year, co2=co2, gdp=gdp,
                                    source="统计局")


def test_carbon_declines_by_hand_and_target(world):
    # I2020 = 1000 / 100 = 10; I2023 = 880 / 100 = 8.8; I2024 = 850 / 100 = 8.5
    # cumulative 2024 = (1 − 8.5 / 10) × 100 = 15 % (exactly the target: 达标); single-year (1 − 8.5/8.8) = 3.409 %
    for y, co2 in ((2020, 1000), (2023, 880), (2024, 850)):
        _carbon(world, y, co2, 100)
    t = _target(world, "carbon_intensity_decline", 15, "较2020年累计下降15%左右", "累计")
    t = _refreshed(t)
    assert (t.actual_value, t.actual_status) == (Decimal("15.0000"), "met")
    assert "基准年 2020（目标原文）" in t.actual_source and "1000 ÷ 100" not in t.actual_reason
    assert "850 ÷ 100 = 8.5000" in t.actual_reason
    view = services.carbon(world["district"], 2020)
    r2024 = [r for r in view.results if r.year == 2024][0]
    assert r2024.annual_decline == pytest.approx((1 - 8.5 / 8.8) * 100)
    _carbon(world, 2023, 840, 100)  # I2023 = 8.4 < 8.5: cumulative still 15 % but intensity rose → 预警
    t = _refreshed(t)
    assert t.actual_status == "warn" and "同比持续下降" in t.actual_reason
    _carbon(world, 2024, 860, 100)  # 14 % < 15 % → 未达标
    t = _refreshed(t)
    assert (t.actual_value, t.actual_status) == (Decimal("14.0000"), "not_met")


def test_carbon_cumulative_chain_equals_base_ratio(world):
    # 10 → 9.5 → 9.0: annual 5 % then (1 − 9/9.5) = 5.263 %; chain 1 − 0.95 × 0.947368 = 10 % = 1 − 9/10
    for y, co2 in ((2020, 1000), (2021, 950), (2022, 900)):
        _carbon(world, y, co2, 100)
    actions.set_carbon_base_year(world["district"], acting_user=world["coordinator"], base_year=2020)
    view = services.carbon(world["district"])
    assert view.cumulative_chain[2022] == pytest.approx(10.0)
    assert [r.decline_vs_base for r in view.results] == [pytest.approx(5.0), pytest.approx(10.0)]


def test_carbon_single_year_and_intermediate_year_rule(world):
    for y, co2 in ((2020, 1000), (2023, 900), (2024, 891)):
        _carbon(world, y, co2, 100)
    single = _target(world, "carbon_intensity_decline", 1, "单位地区生产总值二氧化碳排放下降率达到1%")
    single = _refreshed(single)
    # (1 − 8.91 / 9) × 100 = 1 % → 达标
    assert (single.actual_value, single.actual_status) == (Decimal("1.0000"), "met")
    later = _target(world, "carbon_intensity_decline", 15, "到2025年较2020年累计下降15%", "累计")
    later = _refreshed(later)
    # 2024 is year 4 of 5 and no progress rule is set: value shown, no status
    assert later.actual_value == Decimal("10.9000") and later.actual_status == "unknown"
    actions.set_parameters(world["district"], acting_user=world["coordinator"],
                           values={"carbon_progress_rule": "linear"}, reason="区考核办法")
    later.refresh_from_db()
    # linear: 15 × 4/5 = 12 % expected; 10.9 < 12 → 未达标
    assert later.actual_status == "not_met" and "12.00%" in later.actual_reason
    assert EcologyParameter.objects.get(key="carbon_progress_rule").value == "linear"
    assert AuditLog.objects.filter(action="set_parameter", note__contains="区考核办法").exists()


# ------------------------------------------------------------------------------------------ soil

def test_soil_rates_and_statuses(world):
    farm = _target(world, "farmland_safe_use_rate", 92)
    land = _target(world, "land_safe_use_rate", 95)
    # A = (40 + 45 + 7) / 100 × 100 = 92 % (= target: 达标)
    actions.save_farmland(world["district"], acting_user=world["coordinator"], year=2024, as_of=dt.date(2024, 9, 16),
                          b=40, c=45, d=7, e=100)
    # 19 / 20 = 95 %
    actions.save_construction(world["district"], acting_user=world["coordinator"], year=2024,
                              as_of=dt.date(2024, 12, 31), safe_plots=19, reused_plots=20, basis="本区口径")
    farm, land = _refreshed(farm), _refreshed(land)
    assert (farm.actual_value, farm.actual_status) == (Decimal("92.0000"), "met")
    assert (land.actual_value, land.actual_status) == (Decimal("95.0000"), "met") and "本区口径" in land.actual_reason
    # 91 % before the year's end → 预警; at the year's end → 未达标
    row = FarmlandLedger.objects.get()
    actions.save_farmland(world["district"], acting_user=world["coordinator"], year=2024, as_of=dt.date(2024, 9, 16),
                          b=40, c=44, d=7, e=100, expected_version=row.version)
    assert _refreshed(farm).actual_status == "warn"
    actions.save_farmland(world["district"], acting_user=world["coordinator"], year=2024, as_of=dt.date(2024, 12, 31),
                          b=40, c=44, d=7, e=100)
    assert _refreshed(farm).actual_status == "not_met"
    entry = AuditLog.objects.filter(action="farmland_ledger_save").latest("pk")
    assert entry.actor == world["coordinator"]


def test_soil_counts_checked(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="大于"):
        actions.save_farmland(world["district"], acting_user=world["coordinator"], year=2024, as_of="2024-09-16",
                              b=60, c=45, d=7, e=100)
    with pytest.raises(ValidationError):
        actions.save_construction(world["district"], acting_user=world["coordinator"], year=2024, as_of="2024-09-16",
                                  safe_plots=5, reused_plots=4)
    with pytest.raises(ValidationError):
        actions.save_farmland(world["district"], acting_user=world["coordinator"], year=2024, as_of="2024-09-16",
                              b=-1, c=45, d=7, e=100)
    c = _client(world["coordinator"])
    r = c.post(reverse("ecology_farmland_save"), {"year": "2024", "as_of": "2024-09-16", "unit": "亩", "b": "60",
                                                  "c": "45", "d": "7", "e": "100"}, follow=True)
    assert r.status_code == 200 and "未保存" in r.content.decode()
    assert not FarmlandLedger.objects.exists()


# ------------------------------------------------------------------------------------------ import

def _upload(c: Client, name: str, body: str):
    return c.post(reverse("ecology_ei_import"), {"file": SimpleUploadedFile(name, body.encode("utf-8"))})


HEADER = "年份,生物丰度指数,植被覆盖指数,水网密度指数,土地胁迫指数,污染负荷指数,环境限制\n"


def test_import_all_or_nothing_with_located_errors(world):
    c = _client(world["coordinator"])
    body = HEADER + "2023,40,60,30,20,10,无\n2024,44,abc,32,18,8,\n2025,44,64,-2,18,8,降两级\n"
    r = _upload(c, "分指数.csv", body)
    assert r.status_code == 422
    page = r.content.decode()
    assert "分指数.csv，第 3 行，列「植被覆盖指数」" in page
    assert "第 4 行，列「水网密度指数」" in page and "第 4 行，列「环境限制」" in page
    assert not EcologyIndex.objects.exists()  # the good 2023 row is not imported either
    r = _upload(c, "外区.csv", "区域," + HEADER.replace("\n", "") + "\n门头沟区,2023,40,60,30,20,10,\n")
    assert r.status_code == 422 and "不是本区" in r.content.decode() and not EcologyIndex.objects.exists()
    r = _upload(c, "好.csv", HEADER + "2023,40,60,30,20,10,无\n2024,44,64,32,18,8,\n")
    assert r.status_code == 302
    assert sorted(EcologyIndex.objects.values_list("year", flat=True)) == [2023, 2024]
    assert AuditLog.objects.filter(action="ecology_index_import").count() == 2


def test_import_template_and_duplicate_year(world):
    c = _client(world["coordinator"])
    r = c.get(reverse("ecology_ei_template"))
    assert r.status_code == 200 and "生物丰度指数" in r.content.decode("utf-8-sig")
    r = _upload(c, "重复.csv", HEADER + "2023,40,60,30,20,10,\n2023,41,60,30,20,10,\n")
    assert r.status_code == 422 and "第 3 行" in r.content.decode() and "第 2 行" in r.content.decode()


# ------------------------------------------------------------------------------------------ permissions and pages

def test_permissions_and_scope(world):
    _ei(world, 2024, (44, 64, 32, 18, 8))
    for who in ("auditor", "town_a", "unit_a"):
        assert _client(world[who]).get(reverse("ecology")).status_code == 200
        r = _client(world[who]).post(reverse("ecology_carbon_save"), {"year": "2024", "co2": "1", "gdp": "1"})
        assert r.status_code == 403
    assert not CarbonYear.objects.exists()
    other = _client(world["other_coordinator"]).get(reverse("ecology")).content.decode()
    assert "57.7" not in other  # 门头沟 sees its own (empty) page
    api = _client(world["auditor"]).get("/api/ecology").json()
    assert api["ei"]["years"][0]["ei"] == 57.7 and api["ei"]["years"][0]["grade"] == "良"
    assert _client(world["other_coordinator"]).get("/api/ecology").json()["ei"]["years"] == []
    from envgov.apps.ecology import permissions

    assert not permissions.can_edit_ecology(world["other_coordinator"], world["district"])
    assert permissions.can_edit_ecology(world["admin"], world["district"])


def test_forms_write_through_actions(world):
    c = _client(world["coordinator"])
    r = c.post(reverse("ecology_ei_save"), {"year": "2024", **dict(zip(KEYS, ("44", "64", "32", "18", "8"))),
                                            "constraint": "", "source": "表单"})
    assert r.status_code == 302 and EcologyIndex.objects.get().source == "表单"
    r = c.post(reverse("ecology_ei_save"), {"year": "2024", **dict(zip(KEYS, ("44", "-64", "32", "18", "8")))},
               follow=True)
    assert "不能为负" in r.content.decode() and EcologyIndex.objects.get().vegetation_cover == 64
    assert c.post(reverse("ecology_carbon_save"), {"year": "2020", "co2": "1000", "gdp": "100"}).status_code == 302
    assert c.post(reverse("ecology_base_year_save"), {"base_year": "2020"}).status_code == 302
    assert c.post(reverse("ecology_construction_save"), {"year": "2024", "as_of": "2024-09-16", "safe_plots": "3",
                                                         "reused_plots": "4"}).status_code == 302
    r = c.post(reverse("ecology_parameters_save"), {"p_ei_rounding": "1", "p_round_sub_indices": "on",
                                                    "p_carbon_progress_rule": "", "reason": "省站口径"}, follow=True)
    assert "已保存 1 项参数" in r.content.decode()
    page = c.get(reverse("ecology")).content.decode()
    assert "75.00%" in page and "用户设定" in page
    labels = {e.action for e in AuditLog.objects.all()}
    assert {"ecology_index_save", "carbon_year_save", "carbon_base_year", "construction_ledger_save",
            "set_parameter"} <= labels
    from envgov.apps.audit.present import action_label

    for action in ("ecology_index_save", "ecology_index_import", "carbon_year_save", "carbon_base_year",
                   "farmland_ledger_save", "construction_ledger_save"):
        assert action_label(action) != "其他操作"
    assert action_label("set_parameter", "ecologyparameter") == "设置生态碳土壤参数"


def test_stale_version_refused(world):
    from django.core.exceptions import ValidationError

    row = _ei(world, 2024, (44, 64, 32, 18, 8))
    _ei(world, 2024, (45, 64, 32, 18, 8))
    with pytest.raises(ValidationError, match="已被他人修改"):
        actions.save_indices(world["district"], acting_user=world["coordinator"], year=2024,
                             data=dict(zip(KEYS, (46, 64, 32, 18, 8))), expected_version=row.version)


def test_demo_load_gives_every_status(world):
    """模拟数据: the demo's figures are chosen so that 预警 and 达标 show; entered through the actions."""
    from envgov.apps.ecology import demo
    from envgov.apps.plans.models import Target

    demo.load(world["district"])
    demo.load(world["district"])  # idempotent: the years are changed in place, targets not added twice
    got = {t.indicator.code: (t.actual_value, t.actual_status)
           for t in Target.objects.filter(plan=world["plan"], indicator__code__in=services.TARGET_CODES)}
    # EI 2024 = 0.35×40.3 + 0.25×64.9 + 0.15×41.2 + 0.15×72.7 + 0.10×97.3 = 57.145, ΔEI vs 58.435 = −1.29 → 预警
    # farmland (1200 + 830 + 0) / 2050 = 99.02 % < 100 % on 16 September → 预警; construction 11 / 11 → 达标
    assert got == {"ei": (Decimal("57.1450"), "warn"), "farmland_safe_use_rate": (Decimal("99.0244"), "warn"),
                   "land_safe_use_rate": (Decimal("100.0000"), "met")}
    assert EcologyIndex.objects.filter(is_simulated=True).count() == 5
    page = _client(world["coordinator"]).get(reverse("ecology")).content.decode()
    assert "模拟数据" in page and "15.57%" in page  # carbon 2024 against 2020: 1 − (430/1350)/(415/1100)


def test_xlsx_import_and_refused_file_kind(world):
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["年份", "生物丰度指数", "植被覆盖指数", "水网密度指数", "土地胁迫指数", "污染负荷指数"])
    ws.append([2023, 40, 60, 30, 20, 10])
    ws.append([2024, 44, 64, 32, None, 8])  # 土地胁迫指数 missing in row 3
    buf = io.BytesIO()
    wb.save(buf)
    c = _client(world["coordinator"])
    r = c.post(reverse("ecology_ei_import"), {"file": SimpleUploadedFile("分指数.xlsx", buf.getvalue())})
    assert r.status_code == 422 and "第 3 行，列「土地胁迫指数」" in r.content.decode()
    assert not EcologyIndex.objects.exists()
    ws.cell(row=3, column=5, value=18)
    buf = io.BytesIO()
    wb.save(buf)
    r = c.post(reverse("ecology_ei_import"), {"file": SimpleUploadedFile("分指数.xlsx", buf.getvalue())})
    assert r.status_code == 302 and EcologyIndex.objects.count() == 2
    r = c.post(reverse("ecology_ei_import"), {"file": SimpleUploadedFile("图.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)})
    assert r.status_code == 422 and EcologyIndex.objects.count() == 2
