"""The audit log: readable (Chinese names, names instead of ids, local times, filters, paging, .xlsx),
scoped to the reader's district, append-only (model, queryset, admin; PostgreSQL trigger), hash-chained
(`envgov audit verify` finds a row altered behind the ORM)."""
from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from openpyxl import load_workbook
from typer.testing import CliRunner

from envgov.apps.accounts.models import User
from envgov.apps.audit import log as audit
from envgov.apps.audit.models import AuditLog
from envgov.apps.audit.permissions import can_change_audit, can_export_audit, can_view_audit
from envgov.apps.plans import actions
from envgov.cli import app as cli


@pytest.fixture
def logged(world):
    """A few entries: the coordinator changes a task's lead and cooperating units and due date; a unit
    reports; an entry in the other district."""
    task, coord = world["task_unit_b"], world["coordinator"]
    before = audit.snapshot(task)
    task.lead_units.set([world["u_market"], world["u_dev"]])
    task.cooperating_units.set([world["u_market"]])
    task.due_date = dt.date(2024, 9, 30)
    task.save()
    audit.record(actor=coord, action="update", obj=task, plan=task.plan, before=before, after=audit.snapshot(task),
                 note="调整牵头单位")
    actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"], narrative="抽检2组",
                            today=dt.date(2024, 5, 10))
    other = world["other_task"]
    audit.record(actor=world["other_coordinator"], action="update", obj=other, plan=other.plan,
                 before={"title": "旧"}, after={"title": other.title})
    return world


def _page(client: Client, url: str, **params) -> str:  # noqa: ANN003
    r = client.get(url, params)
    assert r.status_code == 200, r.status_code
    return r.content.decode()


def _rows(html: str) -> list[str]:
    body = html.split('<tbody>')[1].split('</tbody>')[0]
    return [re.sub(r"<[^>]+>", " ", tr) for tr in body.split("<tr>")[1:]]


# ---------------------------------------------------------------- readable

def test_page_shows_chinese_names_and_names_instead_of_ids(logged, client):
    client.force_login(logged["auditor"])
    html = _page(client, reverse("audit_log"))
    update = next(r for r in _rows(html) if "调整牵头单位" in r)
    assert "修改" in update and "任务" in update  # action and subject type in Chinese
    assert "牵头单位" in update and "市场监管局、发展改革委" in update  # M2M ids → names, verbose_name
    assert "配合单位" in update and "完成时限" in update and "2024-09-30" in update
    assert "lead_units" not in html and "due_date" not in html and ">update<" not in html
    report = next(r for r in _rows(html) if "提交进展" in r)
    assert "填报单位" in report or "市场监管局" in report  # the report's unit by name, not its id
    # local time (Asia/Shanghai, UTC+8)
    entry = AuditLog.objects.get(note="调整牵头单位")
    assert f"{entry.at.astimezone(dt.timezone(dt.timedelta(hours=8))):%Y-%m-%d %H:%M}" in update


def test_page_is_scoped_to_the_readers_district(logged):
    own, other = Client(), Client()
    own.force_login(logged["coordinator"])
    other.force_login(logged["other_coordinator"])
    assert "门头沟任务" not in _page(own, reverse("audit_log"))
    html = _page(other, reverse("audit_log"))
    assert len(_rows(html)) == 1 and "门头沟任务" in _rows(html)[0]
    data = other.get(reverse("audit_export")).content
    ws = load_workbook(io.BytesIO(data)).active
    exported = list(ws.iter_rows(min_row=4, values_only=True))
    assert len(exported) == 1 and "门头沟任务" in exported[0][4] and exported[0][6:8] == ("旧", "门头沟任务")
    assert other.get(reverse("audit_view", args=[logged["plan"].pk])).status_code == 404
    assert other.get(reverse("audit_export"), {"plan": logged["plan"].pk}).status_code == 404
    reporter = Client()
    reporter.force_login(logged["unit_a"])
    assert reporter.get(reverse("audit_log")).status_code == 403


def test_filters_by_actor_type_action_and_date(logged, client):
    client.force_login(logged["coordinator"])
    url = reverse("audit_log")
    by_actor = _rows(_page(client, url, actor=logged["unit_a"].pk))
    assert by_actor and all("提交进展" in r for r in by_actor)
    from django.contrib.contenttypes.models import ContentType

    from envgov.apps.plans.models import Task

    by_type = _rows(_page(client, url, object_type=ContentType.objects.get_for_model(Task).pk))
    assert len(by_type) == 1 and "调整牵头单位" in by_type[0]
    assert len(_rows(_page(client, url, action="submit"))) == 1
    today = AuditLog.objects.get(note="调整牵头单位").at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    assert len(_rows(_page(client, url, date_from=today.isoformat(), date_to=today.isoformat()))) == 2
    assert "没有符合条件的记录" in _page(client, url, date_to=(today - dt.timedelta(days=1)).isoformat())
    bad = client.get(url, {"date_from": today.isoformat(), "date_to": (today - dt.timedelta(days=3)).isoformat()})
    assert bad.status_code == 400 and "截止日期不能早于起始日期" in bad.content.decode()
    bad = client.get(url, {"date_from": "明天"})
    assert bad.status_code == 400 and "日期" in bad.content.decode()


def test_paging(world, client):
    task = world["task_unit_a"]
    for i in range(55):
        audit.record(actor=world["coordinator"], action="update", obj=task, plan=task.plan,
                     before={"title": f"旧{i}"}, after={"title": f"新{i}"})
    client.force_login(world["coordinator"])
    first = _page(client, reverse("audit_log"))
    assert len(_rows(first)) == 50 and "新54" in first and "第 1 / 2 页" in first
    second = _page(client, reverse("audit_log"), page=2)
    assert len(_rows(second)) == 5 and "新0" in second


def test_export_has_the_readable_rows_of_the_filter(logged, client):
    client.force_login(logged["auditor"])
    r = client.get(reverse("audit_export"), {"action": "update", "plan": logged["plan"].pk})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in ws[3]]
    assert header == ["时间", "操作人", "操作", "对象类型", "对象", "字段", "修改前", "修改后", "说明"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    fields = {row[5]: row for row in rows}
    assert set(fields) == {"牵头单位", "配合单位", "完成时限"}
    assert fields["牵头单位"][6:8] == ("发展改革委", "市场监管局、发展改革委")
    assert fields["完成时限"][6:8] == ("2024-06-30", "2024-09-30")
    assert all(row[2] == "修改" and row[3] == "任务" and row[8] == "调整牵头单位" for row in rows)
    assert isinstance(rows[0][0], dt.datetime)
    bad = client.get(reverse("audit_export"), {"date_from": "x"})
    assert bad.status_code == 400


def test_every_action_written_has_a_chinese_name():
    from envgov.apps.audit.present import ACTIONS

    src = Path(__file__).resolve().parents[2] / "src"
    written = set()
    for path in src.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "audit.record(" not in text and "action=" not in text:
            continue
        written |= set(re.findall(r'action="([a-z_]+)"', text))
        written |= set(re.findall(r'action = "([a-z_]+)"', text))
        written |= set(re.findall(r'"accept" if accept else "return"', text) and ["accept", "return"])
        written |= set(re.findall(r'report, action = existing, "([a-z_]+)"', text))
    written -= {"store_true"}  # argparse
    assert written and not written - set(ACTIONS), f"actions without a Chinese name: {written - set(ACTIONS)}"


# ---------------------------------------------------------------- append-only

def test_saved_entry_cannot_be_changed_or_deleted_through_the_orm(logged):
    entry = AuditLog.objects.filter(district=logged["district"]).first()
    entry.note = "tamper"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditLog.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(PermissionDenied):
        AuditLog.objects.filter(pk=entry.pk).delete()
    with pytest.raises(PermissionDenied):
        AuditLog.objects.bulk_update([entry], ["note"])
    with pytest.raises(PermissionDenied):
        AuditLog.objects.bulk_create([AuditLog(action="x", content_type=entry.content_type, object_id="1")])
    entry.refresh_from_db()
    assert entry.note != "tamper"


def test_admin_is_read_only(logged):
    admin_user = User.objects.create_user("staff", password="pw-12345-x", is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/audit/auditlog/")
    request.user = admin_user
    model_admin = site._registry[AuditLog]
    entry = AuditLog.objects.first()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    c = Client()
    c.force_login(admin_user)
    assert c.get("/admin/audit/auditlog/").status_code == 200
    assert c.get("/admin/audit/auditlog/add/").status_code == 403
    count = AuditLog.objects.count()
    r = c.post(f"/admin/audit/auditlog/{entry.pk}/delete/", {"post": "yes"})
    assert r.status_code == 403
    r = c.post("/admin/audit/auditlog/", {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert AuditLog.objects.count() == count
    r = c.post(f"/admin/audit/auditlog/{entry.pk}/change/", {"note": "tamper"})
    assert r.status_code == 403 and AuditLog.objects.get(pk=entry.pk).note != "tamper"


@pytest.mark.parametrize("role, view, export", [
    ("admin", True, True), ("coordinator", True, True), ("auditor", True, True),
    ("unit_reporter", False, False), ("town_reporter", False, False)])
def test_permission_checks_by_role(role, view, export):
    user = User(username="x", role=role)
    assert (can_view_audit(user), can_export_audit(user), can_change_audit(user)) == (view, export, False)


# ---------------------------------------------------------------- hash chain and verification

def _verify() -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["audit", "verify"])
    return result.exit_code, result.output


def test_chain_links_every_entry_to_the_previous(logged):
    entries = list(AuditLog.objects.order_by("id"))
    assert entries[0].prev_hash == ""
    assert all(b.prev_hash == a.hash and len(b.hash) == 64 for a, b in zip(entries, entries[1:]))
    code, out = _verify()
    assert code == 0 and out.startswith("OK") and f"{len(entries)} 条" in out


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _behind_the_orm(sql: str, params: list) -> None:
    """Raw SQL as a database superuser could send it (on PostgreSQL with triggers switched off)."""
    if connection.vendor == "postgresql":
        _raw("SET LOCAL session_replication_role = replica", [])
    _raw(sql, params)
    if connection.vendor == "postgresql":
        _raw("SET LOCAL session_replication_role = origin", [])


def test_verify_finds_a_row_altered_behind_the_orm(logged):
    entries = list(AuditLog.objects.order_by("id"))
    target = entries[1]
    _behind_the_orm("UPDATE audit_auditlog SET note = %s WHERE id = %s", ["改过的说明", target.pk])
    code, out = _verify()
    assert code == 1
    assert f"#{target.pk}" in out and "内容与其哈希不符" in out
    assert f"{target.at.astimezone(dt.timezone(dt.timedelta(hours=8))):%Y-%m-%d %H:%M}" in out


def test_verify_finds_a_deleted_row_and_a_cut_tail(logged):
    entries = list(AuditLog.objects.order_by("id"))
    _behind_the_orm("DELETE FROM audit_auditlog WHERE id = %s", [entries[1].pk])
    code, out = _verify()
    assert code == 1 and f"#{entries[2].pk}" in out and "删除" in out
    # the same chain with only its last entry removed: every link holds, the recorded end does not
    _behind_the_orm("DELETE FROM audit_auditlog WHERE id >= %s", [entries[1].pk])
    code, out = _verify()
    assert code == 1 and "末尾" in out


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the trigger exists on PostgreSQL only")
def test_postgresql_trigger_refuses_raw_update_and_delete(logged):
    from django.db import DatabaseError

    entry = AuditLog.objects.order_by("id").first()
    for sql in ("UPDATE audit_auditlog SET note = 'x' WHERE id = %s", "DELETE FROM audit_auditlog WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw(sql, [entry.pk])
    assert AuditLog.objects.get(pk=entry.pk).note == entry.note
    assert _verify()[0] == 0
