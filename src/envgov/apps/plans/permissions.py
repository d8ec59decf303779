"""Named checks of the ledger, run as a role × action matrix in tests/apps/test_permissions_matrix.py.

Each answers one question about one person and one object and returns a bool; actions refuse through
`accounts.scope.require` with them, pages use them to decide what to offer. The scope querysets decide what
a person can see at all (outside it → 404); these checks add who may act on what they see.
"""
from __future__ import annotations

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import plans_for, reports_for, tasks_for

R = User.Role
REPORTERS = (R.UNIT_REPORTER, R.TOWN_REPORTER)  # speak for a task line of their unit or town


def _active(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_coordinator(user: User | None) -> bool:
    """The district's coordinators and its administrator: they issue, edit, review and close."""
    return _active(user) and user.role in (R.ADMIN, R.COORDINATOR)


def _sees_plan(user: User, plan_id: int) -> bool:
    return plans_for(user).filter(pk=plan_id).exists()


def can_issue_plan(user: User, plan) -> bool:  # noqa: ANN001
    return is_coordinator(user) and _sees_plan(user, plan.pk)


def can_close_plan(user: User, plan) -> bool:  # noqa: ANN001
    return is_coordinator(user) and _sees_plan(user, plan.pk)


def can_set_reporting(user: User, plan) -> bool:  # noqa: ANN001
    """Set a plan's reporting frequency and due day (填报要求)."""
    return is_coordinator(user) and _sees_plan(user, plan.pk)


def can_enter_target_actual(user: User, target) -> bool:  # noqa: ANN001
    return is_coordinator(user) and _sees_plan(user, target.plan_id)


def can_edit_task(user: User, task) -> bool:  # noqa: ANN001
    """Change an issued task's units, towns, quantities, shares and deadline."""
    return is_coordinator(user) and tasks_for(user).filter(pk=task.pk).exists()


def can_close_task(user: User, task) -> bool:  # noqa: ANN001
    """Close a task before every party has signed off, with a reason."""
    return can_edit_task(user, task)


def reporting_party(user: User, task):  # noqa: ANN001, ANN201 - a TaskParty or None
    """The task's progress line a reporter speaks for: their unit's or town's, when it is a party (a lead
    unit or a town of the task). A cooperating unit is no party: it comments, the lead reports."""
    from envgov.apps.plans import progress

    if not (_active(user) and user.role in REPORTERS and tasks_for(user).filter(pk=task.pk).exists()):
        return None
    if user.role == R.UNIT_REPORTER:
        return progress.party_for(task, unit_id=user.unit_id)
    return progress.party_for(task, town_id=user.town_id)


def can_report(user: User, task) -> bool:  # noqa: ANN001
    """Report progress on a task: a reporter of one of its parties."""
    return reporting_party(user, task) is not None


def can_withdraw(user: User, report) -> bool:  # noqa: ANN001
    """Take back one's unit's or town's report while it waits for review."""
    return _active(user) and user.role in REPORTERS and reports_for(user).filter(pk=report.pk).exists()


def can_review(user: User, report) -> bool:  # noqa: ANN001
    """Accept or return a report (采纳/退回)."""
    return is_coordinator(user) and reports_for(user).filter(pk=report.pk).exists()


def can_comment(user: User, task) -> bool:  # noqa: ANN001
    """Comment on a task one can see: everyone but the read-only auditor."""
    return _active(user) and user.role != R.AUDITOR and tasks_for(user).filter(pk=task.pk).exists()
