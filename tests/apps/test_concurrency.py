"""Concurrency without 500s (issue 12, item 3): simultaneous writes wait for each other (SQLite: BEGIN
IMMEDIATE with a busy timeout) and what still collides answers 409 with a message to retry."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import IntegrityError, OperationalError

from envgov.web import conflicts

PROBE = Path(__file__).with_name("concurrency_probe.py")
SRC = Path(__file__).resolve().parents[2] / "src"


def test_eight_simultaneous_progress_posts_on_a_sqlite_file_never_500(tmp_path):
    """8 reporters of one task post at the same instant, each thread on its own connection to a real SQLite
    file. With the default busy timeout they wait for each other; with no timeout at all (0 s) the locks
    collide for real. Either way: each answer is 201 or 409, and a 409 wrote no report."""
    env = {**os.environ, "ENVGOV_DATA_DIR": str(tmp_path), "PYTHONPATH": str(SRC)}
    env.pop("DATABASE_URL", None)
    run = subprocess.run([sys.executable, str(PROBE), "8", "20", "0"], env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    waiting, colliding = json.loads(run.stdout.strip().splitlines()[-1])
    for r in (waiting, colliding):
        assert len(r["statuses"]) == 8
        assert set(r["statuses"]) <= {201, 409}, r
        assert r["reports"] == r["statuses"].count(201)  # a 409 left nothing behind
        for status, body in zip(r["statuses"], r["bodies"]):
            if status == 409:
                assert "请稍候片刻后重新提交" in json.loads(body)["detail"]
    assert waiting["statuses"] == [201] * 8  # 20 s is ample for 8 short transactions
    assert 409 in colliding["statuses"]  # without waiting, the simultaneous ones are refused, not 500


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _wrapped(cls, cause: BaseException):  # noqa: ANN001, ANN202 - as django.db.utils wraps a driver error
    exc = cls(str(cause))
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize(("exc", "conflict"), [
    (OperationalError("database is locked"), True),
    (_wrapped(OperationalError, _PgError("40001")), True),   # serialization_failure
    (_wrapped(OperationalError, _PgError("40P01")), True),   # deadlock_detected
    (_wrapped(OperationalError, _PgError("55P03")), True),   # lock_not_available
    (_wrapped(IntegrityError, _PgError("23505")), True),     # unique_violation: two requests made one row
    (IntegrityError("UNIQUE constraint failed: plans_progressreport.id"), True),
    (IntegrityError("NOT NULL constraint failed: plans_task.title"), False),  # a fault: stays a 500
    (_wrapped(IntegrityError, _PgError("23503")), False),    # foreign key violation
    (OperationalError("no such table: plans_task"), False),
    (ValueError("database is locked"), False),
])
def test_what_counts_as_a_conflict(exc, conflict):
    assert conflicts.is_conflict(exc) is conflict


def test_a_page_that_collides_shows_the_409_page(world, client, monkeypatch):
    from django.urls import reverse

    from envgov.apps.plans import actions

    def locked(*args, **kwargs):  # noqa: ANN002, ANN003
        raise OperationalError("database is locked")

    monkeypatch.setattr(actions, "submit_progress", locked)
    client.force_login(world["unit_a"])
    task = world["task_unit_a"]
    response = client.post(reverse("task_detail", args=[task.pk]), {"narrative": "本月抽检2组"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "操作冲突" in page and "请稍候片刻后重新提交" in page and 'id="error-page"' in page


def test_an_api_fault_that_is_no_conflict_stays_a_500(world, client, monkeypatch):
    from envgov.apps.accounts.models import ApiToken
    from envgov.apps.plans import actions

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003
        raise OperationalError("no such table: plans_progressreport")

    monkeypatch.setattr(actions, "submit_progress", broken)
    _, key = ApiToken.issue(world["unit_a"], "t")
    client.raise_request_exception = False
    response = client.post(f"/api/tasks/{world['task_unit_a'].pk}/progress", {"narrative": "x"},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 500


POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.mark.skipif(not POSTGRES, reason="两人同时审核的行锁竞争只在 PostgreSQL 上测试（DATABASE_URL 未指向 PostgreSQL）")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_reviews_of_one_report_on_postgresql(world, monkeypatch):
    """The coordinator accepts while the administrator returns the same report: the second waits on the
    first one's row lock, then finds the version moved — one 200, one 409, the first decision stands."""
    from django.db import connection
    from django.test import Client

    from envgov.apps.accounts.models import ApiToken
    from envgov.apps.audit.models import AuditLog
    from envgov.apps.notices import ledger as notices_ledger
    from envgov.apps.plans import actions
    from envgov.apps.plans.models import ProgressReport, ReportEvent

    report = actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"], narrative="本月抽检2组")
    keys = {who: ApiToken.issue(world[who], "t")[1] for who in ("coordinator", "admin")}
    first_holds_lock = threading.Event()
    real = notices_ledger.report_reviewed

    def slow_notice(r):  # noqa: ANN001, ANN202 - runs inside the first review's transaction, row locked
        first_holds_lock.set()
        threading.Event().wait(1.0)
        return real(r)

    monkeypatch.setattr(notices_ledger, "report_reviewed", slow_notice)
    results: dict[str, tuple[int, str]] = {}

    def review(who: str, decision: str) -> None:
        try:
            if who == "admin":
                assert first_holds_lock.wait(10)
            response = Client(HTTP_AUTHORIZATION=f"Bearer {keys[who]}").post(
                f"/api/progress/{report.pk}/review",
                {"decision": decision, "reason": "材料不全", "version": report.version},
                content_type="application/json")
            results[who] = (response.status_code, response.content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=review, args=("coordinator", "accept")),
               threading.Thread(target=review, args=("admin", "return"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results["coordinator"][0] == 200, results
    assert results["admin"][0] == 409, results
    assert "已被他人修改" in json.loads(results["admin"][1])["detail"]
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.ACCEPTED and report.return_reason == ""
    assert ReportEvent.objects.filter(report=report).exclude(kind=ReportEvent.Kind.SUBMITTED).count() == 1
    assert AuditLog.objects.filter(action__in=["accept", "return"], object_id=str(report.pk)).count() == 1


def test_a_stale_review_on_the_page_is_a_banner_and_changes_nothing(world, client):
    """Two reviewers opened the same report; the one who saves second sees why, and the first decision stands."""
    from django.urls import reverse

    from envgov.apps.plans import actions
    from envgov.apps.plans.models import ProgressReport

    report = actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"], narrative="本月抽检2组")
    opened_version = report.version
    actions.review_progress(report, acting_user=world["admin"], accept=True, expected_version=opened_version)
    client.force_login(world["coordinator"])
    response = client.post(reverse("review_report", args=[report.pk]),
                           {"decision": "return", "reason": "材料不全", "version": opened_version}, follow=True)
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.ACCEPTED and report.return_reason == ""
