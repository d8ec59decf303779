"""The ledger workflow end to end at the action level: report → return → resubmit → accept → overdue →
supervision → response → closure, each step audited; optimistic locking refuses the later of two saves."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from envgov.apps.supervision import actions as supervision
from envgov.apps.audit.models import AuditLog
from envgov.apps.plans import actions
from envgov.apps.plans.models import ProgressReport, Task
from envgov.apps.supervision.models import SupervisionItem


def test_report_return_resubmit_accept_updates_quantity_and_audit(world):
    task, q = world["task_unit_a"], world["quantity"]
    report = actions.submit_progress(
        task, acting_user=world["unit_a"], narrative="完成抽检3组", quantities={q.pk: Decimal(3)},
        attachments=[SimpleUploadedFile("抽检报告.pdf", b"%PDF-1.4 demo")], today=dt.date(2024, 5, 10),
    )
    assert report.period == "2024-05" and report.unit == world["u_market"]
    assert report.attachments.count() == 1
    actions.review_progress(report, acting_user=world["coordinator"], accept=False, reason="请附检测报告",
                            expected_version=report.version)
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.RETURNED and report.return_reason == "请附检测报告"
    again = actions.submit_progress(task, acting_user=world["unit_a"], narrative="完成抽检3组，附报告",
                                    quantities={q.pk: Decimal(3)}, today=dt.date(2024, 5, 12))
    assert again.pk == report.pk and again.status == ProgressReport.Status.SUBMITTED
    actions.review_progress(again, acting_user=world["coordinator"], accept=True, expected_version=again.version)
    q.refresh_from_db()
    assert q.achieved_value == Decimal(3)
    logged = list(AuditLog.objects.filter(content_type__model="progressreport", object_id=str(report.pk))
                  .order_by("id").values_list("action", flat=True))
    assert logged == ["submit", "return", "resubmit", "accept"]


def test_reporter_cannot_report_outside_scope(world):
    with pytest.raises(PermissionDenied):
        actions.submit_progress(world["task_unit_b"], acting_user=world["unit_a"], narrative="x")
    with pytest.raises(PermissionDenied):
        actions.submit_progress(world["other_task"], acting_user=world["unit_a"], narrative="x")
    with pytest.raises(PermissionDenied):  # a coordinator reviews, never reports
        actions.submit_progress(world["task_unit_a"], acting_user=world["coordinator"], narrative="x")


def test_review_requires_reason_and_reviewer(world):
    report = actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"], narrative="进展")
    with pytest.raises(ValidationError):
        actions.review_progress(report, acting_user=world["coordinator"], accept=False, reason=" ",
                                expected_version=report.version)
    with pytest.raises(PermissionDenied):
        actions.review_progress(report, acting_user=world["auditor"], accept=True, expected_version=report.version)
    with pytest.raises(PermissionDenied):  # another district's coordinator
        actions.review_progress(report, acting_user=world["other_coordinator"], accept=True,
                                expected_version=report.version)


def test_overdue_task_opens_supervision_once_and_closes(world):
    today = dt.date(2024, 7, 5)  # task_unit_b was due 2024-06-30
    result = supervision.flag_overdue_and_lagging(world["plan"], today)
    assert result.overdue == 1
    assert supervision.flag_overdue_and_lagging(world["plan"], today).overdue == 0  # idempotent
    item = SupervisionItem.objects.get(task=world["task_unit_b"])
    assert item.addressee_unit == world["u_dev"] and item.source == SupervisionItem.Source.OVERDUE
    with pytest.raises(PermissionDenied):
        supervision.respond_supervision(item, acting_user=world["unit_a"], response="x", expected_version=item.version)
    supervision.respond_supervision(item, acting_user=world["unit_b"], response="已完成推广任务", expected_version=1)
    item.refresh_from_db()
    supervision.close_supervision(item, acting_user=world["coordinator"], note="核实完成", expected_version=item.version,
                              evidence=SimpleUploadedFile("核实.pdf", b"%PDF-1.4 ok"))
    item.refresh_from_db()
    assert item.status == SupervisionItem.Status.CLOSED and item.closure_evidence.name


def test_lagging_quantity_opens_supervision(world):
    # 8 groups due at year end; by 1 Oct three quarters of the year have passed but only 1 group is done
    world["quantity"].achieved_value = Decimal(1)
    world["quantity"].save()
    result = supervision.flag_overdue_and_lagging(world["plan"], dt.date(2024, 10, 1))
    assert result.lagging == 1
    item = SupervisionItem.objects.get(task=world["task_unit_a"], source=SupervisionItem.Source.LAGGING)
    assert "75%" in item.detail and "12%" in item.detail


def test_concurrent_edits_later_save_refused(world):
    task = world["task_unit_a"]
    v = task.version
    actions.update_task(task, {"title": "抽检含VOCs产品（修订）"}, expected_version=v, acting_user=world["coordinator"])
    with pytest.raises(actions.StaleEdit) as err:
        actions.update_task(task, {"title": "另一人的修改"}, expected_version=v, acting_user=world["admin"])
    assert "已被他人修改" in str(err.value)
    task.refresh_from_db()
    assert task.title == "抽检含VOCs产品（修订）"


def test_concurrent_reviews_later_refused(world):
    report = actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"], narrative="进展")
    v = report.version
    actions.review_progress(report, acting_user=world["coordinator"], accept=True, expected_version=v)
    with pytest.raises(actions.StaleEdit):
        actions.review_progress(report, acting_user=world["admin"], accept=False, reason="退回", expected_version=v)


def test_change_after_issue_keeps_revision(world):
    task = world["task_unit_a"]
    actions.update_task(task, {"due_date": dt.date(2024, 11, 30)}, expected_version=task.version,
                        acting_user=world["coordinator"], reason="市级要求提前")
    plan = world["plan"]
    plan.refresh_from_db()
    assert plan.revision == 1
    snap = plan.revisions.get(number=1).snapshot
    before = next(t for t in snap["tasks"] if t["code"] == task.code)
    assert before["due_date"] == "2024-12-31"


def test_audit_log_is_append_only(world):
    supervision.flag_overdue_and_lagging(world["plan"], dt.date(2024, 7, 5))
    log = AuditLog.objects.first()
    log.note = "tamper"
    with pytest.raises(PermissionDenied):
        log.save()
    with pytest.raises(PermissionDenied):
        AuditLog.objects.all().delete()
    with pytest.raises(PermissionDenied):
        AuditLog.objects.update(note="x")


def test_completion_request_completes_task(world):
    task = world["task_unit_a"]
    report = actions.submit_progress(task, acting_user=world["unit_a"], narrative="全部完成", marks_complete=True)
    actions.review_progress(report, acting_user=world["coordinator"], accept=True, expected_version=report.version)
    task.refresh_from_db()
    assert task.status == Task.Status.COMPLETED


def test_reminders_list_only_what_is_owed(world):
    from envgov.apps.plans.owed import owed_by_parties

    today = dt.date(2024, 5, 20)
    owed = {o.party_name for o in owed_by_parties(world["plan"], today)}
    assert owed == {"市场监管局", "发展改革委", "宋庄镇"}
    actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"], narrative="本月进展", today=today)
    owed = {o.party_name for o in owed_by_parties(world["plan"], today)}
    assert "市场监管局" not in owed


def test_daily_check_command_opens_supervision_and_lists_owed(world):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("daily_check", date="2024-07-05", stdout=out)
    text = out.getvalue()
    assert "新增逾期督办 1 项" in text and "市场监管局" in text
    assert SupervisionItem.objects.filter(task=world["task_unit_b"], source="overdue").count() == 1


def test_closed_plan_refuses_reports_and_checks(world):
    actions.close_plan(world["plan"], acting_user=world["coordinator"])
    with pytest.raises(ValidationError):
        actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"], narrative="x")
    assert supervision.flag_overdue_and_lagging(world["plan"], dt.date(2024, 12, 31)).overdue == 0
    with pytest.raises(PermissionDenied):
        actions.close_plan(world["plan"], acting_user=world["unit_a"])


def test_overview_counts_only_what_the_viewer_may_see(world):
    from envgov.apps.accounts.scope import supervision_for, tasks_for
    from envgov.apps.plans import queries

    # 发展改革委's task is overdue; 市场监管局's 8 groups (none reported) trail the half-year schedule
    supervision.flag_overdue_and_lagging(world["plan"], dt.date(2024, 7, 5))
    today = dt.date(2024, 7, 5)
    for who, n in (("coordinator", 2), ("unit_a", 1), ("unit_b", 1), ("town_a", 0)):
        user = world[who]
        o = queries.overview(world["plan"], tasks_for(user), supervision_for(user), today)
        assert o.open_supervision == n, who
