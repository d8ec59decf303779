"""Notices: who is told what, by which channel, and never about work that is done.

E-mail goes through Django's locmem backend (mail.outbox); the district's group robot is a real HTTP
receiver on 127.0.0.1 in a thread, so the JSON bodies asserted here are the bytes a 企业微信 or 钉钉 robot
would receive. Expected texts and dates are written out by hand from the fixture (conftest.world).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import urllib.parse
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, RequestFactory

from envgov.apps.supervision import actions as supervision
from envgov.apps.notices import actions as notice_actions
from envgov.apps.notices import ledger
from envgov.apps.notices.context import unread_notices
from envgov.apps.notices.models import DistrictChannel, Notice, NoticePreference
from envgov.apps.notices.permissions import can_edit_channels, can_view_notice
from envgov.apps.plans import actions
from envgov.apps.audit.models import AuditLog
from envgov.apps.plans.models import Plan

K = Notice.Kind
DAY = dt.date(2024, 5, 10)


@pytest.fixture
def people(world):
    for name in ("unit_a", "unit_b", "town_a", "town_b", "coordinator"):
        user = world[name]
        user.email = f"{name}@example.gov.cn"
        user.save(update_fields=["email"])
    return world


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        length = int(self.headers["Content-Length"])
        self.server.received.append({"path": self.path, "body": json.loads(self.rfile.read(length)),
                                     "content_type": self.headers["Content-Type"]})
        answer = self.server.answer
        self.send_response(answer[0])
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(answer[1]).encode())

    def log_message(self, *args):  # noqa: ANN002
        pass


@pytest.fixture
def robot():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received, server.answer = [], (200, {"errcode": 0, "errmsg": "ok"})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=robot-key"
    yield server
    server.shutdown()
    server.server_close()


def _titles(user) -> list[str]:  # noqa: ANN001
    return list(Notice.objects.filter(recipient=user).order_by("id").values_list("title", flat=True))


# ---------------------------------------------------------------- report returned

def test_returned_report_tells_its_reporters_with_the_reason_by_app_and_mail(
        people, django_capture_on_commit_callbacks):
    w = people
    report = actions.submit_progress(w["task_unit_a"], acting_user=w["unit_a"], narrative="抽检2组", today=DAY)
    with django_capture_on_commit_callbacks(execute=True):
        actions.review_progress(report, acting_user=w["coordinator"], accept=False, reason="请补充抽检报告",
                                expected_version=report.version)
    assert _titles(w["unit_a"]) == ["进展被退回：三.(一).2 抽检含VOCs产品"]
    notice = Notice.objects.get(recipient=w["unit_a"])
    assert notice.kind == K.REPORT_RETURNED and "2024-05 的进展被退回，原因：请补充抽检报告" in notice.body
    assert notice.url == f"/tasks/{w['task_unit_a'].pk}/#report-form"
    for other in ("unit_b", "town_a", "town_b", "coordinator", "admin"):  # only the reporter's own unit
        assert _titles(w[other]) == [], other
    assert [m.to for m in mail.outbox] == [["unit_a@example.gov.cn"]]
    assert "请补充抽检报告" in mail.outbox[0].body and mail.outbox[0].subject.endswith("三.(一).2 抽检含VOCs产品")
    assert Notice.objects.get(recipient=w["unit_a"]).emailed_at is not None

    # resubmitted and accepted: nobody is told anything more
    report = actions.submit_progress(w["task_unit_a"], acting_user=w["unit_a"], narrative="抽检2组，附报告", today=DAY)
    with django_capture_on_commit_callbacks(execute=True):
        actions.review_progress(report, acting_user=w["coordinator"], accept=True, expected_version=report.version)
    assert Notice.objects.count() == 1 and len(mail.outbox) == 1


def test_a_refused_action_tells_nobody(people, django_capture_on_commit_callbacks):
    """The in-app notice is written inside the action's transaction: a refusal leaves no notice, no mail."""
    from django.core.exceptions import ValidationError

    w = people
    report = actions.submit_progress(w["task_unit_a"], acting_user=w["unit_a"], narrative="抽检2组", today=DAY)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        actions.review_progress(report, acting_user=w["coordinator"], accept=False, reason="  ",
                                expected_version=report.version)
    assert Notice.objects.count() == 0 and mail.outbox == []


# ---------------------------------------------------------------- supervision, and the group robots

def test_supervision_opened_reaches_the_addressee_and_the_wecom_robot(people, robot, django_capture_on_commit_callbacks):
    w = people
    DistrictChannel.objects.create(district=w["district"], kind=DistrictChannel.Kind.WECOM, webhook_url=robot.url,
                                   enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        item = supervision.open_supervision(w["plan"], acting_user=w["coordinator"], title="抽检进度滞后",
                                        due_date=dt.date(2024, 5, 17), task=w["task_unit_a"],
                                        addressee_unit=w["u_market"], detail="按时序应完成4组")
    assert _titles(w["unit_a"]) == ["新督办：抽检进度滞后"]
    assert "请于 2024-05-17 前反馈整改情况" in Notice.objects.get(recipient=w["unit_a"]).body
    assert _titles(w["unit_b"]) == [] and _titles(w["town_a"]) == []
    assert len(robot.received) == 1
    got = robot.received[0]
    assert got["path"] == "/cgi-bin/webhook/send?key=robot-key"
    assert got["content_type"].startswith("application/json")
    # 企业微信群机器人 markdown message: exactly {"msgtype": "markdown", "markdown": {"content": str}}
    assert set(got["body"]) == {"msgtype", "markdown"} and got["body"]["msgtype"] == "markdown"
    assert set(got["body"]["markdown"]) == {"content"}
    content = got["body"]["markdown"]["content"]
    assert content.startswith("**新督办：抽检进度滞后**") and "市场监管局" in content
    assert f"/supervision/{item.pk}/" in content


def test_dingtalk_robot_gets_title_and_text_signed_with_its_secret(people, robot, django_capture_on_commit_callbacks):
    w = people
    secret = "SEC0123456789abcdef"
    DistrictChannel.objects.create(district=w["district"], kind=DistrictChannel.Kind.DINGTALK, enabled=True,
                                   webhook_url=robot.url.replace("/cgi-bin/webhook/send?key=", "/robot/send?access_token="),
                                   secret=secret)
    with django_capture_on_commit_callbacks(execute=True):
        supervision.open_supervision(w["plan"], acting_user=w["coordinator"], title="扬尘管控督办",
                                 due_date=dt.date(2024, 5, 17), task=w["task_town_a"], addressee_town=w["t_songzhuang"])
    assert _titles(w["town_a"]) == ["新督办：扬尘管控督办"] and _titles(w["town_b"]) == []
    got = robot.received[0]
    # 钉钉群机器人 markdown message: {"msgtype": "markdown", "markdown": {"title": str, "text": str}}
    assert set(got["body"]) == {"msgtype", "markdown"} and got["body"]["msgtype"] == "markdown"
    assert got["body"]["markdown"]["title"] == "新督办：扬尘管控督办"
    assert got["body"]["markdown"]["text"].startswith("### 新督办：扬尘管控督办") and "宋庄镇" in got["body"]["markdown"]["text"]
    # 加签 (DingTalk's documentation): sign = urlencode(base64(HmacSHA256(key=secret, msg=timestamp + "\n" + secret)))
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(got["path"]).query)
    assert query["access_token"] == ["robot-key"]
    timestamp = query["timestamp"][0]
    want = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest())
    assert query["sign"][0] == want.decode()


@pytest.mark.parametrize("failure", ["refused", "unreachable"])
def test_a_failing_robot_is_logged_and_never_breaks_the_action(people, robot, caplog, failure,
                                                               django_capture_on_commit_callbacks):
    w = people
    url = robot.url
    if failure == "unreachable":
        robot.shutdown()
        robot.server_close()
    else:
        robot.answer = (200, {"errcode": 310000, "errmsg": "keywords not in content"})
    DistrictChannel.objects.create(district=w["district"], kind=DistrictChannel.Kind.WECOM, webhook_url=url, enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        item = supervision.open_supervision(w["plan"], acting_user=w["coordinator"], title="抽检进度滞后",
                                        due_date=dt.date(2024, 5, 17), addressee_unit=w["u_market"])
    item.refresh_from_db()
    assert item.status == "open" and _titles(w["unit_a"]) == ["新督办：抽检进度滞后"]
    assert len(mail.outbox) == 1  # the e-mail still went
    assert any("notice webhook" in r.getMessage() for r in caplog.records)


def test_a_disabled_channel_sends_nothing(people, robot, django_capture_on_commit_callbacks):
    w = people
    DistrictChannel.objects.create(district=w["district"], kind=DistrictChannel.Kind.WECOM, webhook_url=robot.url,
                                   enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        supervision.open_supervision(w["plan"], acting_user=w["coordinator"], title="抽检进度滞后",
                                 due_date=dt.date(2024, 5, 17), addressee_unit=w["u_market"])
    assert robot.received == [] and _titles(w["unit_a"]) == ["新督办：抽检进度滞后"]


def test_daily_check_supervision_is_noticed_once(people, django_capture_on_commit_callbacks):
    """The automatic check opens 督办 for the overdue task (推广新能源汽车, due 2024-06-30); running it
    again opens nothing and tells nobody again."""
    w = people
    with django_capture_on_commit_callbacks(execute=True):
        supervision.flag_overdue_and_lagging(w["plan"], dt.date(2024, 7, 2))
        supervision.flag_overdue_and_lagging(w["plan"], dt.date(2024, 7, 3))
    assert _titles(w["unit_b"]) == ["新督办：三.(一).1 推广新能源汽车"]
    assert "逾期未完成" in Notice.objects.get(recipient=w["unit_b"]).body


# ---------------------------------------------------------------- task edited

def test_task_edit_after_issue_tells_the_parties_what_changed(people, django_capture_on_commit_callbacks):
    w = people
    task = w["task_unit_a"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_task(task, {"due_date": dt.date(2024, 10, 31)}, expected_version=task.version,
                            acting_user=w["coordinator"], reason="市里要求提前完成")
    for name in ("unit_a", "unit_b"):  # lead unit and cooperating unit
        notice = Notice.objects.get(recipient=w[name])
        assert notice.title == "任务调整：三.(一).2 抽检含VOCs产品"
        assert "完成时限：2024-12-31 → 2024-10-31" in notice.body and "修改原因：市里要求提前完成" in notice.body
    assert _titles(w["town_a"]) == [] and _titles(w["coordinator"]) == []

    # a unit taken off the task hears it too; the unit put on it hears it
    task.refresh_from_db()
    actions.update_task(task, {}, expected_version=task.version, acting_user=w["coordinator"],
                        lead_units=[w["u_dev"]], cooperating_units=[])
    last = Notice.objects.filter(recipient=w["unit_a"]).order_by("-id").first()
    assert "牵头单位：市场监管局 → 发展改革委" in last.body
    assert Notice.objects.filter(recipient=w["unit_b"]).count() == 2


def test_task_edit_of_a_draft_plan_tells_nobody(people):
    w = people
    Plan.objects.filter(pk=w["plan"].pk).update(status=Plan.Status.DRAFT)
    task = w["task_unit_a"]
    task.refresh_from_db()
    actions.update_task(task, {"title": "抽检含VOCs产品（草稿修改）"}, expected_version=task.version,
                        acting_user=w["coordinator"])
    assert Notice.objects.count() == 0


# ---------------------------------------------------------------- due reminders

def test_report_due_reminder_three_days_before_the_5th(people):
    """Monthly plan: May's reports are due 2024-06-05. On 06-01 (4 days before) nobody is reminded; on
    06-02 each party is told what it still owes — unit_b has reported its task, so it is told nothing."""
    w = people
    actions.submit_progress(w["task_unit_b"], acting_user=w["unit_b"], narrative="推广30辆", period="2024-05",
                            today=dt.date(2024, 5, 28))
    assert ledger.remind_reports_due(w["plan"], dt.date(2024, 5, 20)) == 0
    assert ledger.remind_reports_due(w["plan"], dt.date(2024, 6, 1)) == 0
    assert ledger.remind_reports_due(w["plan"], dt.date(2024, 6, 2)) == 2
    a = Notice.objects.get(recipient=w["unit_a"])
    assert a.kind == K.REPORT_DUE and a.title == "2024-05 进展还有 1 项未填报，2024-06-05 截止"
    assert a.body == "· 三.(一).2 抽检含VOCs产品"
    assert a.links == [{"label": "三.(一).2 抽检含VOCs产品", "url": f"/tasks/{w['task_unit_a'].pk}/#report-form"}]
    assert Notice.objects.get(recipient=w["town_a"]).body == "· 三.(一).9 扬尘管控"
    for name in ("unit_b", "town_b", "coordinator"):
        assert _titles(w[name]) == [], name
    # the same fact is not noticed twice: later days before the due date add nothing
    assert ledger.remind_reports_due(w["plan"], dt.date(2024, 6, 4)) == 0
    assert ledger.remind_reports_due(w["plan"], dt.date(2024, 6, 5)) == 0
    assert ledger.remind_reports_due(w["plan"], dt.date(2024, 6, 6)) == 0  # past due: no "due soon"


def test_due_day_comes_from_the_plan_and_quarters_are_due_after_their_last_month(people):
    w = people
    plan = w["plan"]
    plan.report_due_day = 10  # the lead adds this field; read through getattr
    assert ledger.period_due_date(plan, "2024-05") == dt.date(2024, 6, 10)
    assert ledger.period_due_date(plan, "2024-12") == dt.date(2025, 1, 10)
    assert ledger.period_due_date(plan, "2024-Q2") == dt.date(2024, 7, 10)
    plan.report_due_day = 31
    assert ledger.period_due_date(plan, "2024-01") == dt.date(2024, 2, 29)
    plan.report_due_day = 10
    assert ledger.remind_reports_due(plan, dt.date(2024, 6, 2)) == 0
    assert ledger.remind_reports_due(plan, dt.date(2024, 6, 7)) == 3  # unit_a, unit_b, town_a all owe May


def test_daily_check_command_sends_the_due_reminders(people):
    w = people
    call_command("daily_check", date="2024-06-03", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sorted(n.recipient.username for n in Notice.objects.filter(kind=K.REPORT_DUE)) == \
        ["town_a", "unit_a", "unit_b"]


# ---------------------------------------------------------------- never about work that is done

def test_nobody_is_noticed_about_a_finished_task(people, robot, django_capture_on_commit_callbacks):
    w = people
    DistrictChannel.objects.create(district=w["district"], kind=DistrictChannel.Kind.WECOM, webhook_url=robot.url,
                                   enabled=True)
    task = w["task_unit_a"]
    done = actions.submit_progress(task, acting_user=w["unit_a"], narrative="8组全部完成", period="2024-05",
                                   quantities={w["quantity"].pk: Decimal(8)}, marks_complete=True,
                                   today=dt.date(2024, 5, 28))
    actions.review_progress(done, acting_user=w["coordinator"], accept=True, expected_version=done.version)
    task.refresh_from_db()
    assert task.status == "completed"
    with django_capture_on_commit_callbacks(execute=True):
        # an edit of the finished task, the due reminder for June and the daily check: nothing about it
        actions.update_task(task, {"body": "补充说明"}, expected_version=task.version, acting_user=w["coordinator"])
        ledger.remind_reports_due(w["plan"], dt.date(2024, 7, 3))
        supervision.flag_overdue_and_lagging(w["plan"], dt.date(2025, 1, 2))
    about_it = [n for n in Notice.objects.all() if "抽检含VOCs产品" in n.title + n.body]
    assert about_it == []
    assert _titles(w["unit_a"]) == []  # unit_a's only task is done: unit_a is told nothing at all
    assert all("抽检含VOCs产品" not in json.dumps(r["body"], ensure_ascii=False) for r in robot.received)
    assert not any("抽检含VOCs产品" in m.body for m in mail.outbox)
    # the others still owe June and were reminded of exactly their own tasks
    assert Notice.objects.get(recipient=w["unit_b"], kind=K.REPORT_DUE).body == "· 三.(一).1 推广新能源汽车"


# ---------------------------------------------------------------- dedupe, the centre, the badge

def test_the_same_fact_is_noticed_once(people, django_capture_on_commit_callbacks):
    w = people
    with django_capture_on_commit_callbacks(execute=True):
        first = notice_actions.notify([w["unit_a"], w["unit_b"]], kind=K.TASK_EDITED, title="任务调整", key="t:1:v2")
        again = notice_actions.notify([w["unit_a"], w["unit_b"], w["town_a"]], kind=K.TASK_EDITED, title="任务调整",
                                      key="t:1:v2")
    assert len(first) == 2 and [n.recipient for n in again] == [w["town_a"]]
    assert Notice.objects.count() == 3 and len(mail.outbox) == 3


def test_unread_count_badge_is_one_query_and_the_centre_marks_read(people, django_assert_num_queries):
    w = people
    for i in range(3):
        notice_actions.notify([w["town_a"]], kind=K.REPORT_DUE, title=f"提醒{i}", url="/my/", key=f"k{i}")
    notice_actions.notify([w["town_b"]], kind=K.REPORT_DUE, title="别人的提醒", url="/my/", key="other")
    request = RequestFactory().get("/")
    request.user = w["town_a"]
    with django_assert_num_queries(1):
        assert unread_notices(request) == {"unread_notices": 3}
    c = Client()
    c.force_login(w["town_a"])
    page = c.get("/my/").content.decode()
    assert 'id="unread-badge"' in page and ">3</span>" in page
    centre = c.get("/notices/").content.decode()
    assert "提醒0" in centre and "别人的提醒" not in centre
    first = Notice.objects.get(recipient=w["town_a"], key="k0")
    r = c.post(f"/notices/{first.pk}/open/")
    assert r.status_code == 302 and r["Location"] == "/my/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert ">2</span>" in c.get("/my/").content.decode()
    other = Notice.objects.get(recipient=w["town_b"])
    assert c.post(f"/notices/{other.pk}/open/").status_code == 404  # someone else's notice is not found
    other.refresh_from_db()
    assert other.read_at is None
    c.post("/notices/read-all/")
    assert Notice.objects.filter(recipient=w["town_a"], read_at__isnull=True).count() == 0
    assert 'id="unread-badge"' not in c.get("/my/").content.decode()
    assert Notice.objects.filter(recipient=w["town_b"], read_at__isnull=True).count() == 1


def test_a_due_notice_leads_to_each_owed_form_in_one_tap(people):
    w = people
    ledger.remind_reports_due(w["plan"], dt.date(2024, 6, 2))
    notice = Notice.objects.get(recipient=w["town_a"])
    c = Client()
    c.force_login(w["town_a"])
    r = c.post(f"/notices/{notice.pk}/open/", {"link": "0"})
    assert r["Location"] == f"/tasks/{w['task_town_a'].pk}/#report-form"
    assert 'id="report-form"' in c.get(r["Location"]).content.decode()


# ---------------------------------------------------------------- digest

def test_digest_readers_get_one_mail_of_the_days_unread_notices(people, django_capture_on_commit_callbacks):
    w = people
    c = Client()
    c.force_login(w["town_a"])
    c.post("/notices/preferences/", {"delivery": "digest", "email": "on"})
    assert NoticePreference.objects.get(user=w["town_a"]).delivery == "digest"
    with django_capture_on_commit_callbacks(execute=True):
        notice_actions.notify([w["town_a"], w["town_b"]], kind=K.REPORT_DUE, title="五月进展待填报", body="· 扬尘管控",
                              key="d1")
        notice_actions.notify([w["town_a"]], kind=K.SUPERVISION_OPENED, title="新督办：扬尘", key="d2")
        read = notice_actions.notify([w["town_a"]], kind=K.TASK_EDITED, title="已读的调整", key="d3")[0]
    notice_actions.mark_read(read, acting_user=w["town_a"])
    assert [m.to for m in mail.outbox] == [["town_b@example.gov.cn"]]  # town_b is immediate; town_a waits
    from envgov.apps.audit import clock

    today = clock.today()
    assert notice_actions.send_digest(today) == 1
    digest = mail.outbox[-1]
    assert digest.to == ["town_a@example.gov.cn"] and "2 条未读" in digest.subject
    assert "五月进展待填报" in digest.body and "新督办：扬尘" in digest.body and "已读的调整" not in digest.body
    assert notice_actions.send_digest(today) == 0  # sent once
    call_command("send_notice_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 2


def test_email_off_sends_no_mail_but_keeps_the_notice(people, django_capture_on_commit_callbacks):
    w = people
    notice_actions.save_preference(acting_user=w["unit_a"], delivery="immediate", email=False)
    with django_capture_on_commit_callbacks(execute=True):
        notice_actions.notify([w["unit_a"]], kind=K.REPORT_DUE, title="提醒", key="x")
    assert mail.outbox == [] and _titles(w["unit_a"]) == ["提醒"]


# ---------------------------------------------------------------- permissions and the channel page

def test_permissions_matrix(people):
    w = people
    notice = notice_actions.notify([w["unit_a"]], kind=K.REPORT_DUE, title="提醒", key="p")[0]
    viewers = {name for name in w["users"] if can_view_notice(w[name], notice)}
    assert viewers == {"unit_a"}  # not even the administrator reads someone else's notice
    editors = {name for name in w["users"] if can_edit_channels(w[name], w["district"])}
    assert editors == {"admin", "coordinator"}
    other = w["other_plan"].district
    assert {name for name in w["users"] if can_edit_channels(w[name], other)} == {"other_coordinator"}


def test_channel_page_saves_audits_without_the_key_and_sends_a_test(people, robot):
    w = people
    c = Client()
    c.force_login(w["coordinator"])
    assert c.get("/notices/channel/").status_code == 200
    r = c.post("/notices/channel/", {"kind": "wecom", "webhook_url": "ftp://example.com/robot", "version": 1})
    assert r.status_code == 200 and "Webhook 地址应以 https:// 或 http:// 开头" in r.content.decode()
    assert not DistrictChannel.objects.filter(enabled=True).exists()
    r = c.post("/notices/channel/", {"kind": "wecom", "webhook_url": robot.url, "enabled": "on", "version": 1})
    assert r.status_code == 302
    channel = DistrictChannel.objects.get(district=w["district"])
    assert channel.enabled and channel.webhook_url == robot.url and channel.updated_by == w["coordinator"]
    log = AuditLog.objects.get(action="channel")
    assert "robot-key" not in json.dumps([log.before, log.after]) and log.after["enabled"] is True
    # a stale form is refused
    c.post("/notices/channel/", {"kind": "dingtalk", "webhook_url": robot.url, "version": 1})
    channel.refresh_from_db()
    assert channel.kind == "wecom"
    c.post("/notices/channel/", {"op": "test"})
    assert robot.received[0]["body"]["msgtype"] == "markdown"
    assert "envgov 通知渠道测试" in robot.received[0]["body"]["markdown"]["content"]
    # a reporter may not open the page; a coordinator of another district sets their own district only
    reporter = Client()
    reporter.force_login(w["unit_a"])
    assert reporter.get("/notices/channel/").status_code == 403


# ---------------------------------------------------------------- settings

def _django(args: list[str], env_extra: dict[str, str], tmp_path) -> subprocess.CompletedProcess:  # noqa: ANN001
    """A fresh process, so settings.py reads the given environment (no ENVGOV_/DJANGO_ variables leak in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENVGOV_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update({"PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"), "ENVGOV_DATA_DIR": str(tmp_path),
                "DJANGO_SETTINGS_MODULE": "envgov.web.settings", **env_extra})
    return subprocess.run([sys.executable, "-m", "django", *args], env=env, capture_output=True, text=True, timeout=120)


def test_mail_settings_come_from_the_environment(tmp_path):
    show = ("shell", "-c", "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, "
            "s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.DEFAULT_FROM_EMAIL)")
    console = _django(list(show), {}, tmp_path)
    assert "django.core.mail.backends.console.EmailBackend" in console.stdout, console.stderr
    smtp = _django(list(show), {"ENVGOV_EMAIL_HOST": "smtp.example.gov.cn", "ENVGOV_EMAIL_PORT": "465",
                                "ENVGOV_EMAIL_USER": "envgov", "ENVGOV_EMAIL_PASSWORD": "pw",
                                "ENVGOV_EMAIL_USE_SSL": "1", "ENVGOV_EMAIL_FROM": "envgov@example.gov.cn"}, tmp_path)
    assert smtp.stdout.split()[-8:] == ["django.core.mail.backends.smtp.EmailBackend", "smtp.example.gov.cn", "465",
                                        "envgov", "pw", "False", "True", "envgov@example.gov.cn"], smtp.stderr
