"""The JSON API: bearer tokens and session (with CSRF), scope (outside → 404), filters, the progress →
review → supervision workflow through the actions, and the error mapping (422 / 403 / 409 in Chinese)."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from envgov.apps.supervision import actions as supervision
from envgov.apps.accounts.models import ApiToken
from envgov.apps.audit.models import AuditLog
from envgov.apps.plans.models import ProgressReport
from envgov.apps.supervision.models import SupervisionItem


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def bearer(user, name: str = "test") -> Client:
    _, key = ApiToken.issue(user, name)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def post_json(client: Client, url: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_token_auth_updates_last_used_and_refuses_revoked_and_unknown(world):
    token, key = ApiToken.issue(world["coordinator"], "脚本")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    r = client.get("/api/plans")
    assert r.status_code == 200
    assert [p["title"] for p in r.json()] == ["通州区2024年工作计划"]  # not the other district's plan
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert ApiToken.objects.get(pk=token.pk).key_hash == ApiToken.hash_key(key) and key not in token.key_hash
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    assert client.get("/api/plans").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer egv_not-a-key").get("/api/plans").status_code == 401
    r = Client().get("/api/plans")
    assert r.status_code == 401 and "令牌" in r.json()["detail"]


def test_session_auth_needs_csrf_for_writes(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["unit_a"])
    assert client.get(f"/api/tasks/{world['task_unit_a'].pk}").status_code == 200
    url = f"/api/tasks/{world['task_unit_a'].pk}/progress"
    r = post_json(client, url, {"narrative": "完成抽检2组"})
    assert r.status_code == 403 and ProgressReport.objects.count() == 0
    client.get(f"/tasks/{world['task_unit_a'].pk}/")  # a page with a form sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    r = client.post(url, data=json.dumps({"narrative": "完成抽检2组"}), content_type="application/json",
                    HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 201, r.content
    assert ProgressReport.objects.get().narrative == "完成抽检2组"


def test_scope_outside_is_404_and_lists_are_narrowed(world):
    unit_a = bearer(world["unit_a"])
    assert unit_a.get(f"/api/tasks/{world['task_unit_a'].pk}").status_code == 200
    assert unit_a.get(f"/api/tasks/{world['task_unit_b'].pk}").status_code == 404
    assert unit_a.get(f"/api/tasks/{world['other_task'].pk}").status_code == 404
    codes = {t["code"] for t in unit_a.get(f"/api/plans/{world['plan'].pk}/tasks").json()}
    assert codes == {"三.(一).2"}  # leads 三.(一).2 only; 三.(一).1 belongs to 发展改革委
    town_a = bearer(world["town_a"])
    assert {t["code"] for t in town_a.get(f"/api/plans/{world['plan'].pk}/tasks").json()} == {"三.(一).9"}
    other = bearer(world["other_coordinator"])
    assert other.get(f"/api/plans/{world['plan'].pk}").status_code == 404
    assert other.get(f"/api/plans/{world['plan'].pk}/tasks").status_code == 404
    assert other.get(f"/api/tasks/{world['task_unit_a'].pk}/progress").status_code == 404


def test_task_filters(world):
    c = bearer(world["coordinator"])
    base = f"/api/plans/{world['plan'].pk}/tasks"
    assert len(c.get(base).json()) == 3
    assert {t["code"] for t in c.get(base, {"unit": world["u_dev"].pk}).json()} == {"三.(一).1", "三.(一).2"}
    assert c.get(base, {"area": "water"}).json() == []
    assert len(c.get(base, {"status": "not_started"}).json()) == 3
    # the demo clock is the real date (2026) unless pinned: both dated tasks of 2024 are overdue
    overdue = {t["code"] for t in c.get(base, {"overdue": "true"}).json()}
    assert overdue == {"三.(一).1", "三.(一).2"}
    assert {t["code"] for t in c.get(base, {"status": "overdue"}).json()} == overdue
    row = next(t for t in c.get(base).json() if t["code"] == "三.(一).2")
    assert row["lead_units"] == ["市场监管局"] and row["cooperating_units"] == ["发展改革委"]
    assert row["due_date"] == "2024-12-31" and row["overdue"] is True


def test_plan_detail_and_targets(world):
    c = bearer(world["auditor"])
    r = c.get(f"/api/plans/{world['plan'].pk}")
    assert r.status_code == 200
    assert r.json()["tasks_total"] == 3 and r.json()["tasks_completed"] == 0
    assert c.get(f"/api/plans/{world['plan'].pk}/targets").json() == []


def test_progress_review_workflow_through_api(world):
    task, q = world["task_unit_a"], world["quantity"]
    reporter = bearer(world["unit_a"])
    r = post_json(reporter, f"/api/tasks/{task.pk}/progress",
                  {"narrative": "完成抽检3组", "quantities": {str(q.pk): "3"}, "marks_complete": False})
    assert r.status_code == 201, r.content
    report = r.json()
    assert report["unit"] == "市场监管局" and report["status"] == "submitted"
    assert {k: Decimal(v) for k, v in report["quantities"].items()} == {str(q.pk): Decimal(3)}
    # a second submission in the same period is refused with the action's Chinese message
    again = post_json(reporter, f"/api/tasks/{task.pk}/progress", {"narrative": "再报"})
    assert again.status_code == 422 and "正在审核中" in again.json()["detail"]
    # empty narrative → 422 with the field message
    empty = post_json(bearer(world["unit_b"]), f"/api/tasks/{world['task_unit_b'].pk}/progress", {"narrative": "  "})
    assert empty.status_code == 422 and empty.json()["detail"] == "请填写进展情况"
    # a cooperating unit has no progress line of its own: told where its word goes, nothing written
    coop = post_json(bearer(world["unit_b"]), f"/api/tasks/{task.pk}/progress", {"narrative": "配合完成"})
    assert coop.status_code == 422 and "配合单位" in coop.json()["detail"]
    assert ProgressReport.objects.filter(task=task).count() == 1
    # the reporter cannot review; the auditor cannot either (role gate → 403)
    url = f"/api/progress/{report['id']}/review"
    assert post_json(reporter, url, {"decision": "accept", "version": report["version"]}).status_code == 403
    assert post_json(bearer(world["auditor"]), url, {"decision": "accept", "version": 1}).status_code == 403
    # another district's coordinator does not even see it
    assert post_json(bearer(world["other_coordinator"]), url, {"decision": "accept", "version": 1}).status_code == 404
    coord = bearer(world["coordinator"])
    no_reason = post_json(coord, url, {"decision": "return", "reason": "", "version": report["version"]})
    assert no_reason.status_code == 422 and no_reason.json()["detail"] == "退回时请填写原因"
    ok = post_json(coord, url, {"decision": "accept", "version": report["version"]})
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    stale = post_json(bearer(world["admin"]), url, {"decision": "return", "reason": "x", "version": report["version"]})
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]
    q.refresh_from_db()
    assert q.achieved_value == 3
    assert list(AuditLog.objects.filter(content_type__model="progressreport").order_by("id")
                .values_list("action", flat=True)) == ["submit", "accept"]
    listed = reporter.get(f"/api/tasks/{task.pk}/progress").json()
    assert [x["status"] for x in listed] == ["accepted"]
    # unit_b cooperates on the task but sees only its own unit's reports
    assert bearer(world["unit_b"]).get(f"/api/tasks/{task.pk}/progress").json() == []


def test_reporter_outside_scope_cannot_submit(world):
    r = post_json(bearer(world["unit_a"]), f"/api/tasks/{world['task_unit_b'].pk}/progress", {"narrative": "x"})
    assert r.status_code == 404
    r = post_json(bearer(world["coordinator"]), f"/api/tasks/{world['task_unit_a'].pk}/progress",
                  {"narrative": "x"})
    assert r.status_code == 403
    assert ProgressReport.objects.count() == 0


def test_supervision_list_respond_close(world):
    supervision.flag_overdue_and_lagging(world["plan"], dt.date(2024, 7, 5))
    # 2024-07-05: 三.(一).1 (发展改革委) is overdue, 三.(一).2 (市场监管局) lags its linear schedule
    item = SupervisionItem.objects.get(task=world["task_unit_b"])
    lagging = SupervisionItem.objects.get(task=world["task_unit_a"])
    coord, unit_b = bearer(world["coordinator"]), bearer(world["unit_b"])
    listed = coord.get("/api/supervision", {"plan": world["plan"].pk, "status": "open"}).json()
    assert sorted(i["id"] for i in listed) == sorted([item.pk, lagging.pk])
    assert coord.get("/api/supervision", {"status": "closed"}).json() == []
    assert coord.get("/api/supervision", {"plan": world["other_plan"].pk}).json() == []
    assert [i["id"] for i in bearer(world["unit_a"]).get("/api/supervision").json()] == [lagging.pk]
    url = f"/api/supervision/{item.pk}/respond"
    assert post_json(bearer(world["unit_a"]), url, {"response": "x", "version": 1}).status_code == 404
    assert post_json(coord, url, {"response": "x", "version": 1}).status_code == 403
    r = post_json(unit_b, url, {"response": "已完成推广任务", "version": item.version})
    assert r.status_code == 200 and r.json()["status"] == "responded"
    close = f"/api/supervision/{item.pk}/close"
    assert post_json(unit_b, close, {"note": "x", "version": 2}).status_code == 403
    assert post_json(coord, close, {"note": "核实完成", "version": 1}).status_code == 409
    r = post_json(coord, close, {"note": "核实完成", "version": r.json()["version"]})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    item.refresh_from_db()
    assert item.closure_note == "核实完成" and item.closed_by == world["coordinator"]


def test_openapi_docs_list_every_operation(world):
    from envgov.web.api import iter_api_operations

    client = Client()
    assert client.get("/api/docs").status_code == 302  # sign in first
    client.force_login(world["auditor"])
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    for methods, path, _view in iter_api_operations():
        assert path in schema["paths"], path
        assert {m.lower() for m in methods} <= set(schema["paths"][path]), path
    assert "/api/tasks/{task_id}/progress" in schema["paths"]


def test_malformed_input_is_422_with_located_chinese_message(world):
    c = bearer(world["unit_a"])
    url = f"/api/tasks/{world['task_unit_a'].pk}/progress"
    r = post_json(c, url, {"quantities": {str(world["quantity"].pk): "很多"}})
    assert r.status_code == 422
    assert r.json()["detail"] == f"「narrative」：缺少必填项；「quantities.{world['quantity'].pk}」：应为数字"
    r = c.get(f"/api/plans/{world['plan'].pk}/tasks", {"unit": "x"})
    assert r.status_code == 422 and r.json()["detail"] == "查询参数「unit」：应为整数"
    assert ProgressReport.objects.count() == 0
