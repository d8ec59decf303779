"""Source inventory (decision 0030): credit codes through the import, all-or-nothing imports with located
errors, duplicates (same code, same normalised address), the kinds' rules, and scope (town reporters see and
edit their own town's sources, coordinators the district, unit reporters nothing, other districts nothing)."""
from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from envgov.apps.audit.models import AuditLog
from envgov.apps.geo.models import Town
from envgov.apps.sources import actions, services
from envgov.apps.sources.models import CateringUnit, DieselFleet, Enterprise, Outfall, PermitReport, SourceImport
from envgov.ingest import sources as spec
from envgov.rules import sources as rules
from envgov.standards.codes import check_character

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ENVGOV_TODAY = "2024-09-16"


def code(n: int) -> str:
    body = f"91110112MA{n:07d}"
    return body + check_character(body)


def wrong(c: str) -> str:
    """The same code with another (wrong) check character."""
    return c[:17] + ("1" if c[17] != "1" else "2")


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _xlsx(header: list[str], rows: list[list[object]], name: str = "企业.xlsx") -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


HEADER = ["编号", "名称", "街乡镇", "地址", "统一社会信用代码", "排污许可管理类别", "排污许可证编号", "许可证生效日期"]


def _row(n: int, town: str = "宋庄镇", address: str = "", cls: str = "简化管理", **kw) -> list[object]:
    c = kw.get("credit", code(n))
    return [kw.get("id"), f"企业{n}", town, address or f"工业园{n}号", c, cls, kw.get("permit", f"{c}001Q"),
            kw.get("since", "2020-05-01")]


def _import(world, rows, kind="enterprise", header=HEADER, user="coordinator", name="企业.xlsx"):
    return _client(world[user]).post(reverse("sources_import"), {"kind": kind, "file": _xlsx(header, rows, name)})


def _enterprise(world, n: int, town=None, **kw) -> Enterprise:
    data = {"name": f"企业{n}", "town": town or world["t_songzhuang"], "address": f"工业园{n}号",
            "credit_code": code(n), "permit_class": "simplified", "permit_number": f"{code(n)}001Q",
            "permit_valid_from": dt.date(2019, 1, 1), **kw}
    return actions.create_source("enterprise", world["district"], acting_user=world["coordinator"], data=data)


# ---------------------------------------------------------------- rules (plain Python)

def test_fleet_ledger_rule_by_hand():
    assert rules.in_fleet_ledger(10, None)  # 自有车辆达10辆以上: 10 counts
    assert not rules.in_fleet_ledger(9, 20)  # 大于20辆次: 20 does not
    assert rules.in_fleet_ledger(0, 21)
    assert not rules.in_fleet_ledger(None, None)


def test_audit_sample_is_a_third_with_the_musts_first():
    holders = [rules.Holder(f"K{i:02d}", dt.date(2019, 1, 1)) for i in range(10)]
    holders[3] = rules.Holder("K03", dt.date(2022, 5, 1))  # new since 2021: must
    holders[7] = rules.Holder("K07", dt.date(2018, 1, 1), key_industry=True)  # key industry: must
    s = rules.audit_sample(holders, "110112-2023")
    assert s.holders == 10 and s.required == 4 and len(s.picks) == 4  # ⌈10/3⌉ = 4
    assert {"K03", "K07"} <= s.keys
    assert rules.audit_sample(holders, "110112-2023").keys == s.keys  # reproducible
    many = [rules.Holder(f"N{i}", dt.date(2023, 1, 1)) for i in range(5)] + [rules.Holder("OLD", dt.date(2019, 1, 1))]
    assert len(rules.audit_sample(many, "x").picks) == 5  # every must, even above ⌈6/3⌉ = 2
    assert rules.sample_size(0) == 0 and rules.sample_size(3) == 1 and rules.sample_size(4) == 2


def test_on_time_rate_and_soil_dues():
    d = dt.date(2024, 2, 29)
    assert rules.on_time_rate([(d, dt.date(2024, 2, 29)), (d, dt.date(2024, 3, 1)), (d, None), (None, None)]) == (1, 3)
    assert rules.soil_list_due(dt.date(2024, 2, 29)) == dt.date(2024, 2, 29)
    assert rules.soil_list_due(dt.date(2024, 3, 1)) == dt.date(2024, 8, 31)
    assert rules.soil_list_due(dt.date(2023, 9, 1)) == dt.date(2024, 2, 29)
    assert rules.soil_list_previous_due(dt.date(2024, 9, 16)) == dt.date(2024, 8, 31)
    assert rules.soil_list_previous_due(dt.date(2024, 1, 5)) == dt.date(2023, 8, 31)


def test_address_key_ignores_spacing_width_punctuation_and_prefixes():
    a = spec.normalise_address("北京市通州区 宋庄镇（小堡村）１２号", "通州区")
    assert a == spec.normalise_address("宋庄镇小堡村12号", "通州区") == "宋庄镇小堡村12号"
    assert spec.normalise_address("宋庄镇小堡村13号") != a


# ---------------------------------------------------------------- import: credit codes, all-or-nothing

def test_valid_codes_import_and_the_audit_log_records_them(world):
    r = _import(world, [_row(1), _row(2, town="张家湾镇")])
    assert r.status_code == 200, r.content.decode()[:2000]
    assert Enterprise.objects.filter(district=world["district"]).count() == 2
    imp = SourceImport.objects.get()
    assert imp.state == "accepted" and imp.created == 2
    assert AuditLog.objects.filter(action="source_import_create").count() == 2
    assert AuditLog.objects.filter(action="source_import").count() == 1


@pytest.mark.parametrize("bad, words", [
    (lambda c: wrong(c), "校验码错误"),
    (lambda c: c.lower(), "不是允许的字符"),  # taken as written: never upper-cased
    (lambda c: c[:17], "应为 18 位"),
    (lambda c: c[:4] + "I" + c[5:], "不是允许的字符"),
])
def test_an_invalid_code_refuses_the_whole_file_with_its_place(world, bad, words):
    rows = [_row(1), _row(2), _row(3, credit=bad(code(3)), permit=f"{code(3)}001Q"), _row(4)]
    r = _import(world, rows)
    assert r.status_code == 422
    assert not Enterprise.objects.exists()  # all-or-nothing: the three good rows are not written either
    imp = SourceImport.objects.get()
    assert imp.state == "refused"
    e = next(e for e in imp.errors if e["column"] == "统一社会信用代码")
    assert e["row"] == 4 and words in e["reason"]
    page = r.content.decode()
    assert "企业.xlsx" in page and words in page  # file, row, column, reason on the page


def test_located_errors_for_town_class_permit_and_dates(world):
    header = HEADER + ["许可证有效期至"]
    rows = [_row(1, town="不存在镇") + [""], _row(2, cls="特别管理") + [""], _row(3, permit="123") + [""],
            _row(4) + ["2019-01-01"], _row(5) + ["not a date"]]
    r = _import(world, rows, header=header)
    assert r.status_code == 422 and not Enterprise.objects.exists()
    got = {(e["row"], e["column"]) for e in SourceImport.objects.get().errors}
    assert {(2, "街乡镇"), (3, "排污许可管理类别"), (4, "排污许可证编号"), (5, "许可证有效期至"), (6, "许可证有效期至")} <= got


def test_missing_required_column_is_a_header_error(world):
    r = _import(world, [["企业1", "宋庄镇"]], header=["名称", "街乡镇"])
    assert r.status_code == 422
    assert any(e["column"] == "表头" and "统一社会信用代码" in e["reason"] for e in SourceImport.objects.get().errors)


# ---------------------------------------------------------------- duplicates

def test_same_code_twice_in_a_file_is_refused(world):
    rows = [_row(1), _row(2, credit=code(1))]
    r = _import(world, rows)
    assert r.status_code == 422 and not Enterprise.objects.exists()
    e = SourceImport.objects.get().errors[0]
    assert e["row"] == 3 and "第 2 行" in e["reason"]


def test_same_code_as_an_existing_record_needs_its_number(world):
    old = _enterprise(world, 1)
    r = _import(world, [_row(1)])
    assert r.status_code == 422
    assert f"编号 {old.pk}" in SourceImport.objects.get().errors[0]["reason"]
    r = _import(world, [_row(1, id=old.pk, address="新地址9号")])  # with the number: an update
    assert r.status_code == 200
    old.refresh_from_db()
    assert old.address == "新地址9号" and old.version == 2
    assert Enterprise.objects.count() == 1


def test_same_address_is_a_warning_and_shows_on_the_duplicates_page(world):
    _enterprise(world, 1, address="北京市通州区宋庄镇小堡村12号")
    r = _import(world, [_row(2, address="宋庄镇 小堡村 １２号")])
    assert r.status_code == 200 and Enterprise.objects.count() == 2
    assert "地址相同" in r.content.decode()
    groups = services.duplicates(world["coordinator"])
    assert [(g.kind, len(g.objects)) for g in groups] == [("enterprise", 2)]
    page = _client(world["coordinator"]).get(reverse("sources_duplicates")).content.decode()
    assert "企业1" in page and "企业2" in page


def test_form_refuses_an_existing_code_and_a_bad_check_character(world):
    _enterprise(world, 1)
    with pytest.raises(Exception) as exc:
        _enterprise(world, 2, credit_code=code(1), permit_number=f"{code(1)}001Q")
    assert "编号" in str(exc.value)
    with pytest.raises(Exception) as exc:
        _enterprise(world, 3, credit_code=wrong(code(3)))
    assert "校验码错误" in str(exc.value)
    assert Enterprise.objects.count() == 1


# ---------------------------------------------------------------- export → import round trip, template

def test_export_reimports_unchanged(world):
    e = _enterprise(world, 1, emergency_grade="B", key_industry=True)
    body = _client(world["coordinator"]).get(reverse("sources_export") + "?kind=enterprise").content
    ws = openpyxl.load_workbook(io.BytesIO(body)).active
    assert ws.cell(1, 1).value == "编号" and ws.cell(2, 1).value == e.pk
    r = _client(world["coordinator"]).post(reverse("sources_import"), {
        "kind": "enterprise", "file": SimpleUploadedFile("导出.xlsx", body)})
    assert r.status_code == 200, r.content.decode()[:3000]
    e.refresh_from_db()
    assert e.emergency_grade == "B" and e.key_industry and Enterprise.objects.count() == 1


def test_every_kind_has_a_template_that_imports_back_empty_refused(world):
    c = _client(world["coordinator"])
    for kind, k in spec.KINDS.items():
        body = c.get(reverse("sources_template") + f"?kind={kind}").content
        header = [x.value for x in openpyxl.load_workbook(io.BytesIO(body)).active[1]]
        assert header == [f.names[0] for f in k.fields]
        r = c.post(reverse("sources_import"), {"kind": kind, "file": SimpleUploadedFile("空.xlsx", body)})
        assert r.status_code == 422  # no data rows


def test_outfall_chain_and_fleet_and_catering_import(world):
    _enterprise(world, 1)
    header = ["名称", "街乡镇", "排污口编码", "受纳水体", "排污通道", "通道类型", "排污单位统一社会信用代码"]
    r = _import(world, [["北运河口", "宋庄镇", "RH001", "北运河", "一号管", "管道", code(1)]], kind="outfall",
                header=header, name="排污口.xlsx")
    assert r.status_code == 200, r.content.decode()[:2000]
    o = Outfall.objects.get()
    ch = o.channels.get()
    assert o.receiving_water.name == "北运河" and ch.discharger.credit_code == code(1)
    r = _import(world, [["萧太后河口", "宋庄镇", "RH002", "萧太后河", "二号管", "管道", code(9)]], kind="outfall",
                header=header, name="排污口.xlsx")
    assert r.status_code == 422 and Outfall.objects.count() == 1  # unknown discharger: nothing written
    r = _import(world, [["物流1", "宋庄镇", "10", "20"], ["物流2", "宋庄镇", "9", "21"], ["物流3", "宋庄镇", "9", "20"]],
                kind="fleet", header=["名称", "街乡镇", "自有车辆数", "日使用车辆（辆次）"], name="车队.xlsx")
    assert r.status_code == 200
    assert [f.in_ledger for f in DieselFleet.objects.order_by("name")] == [True, True, False]
    r = _import(world, [["火锅", "宋庄镇", "是", "2024-06-10"]], kind="catering",
                header=["名称", "街乡镇", "油烟净化设施", "最近清洗日期"], name="餐饮.xlsx")
    assert r.status_code == 200 and CateringUnit.objects.get().last_cleaned == dt.date(2024, 6, 10)


# ---------------------------------------------------------------- scope

def test_town_reporter_sees_and_edits_only_own_town(world):
    other_town = Town.objects.get(district=world["district"], name="张家湾镇")
    mine, theirs = _enterprise(world, 1), _enterprise(world, 2, town=other_town)
    c = _client(world["town_a"])
    page = c.get(reverse("sources_home") + "?kind=enterprise").content.decode()
    assert "企业1" in page and "企业2" not in page
    assert c.get(reverse("sources_enterprise", args=[theirs.pk])).status_code == 404
    assert c.get(reverse("sources_home") + f"?kind=enterprise&town={other_town.pk}").status_code == 404
    form = {"op": "save", "name": "企业1改", "town": world["t_songzhuang"].pk, "credit_code": code(1),
            "permit_class": "simplified", "permit_number": f"{code(1)}001Q", "version": mine.version}
    assert c.post(reverse("sources_enterprise", args=[mine.pk]), form).status_code == 302
    mine.refresh_from_db()
    assert mine.name == "企业1改" and AuditLog.objects.filter(action="source_update").count() == 1
    # moving it to another town is refused (the form offers the own town only; the action refuses too)
    r = c.post(reverse("sources_enterprise", args=[mine.pk]), {**form, "town": other_town.pk, "version": mine.version})
    assert r.status_code == 422
    with pytest.raises(PermissionDenied):
        actions.update_source(mine, acting_user=world["town_a"], expected_version=mine.version,
                              data={**form, "town": other_town})
    mine.refresh_from_db()
    assert mine.town_id == world["t_songzhuang"].pk
    # adding in the own town works; the import is the coordinators'
    add = {"kind": "enterprise", "name": "新企业", "town": world["t_songzhuang"].pk, "credit_code": code(5)}
    assert c.post(reverse("sources_add"), add).status_code == 302
    assert Enterprise.objects.filter(name="新企业", town=world["t_songzhuang"]).exists()
    assert c.get(reverse("sources_import")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.import_file(_xlsx(HEADER, [_row(7)]), "enterprise", district=world["district"],
                             acting_user=world["town_a"])


def test_coordinator_district_unit_reporter_none_other_district_none(world):
    other_town = Town.objects.get(district=world["district"], name="张家湾镇")
    a, b = _enterprise(world, 1), _enterprise(world, 2, town=other_town)
    assert set(services.sources_for(world["coordinator"], "enterprise")) == {a, b}
    assert set(services.sources_for(world["auditor"], "enterprise")) == {a, b}
    assert not services.sources_for(world["unit_a"], "enterprise").exists()
    assert not services.sources_for(world["other_coordinator"], "enterprise").exists()
    assert _client(world["other_coordinator"]).get(reverse("sources_enterprise", args=[a.pk])).status_code == 404
    assert _client(world["unit_a"]).get(reverse("sources_enterprise", args=[a.pk])).status_code == 404
    # the auditor reads but does not edit
    auditor = _client(world["auditor"])
    assert auditor.get(reverse("sources_enterprise", args=[a.pk])).status_code == 200
    assert auditor.post(reverse("sources_enterprise", args=[a.pk]), {"name": "x"}).status_code == 403
    # the API follows the same scope
    api = json.loads(_client(world["town_a"]).get("/api/sources?kind=enterprise").content)
    assert [x["name"] for x in api] == ["企业1"]
    assert _client(world["town_a"]).get(f"/api/sources/enterprise/{b.pk}").status_code == 404
    assert _client(world["coordinator"]).get(f"/api/sources/enterprise/{b.pk}").status_code == 200


# ---------------------------------------------------------------- permit-report audit

def test_permit_audit_page_and_confirmation(world):
    firms = [_enterprise(world, i, permit_valid_from=dt.date(2019, 1, 1)) for i in range(1, 8)]
    firms.append(_enterprise(world, 8, permit_valid_from=dt.date(2022, 1, 1)))  # new since 2021: must
    _enterprise(world, 9, permit_class="registration", permit_number="")  # 登记管理: holds no permit
    for f in firms:
        actions.save_report(f, acting_user=world["coordinator"], data={"year": 2023, "due_date": dt.date(2024, 2, 29),
                                                                       "submitted_on": dt.date(2024, 2, 1)})
    sample = services.audit_sample(world["district"], 2023)
    assert sample.holders == 8 and sample.required == 3 and sample.picked == 3
    assert any(r.enterprise == firms[-1] and r.picked for r in sample.rows)
    assert (sample.on_time, sample.due) == (8, 8)
    c = _client(world["coordinator"])
    page = c.get(reverse("sources_permit_audit") + "?year=2023").content.decode()
    assert "至少审核 3 家" in page
    assert _client(world["auditor"]).post(reverse("sources_permit_audit"), {"year": "2023"}).status_code == 403
    assert c.post(reverse("sources_permit_audit"), {"year": "2023"}).status_code == 302
    assert PermitReport.objects.filter(audit_status="selected").count() == 3
    assert AuditLog.objects.filter(action="permit_report_select").count() == 3
    again = services.audit_sample(world["district"], 2023)  # marked reports stay in the list
    assert {r.enterprise.pk for r in again.rows if r.picked} == {r.enterprise.pk for r in sample.rows if r.picked}


def test_demo_loads_a_few_dozen_sources_with_valid_codes(world):
    from envgov.apps.sources import demo
    from envgov.apps.sources.models import MODELS
    from envgov.standards.codes import is_valid

    n = demo.load(world["district"])
    assert 30 <= n <= 80
    assert all(MODELS[k].objects.filter(is_simulated=True).exists() for k in MODELS)
    assert all(is_valid(e.credit_code) for e in Enterprise.objects.all())
    assert services.duplicates(world["coordinator"])  # the demo's same-address pair
    assert demo.load(world["district"]) == 0
    c = _client(world["coordinator"])
    for kind in MODELS:
        r = c.get(reverse("sources_home") + f"?kind={kind}")
        assert r.status_code == 200 and "模拟数据" in r.content.decode()
        obj = MODELS[kind].objects.first()
        assert c.get(reverse(f"sources_{kind}", args=[obj.pk])).status_code == 200


def test_out_of_range_and_bad_cells_are_located_not_500(world):
    header = ["名称", "街乡镇", "自有车辆数", "日使用车辆（辆次）", "经度", "纬度"]
    rows = [["物流1", "宋庄镇", "1e20", "", "", ""], ["物流2", "宋庄镇", "3.5", "x", "", ""],
            ["物流3", "宋庄镇", "-1", "", "200", "40"], ["物流4", "宋庄镇", "5", "", "116.7", ""]]
    r = _import(world, rows, kind="fleet", header=header, name="车队.xlsx")
    assert r.status_code == 422 and not DieselFleet.objects.exists()
    got = {(e["row"], e["column"]) for e in SourceImport.objects.get().errors}
    assert {(2, "自有车辆数"), (3, "自有车辆数"), (3, "日使用车辆（辆次）"), (4, "自有车辆数"), (4, "经度"), (5, "纬度")} <= got


def test_cli_check_locates_a_bad_code_and_passes_a_good_file(tmp_path):
    from typer.testing import CliRunner

    from envgov.cli import app

    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_text("名称,街乡镇,统一社会信用代码\n企业1,宋庄镇," + wrong(code(1)) + "\n", encoding="utf-8")
    good.write_text("名称,街乡镇,统一社会信用代码\n企业1,宋庄镇," + code(1) + "\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["sources", "check", str(bad), "--kind", "enterprise"])
    assert r.exit_code == 1 and "第 2 行" in r.output and "校验码错误" in r.output
    r = CliRunner().invoke(app, ["sources", "check", str(good), "--town", "宋庄镇"])
    assert r.exit_code == 0 and "共 1 行" in r.output
