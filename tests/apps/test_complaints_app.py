"""接诉即办 app (decision 0032): import (idempotent by number, all or nothing, located errors), towns by
address, scope, the 三率 through the app's path against hand-computed cases (reopened orders, orders without
an answer), missing parameters named with their orders, category rules, repeated addresses → 督办, export."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from envgov.apps.complaints import actions, services
from envgov.apps.complaints.models import ComplaintImport, WorkOrder

HEADER = "工单编号,来源渠道,派单时间,承办单位,街乡镇,诉求地址,诉求内容,诉求类别,签收时间,响应时限（小时）,是否解决,满意度,原工单编号"
# hand-computed case of 2024-03 (see the docstring of test_rates_merge_exclude)
ROWS = [
    "A1,12345,2024-03-01 09:00,市场监管局,,宋庄镇小堡村1号,饭店油烟,,2024-03-01 09:30,2,已解决,满意,",
    "A2,12345,2024-03-02 10:00,市场监管局,,宋庄镇小堡村1号,夜里噪音,,2024-03-02 13:00,2,未解决,不满意,",
    "A3,12369,2024-03-03 08:00,市场监管局,,张家湾镇某路5号,工地扬尘,,2024-03-03 08:30,,,,",
    "B1,12345,2024-03-04 09:00,发展改革委,,张家湾镇某路5号,刺鼻异味,,,2,已解决,基本满意,",
    "B2,12345,2024-03-10 09:00,市场监管局,,宋庄镇小堡村1号,夜里噪音（重启）,,2024-03-10 09:20,2,已解决,满意,A2",
]


def _file(rows, name="工单.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8"))


def _import(world, rows=ROWS, name="工单.csv"):
    return services.import_file(_file(rows, name), district=world["district"], acting_user=world["coordinator"])


def _params(world, **values):
    actions.set_parameters(world["district"], acting_user=world["coordinator"], values=values, reason="测试设定")


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# ------------------------------------------------------------------ import

def test_import_places_towns_and_units_and_is_idempotent(world):
    out = _import(world)
    assert out.record.state == ComplaintImport.State.ACCEPTED and out.record.created == 5
    by = {o.number: o for o in WorkOrder.objects.select_related("unit", "town", "reopen_of")}
    assert by["A1"].town == world["t_songzhuang"] and not by["A1"].town_manual
    assert by["A3"].town.name == "张家湾镇"
    assert by["A1"].unit == world["u_market"] and by["B1"].unit == world["u_dev"]
    assert by["B2"].reopen_of == by["A2"]
    again = _import(world)
    assert again.record.state == ComplaintImport.State.ACCEPTED
    assert (again.record.created, again.record.updated, again.record.unchanged) == (0, 0, 5)
    assert WorkOrder.objects.count() == 5


def test_import_fills_what_is_empty_and_refuses_a_different_value(world):
    _import(world)
    fill = ROWS[2].replace(",,,,", ",,已解决,满意,")  # A3's answers arrive with a later export
    out = _import(world, [fill])
    assert out.record.updated == 1
    a3 = WorkOrder.objects.get(number="A3")
    assert a3.resolved is True and a3.satisfaction == "satisfied"
    clash = ROWS[0].replace("已解决,满意", "已解决,不满意")
    out = _import(world, [clash, ROWS[1]], name="冲突.csv")
    assert out.record.state == ComplaintImport.State.REFUSED
    err = out.record.report["errors"][0]
    assert err["row"] == 2 and err["column"] == "满意度" and "A1" in err["reason"]
    assert WorkOrder.objects.get(number="A1").satisfaction == "satisfied"  # nothing the platform holds changed


def test_import_is_all_or_nothing_with_located_errors(world):
    bad = ROWS[1].replace("不满意", "很好")
    out = _import(world, [ROWS[0], bad, ROWS[2]])
    assert out.record.state == ComplaintImport.State.REFUSED
    assert WorkOrder.objects.count() == 0
    (err,) = out.record.report["errors"]
    assert (err["row"], err["column"]) == (3, "满意度") and "很好" in err["reason"]
    town = ROWS[0].replace("市场监管局,,", "市场监管局,海淀镇,")
    out = _import(world, [town])
    assert out.record.state == ComplaintImport.State.REFUSED
    assert out.record.report["errors"][0]["column"] == "街乡镇"
    assert WorkOrder.objects.count() == 0


def test_import_page_refuses_with_422_and_shows_the_errors(world):
    c = _client(world["coordinator"])
    bad = ROWS[1].replace("2024-03-02 10:00", "2024-13-02")
    r = c.post("/complaints/import/", {"file": _file([ROWS[0], bad])})
    assert r.status_code == 422
    assert "第 3 行" in r.content.decode() or "3</td>" in r.content.decode()
    assert WorkOrder.objects.count() == 0
    r = c.post("/complaints/import/", {"file": _file(ROWS)})
    assert r.status_code == 200 and WorkOrder.objects.count() == 5
    assert c.get("/complaints/import/template.xlsx").status_code == 200


def test_unknown_unit_and_townless_address_are_left_for_the_user(world):
    row = "C1,12345,2024-03-05 09:00,不存在的局,,某小区8号,油烟,,,2,,,"
    out = _import(world, [row])
    assert out.record.state == ComplaintImport.State.ACCEPTED
    c1 = WorkOrder.objects.get(number="C1")
    assert c1.unit is None and c1.unit_written == "不存在的局" and c1.town is None
    assert len(out.record.report["warnings"]) == 2


def test_town_matcher_full_short_and_ambiguous(world):
    m = services.town_matcher(world["district"])
    assert m.in_address("通州区宋庄镇小堡村") == world["t_songzhuang"]
    assert m.in_address("宋庄小堡村").name == "宋庄镇"
    assert m.in_address("宋庄镇与张家湾镇交界") is None
    assert m.in_address("朝阳区某路") is None


# ------------------------------------------------------------------ rates (hand-computed)

def _rates(world, month="2024-03"):
    out = services.month_result(world["district"], month)
    assert out.result is not None, (out.missing, out.error)
    return out.result


def _fr(rate) -> tuple[int, int]:
    return rate.numerator, rate.denominator


def test_rates_merge_exclude(world):
    """A2 reopened as B2 (merge: one order, counted in A2's month and unit; responded in time only if every
    dispatch was; resolved / satisfied by B2's answers). A3 has no limit (parameter 1 h: 30 min is in time)
    and no answers (excluded from the rated denominators). B1 not signed; 基本满意 counted as not satisfied.
    Counted: A1 (T,T,T), A2+B2 (F,T,T), A3 (T,-,-), B1 (F,T,F) → 响应 2/4, 解决 3/3, 满意 2/3."""
    _import(world)
    _params(world, response_limit_hours="1", basic_satisfied="unsatisfied", reopened="merge", unrated="exclude",
            repeat_threshold="2")
    r = _rates(world)
    assert r.total.orders == 4
    assert (_fr(r.total.response), _fr(r.total.resolution), _fr(r.total.satisfaction)) == ((2, 4), (3, 3), (2, 3))
    market, dev = r.by_unit["市场监管局"], r.by_unit["发展改革委"]
    assert (_fr(market.response), _fr(market.resolution), _fr(market.satisfaction)) == ((2, 3), (2, 2), (2, 2))
    assert (_fr(dev.response), _fr(dev.resolution), _fr(dev.satisfaction)) == ((0, 1), (1, 1), (0, 1))
    song, zhang = r.by_town["宋庄镇"], r.by_town["张家湾镇"]
    assert (_fr(song.response), _fr(song.resolution), _fr(song.satisfaction)) == ((1, 2), (2, 2), (2, 2))
    assert (_fr(zhang.response), _fr(zhang.resolution), _fr(zhang.satisfaction)) == ((1, 2), (1, 1), (0, 1))
    assert sorted(len(x.orders) for x in r.repeats) == [2, 2]


def test_rates_separate_count_as_no(world):
    """Each dispatch its own order: A1 (T,T,T), A2 (F,F,F), A3 (T,no,no), B1 (F,T,F), B2 (T,T,T); unanswered
    orders count as not resolved / not satisfied → 响应 3/5, 解决 3/5, 满意 2/5; and excluded → 3/4, 2/4."""
    _import(world)
    _params(world, response_limit_hours="1", basic_satisfied="unsatisfied", reopened="separate",
            unrated="count_as_no")
    r = _rates(world)
    assert (_fr(r.total.response), _fr(r.total.resolution), _fr(r.total.satisfaction)) == ((3, 5), (3, 5), (2, 5))
    _params(world, unrated="exclude", basic_satisfied="satisfied")
    r = _rates(world)
    assert (_fr(r.total.resolution), _fr(r.total.satisfaction)) == ((3, 4), (3, 4))


def test_missing_parameters_name_their_orders_and_page_is_not_500(world):
    _import(world)
    out = services.month_result(world["district"], "2024-03")
    assert out.result is None
    assert out.missing == {"reopened": ["B2"], "basic_satisfied": ["B1"], "response_limit_hours": ["A3"]}
    page = _client(world["coordinator"]).get("/complaints/rates/?month=2024-03")
    assert page.status_code == 200
    body = page.content.decode()
    assert "missing-parameters" in body and "B2" in body and "A3" in body
    xlsx = _client(world["coordinator"]).get("/complaints/rates.xlsx?month=2024-03")
    assert xlsx.status_code == 302
    api = _client(world["coordinator"]).get("/api/complaints/rates?month=2024-03")
    doc = api.json()
    assert api.status_code == 200 and doc["computable"] is False
    assert {m["key"]: m["orders"] for m in doc["missing"]}["reopened"] == ["B2"]


def test_reopen_and_visit_through_actions_change_the_rates(world):
    _import(world, ROWS[:4])
    _params(world, response_limit_hours="1", basic_satisfied="unsatisfied", reopened="merge")
    a2 = WorkOrder.objects.get(number="A2")
    with pytest.MonkeyPatch.context() as mp:
        from django.utils import timezone

        mp.setattr("envgov.apps.audit.clock.now", lambda: timezone.make_aware(dt.datetime(2024, 3, 12, 9, 0)))
        new = actions.reopen_order(a2, acting_user=world["coordinator"], reason="诉求人不满意")
        assert new.number == "A2-R1" and new.reopen_of == a2 and new.unit == a2.unit
        new = actions.sign_order(new, acting_user=world["unit_a"], expected_version=new.version)
    new = actions.record_visit(new, acting_user=world["coordinator"], expected_version=new.version, resolved=True,
                               satisfaction="satisfied")
    r = _rates(world)
    # merged: A2 + A2-R1 is one order in March: A1 (T,T,T), A2g (F,T,T), A3 (T,-,-), B1 (F,T,F)
    assert r.total.orders == 4
    assert (_fr(r.total.response), _fr(r.total.resolution), _fr(r.total.satisfaction)) == ((2, 4), (3, 3), (2, 3))


def test_rates_page_export_and_heat_map(world):
    _import(world)
    _params(world, response_limit_hours="1", basic_satisfied="satisfied", reopened="merge", repeat_threshold="2")
    c = _client(world["coordinator"])
    page = c.get("/complaints/rates/?month=2024-03")
    body = page.content.decode()
    assert page.status_code == 200 and "rates-table" in body and 'id="map-data"' in body and "town-map" in body
    assert "50.00%" in body  # 响应 2/4
    x = c.get("/complaints/rates.xlsx?month=2024-03")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(x.content)).worksheets[0]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    total = next(v for v in values if v[1] == "合计")
    assert total[2:6] == [4, 2, 4, "50.00%"]
    payload = services.heat_payload(world["district"], _rates(world), "2024-03")
    counts = {t["name"]: t["value"] for t in payload["towns"]}
    assert counts == {"宋庄镇": 2, "张家湾镇": 2}


# ------------------------------------------------------------------ categories

def test_category_rules_page_and_entered_category_kept(world):
    _import(world, [ROWS[0], ROWS[1].replace(",,2024-03-02", ",异味,2024-03-02")])
    c = _client(world["coordinator"])
    a1, a2 = WorkOrder.objects.get(number="A1"), WorkOrder.objects.get(number="A2")
    assert services.category_of(a1, services.category_rules(world["district"]))[0] == "油烟"
    r = c.post("/complaints/rules/", {"rules": "噪声：油烟、噪音\n油烟：饭店"})
    assert r.status_code == 302
    cats = services.category_rules(world["district"])
    assert services.category_of(a1, cats) == ("噪声", "油烟")  # the first rule decides
    assert services.category_of(a2, cats) == ("异味", "entered")
    r = c.post("/complaints/rules/", {"rules": "噪声\n油烟：", "version": "1"})
    assert r.status_code == 422 and "第 1 行" in r.content.decode()
    assert c.get("/complaints/rules/").status_code == 200


# ------------------------------------------------------------------ scope and the unit's work

def test_scope_units_towns_and_other_districts(world):
    _import(world)
    ids = dict(WorkOrder.objects.values_list("number", "pk"))
    from envgov.apps.complaints.permissions import orders_for

    assert set(orders_for(world["unit_a"]).values_list("number", flat=True)) == {"A1", "A2", "A3", "B2"}
    assert set(orders_for(world["unit_b"]).values_list("number", flat=True)) == {"B1"}
    assert set(orders_for(world["town_a"]).values_list("number", flat=True)) == {"A1", "A2", "B2"}
    assert orders_for(world["coordinator"]).count() == 5 and orders_for(world["other_coordinator"]).count() == 0
    assert _client(world["unit_a"]).get(f"/complaints/orders/{ids['B1']}/").status_code == 404
    assert _client(world["other_coordinator"]).get(f"/complaints/orders/{ids['A1']}/").status_code == 404
    assert _client(world["unit_a"]).get(f"/complaints/orders/{ids['A1']}/").status_code == 200
    assert _client(world["unit_a"]).post(f"/complaints/orders/{ids['B1']}/sign/", {"version": 1}).status_code == 404
    assert _client(world["unit_a"]).post(f"/complaints/orders/{ids['A1']}/visit/", {"version": 1}).status_code == 403
    assert _client(world["unit_a"]).get("/complaints/rates/").status_code == 403
    api = _client(world["unit_a"]).get("/api/complaints/orders")
    assert api.status_code == 200 and {o["number"] for o in api.json()} == {"A1", "A2", "A3", "B2"}
    assert _client(world["unit_a"]).get(f"/api/complaints/orders/{ids['B1']}").status_code == 404


def test_assign_notifies_the_unit_and_the_unit_signs_and_replies(world):
    from envgov.apps.notices.models import Notice

    _import(world, ["C1,12345,2024-03-05 09:00,不存在的局,,宋庄镇某村,油烟,,,2,,,"])
    o = WorkOrder.objects.get(number="C1")
    c = _client(world["coordinator"])
    r = c.post(f"/complaints/orders/{o.pk}/assign/", {"unit": world["u_market"].pk, "deadline": "2024-03-12",
                                                    "version": o.version})
    assert r.status_code == 302
    o.refresh_from_db()
    assert o.unit == world["u_market"] and o.deadline == dt.date(2024, 3, 12)
    assert Notice.objects.filter(recipient=world["unit_a"], kind="complaint_assigned").exists()
    u = _client(world["unit_a"])
    assert u.get(f"/complaints/orders/{o.pk}/").status_code == 200
    u.post(f"/complaints/orders/{o.pk}/sign/", {"version": o.version})
    o.refresh_from_db()
    assert o.responded_at is not None
    u.post(f"/complaints/orders/{o.pk}/reply/", {"version": o.version, "reply": "已现场检查，责令整改"})
    o.refresh_from_db()
    assert o.reply == "已现场检查，责令整改" and o.stage == "replied"
    from envgov.apps.audit.models import AuditLog

    assert set(AuditLog.objects.filter(object_id=str(o.pk)).values_list("action", flat=True)) >= {
        "complaint_assign", "complaint_sign", "complaint_reply"}
    # a stale form is refused, nothing changes
    c.post(f"/complaints/orders/{o.pk}/visit/", {"resolved": "yes", "satisfaction": "satisfied", "version": 1})
    o.refresh_from_db()
    assert o.resolved is None


def test_correct_town_and_category_are_kept(world):
    _import(world, [ROWS[0]])
    o = WorkOrder.objects.get(number="A1")
    zhang = world["district"].towns.get(name="张家湾镇")
    actions.correct_order(o, acting_user=world["coordinator"], expected_version=o.version, category="噪声", town=zhang)
    o.refresh_from_db()
    assert (o.category, o.town, o.town_manual) == ("噪声", zhang, True)
    _import(world, [ROWS[0]])  # a re-import does not undo what a person set
    o.refresh_from_db()
    assert (o.category, o.town) == ("噪声", zhang)


def test_repeat_becomes_one_supervision_item(world):
    from envgov.apps.supervision.models import SupervisionItem

    _import(world)
    _params(world, response_limit_hours="1", basic_satisfied="satisfied", reopened="merge", repeat_threshold="2")
    key = services.rules.normalise_address("宋庄镇小堡村1号")
    c = _client(world["coordinator"])
    data = {"month": "2024-03", "address": key, "plan": world["plan"].pk, "due_date": "2024-04-10"}
    before = SupervisionItem.objects.count()
    assert c.post("/complaints/repeats/supervise/", data).status_code == 302
    assert c.post("/complaints/repeats/supervise/", data).status_code == 302
    assert SupervisionItem.objects.count() == before + 1
    item = SupervisionItem.objects.order_by("-pk").first()
    assert item.addressee_unit == world["u_market"] and "宋庄镇小堡村1号" in item.title
    body = c.get("/complaints/rates/?month=2024-03").content.decode()
    assert f"/supervision/{item.pk}/" in body


def test_list_and_parameters_pages(world):
    _import(world)
    c = _client(world["coordinator"])
    body = c.get("/complaints/?month=2024-03").content.decode()
    assert "A1" in body and "B2" in body
    assert c.get("/complaints/?month=2024-3x").status_code == 404
    page = c.get("/complaints/parameters/").content.decode()
    assert "未设定" in page
    r = c.post("/complaints/parameters/save/", {"p_reopened": "merge", "reason": ""})
    assert r.status_code == 302
    assert services.parameter_values(world["district"]) == {}
    c.post("/complaints/parameters/save/", {"p_reopened": "merge", "reason": "考核细则"})
    assert services.parameter_values(world["district"]) == {"reopened": "merge"}


def test_demo_loads_simulated_orders(world):
    from envgov.apps.complaints import demo

    n = demo.load(world["district"])
    assert n > 300
    assert WorkOrder.objects.filter(is_simulated=True).count() == n
    assert demo.load(world["district"]) == 0
    months = services.months_with_orders(world["district"])
    assert months[0] == "2024-01" and months[-1] == "2024-08"
    assert services.month_result(world["district"], "2024-03").result is not None
    july = services.month_result(world["district"], "2024-07")
    assert july.missing and "reopened" in july.missing


def test_the_template_reads_back(world):
    body = _client(world["coordinator"]).get("/complaints/import/template.xlsx").content
    out = services.import_file(SimpleUploadedFile("模板.xlsx", body), district=world["district"],
                               acting_user=world["coordinator"])
    assert out.record.state == ComplaintImport.State.ACCEPTED, out.record.report
    o = WorkOrder.objects.get(number="TZ2024030001")
    assert o.town == world["t_songzhuang"] and o.satisfaction == "satisfied" and o.limit_hours == 2
