"""Projects and funds (decision 0034): reduction sums against the plans' targets (通州 2024, 密云 2025) with
status and provenance, the project Excel import (all or nothing, located errors) and export, payments
against budget, and a fund allocation worked by hand, through the actions and the pages."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from envgov.apps.projects import actions, services
from envgov.apps.projects.models import FundAllocation, Payment, Project, Reduction


def _target(plan, code: str, value: int, area_code: str = "water"):  # noqa: ANN001, ANN202
    from envgov.apps.plans.models import Area, Indicator, Target

    area, _ = Area.objects.get_or_create(plan=plan, code=area_code, defaults={"name": area_code})
    return Target.objects.create(plan=plan, area=area, indicator=Indicator.objects.get(code=code), comparator=">=",
                                 value=value, unit="吨", period_kind="cumulative")


def _project(world, code: str, status: str, reductions: dict, *, task=None, year: int = 2024, district=None,  # noqa: ANN001
             town=None, user: str | None = "coordinator"):  # noqa: ANN001
    district = district or world["district"]
    data = {"code": code, "name": f"项目{code}", "area": "water", "town": town, "lead_unit": None, "year": year,
            "budget": Decimal("100"), "fund_source": "municipal_transfer", "status": status, "task": task, "note": "",
            "reductions": {p: (Decimal(str(t)), "monitoring", "监测报告") for p, t in reductions.items()}}
    return actions.create_project(district, acting_user=world[user] if user else None, data=data)


# ------------------------------------------------------------------------------------------ reductions

def test_tongzhou_2024_cod_and_nh3n_targets_get_the_completed_sum(world):
    cod = _target(world["plan"], "cod_reduction", 4260)
    nh3n = _target(world["plan"], "nh3n_reduction", 325)
    _project(world, "A", "completed", {"cod": 3000, "nh3n": 200}, task=world["task_unit_a"])
    _project(world, "B", "completed", {"cod": 1000, "nh3n": 130})  # no task: counts by the plan's year
    _project(world, "C", "building", {"cod": 500})  # under way: expected, not actual
    _project(world, "D", "reserve", {"cod": 9999})  # reserve: never counts
    _project(world, "E", "completed", {"cod": 9999}, year=2023)  # another year, no task: not this plan's
    cod.refresh_from_db()
    nh3n.refresh_from_db()
    # COD: 3000 + 1000 = 4000 < 4260, + 500 under way = 4500 ≥ 4260 → 预警; NH3-N 200 + 130 = 330 ≥ 325 → 达标
    assert cod.actual_value == Decimal("4000") and cod.actual_status == "warn" and cod.status_label == "预警"
    assert "差 260 吨" in cod.actual_reason
    assert cod.actual_source == "项目库工程减排：2 个完工项目合计（A、B）"
    assert [p["code"] for p in cod.actual_basis["projects"]] == ["A", "B", "C", "D"]
    assert cod.actual_basis["projects"][0] == {"code": "A", "name": "项目A", "stage": "counted", "tonnes": "3000.000",
                                               "method": "monitoring", "basis": "监测报告"}
    assert nh3n.actual_value == Decimal("330") and nh3n.status == "met"


def test_miyun_2025_four_targets_met_warned_and_missed(world):
    from envgov.apps.geo.models import District
    from envgov.apps.plans.models import Plan

    miyun = District.objects.create(adcode="110118", name="密云区")
    plan = Plan.objects.create(district=miyun, year=2025, title="密云区2025年工作计划", status=Plan.Status.ISSUED)
    targets = {"nox": _target(plan, "nox_reduction", 430, "air"), "vocs": _target(plan, "vocs_reduction", 420, "air"),
               "cod": _target(plan, "cod_reduction", 790), "nh3n": _target(plan, "nh3n_reduction", 105)}
    _project(world, "MY-1", "completed", {"nox": 430, "vocs": 200, "cod": 500, "nh3n": 50}, year=2025, district=miyun,
             user=None)
    _project(world, "MY-2", "approved", {"vocs": 220, "cod": 100}, year=2025, district=miyun, user=None)
    _project(world, "TZ-1", "completed", {"nh3n": 500}, year=2025)  # 通州's project: not 密云's
    got = {}
    for p, t in targets.items():
        t.refresh_from_db()
        got[p] = (t.actual_value, t.actual_status)
    # NOx 430 ≥ 430 达标; VOCs 200 + 220 = 420 预警; COD 500 + 100 < 790 未达标; NH3-N 50 < 105 未达标
    assert got == {"nox": (Decimal(430), "met"), "vocs": (Decimal(200), "warn"), "cod": (Decimal(500), "not_met"),
                   "nh3n": (Decimal(50), "not_met")}


def test_a_town_target_counts_its_town_only(world):
    target = _target(world["plan"], "cod_reduction", 100)
    target.scope, target.town = "town", world["t_songzhuang"]
    target.save()
    _project(world, "S", "completed", {"cod": 60}, town=world["t_songzhuang"])
    _project(world, "Z", "completed", {"cod": 60}, town=world["town_b"].town)
    target.refresh_from_db()
    assert target.actual_value == Decimal(60) and target.actual_status == "not_met"


def test_a_reduction_needs_its_method_and_basis(world):
    data = {"code": "X", "name": "X", "area": "air", "town": None, "lead_unit": None, "year": 2024,
            "budget": Decimal(1), "fund_source": "district", "status": "reserve", "task": None,
            "reductions": {"nox": (Decimal(5), "monitoring", "  ")}}
    with pytest.raises(ValidationError, match="核算依据"):
        actions.create_project(world["district"], acting_user=world["coordinator"], data=data)
    with pytest.raises(ValidationError, match="核算方法"):
        actions.create_project(world["district"], acting_user=world["coordinator"],
                               data={**data, "reductions": {"nox": (Decimal(5), "guess", "x")}})
    with pytest.raises(PermissionDenied):
        actions.create_project(world["district"], acting_user=world["unit_a"], data={**data, "reductions": {}})
    assert not Project.objects.exists()


# ------------------------------------------------------------------------------------------ import / export

def _csv(rows: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(services.HEADERS)
    for r in rows:
        w.writerow([r.get(h, "") for h in services.HEADERS])
    return buf.getvalue().encode("utf-8")


GOOD = {"项目编号": "XM-1", "项目名称": "锅炉低氮改造", "领域": "蓝天", "街乡镇": "宋庄镇", "牵头单位": "市场监管局",
        "实施年度": "2024", "预算（万元）": "120.5", "资金来源": "市级专项转移支付", "状态": "完工",
        "关联任务编号": "三.(一).2", "NOx减排量（吨）": "12.5", "NOx核算方法": "监测数据法", "NOx核算依据": "烟气监测报告"}


def _upload(world, rows: list[dict], name: str = "项目.csv"):  # noqa: ANN001, ANN202
    return services.import_upload(SimpleUploadedFile(name, _csv(rows)), district=world["district"],
                                  acting_user=world["coordinator"])


def test_import_creates_then_updates_by_code_and_links_the_task(world):
    out = _upload(world, [GOOD, {**GOOD, "项目编号": "XM-2", "状态": "储备", "NOx减排量（吨）": "", "NOx核算方法": "",
                                  "NOx核算依据": "", "关联任务编号": ""}])
    assert out.ok and (out.created, out.updated) == (2, 0)
    p = Project.objects.get(code="XM-1")
    assert (p.town, p.lead_unit, p.task, p.budget, p.status) == (
        world["t_songzhuang"], world["u_market"], world["task_unit_a"], Decimal("120.5"), "completed")
    r = Reduction.objects.get(project=p)
    assert (r.pollutant, r.tonnes, r.method, r.basis) == ("nox", Decimal("12.5"), "monitoring", "烟气监测报告")
    out = _upload(world, [{**GOOD, "状态": "在建", "预算（万元）": "130"}])
    assert out.ok and (out.created, out.updated) == (0, 1)
    p.refresh_from_db()
    assert (p.status, p.budget, p.version) == ("building", Decimal("130"), 2)


@pytest.mark.parametrize("change,row,column,words", [
    ({"领域": "天空"}, 2, "领域", "不是可选值"),
    ({"预算（万元）": "-5"}, 2, "预算（万元）", "负值"),
    ({"预算（万元）": "1.23456"}, 2, "预算（万元）", "最多 4 位小数"),
    ({"街乡镇": "火星镇"}, 2, "街乡镇", "不在本区"),
    ({"牵头单位": "宇宙局"}, 2, "牵头单位", "单位名录"),
    ({"关联任务编号": "九.9"}, 2, "关联任务编号", "没有编号为「九.9」的任务"),
    ({"NOx核算方法": ""}, 2, "NOx核算方法", "须同时填写核算方法和核算依据"),
    ({"NOx减排量（吨）": "", "NOx核算方法": "监测数据法"}, 2, "NOx减排量（吨）", "没有减排量"),
    ({"实施年度": "24"}, 2, "实施年度", "不是年份"),
    ({"项目名称": ""}, 2, "项目名称", "为空"),
])
def test_bad_rows_are_located_and_nothing_is_imported(world, change, row, column, words):
    out = _upload(world, [{**GOOD, "项目编号": "OK-1"}, {**GOOD, **change}])
    assert not out.ok and not out.records
    errors = [(e.row, e.column) for e in out.rows.errors]
    assert (row + 1, column) in errors, errors  # the second data row is line 3 of the file
    assert any(words in m and "项目.csv，第 3 行" in m for m in out.messages()), out.messages()
    assert not Project.objects.exists()


def test_duplicate_codes_and_missing_columns(world):
    out = _upload(world, [GOOD, GOOD])
    assert not out.ok and any("与第 2 行重复" in m for m in out.messages())
    bad = SimpleUploadedFile("缺列.csv", "项目编号,项目名称\r\nA,B\r\n".encode())
    out = services.import_upload(bad, district=world["district"], acting_user=world["coordinator"])
    assert not out.ok and any("缺少列「领域」" in m for m in out.messages())
    assert not Project.objects.exists()


def test_export_imports_back_unchanged_and_template_reads(world, tmp_path):
    _upload(world, [GOOD])
    data = services.export_xlsx(Project.objects.filter(district=world["district"]))
    path = tmp_path / "项目库.xlsx"
    path.write_bytes(data)
    out = services.read_projects(path, world["district"])
    assert out.ok and len(out.records) == 1
    n, rec = out.records[0]
    assert n == 2 and rec["code"] == "XM-1" and rec["reductions"] == {"nox": (Decimal("12.5"), "monitoring", "烟气监测报告")}
    tpl = tmp_path / "模板.xlsx"
    tpl.write_bytes(services.template_xlsx())
    assert services.read_projects(tpl, world["district"]).ok


# ------------------------------------------------------------------------------------------ spending, funds

def test_payments_against_budget(world):
    p = _project(world, "P", "building", {})
    actions.record_payment(p, acting_user=world["coordinator"], paid_on=dt.date(2024, 5, 1), amount=Decimal("30"))
    actions.record_payment(p, acting_user=world["coordinator"], paid_on=dt.date(2024, 6, 1), amount=Decimal("12.5"))
    s = services.spending(p)
    assert (s.paid, s.remaining, s.rate, s.over) == (Decimal("42.5"), Decimal("57.5"), Decimal("42.5"), False)
    with pytest.raises(ValidationError):
        actions.record_payment(p, acting_user=world["coordinator"], paid_on=dt.date(2024, 6, 1), amount=Decimal("0"))
    with pytest.raises(PermissionDenied):
        actions.record_payment(p, acting_user=world["auditor"], paid_on=dt.date(2024, 6, 1), amount=Decimal("1"))
    assert Payment.objects.count() == 2


WEIGHTS = {"pm25_improvement": "40", "good_day_improvement": "20", "vocs_reduction": "20", "nox_reduction": "20"}
VALUES = {"宋庄镇": {"pm25_improvement": "3", "good_day_improvement": "2", "vocs_reduction": "10", "nox_reduction": "1"},
          "张家湾镇": {"pm25_improvement": "1", "good_day_improvement": "2", "vocs_reduction": "0", "nox_reduction": "2"},
          "漷县镇": {"pm25_improvement": "-0.5", "good_day_improvement": "4", "vocs_reduction": "10",
                  "nox_reduction": "0"}}


def test_allocation_is_kept_with_reasoning_and_audited(world):
    from envgov.apps.audit.models import AuditLog

    record = actions.create_allocation(world["district"], acting_user=world["coordinator"], year=2024, title="分配",
                                       total_wan="100", weights=WEIGHTS, values=VALUES, reason="通财〔2024〕1号")
    # by hand (tests/rules/test_funds.py): 31/60, 17/60, 12/60 of 1 000 000 元 → 516 667, 283 333, 200 000
    assert [(x["town"], x["amount_yuan"]) for x in record.result["lines"]] == [
        ("宋庄镇", 516_667), ("张家湾镇", 283_333), ("漷县镇", 200_000)]
    assert "最大余数法" in record.result["lines"][0]["reasoning"]
    assert AuditLog.objects.filter(action="fund_allocate").count() == 1
    with pytest.raises(ValidationError) as exc:
        actions.create_allocation(world["district"], acting_user=world["coordinator"], year=2024, title="分配",
                                  total_wan="100", weights={**WEIGHTS, "nox_reduction": ""}, values=VALUES, reason="x")
    assert any("平台不设默认值" in m for m in exc.value.messages)
    assert FundAllocation.objects.count() == 1


def test_project_reductions_prefill_the_allocation(world):
    _project(world, "V", "completed", {"vocs": 7, "nox": 3}, town=world["t_songzhuang"])
    _project(world, "W", "building", {"vocs": 100}, town=world["t_songzhuang"])
    assert services.town_project_reductions(world["district"], 2024) == {
        "宋庄镇": {"vocs_reduction": Decimal(7), "nox_reduction": Decimal(3)}}


# ------------------------------------------------------------------------------------------ pages

def _client(user) -> Client:  # noqa: ANN001
    c = Client()
    c.force_login(user)
    return c


def test_pages_import_refusal_and_scope(world):
    c = _client(world["coordinator"])
    bad = SimpleUploadedFile("坏.csv", _csv([{**GOOD, "领域": "天空"}]))
    r = c.post("/projects/import/", {"file": bad})
    assert r.status_code == 422
    page = r.content.decode()
    assert "坏.csv" in page and "领域" in page and "不是可选值" in page
    r = c.post("/projects/import/", {"file": SimpleUploadedFile("好.csv", _csv([GOOD]))})
    assert r.status_code == 302
    p = Project.objects.get(code="XM-1")
    assert c.get(f"/projects/{p.pk}/").status_code == 200
    assert "锅炉低氮改造" in c.get("/projects/").content.decode()
    assert c.get("/projects/export.xlsx")["Content-Type"].startswith("application/vnd.openxml")
    r = c.post(f"/projects/{p.pk}/payments/", {"paid_on": "2024-05-01", "amount": "20"})
    assert r.status_code == 302 and Payment.objects.get(project=p).amount == Decimal("20")
    assert _client(world["other_coordinator"]).get(f"/projects/{p.pk}/").status_code == 404
    assert _client(world["unit_a"]).post(f"/projects/{p.pk}/payments/", {"paid_on": "2024-05-01",
                                                                          "amount": "1"}).status_code == 403
    api = c.get("/api/projects").json()
    assert api[0]["code"] == "XM-1" and api[0]["paid_wan"] == 20.0 and api[0]["reductions"][0]["method"] == "monitoring"


def test_allocation_page_refuses_missing_weights_and_saves_a_good_one(world):
    c = _client(world["coordinator"])
    from envgov.apps.geo.models import Town

    towns = {t.name: t.pk for t in Town.objects.filter(district=world["district"])}
    post = {"title": "分配", "year": "2024", "total": "100", "reason": "通财〔2024〕1号"}
    for name in ("宋庄镇", "张家湾镇"):
        post[f"in_{towns[name]}"] = "1"
        for f, v in {"pm25_improvement": "1", "good_day_improvement": "1", "vocs_reduction": "1",
                     "nox_reduction": "1"}.items():
            post[f"v_{towns[name]}_{f}"] = v
    r = c.post("/projects/funds/new/", post)
    assert r.status_code == 422 and "平台不设默认值" in r.content.decode()
    r = c.post("/projects/funds/new/", {**post, **{f"w_{k}": v for k, v in WEIGHTS.items()}})
    assert r.status_code == 302
    record = FundAllocation.objects.get()
    assert [x["amount_yuan"] for x in record.result["lines"]] == [500_000, 500_000]
    assert "计算过程" in c.get(f"/projects/funds/{record.pk}/").content.decode()
    assert _client(world["other_coordinator"]).get(f"/projects/funds/{record.pk}/").status_code == 404
