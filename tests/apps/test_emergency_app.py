"""重污染应急 (decision 0031): the list import (all or nothing, located errors, GB 32100 codes), the measure
table (未设置, never an invented percentage), forecast → level → 启动预警 with the frozen action sheet and the
notices, check-ins, ending, the after-action report, and the pages' scope."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from envgov.standards.codes import check_character

HEADER = "类型,名称,统一社会信用代码,街乡镇,行业,绩效分级,行业主管部门,黄色预警措施,橙色预警措施,红色预警措施"


def code(n: int) -> str:
    body = f"91110112MA{n:07d}"
    return body + check_character(body)


def list_csv(tmp_path: Path, rows: list[str], name: str = "清单.csv") -> Path:
    p = tmp_path / name
    p.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return p


GOOD = [f"企业,甲家具厂,{code(1)},宋庄镇,家具制造,A,市场监管局,,,",
        f"企业,乙印刷厂,{code(2)},宋庄镇,包装印刷,B,市场监管局,,,",
        f"企业,丙汽修厂,{code(3)},张家湾镇,汽车维修,C,发展改革委,,,",
        "工地,丁工地,,张家湾镇,建筑施工,B,,,停止土石方作业,"]


@pytest.fixture
def listed(world, tmp_path):
    from envgov.apps.emergency import actions

    rec = actions.import_list(list_csv(tmp_path, GOOD), district=world["district"], acting_user=world["coordinator"])
    assert rec.state == "accepted", rec.report
    for grade, level, text, cut in (("A", "orange", "自主减排", ""), ("B", "orange", "限产 VOCs 工序", "20"),
                                    ("C", "orange", "停止喷涂工序", "")):
        actions.set_measure(world["district"], acting_user=world["coordinator"], industry="", grade=grade,
                            level=level, text=text, cut=cut)
    return world


def _orange_result():
    from envgov.apps.emergency import services
    from envgov.rules import alerts

    return alerts.evaluate(services.plan(), alerts.forecast(
        [("2024-01-09", 120), ("2024-01-10", 210), ("2024-01-11", 230), ("2024-01-12", 160), ("2024-01-13", 90)]))


# ------------------------------------------------------------------------------------------------ reader

def test_reader_accepts_a_good_list(tmp_path):
    from envgov.ingest.emergency_list import read_emergency_list

    got = read_emergency_list(list_csv(tmp_path, GOOD))
    assert got.ok, got.rows.messages()
    assert [e.grade for e in got.entries] == ["A", "B", "C", "B"]
    assert got.entries[3].kind == "site" and got.entries[3].measures == {"orange": "停止土石方作业"}


def test_reader_locates_every_problem_and_keeps_nothing(tmp_path):
    from envgov.ingest.emergency_list import read_emergency_list

    bad_check = code(5)[:-1] + ("0" if code(5)[-1] != "0" else "1")
    got = read_emergency_list(list_csv(tmp_path, [
        GOOD[0],
        f"企业,错码厂,{bad_check},宋庄镇,家具,B,,,,",
        "企业,无码厂,,宋庄镇,家具,B,,,,",
        f"企业,重码厂,{code(1)},宋庄镇,家具,B,,,,",
        f"企业,错级厂,{code(6)},宋庄镇,家具,E,,,,",
        f"车间,错类,{code(7)},宋庄镇,家具,B,,,,",
    ]))
    assert not got.ok and got.entries == []
    msgs = got.rows.messages()
    assert any("第 3 行" in m and "统一社会信用代码" in m and "校验码" in m for m in msgs), msgs
    assert any("第 4 行" in m and "须填写统一社会信用代码" in m for m in msgs), msgs
    assert any("第 5 行" in m and "已在第 2 行" in m for m in msgs), msgs
    assert any("第 6 行" in m and "列「绩效分级」" in m for m in msgs), msgs
    assert any("第 7 行" in m and "列「类型」" in m for m in msgs), msgs


def test_import_is_all_or_nothing_with_unknown_town(world, tmp_path):
    from envgov.apps.emergency import actions
    from envgov.apps.emergency.models import ListEntry

    rec = actions.import_list(list_csv(tmp_path, [GOOD[0], f"企业,外镇厂,{code(9)},火星镇,家具,B,,,,"]),
                              district=world["district"], acting_user=world["coordinator"])
    assert rec.state == "refused"
    assert rec.report["errors"] == [{"row": 3, "column": "街乡镇", "reason": "「火星镇」不是本区的街乡镇"}]
    assert not ListEntry.objects.exists()


def test_reimport_updates_and_removes(listed, tmp_path):
    from envgov.apps.emergency import actions
    from envgov.apps.emergency.models import ListEntry

    rec = actions.import_list(list_csv(tmp_path, [GOOD[0].replace(",A,", ",B,"), GOOD[1]], "二.csv"),
                              district=listed["district"], acting_user=listed["coordinator"])
    assert rec.report == {"created": 0, "updated": 1, "removed": 2, "warnings": []}
    assert ListEntry.objects.get(credit_code=code(1)).grade == "B"
    assert ListEntry.objects.filter(active=True).count() == 2


def test_only_coordinators_import(world, tmp_path):
    from envgov.apps.emergency import actions

    with pytest.raises(PermissionDenied):
        actions.import_list(list_csv(tmp_path, GOOD), district=world["district"], acting_user=world["unit_a"])


# ------------------------------------------------------------------------------------------------ measure table

def test_unset_measure_says_so_and_invents_nothing(listed):
    from envgov.apps.emergency import services
    from envgov.apps.emergency.models import ListEntry

    table = services.measure_table(listed["district"])
    c = ListEntry.objects.get(credit_code=code(3))
    yellow = services.entry_measures(c, "yellow", table)
    assert yellow[-1]["unset"] and yellow[-1]["cut"] is None
    assert all(m["cut"] is None for m in yellow)
    orange = services.entry_measures(c, "orange", table)
    assert [m["text"] for m in orange][-1] == "停止喷涂工序" and not orange[-1]["unset"]


def test_set_and_clear_measure_audited(listed):
    from envgov.apps.audit.models import AuditLog
    from envgov.apps.emergency import actions
    from envgov.apps.emergency.models import MeasureRule

    actions.set_measure(listed["district"], acting_user=listed["coordinator"], industry="", grade="B", level="orange",
                        text="", cut="")
    assert not MeasureRule.objects.filter(grade="B", level="orange").exists()
    assert AuditLog.objects.filter(action="emergency_measure_clear").count() == 1
    with pytest.raises(ValidationError):
        actions.set_measure(listed["district"], acting_user=listed["coordinator"], industry="", grade="B",
                            level="orange", text="限产", cut="120")
    with pytest.raises(PermissionDenied):
        actions.set_measure(listed["district"], acting_user=listed["town_a"], industry="", grade="B",
                            level="orange", text="限产")


def test_measure_table_import_replaces_and_refuses_bad_files(listed, tmp_path):
    from envgov.apps.emergency import actions
    from envgov.apps.emergency.models import MeasureRule

    bad = tmp_path / "措施.csv"
    bad.write_text("绩效分级,预警级别,措施,减排比例（%）\nB,橙色,限产,20\nQ,橙色,限产,\nB,紫色,限产,\n", encoding="utf-8")
    rec = actions.import_measures(bad, district=listed["district"], acting_user=listed["coordinator"])
    assert rec.state == "refused" and {e["row"] for e in rec.report["errors"]} == {3, 4}
    assert MeasureRule.objects.count() == 3  # untouched
    good = tmp_path / "措施2.csv"
    good.write_text("行业,绩效分级,预警级别,措施,减排比例（%）\n,D,黄色预警,停产,\n", encoding="utf-8")
    rec = actions.import_measures(good, district=listed["district"], acting_user=listed["coordinator"])
    assert rec.state == "accepted" and list(MeasureRule.objects.values_list("grade", "level")) == [("D", "yellow")]


# ------------------------------------------------------------------------------------------------ warning

def test_start_warning_sheet_notices_checkins_end_and_report(listed, settings):
    from docx import Document

    from envgov.apps.audit.models import AuditLog
    from envgov.apps.emergency import actions, services
    from envgov.apps.emergency.models import ListEntry
    from envgov.apps.notices.models import Notice
    from envgov.reports.emergency import after_action_report

    settings.ENVGOV_TODAY = "2024-01-11"
    ep = actions.start_warning(listed["district"], acting_user=listed["coordinator"], result=_orange_result())
    assert (ep.level, ep.start, ep.end) == ("orange", dt.date(2024, 1, 10), dt.date(2024, 1, 12))
    lines = {x["name"]: x for x in ep.sheet["entries"]}
    assert [m["text"] for m in lines["甲家具厂"]["measures"]] == ["自主采取减排措施", "自主减排"]
    assert lines["乙印刷厂"]["measures"][-1] == {"text": "限产 VOCs 工序", "source": "用户设定", "confidence": "user_set",
                                               "cut": 20.0, "unset": False}
    assert lines["丙汽修厂"]["measures"][-1]["text"] == "停止喷涂工序"
    assert lines["丁工地"]["measures"][-1]["text"] == "停止土石方作业"  # the list's own measure
    told = set(Notice.objects.filter(kind="emergency_warning").values_list("recipient__username", flat=True))
    assert told == {"unit_a", "unit_b", "town_a", "town_b", "leader_a"}
    with pytest.raises(ValidationError):  # one warning at a time
        actions.start_warning(listed["district"], acting_user=listed["coordinator"], result=_orange_result())
    c_entry = ListEntry.objects.get(credit_code=code(3))
    a_entry = ListEntry.objects.get(credit_code=code(1))
    tz = timezone.get_current_timezone()
    with pytest.raises(PermissionDenied):  # 宋庄镇's reporter does not inspect 张家湾镇
        actions.record_checkin(ep, acting_user=listed["town_a"], entry=c_entry,
                               at=dt.datetime(2024, 1, 10, 9, tzinfo=tz), complied=True)
    with pytest.raises(ValidationError):
        actions.record_checkin(ep, acting_user=listed["town_a"], entry=a_entry,
                               at=dt.datetime(2024, 1, 9, 9, tzinfo=tz), complied=True)
    actions.record_checkin(ep, acting_user=listed["town_a"], entry=a_entry, at=dt.datetime(2024, 1, 10, 9, tzinfo=tz),
                           complied=True, note="正常")
    actions.record_checkin(ep, acting_user=listed["coordinator"], entry=c_entry,
                           at=dt.datetime(2024, 1, 10, 11, tzinfo=tz), complied=False, note="喷漆未停")
    ended = actions.end_warning(ep, acting_user=listed["coordinator"], expected_version=ep.version,
                                ended_on=dt.date(2024, 1, 11), note="好转")
    with pytest.raises(actions.StaleEdit):
        actions.end_warning(ended, acting_user=listed["coordinator"], expected_version=ep.version)
    with pytest.raises(ValidationError):
        actions.record_checkin(ended, acting_user=listed["coordinator"], entry=a_entry,
                               at=dt.datetime(2024, 1, 11, 9, tzinfo=tz), complied=True)
    s = services.summary(ended)
    assert (s.days, s.listed, s.checkins, s.complied, s.not_complied, s.inspected_units) == (2, 4, 2, 1, 1, 2)
    text = "\n".join(p.text for p in Document(io.BytesIO(after_action_report(s))).paragraphs)
    assert "持续 2 天" in text and "未落实 1 次" in text and "橙色预警" in text
    assert {"emergency_warning_start", "emergency_checkin", "emergency_warning_end"} <= set(
        AuditLog.objects.values_list("action", flat=True))


# ------------------------------------------------------------------------------------------------ pages

def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages_flow_and_scope(listed, settings):
    from envgov.apps.emergency.models import CheckIn, Episode

    settings.ENVGOV_TODAY = "2024-01-11"
    c = _client(listed["coordinator"])
    for url in ("/emergency/", "/emergency/list/", "/emergency/measures/", "/emergency/forecast/",
                "/emergency/list/import/", "/emergency/measures/import/"):
        assert c.get(url).status_code == 200, url
    page = c.get("/emergency/measures/").content.decode()
    assert "未设置" in page
    r = c.post("/emergency/forecast/", {"typed": "2024-01-10,210\n2024-01-11,abc", "op": "evaluate"})
    assert r.status_code == 422 and "第 3 行" in r.content.decode() and "abc" in r.content.decode()
    typed = "2024-01-09,120\n2024-01-10,210\n2024-01-11,230\n2024-01-12,160\n2024-01-13,90"
    r = c.post("/emergency/forecast/", {"typed": typed, "op": "evaluate"})
    assert r.status_code == 200 and "橙色预警" in r.content.decode() and "启动预警" in r.content.decode()
    r = c.post("/emergency/forecast/", {"typed": typed, "op": "start", "episode": "1"})
    ep = Episode.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/emergency/episodes/{ep.pk}/"
    page = c.get(f"/emergency/episodes/{ep.pk}/").content.decode()
    assert "甲家具厂" in page and "丙汽修厂" in page and "限产 VOCs 工序" in page
    assert "宋庄镇" in c.get(f"/emergency/episodes/{ep.pk}/?by=unit").content.decode()
    one_town = c.get(f"/emergency/episodes/{ep.pk}/?by=town&town={listed['t_songzhuang'].pk}").content.decode()
    assert "甲家具厂" in one_town and "丙汽修厂" not in one_town  # the action sheet of one town
    # a town reporter reads their town's part only, and checks in there
    t = _client(listed["town_a"])
    page = t.get(f"/emergency/episodes/{ep.pk}/").content.decode()
    assert "甲家具厂" in page and "丙汽修厂" not in page
    a = next(x for x in ep.sheet["entries"] if x["name"] == "甲家具厂")
    r = t.post(f"/emergency/episodes/{ep.pk}/checkin/", {"entry": a["id"], "at": "2024-01-10T09:30", "complied": "yes",
                                                         "note": "已落实",
                                                         "photo": SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n0000")})
    assert r.status_code == 302, r.content.decode()[:2000]
    ci = CheckIn.objects.get()
    assert ci.inspector == listed["town_a"] and ci.photo
    assert t.get(f"/emergency/checkins/{ci.pk}/photo/").status_code == 200
    assert _client(listed["town_b"]).get(f"/emergency/checkins/{ci.pk}/photo/").status_code == 404
    c_line = next(x for x in ep.sheet["entries"] if x["name"] == "丙汽修厂")
    r = t.post(f"/emergency/episodes/{ep.pk}/checkin/", {"entry": c_line["id"], "at": "2024-01-10T09:30",
                                                         "complied": "yes"})
    assert r.status_code == 422 and CheckIn.objects.count() == 1  # not on their sheet: not a choice
    # report, other districts
    r = c.get(f"/emergency/episodes/{ep.pk}/report.docx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert t.get(f"/emergency/episodes/{ep.pk}/report.docx").status_code == 403
    assert _client(listed["other_coordinator"]).get(f"/emergency/episodes/{ep.pk}/").status_code == 404
    r = c.post(f"/emergency/episodes/{ep.pk}/end/", {"ended_on": "2024-01-10", "note": "", "version": ep.version})
    assert r.status_code == 302
    ep.refresh_from_db()
    assert ep.status == "ended"


def test_list_import_page_reports_located_errors(world):
    c = _client(world["coordinator"])
    body = (HEADER + "\n" + f"企业,甲,{code(1)[:-1]}Z,宋庄镇,家具,A,,,,\n").encode()
    r = c.post("/emergency/list/import/", {"file": SimpleUploadedFile("清单.csv", body)})
    page = r.content.decode()
    assert r.status_code == 422 and "统一社会信用代码" in page and "<td>2</td>" in page
    r = c.post("/emergency/list/import/", {"file": SimpleUploadedFile("清单.csv", (HEADER + "\n" + GOOD[0]).encode())})
    assert r.status_code == 200 and "已入库" in r.content.decode()
    assert _client(world["unit_a"]).get("/emergency/list/import/").status_code == 403


def test_api_lists_episodes_and_the_callers_part_of_the_sheet(listed, settings):
    from envgov.apps.emergency import actions

    settings.ENVGOV_TODAY = "2024-01-11"
    ep = actions.start_warning(listed["district"], acting_user=listed["coordinator"], result=_orange_result())
    r = _client(listed["coordinator"]).get("/api/emergency/episodes")
    assert r.status_code == 200 and r.json()[0]["level"] == "orange"
    names = [x["name"] for x in _client(listed["town_b"]).get(f"/api/emergency/episodes/{ep.pk}").json()["entries"]]
    assert sorted(names) == sorted(["丙汽修厂", "丁工地"])
    assert _client(listed["other_coordinator"]).get(f"/api/emergency/episodes/{ep.pk}").status_code == 404
