"""The ledger's and monitoring's named checks as a role × action matrix. Expectations are written out by
hand from the design (who issues, edits, reports, reviews, comments, imports), not computed with the
checks under test; one row per persona, one column per check, on 通州's objects and on 门头沟's."""
from __future__ import annotations

import datetime as dt

import pytest

from envgov.apps.air import permissions as data
from envgov.apps.plans import actions
from envgov.apps.plans import permissions as ledger

PLAN_CHECKS = ("issue", "close", "reporting")
TASK_CHECKS = ("edit", "close_task", "report", "comment")
REPORT_CHECKS = ("review", "withdraw")
DATA_CHECKS = ("import", "exceptional_day", "parameters", "recompute")

Y, N = True, False
#                      plan (issue, close, reporting)  task_unit_a (edit, close, report, comment)  report_unit_a (review, withdraw)  district data (import, exceptional, parameters, recompute)
OURS = {
    "admin":             ((Y, Y, Y), (Y, Y, N, Y), (Y, N), (Y, Y, Y, Y)),
    "coordinator":       ((Y, Y, Y), (Y, Y, N, Y), (Y, N), (Y, Y, Y, Y)),
    "unit_a":            ((N, N, N), (N, N, Y, Y), (N, Y), (N, N, N, N)),
    "unit_b":            ((N, N, N), (N, N, N, Y), (N, N), (N, N, N, N)),  # cooperates on task_unit_a: comments
    "town_a":            ((N, N, N), (N, N, N, N), (N, N), (N, N, N, N)),
    "leader_a":          ((N, N, N), (N, N, N, Y), (N, N), (N, N, N, N)),  # 科室负责人: reads, comments, answers 督办
    "auditor":           ((N, N, N), (N, N, N, N), (N, N), (N, N, N, N)),
    "other_coordinator": ((N, N, N), (N, N, N, N), (N, N), (N, N, N, N)),
}


def _row(world, persona: str, report) -> tuple:
    u, plan, task, d = world[persona], world["plan"], world["task_unit_a"], world["district"]
    return (
        (ledger.can_issue_plan(u, plan), ledger.can_close_plan(u, plan), ledger.can_set_reporting(u, plan)),
        (ledger.can_edit_task(u, task), ledger.can_close_task(u, task), ledger.can_report(u, task),
         ledger.can_comment(u, task)),
        (ledger.can_review(u, report), ledger.can_withdraw(u, report)),
        (data.can_import_observations(u, d), data.can_mark_exceptional_day(u, d), data.can_set_air_parameters(u, d),
         data.can_recompute(u, d)),
    )


@pytest.mark.django_db
def test_ledger_and_monitoring_checks_role_by_action(world):
    report = actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"], narrative="抽检2组",
                                     today=dt.date(2024, 5, 10))
    failures = [f"{p}: want {want}, got {_row(world, p, report)}" for p, want in OURS.items()
                if _row(world, p, report) != want]
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_the_other_district_coordinator_acts_on_their_own_plan_only(world):
    other = world["other_coordinator"]
    assert ledger.can_issue_plan(other, world["other_plan"]) and ledger.can_edit_task(other, world["other_task"])
    assert data.can_import_observations(other, world["other_plan"].district)
    assert not data.can_import_observations(other, world["district"])


@pytest.mark.django_db
def test_an_inactive_account_may_do_nothing(world):
    coordinator = world["coordinator"]
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    assert not ledger.can_issue_plan(coordinator, world["plan"])
    assert not data.can_import_observations(coordinator, world["district"])
