"""Online monitoring app (decision 0040): packets through the real HJ 212 receiver into the lake, the core's
alerts stored as Alert rows, 转督办 with one click (once), the N-consecutive-hours rule, the alert file
import (located errors, all or nothing) and scope. Packets are built with the core's `build`; the expected
alerts are read off the packets by hand (limit 50 mg/L, values 62.4 / 71.9 …)."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from envgov.apps.audit.models import AuditLog
from envgov.apps.online import actions, demo, services
from envgov.apps.online.models import Alert, MonitoringPoint
from envgov.apps.supervision.models import SupervisionItem
from envgov.ingest.hj212 import build

pytestmark = pytest.mark.django_db
MN = "110112000000000000000A01"
DAY = dt.date(2024, 9, 15)


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ENVGOV_TODAY = "2024-09-16"
    settings.OBSERVATION_LAKE = str(tmp_path / "lake")


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _point(world, mn=MN, town="t_songzhuang", district="district", limit=50.0):
    p = actions.create_point(world[district], acting_user=None, data={
        "mn": mn, "name": f"废水总排口{mn[-2:]}", "kind": "32", "enterprise_name": "示意化工有限公司",
        "credit_code": "", "town": world[town] if town else None})
    if limit is not None:
        actions.save_limit(p, acting_user=None, data={"code": "w01018", "averaging": "hourly", "max_value": limit,
                                                      "min_value": None, "unit": "mg/L", "source": "许可证示例"})
    return p


def _hourly(mn: str, hour: int, cod: float, flag: str = "N", nh3n_flag: str = "N", day: dt.date = DAY) -> bytes:
    start = dt.datetime.combine(day, dt.time(hour))
    qn = f"{start + dt.timedelta(minutes=65):%Y%m%d%H%M%S}000"
    return build(st="32", cn="2061", mn=mn, qn=qn, flag=5,
                 cp=f"DataTime={start:%Y%m%d%H%M%S};w01018-Avg={cod},w01018-Flag={flag};w21003-Avg=1.2,w21003-Flag={nh3n_flag}")


def _receive(world, packets, district="district"):
    got = services.receive(world[district], packets)
    assert got.invalid == 0, got.problems
    return got, actions.record_alerts(world[district], got.alerts)


# ------------------------------------------------------------------------------------ exceedance → 督办

def test_exceedance_becomes_an_alert_and_one_click_opens_one_item(world):
    p = _point(world)
    got, out = _receive(world, [_hourly(MN, 9, 31.0), _hourly(MN, 10, 62.4)])
    assert got.rows == 4  # two packets × (w01018-Avg, w21003-Avg) in the lake
    (alert,) = out.created
    assert (alert.kind, alert.code, alert.field, alert.value, alert.limit, alert.cn) == \
           ("exceedance", "w01018", "w01018-Avg", 62.4, 50.0, "2061")
    assert timezone.localtime(alert.time).replace(tzinfo=None) == dt.datetime(2024, 9, 15, 10)  # DataTime, Beijing
    assert "高于限值 50mg/L" in alert.reason
    c = _client(world["coordinator"])
    r = c.post(reverse("online_alert_supervise", args=[alert.pk]))
    item = SupervisionItem.objects.get(source="online")
    assert r.status_code == 302 and r["Location"] == reverse("supervision_detail", args=[item.pk])
    assert item.online_alert == alert and item.addressee_town == world["t_songzhuang"] and item.plan == world["plan"]
    assert "w01018 小时均值 62.4mg/L，高于限值 50mg/L" in item.title and MN in item.detail and "2024-09-15 10:00" in item.detail
    assert item.events.filter(kind="opened").count() == 1
    alert.refresh_from_db()
    assert alert.status == "supervised"
    # a second click, and receiving the same packets again, open nothing more
    c.post(reverse("online_alert_supervise", args=[alert.pk]))
    _receive(world, [_hourly(MN, 10, 62.4)])
    assert SupervisionItem.objects.filter(source="online").count() == 1
    assert Alert.objects.count() == 1
    assert AuditLog.objects.filter(action="open", object_id=str(item.pk)).count() == 1
    assert AuditLog.objects.filter(action="online_alert_supervise").count() == 1
    # the item shows in the ledger's page, and the point's page shows values and the alert
    assert c.get(reverse("supervision_detail", args=[item.pk])).status_code == 200
    page = c.get(reverse("online_point", args=[p.pk])).content.decode()
    assert "62.4" in page and "31.0" in page and "已转督办" in page


def test_data_flags_become_alerts(world):
    _point(world)
    _, out = _receive(world, [_hourly(MN, 3, 30.0, flag="C"), _hourly(MN, 4, 30.0, flag="D"),
                              _hourly(MN, 5, 30.0, flag="F", nh3n_flag="F"), _hourly(MN, 6, 30.0)])
    flags = sorted((timezone.localtime(a.time).hour, a.code, a.flag) for a in out.created)
    assert flags == [(3, "w01018", "C"), (4, "w01018", "D"), (5, "w01018", "F"), (5, "w21003", "F")]
    assert all(a.kind == "data_flag" and a.value is None for a in out.created)
    reasons = {a.flag: a.reason for a in out.created}
    assert "校准" in reasons["C"] and "故障" in reasons["D"] and "停运" in reasons["F"]
    # a flag alert turns into a 督办 with one click, too
    a = out.created[0]
    result = actions.supervise_alert(a, acting_user=world["coordinator"])
    assert result.created and result.item.online_alert == a


def test_alerts_of_unregistered_points_are_counted_not_stored(world):
    _point(world)
    _, out = _receive(world, [_hourly("110112000000000000000B99", 10, 99.0, flag="D")])
    assert out.created == [] and out.unknown_mn == {"110112000000000000000B99": 1}


# ------------------------------------------------------------------------------------ the rule

def _run(world, hours, mn=MN):
    return _receive(world, [_hourly(mn, h, 62.0 if h in hours else 30.0) for h in range(24)])[1]


def test_rule_opens_one_item_for_a_lasting_exceedance(world):
    _point(world)
    actions.set_rule(world["district"], acting_user=world["coordinator"], consecutive_hours=3, reason="区局规定")
    out = _run(world, hours={1, 2, 10, 11, 12, 13, 20, 22})  # runs: 2 h, 4 h, 1 h, 1 h
    assert len(out.created) == 8
    (item,) = out.opened
    first = Alert.objects.get(time=timezone.make_aware(dt.datetime(2024, 9, 15, 10)))
    assert item.online_alert == first and item.created_by is None and "连续 4 小时超标" in item.detail
    run = Alert.objects.filter(time__in=[timezone.make_aware(dt.datetime(2024, 9, 15, h)) for h in (10, 11, 12, 13)])
    assert set(run.values_list("status", flat=True)) == {"supervised"}
    assert Alert.objects.filter(status="new").count() == 4
    # one click on a later hour of the run finds the rule's item; applying the rule again opens nothing
    again = actions.supervise_alert(run.order_by("time").last(), acting_user=world["coordinator"])
    assert not again.created and again.item == item
    assert actions.apply_alert_rule(world["district"]) == []
    # the next day's packets extending nothing open nothing; a new 3-hour run the next day opens one more
    _receive(world, [_hourly(MN, h, 62.0 if h in (5, 6, 7) else 30.0, day=DAY + dt.timedelta(days=1))
                     for h in range(24)])
    assert SupervisionItem.objects.filter(source="online").count() == 2


def test_rule_off_by_default_and_when_emptied(world):
    _point(world)
    assert _run(world, hours=set(range(6))).opened == []
    actions.set_rule(world["district"], acting_user=world["coordinator"], consecutive_hours=None, reason="暂停")
    assert SupervisionItem.objects.filter(source="online").count() == 0
    # setting N later applies it to the alerts already recorded
    actions.set_rule(world["district"], acting_user=world["coordinator"], consecutive_hours=6, reason="区局规定")
    assert SupervisionItem.objects.filter(source="online").count() == 1


def test_rule_page_and_bad_values(world):
    c = _client(world["coordinator"])
    r = c.post(reverse("online_rule_save"), {"consecutive_hours": "0", "reason": "x"}, follow=True)
    assert "未保存" in r.content.decode()
    r = c.post(reverse("online_rule_save"), {"consecutive_hours": "4", "reason": ""}, follow=True)
    assert "未保存" in r.content.decode()
    c.post(reverse("online_rule_save"), {"consecutive_hours": "4", "reason": "区局规定"})
    assert "连续 4 小时超标" in c.get(reverse("online_points")).content.decode()
    assert AuditLog.objects.filter(action="online_rule_set").count() == 1


def test_no_town_or_no_plan_is_said_not_hidden(world):
    p = _point(world, town=None)
    (alert,) = _receive(world, [_hourly(MN, 10, 70.0)])[1].created
    r = _client(world["coordinator"]).post(reverse("online_alert_supervise", args=[alert.pk]), follow=True)
    assert "未指定所在街乡镇" in r.content.decode()
    assert not SupervisionItem.objects.filter(source="online").exists()
    p.town = world["t_songzhuang"]
    p.save()
    world["plan"].status = "draft"
    world["plan"].save()
    r = _client(world["coordinator"]).post(reverse("online_alert_supervise", args=[alert.pk]), follow=True)
    assert "没有已印发的计划" in r.content.decode()


# ------------------------------------------------------------------------------------ scope

def test_scope_of_points_and_alerts(world):
    from envgov.apps.accounts.models import User
    from envgov.apps.geo.models import Town

    p = _point(world)
    (alert,) = _receive(world, [_hourly(MN, 10, 70.0)])[1].created
    other_town = Town.objects.create(district=world["other_plan"].district, code="110109001000", name="大峪街道")
    other = actions.create_point(world["other_plan"].district, acting_user=None, data={
        "mn": "110109000000000000000001", "name": "门头沟点位", "kind": "31", "town": other_town})
    url, sup = reverse("online_point", args=[p.pk]), reverse("online_alert_supervise", args=[alert.pk])
    for who, status in (("coordinator", 200), ("auditor", 200), ("admin", 200), ("town_a", 200),
                        ("town_b", 404), ("unit_a", 404), ("other_coordinator", 404)):
        assert _client(world[who]).get(url).status_code == status, who
    assert _client(world["other_coordinator"]).get(reverse("online_point", args=[other.pk])).status_code == 200
    assert _client(world["other_coordinator"]).post(sup).status_code == 404
    assert _client(world["town_a"]).post(sup).status_code == 403
    assert _client(world["auditor"]).post(sup).status_code == 403
    assert not SupervisionItem.objects.filter(source="online").exists()
    # the lists are narrowed the same way
    assert "废水总排口" not in _client(world["town_b"]).get(reverse("online_points")).content.decode()
    assert "废水总排口" not in _client(world["other_coordinator"]).get(reverse("online_alerts")).content.decode()
    assert _client(world["town_a"]).get(reverse("online_alerts")).content.decode().count("高于限值") == 1
    api = _client(world["unit_a"]).get("/api/online/points")
    assert api.status_code == 200 and api.json() == []
    assert _client(world["other_coordinator"]).get(f"/api/online/points/{p.pk}").status_code == 404
    assert User.objects.filter(username="town_b").exists()


# ------------------------------------------------------------------------------------ points, limits, import

def test_point_and_limit_forms_validate_and_audit(world):
    c = _client(world["coordinator"])
    r = c.post(reverse("online_point_add"), {"mn": "A B", "name": "", "kind": "32"}, follow=True)
    assert "未保存" in r.content.decode() and not MonitoringPoint.objects.exists()
    r = c.post(reverse("online_point_add"), {"mn": MN, "name": "总排口", "kind": "32", "credit_code": "91110112abc",
                                             "town": world["t_songzhuang"].pk}, follow=True)
    assert "统一社会信用代码" in r.content.decode() and not MonitoringPoint.objects.exists()
    c.post(reverse("online_point_add"), {"mn": MN, "name": "总排口", "kind": "32", "town": world["t_songzhuang"].pk,
                                         "active": "on"})
    p = MonitoringPoint.objects.get()
    r = c.post(reverse("online_limit_save", args=[p.pk]), {"code": "w01018", "averaging": "hourly"}, follow=True)
    assert "至少填写上限或下限" in r.content.decode()
    c.post(reverse("online_limit_save", args=[p.pk]), {"code": "w01018", "averaging": "hourly", "max_value": "50",
                                                       "unit": "mg/L", "source": "许可证"})
    c.post(reverse("online_limit_save", args=[p.pk]), {"code": "w01001", "averaging": "realtime", "max_value": "9",
                                                       "min_value": "6"})
    assert services.receiver_limits(world["district"])[MN]["w01018"].fields == ("Avg",)
    assert services.receiver_limits(world["district"])[MN]["w01001"].fields == ("Rtd",)
    assert json.loads(services.limits_json(world["district"]))[MN]["w01001"] == {
        "max": 9.0, "min": 6.0, "fields": ["Rtd"], "unit": "", "source": ""}
    c.post(reverse("online_limit_save", args=[p.pk]), {"code": "w01018", "averaging": "hourly", "max_value": "40"})
    assert p.limits.get(code="w01018").max_value == 40
    lim = p.limits.get(code="w01001")
    c.post(reverse("online_limit_save", args=[p.pk]), {"op": "delete", "limit": lim.pk})
    assert not p.limits.filter(code="w01001").exists()
    assert list(AuditLog.objects.filter(action__startswith="online_").values_list("action", flat=True)
                .order_by("pk")) == ["online_point_create", "online_limit_save", "online_limit_save",
                                     "online_limit_save", "online_limit_delete"]


def _jsonl(*records) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records).encode()


def test_alert_file_import_is_all_or_nothing_with_located_errors(world):
    _point(world)
    good = {"mn": MN, "st": "32", "cn": "2061", "qn": "1", "time": "2024-09-15T10:00:00", "type": "exceedance",
            "code": "w01018", "field": "w01018-Avg", "value": 62.4, "limit": 50.0, "unit": "mg/L",
            "limit_source": "", "reason": "w01018-Avg = 62.4mg/L，高于限值 50mg/L"}
    flag = {**good, "type": "data_flag", "field": None, "flag": "D", "value": None, "limit": None,
            "reason": "w01018 数据标记 D（故障）"}
    c = _client(world["coordinator"])
    r = c.post(reverse("online_alert_import"), {"file": SimpleUploadedFile("告警.jsonl", _jsonl(
        good, "{broken", {**flag, "time": "昨天"}))})
    body = r.content.decode()
    assert r.status_code == 422 and not Alert.objects.exists()
    assert "告警.jsonl 第 2 行第 2 列" in body and "第 3 行" in body and "不是时间" in body
    r = c.post(reverse("online_alert_import"), {"file": SimpleUploadedFile("告警.jsonl", _jsonl(good, flag))})
    assert r.status_code == 200 and Alert.objects.count() == 2 and "新增报警 2 条" in r.content.decode()
    r = c.post(reverse("online_alert_import"), {"file": SimpleUploadedFile("告警.jsonl", _jsonl(good, flag))})
    assert Alert.objects.count() == 2 and "已有 2 条" in r.content.decode()


def test_demo_day_runs_through_the_receiver(world):
    from envgov.apps.geo.models import Town

    for name in ("马驹桥镇", "台湖镇"):
        Town.objects.create(district=world["district"], code=f"1101121{len(name)}{ord(name[0]) % 100:02d}00",
                            name=name)
    n = demo.load(world["district"])
    kinds = sorted(Alert.objects.values_list("kind", "code", "flag"))
    assert n == len(kinds) == 9
    assert kinds.count(("exceedance", "w01018", "")) == 4 and ("exceedance", "a21002", "") in kinds
    assert {f for _k, _c, f in kinds if f} == {"C", "D", "F"}
    (item,) = SupervisionItem.objects.filter(source="online")  # the demo rule (3 h) on the 4-hour COD run
    assert "连续 4 小时超标" in item.detail
    point = MonitoringPoint.objects.get(mn=demo.POINTS[0][0])
    fields, rows = services.recent_values(point)
    assert fields == ["w01018-Avg", "w21003-Avg"] and len(rows) == 24
    assert demo.load(world["district"]) == 0  # once


def test_commands_bridge_the_receiver(world, tmp_path):
    from django.core.management import CommandError, call_command

    _point(world)
    limits = tmp_path / "limits.json"
    call_command("online_limits", district="110112", out=str(limits))
    from envgov.ingest.hj212.server import Receiver, load_limits

    table = load_limits(limits)  # the receiver's own reader takes the file
    assert table[MN]["w01018"].max == 50.0
    alerts = tmp_path / "alerts.jsonl"
    import asyncio

    r = Receiver(None, limits=table, alerts_path=alerts)
    r.handle_bytes(bytearray(_hourly(MN, 10, 62.4, nh3n_flag="D")))
    asyncio.run(r.flush())
    call_command("online_alerts", str(alerts), district="110112")
    assert sorted(Alert.objects.values_list("kind", flat=True)) == ["data_flag", "exceedance"]
    call_command("online_alerts", str(alerts), district="110112")
    assert Alert.objects.count() == 2
    alerts.write_text("{bad\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 1 行"):
        call_command("online_alerts", str(alerts), district="110112")
