"""综合考评 figures of each unit and town, read from the ledger (nobody is asked to report them), scored
with a user-set scheme from envgov.rules.scoring."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from envgov.apps.plans.actions import current_period
from envgov.apps.plans.models import Plan, ProgressReport, SupervisionItem, Task
from envgov.rules.scoring import ScoreCard, ScoringScheme, score


@dataclass
class Assessed:
    name: str
    kind: str  # 单位 / 街乡镇
    metrics: dict
    card: ScoreCard


def _periods(plan: Plan, today: dt.date) -> list[str]:
    """Reporting periods from the plan's issue to the last finished period."""
    if plan.issued_at is None:
        return []
    start = max(plan.issued_at.date(), dt.date(plan.year, 1, 1))
    current = current_period(plan, today)
    periods, day = [], start
    while day <= today:
        p = current_period(plan, day)
        if p != current and p not in periods:
            periods.append(p)
        day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return periods


def metrics_for(tasks: list[Task], reports: list[ProgressReport], items: list[SupervisionItem],
                periods: list[str], today: dt.date) -> dict:
    due = [t for t in tasks if t.due_date and t.due_date <= today]
    completed_due = [t for t in due if t.status == Task.Status.COMPLETED]
    expected = {(t.pk, p) for t in tasks for p in periods
                if not (t.completed_on and p > f"{t.completed_on:%Y-%m}")}
    delivered = {(r.task_id, r.period) for r in reports if r.status != ProgressReport.Status.RETURNED}
    answered = [i for i in items if i.responded_at or i.status == SupervisionItem.Status.CLOSED]
    on_time = [i for i in answered if i.responded_at and i.responded_at.date() <= i.due_date]
    pending_late = [i for i in items if i not in answered and i.due_date < today]
    measured = len(answered) + len(pending_late)
    return {
        "completion_rate": len(completed_due) / len(due) if due else None,
        "report_rate": len(expected & delivered) / len(expected) if expected else None,
        "overdue_tasks": sum(1 for t in tasks if t.due_date and t.due_date < today and t.status != "completed"),
        "supervision_on_time_rate": len(on_time) / measured if measured else None,
        "returned_reports": sum(1 for r in reports if r.status == ProgressReport.Status.RETURNED),
    }


def assess(plan: Plan, scheme: ScoringScheme, today: dt.date) -> list[Assessed]:
    periods = _periods(plan, today)
    tasks = list(plan.tasks.prefetch_related("lead_units", "towns"))
    reports = list(ProgressReport.objects.filter(task__plan=plan))
    items = list(SupervisionItem.objects.filter(plan=plan))
    out: list[Assessed] = []
    units = {u.pk: u for t in tasks for u in t.lead_units.all()}
    for unit in units.values():
        mine = [t for t in tasks if unit in t.lead_units.all()]
        m = metrics_for(mine, [r for r in reports if r.unit_id == unit.pk],
                        [i for i in items if i.addressee_unit_id == unit.pk], periods, today)
        out.append(Assessed(unit.name, "单位", m, score(m, scheme)))
    towns = {tw.pk: tw for t in tasks for tw in t.towns.all()}
    for town in towns.values():
        mine = [t for t in tasks if town in t.towns.all()]
        m = metrics_for(mine, [r for r in reports if r.town_id == town.pk],
                        [i for i in items if i.addressee_town_id == town.pk], periods, today)
        out.append(Assessed(town.name, "街乡镇", m, score(m, scheme)))
    return sorted(out, key=lambda a: (-a.card.total, a.name))
