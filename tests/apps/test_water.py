"""Water app (decision 0027): imports (located errors, all-or-nothing, 422), the kind rule and its
correction, pages, the compensation ledger page, and water plan targets. Expected figures are worked by
hand from GB 3838-2002 Table 1 and the compensation measures' text (docs/water.md), not from our code."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from envgov.apps.audit.models import AuditLog
from envgov.apps.water import actions, demo, services
from envgov.apps.water.models import CompensationParameter, Sample, Section, WaterImport

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ENVGOV_TODAY = "2024-09-16"


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _section(world, code="S1", target=4, **kw):
    data = {"code": code, "name": f"断面{code}", "kind": "river", "target": target, "level": "municipal",
            "town": None, "lon": None, "lat": None, **kw}
    return actions.create_section(world["district"], acting_user=world["coordinator"], data=data)


def _upload(c: Client, name: str, body: str, **extra):
    return c.post(reverse("water_import"), {"file": SimpleUploadedFile(name, body.encode("utf-8")), **extra})


# ------------------------------------------------------------------------------------------ imports

def test_template_import_classes_month_by_hand(world):
    s = _section(world, target=3)
    c = _client(world["coordinator"])
    body = ("site,time,parameter,value,unit\n"
            "S1,2024-03-05,cod,18,mg/L\nS1,2024-03-05,nh3n,1.2,mg/L\nS1,2024-03-05,do,6.5,mg/L\n"
            "S1,2024-03-19,cod,22,mg/L\nS1,2024-03-19,nh3n,1.6,mg/L\nS1,2024-03-19,ph,7.6,无量纲\n")
    r = _upload(c, "水.csv", body)
    assert r.status_code == 200, r.content.decode()[:500]
    assert Sample.objects.filter(section=s).count() == 2
    (res,) = services.evaluate([s], "month")
    # March means: COD (18+22)/2 = 20 → Ⅲ (≤ 20); NH3-N (1.2+1.6)/2 = 1.4 → Ⅳ (1.0 < 1.4 ≤ 1.5);
    # DO 6.5 → Ⅱ (≥ 6); pH 7.6 inside 6–9. Class = worst = Ⅳ, 轻度污染, target Ⅲ not met.
    # Main pollutant NH3-N, multiple (1.4 − 1.0)/1.0 = 0.4.
    assert (res.period, res.samples, res.label, res.status, res.attained) == ("2024-03", 2, "Ⅳ", "轻度污染", False)
    assert res.primary == ["氨氮(0.4)"]
    assert res.exceedances == {"nh3n": pytest.approx(0.4)}
    # importing the same file again adds nothing (already present), and is no error
    r = _upload(c, "水.csv", body)
    assert r.status_code == 200 and Sample.objects.count() == 2
    assert WaterImport.objects.filter(state="accepted").latest("pk").report["already_present"] == 6


@pytest.mark.parametrize("row, column, words", [
    ("S1,2024-03-05,nh3n,850,µg/L", "unit", "单位"),  # a unit mix-up: µg/L is not converted, nor guessed
    ("S1,2024-03-05,cod,-3,mg/L", "value", "负值"),
    ("S1,2024-03-05,do,60,mg/L", "value", "超出溶解氧的可能范围"),  # the registry's screen (≤ 50 mg/L)
    ("S2,2024-03-05,cod,20,mg/L", "site", "没有目标类别"),
    ("S9,2024-03-05,cod,20,mg/L", "site", "不在断面表中"),
    ("S1,2024-13-05,cod,20,mg/L", "time", "不是时间"),
])
def test_bad_rows_are_located_and_nothing_is_imported(world, row, column, words):
    _section(world, "S1")
    _section(world, "S2", target=None)
    c = _client(world["coordinator"])
    body = "site,time,parameter,value,unit\nS1,2024-03-01,cod,20,mg/L\n" + row + "\n"
    r = _upload(c, "坏.csv", body)
    assert r.status_code == 422
    rec = WaterImport.objects.get()
    assert rec.state == "refused" and Sample.objects.count() == 0  # the good first row is not kept either
    (err,) = rec.report["errors"]
    assert err["row"] == 3 and err["column"] == column and words in err["reason"], err
    assert words in r.content.decode()


def test_a_different_value_for_a_stored_sample_is_refused(world):
    _section(world)
    c = _client(world["coordinator"])
    _upload(c, "a.csv", "site,time,parameter,value,unit\nS1,2024-03-05,cod,20,mg/L\n")
    r = _upload(c, "b.csv", "site,time,parameter,value,unit\nS1,2024-03-05,nh3n,1,mg/L\nS1,2024-03-05,cod,21,mg/L\n")
    assert r.status_code == 422
    err = WaterImport.objects.latest("pk").report["errors"][0]
    assert err["row"] == 3 and "已有 20" in err["reason"]
    assert Sample.objects.get().nh3n is None  # nothing of the refused file, not even the new item


CNEMC = ("年月,省份,流域,断面名称,监测时间,水质类别,水温(℃),pH(无量纲),溶解氧(mg/L),电导率(μS/cm),浊度(NTU),"
         "高锰酸盐指数(mg/L),氨氮(mg/L),总磷(mg/L),总氮(mg/L),叶绿素α(mg/L),藻密度(cells/L),站点情况\n"
         "2021-04,北京市,海河流域,东店,04-01 08:00,Ⅳ,12,8.1,9.5,600,10,5.2,0.4,0.25,3.1,*,*,正常\n"
         "2021-04,北京市,海河流域,密云水库,04-01 08:00,Ⅳ,10,8.2,10.1,300,2,2.1,0.1,0.08,0.9,0.003,--,正常\n")


def test_cnemc_release_creates_sections_with_the_kind_rule(world):
    c = _client(world["coordinator"])
    r = _upload(c, "release.csv", CNEMC)
    assert r.status_code == 200, r.content.decode()[:800]
    river = Section.objects.get(code="北京市/东店")
    lake = Section.objects.get(code="北京市/密云水库")
    assert (river.kind, lake.kind) == ("river", "lake")  # chlorophyll-a entry → lake/reservoir
    assert "叶绿素" in lake.kind_rule and river.target is None
    # TP 0.08: river limits Ⅲ (≤ 0.2), lake limits Ⅳ (0.05 < 0.08 ≤ 0.1) — the published Ⅳ is the lake's
    res = {x.section.code: x for x in services.evaluate([river, lake], "month")}
    assert res["北京市/密云水库"].label == "Ⅳ" and res["北京市/东店"].label == "Ⅳ"  # TP 0.25 river Ⅳ
    assert res["北京市/东店"].attained is None  # no target: unknown
    assert Sample.objects.get(section=lake).published_class == 4
    (one,) = services.sample_classes(lake)
    assert (one.label, one.published) == ("Ⅳ", "Ⅳ")  # the sample's own class reproduces the published one
    page = c.get(reverse("water_section", args=[lake.pk])).content.decode()
    assert "最近的样品" in page and "2021-04-01 08:00" in page
    # the user corrects the kind: kept as 用户更正, a later import does not change it back
    actions.update_section(lake, acting_user=world["coordinator"], expected_version=lake.version,
                           data={"code": lake.code, "name": lake.name, "kind": "river", "target": 2, "town": None,
                                 "lon": None, "lat": None})
    _upload(c, "release.csv", CNEMC)
    lake.refresh_from_db()
    assert (lake.kind, lake.kind_manual, lake.kind_rule) == ("river", True, "用户更正")


def test_refused_release_creates_no_section(world):
    c = _client(world["coordinator"])
    r = _upload(c, "release.csv", CNEMC.replace("0.25,3.1", "-0.25,3.1"))
    assert r.status_code == 422 and not Section.objects.exists() and not Sample.objects.exists()
    assert WaterImport.objects.get().state == "refused"


def test_import_needs_a_coordinator(world):
    _section(world)
    for who, want in (("auditor", 403), ("unit_a", 403)):
        r = _upload(_client(world[who]), "a.csv", "site,time,parameter,value,unit\nS1,2024-03-05,cod,20,mg/L\n")
        assert r.status_code == want
    assert not Sample.objects.exists()


def test_template_download(world):
    r = _client(world["coordinator"]).get(reverse("water_import_template"))
    assert r.status_code == 200 and r.content.decode("utf-8-sig").strip() == "site,time,parameter,value,unit"


# ------------------------------------------------------------------------------------------ demo, pages, ledger

@pytest.fixture
def demo_world(world):
    import time

    start = time.perf_counter()
    n = demo.load(world["district"])
    world["demo_seconds"] = time.perf_counter() - start
    world["demo_samples"] = n
    return world


def test_demo_sections_and_pages(demo_world):
    w = demo_world
    assert Section.objects.filter(district=w["district"], is_simulated=True).count() == 11
    levels = list(Section.objects.filter(level__in=("national", "municipal")).values_list("target", flat=True))
    assert sorted(levels) == [3, 4, 4, 4, 4, 4, 4, 4]  # the 2024 plan: 1 × Ⅲ and 7 × Ⅳ
    assert w["demo_samples"] == 105  # 11 sections × 9 months + the compensation CSVs' other March days
    c = _client(w["auditor"])
    page = c.get(reverse("water_sections")).content.decode()
    assert "模拟数据" in page and "2024-09" in page and "北运河出境（示意）" in page
    # September: 11 sections assessed, 1 at Ⅲ or better (TZ-W05), so Ⅰ–Ⅲ share 9.1 % < 75 %; 劣Ⅴ 1 (TZ-T01)
    # = 9.1 % < 20 % → 轻度污染 by the proportion method (评价办法, 5 sections or more)
    assert "全区水质状况 <strong>轻度污染</strong>" in page and "断面类别比例法" in page
    s = Section.objects.get(code="TZ-W03")
    page = c.get(reverse("water_section", args=[s.pk])).content.decode()
    # March NH3-N (1.58 + 1.66)/2 = 1.62 → Ⅴ at TZ-W03: the month is Ⅴ whatever else was measured
    assert "2024-03" in page and "中度污染" in page
    other = _client(w["other_coordinator"])
    assert other.get(reverse("water_section", args=[s.pk])).status_code == 404


def test_ledger_page_reproduces_the_hand_worked_month(demo_world):
    w = demo_world
    c = _client(w["auditor"])
    r = c.get(reverse("water_compensation"), {"rules": "beijing-2015", "month": "2024-03",
                                              "wi_code": "nh3n", "wi_pct": "-10"})
    page = r.content.decode()
    assert r.status_code == 200
    # docs/water.md and tests/ingest/test_compensation_input.py: 0 + 30 + 30 + 60 = 120 万元; NH3-N −10 %
    # brings 1.6 → 1.44 and 1.62 → 1.458 (≤ 1.5, Ⅳ): saves 60 万元
    assert 'id="ledger-total">120<' in page
    assert "少付 60 万元" in page
    assert "属情形一" in page and "差 1 个类别 × 30 万元 = 30 万元" in page
    # the default month is the latest (September): TZ-W04 TP 0.33 → Ⅴ, no inflow: case 1, 1 × 30 = 30 万元
    page = c.get(reverse("water_compensation")).content.decode()
    assert "2024-09 补偿汇总" in page and 'id="ledger-total">30<' in page
    x = c.get(reverse("water_compensation_xlsx"), {"rules": "beijing-2015", "month": "2024-03"})
    assert x.status_code == 200 and x.content[:2] == b"PK"


def test_ledger_parameters_are_user_set_and_audited(demo_world):
    w = demo_world
    c = _client(w["coordinator"])
    # the town rule set needs its pollutants and rates: refused with the missing parameters named
    page = c.get(reverse("water_compensation"), {"rules": "town", "month": "2024-03"}).content.decode()
    assert "缺少用户设定参数" in page and "pollutants" in page and "ledger-total" not in page
    r = c.post(reverse("water_compensation_parameters"), {
        "rules": "town", "month": "2024-03", "p_pollutants": "cod,nh3n,tp", "p_rate_case1": "10",
        "p_rate_case2": "5", "p_worse_than_v_gap": "to_v", "p_worse_than_v_extra": "2",
        "p_dirty_inflow_basis": "target", "reason": "（模拟数据）区办法草案"})
    assert r.status_code == 302
    assert CompensationParameter.objects.filter(district=w["district"], rule_set="town").count() == 6
    assert AuditLog.objects.filter(action="set_parameter").count() == 6
    page = c.get(reverse("water_compensation"), {"rules": "town", "month": "2024-03"}).content.decode()
    # TZ-T01 (no inflow): NH3-N 2.3 → 劣Ⅴ, to Ⅴ: (5 − 4) × 10 + 2 = 12; COD 29 Ⅳ 0; TP 0.27 Ⅳ 0.
    # TZ-T02 (inflow T01): NH3-N 2.1 ≤ 2.3 → case 2, 劣Ⅴ to Ⅴ: 1 × 5 + 2 = 7; COD 26 ≤ 29 Ⅳ 0;
    #   TP 0.29 > 0.27 but Ⅳ meets 0.   TZ-T03: COD 33 Ⅴ 1 × 10 = 10; NH3-N 1.3 Ⅳ; TP 0.22 Ⅳ.  total 29 万元
    assert 'id="ledger-total">29<' in page and "用户设定" in page
    # a bad amount is refused with the label, nothing saved; an auditor may not change them
    r = c.post(reverse("water_compensation_parameters"), {"rules": "town", "p_rate_case1": "-1", "reason": "x"})
    assert CompensationParameter.objects.get(rule_set="town", key="rate_case1").value == 100000
    # clearing a value (an empty field) is a change too, audited; the ledger then asks for it again
    c.post(reverse("water_compensation_parameters"), {"rules": "town", "p_worse_than_v_extra": "", "reason": "撤回"})
    assert not CompensationParameter.objects.filter(rule_set="town", key="worse_than_v_extra").exists()
    assert AuditLog.objects.filter(action="compensation_parameter_clear").count() == 1
    page = c.get(reverse("water_compensation"), {"rules": "town", "month": "2024-03"}).content.decode()
    assert "劣Ⅴ类追加补偿金" in page and "ledger-total" not in page
    r = _client(w["auditor"]).post(reverse("water_compensation_parameters"),
                                    {"rules": "town", "p_rate_case1": "1", "reason": "x"})
    assert r.status_code == 403


# ------------------------------------------------------------------------------------------ targets

def _target(world, code, comparator, value):
    from envgov.apps.plans.models import Area, Indicator, Target

    area = Area.objects.create(plan=world["plan"], code="water", name="碧水", order=1)
    return Target.objects.create(plan=world["plan"], area=area, indicator=Indicator.objects.get(code=code),
                                 comparator=comparator, value=Decimal(value), unit="个")


def test_water_targets_from_the_engine(demo_world):
    w = demo_world
    attained = _target(w, services.SECTIONS_ATTAINED, ">=", 8)
    from envgov.apps.plans.models import Area, Indicator, Target

    no_v = Target.objects.create(plan=w["plan"], area=Area.objects.get(plan=w["plan"], code="water"),
                                 indicator=Indicator.objects.get(code=services.INFERIOR_V_SECTIONS), comparator="<=",
                                 value=Decimal(0), unit="个")
    assert services.refresh_water_targets(w["district"]) == 2
    attained.refresh_from_db()
    no_v.refresh_from_db()
    # January–September means of the 8 national/municipal sections all meet their classes (the demo keeps
    # them inside Ⅲ/Ⅳ limits except single months), so 8 ≥ 8; but in September TZ-W06 NH3-N 1.72 and
    # TZ-W04 TP 0.33 are Ⅴ (1.5 < 1.72 ≤ 2.0; 0.3 < 0.33 ≤ 0.4) > Ⅳ: the year is running, so 预警.
    assert attained.actual_value == 8 and attained.actual_as_of == dt.date(2024, 9, 16)
    check = services.check_target(attained, w["district"])
    assert check.status == services.WARN and "凉水河出境（示意）" in check.reason and "萧太后河入境（示意）" in check.reason
    assert "国考、市考" in attained.actual_source
    # town sections: no 劣Ⅴ over the year so far (0 ≤ 0), but TZ-T01 September NH3-N 2.15 > 2.0 → 劣Ⅴ: 预警
    assert no_v.actual_value == 0
    assert services.check_target(no_v, w["district"]).status == services.WARN
    page = _client(w["auditor"]).get(reverse("water_sections")).content.decode()
    assert "预警" in page


def test_target_status_when_the_period_is_over(world, settings):
    s = _section(world, "S1", target=4, level="national")
    t = _target(world, services.SECTIONS_ATTAINED, ">=", 1)
    t.period_end = dt.date(2024, 3, 31)
    t.save()
    c = _client(world["coordinator"])
    _upload(c, "a.csv", "site,time,parameter,value,unit\nS1,2024-03-05,nh3n,1.6,mg/L\n")  # Ⅴ > Ⅳ
    check = services.check_target(t, world["district"])
    assert (check.value, check.status) == (0, services.NOT_MET)
    actions.update_section(s, acting_user=world["coordinator"], expected_version=s.version,
                           data={"code": "S1", "name": s.name, "kind": "river", "target": 5, "level": "national",
                                 "town": None, "lon": None, "lat": None})
    t.refresh_from_db()
    assert t.actual_value == 1 and services.check_target(t, world["district"]).status == services.MET


def test_api_sections_and_ledger(demo_world):
    from envgov.apps.accounts.models import ApiToken

    w = demo_world
    c = Client(HTTP_AUTHORIZATION="Bearer " + ApiToken.issue(w["auditor"], "t")[1])
    rows = c.get("/api/water/sections").json()
    w03 = next(r for r in rows if r["code"] == "TZ-W03")
    march = next(m for m in w03["months"] if m["month"] == "2024-03")
    assert march["water_class"] == "Ⅴ" and march["attained"] is False
    assert c.get(f"/api/water/sections/{w03['id']}").status_code == 200
    doc = c.get("/api/water/compensation", {"month": "2024-03"}).json()
    assert doc["total_wan"] == "120" and any("属情形一" in x["reasoning"] for x in doc["lines"])
    assert c.get("/api/water/compensation", {"month": "2024-03", "rules": "town"}).status_code == 422
    assert c.get("/api/water/compensation", {"month": "2024-13"}).status_code == 422
    other = Client(HTTP_AUTHORIZATION="Bearer " + ApiToken.issue(w["other_coordinator"], "t")[1])
    assert other.get(f"/api/water/sections/{w03['id']}").status_code == 404


def test_register_a_section_on_the_page(world):
    c = _client(world["coordinator"])
    r = c.post(reverse("water_section_add"), {"code": "TZ-X1", "name": "新断面", "kind": "lake", "target": "3",
                                              "level": "district"})
    s = Section.objects.get(code="TZ-X1")
    assert r.status_code == 302 and (s.kind, s.kind_rule, s.target, s.level) == ("lake", "用户更正", 3, "district")
    assert AuditLog.objects.filter(action="water_section_create").count() == 1
    r = c.post(reverse("water_section_add"), {"code": "TZ-X1", "name": "重复", "kind": "river"})
    assert Section.objects.filter(code="TZ-X1").count() == 1  # a used code is refused with a message
    assert _client(world["town_a"]).post(reverse("water_section_add"), {"code": "TZ-X2", "name": "x",
                                                                           "kind": "river"}).status_code == 403


def test_section_town_by_point_in_polygon_unless_chosen(world):
    from envgov.apps.geo import boundaries
    from envgov.apps.geo.models import Town

    ring = [[116.6, 39.8], [116.8, 39.8], [116.8, 40.0], [116.6, 40.0], [116.6, 39.8]]
    Town.objects.filter(code="110112104000").update(lon=116.62, lat=39.85)  # 宋庄镇: the west half
    Town.objects.filter(code="110112105000").update(lon=116.78, lat=39.85)  # 张家湾镇: the east half
    boundaries.derive_town_boundaries(world["district"], acting_user=world["admin"],
                                      district_boundary={"type": "Polygon", "coordinates": [ring]})
    s = _section(world, lon=116.75, lat=39.9)
    assert (s.town.name, s.town_manual) == ("张家湾镇", False)
    data = {"code": s.code, "name": s.name, "kind": "river", "target": 4, "lon": 116.65, "lat": 39.9, "town": None}
    s = actions.update_section(s, acting_user=world["coordinator"], expected_version=s.version, data=data)
    assert (s.town.name, s.town_manual) == ("宋庄镇", False)  # moved west: placed again
    s = actions.update_section(s, acting_user=world["coordinator"], expected_version=s.version,
                               data={**data, "town": world["t_songzhuang"].__class__.objects.get(name="张家湾镇")})
    assert (s.town.name, s.town_manual) == ("张家湾镇", True)  # a person's choice stays


def test_xlsx_template_and_gzipped_release_through_the_page(world):
    import gzip
    import io

    from openpyxl import Workbook

    _section(world, "S1")
    wb = Workbook()
    ws = wb.active
    ws.append(["监测断面", "时间", "项目", "数值", "单位"])  # the template's Chinese headers
    ws.append(["S1", "2024-03-05", "tp", 0.25, "mg/L"])
    ws.append(["S1", "2024-03-05", "ph", 7.2, "无量纲"])
    buf = io.BytesIO()
    wb.save(buf)
    c = _client(world["coordinator"])
    r = c.post(reverse("water_import"), {"file": SimpleUploadedFile("水质.xlsx", buf.getvalue())})
    assert r.status_code == 200 and Sample.objects.get().tp == 0.25
    r = c.post(reverse("water_import"), {"file": SimpleUploadedFile("release.csv.gz", gzip.compress(CNEMC.encode()))})
    assert r.status_code == 200 and WaterImport.objects.latest("pk").profile == "cnemc-auto"
    assert Section.objects.filter(code="北京市/密云水库", kind="lake").exists()
    # a file that is neither: refused by the upload check with the allowed kinds
    r = c.post(reverse("water_import"), {"file": SimpleUploadedFile("x.csv", b"%PDF-1.4 nope")})
    assert "允许的类型" in r.content.decode() and Sample.objects.count() == 3


def test_unconfirmed_assessment_rules_are_district_parameters(demo_world):
    w = demo_world
    c = _client(w["coordinator"])
    page = c.get(reverse("water_sections")).content.decode()
    assert "评价规则参数" in page and "（缺省值）" in page and "断面类别比例法" in page
    # 11 sections: with the proportion method from 12 sections on, the district is rated on the mean
    # concentrations of its sections instead (评价办法 §2.5, parameter proportion_min_sections)
    r = c.post(reverse("water_parameters_save"), {"p_proportion_min_sections": "12", "p_period_min_samples": "1",
                                                  "p_heavy_metals_first": "metals", "reason": "（模拟数据）测试"})
    assert r.status_code == 302
    assert AuditLog.objects.filter(action="set_parameter", content_type__model="waterparameter").count() == 1
    page = c.get(reverse("water_sections")).content.decode()
    assert "按各断面平均浓度评价" in page and "用户设定" in page
    # a month needs 2 samples: September (one sample per section) is not assessable anywhere
    c.post(reverse("water_parameters_save"), {"p_period_min_samples": "2", "reason": "（模拟数据）测试"})
    (res,) = services.evaluate([Section.objects.get(code="TZ-W05")], "month", dt.date(2024, 9, 1), dt.date(2024, 9, 30))
    assert (res.samples, res.label) == (1, "")
    r = c.post(reverse("water_parameters_save"), {"p_period_min_samples": "0", "reason": "x"})
    assert "未保存" in c.get(reverse("water_sections")).content.decode()
    assert _client(w["auditor"]).post(reverse("water_parameters_save"),
                                      {"p_period_min_samples": "3", "reason": "x"}).status_code == 403
