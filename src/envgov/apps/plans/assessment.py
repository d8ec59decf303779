"""综合考评 figures of each unit and town, read from the ledger (nobody is asked to report them), scored
with a user-set scheme from envgov.rules.scoring.

Each unit and town is assessed on its own progress lines (envgov.apps.plans.progress): the lines it
signed off when they were due, the reports it delivered by each period's due date, the 督办 it answered
in time. Every figure keeps the items it was counted from, so a score opens to its evidence.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from envgov.apps.plans.models import Plan, ProgressReport, Task, TaskParty
from envgov.apps.supervision.models import SupervisionItem
from envgov.rules import ledger
from envgov.rules.scoring import ScoreCard, ScoringScheme, rank, score


@dataclass
class Evidence:
    """What a figure was counted from: each line is (what, state, link target task id or None)."""

    due_lines: list[tuple[str, str, int]] = field(default_factory=list)
    reports: list[tuple[str, str, int]] = field(default_factory=list)
    supervision: list[tuple[str, str, int | None]] = field(default_factory=list)


@dataclass
class Assessed:
    key: str  # unit-<pk> / town-<pk>: the detail page's address
    name: str
    kind: str  # 单位 / 街乡镇
    metrics: dict
    card: ScoreCard
    evidence: Evidence


def expected_periods(plan: Plan, today: dt.date) -> list[ledger.Period]:
    """Reporting periods from the plan's issue whose report was due before today."""
    if plan.issued_at is None:
        return []
    start = max(timezone.localdate(plan.issued_at), dt.date(plan.year, 1, 1))
    out = []
    for p in ledger.periods_between(start, today, plan.report_frequency):
        if ledger.due_date(p, plan.report_due_day, plan.report_due_next_month) < today:
            out.append(p)
    return out


def metrics_for(parties: list[TaskParty], reports: list[ProgressReport], items: list[SupervisionItem],
                periods: list[ledger.Period], plan: Plan, today: dt.date) -> tuple[dict, Evidence]:
    ev = Evidence()
    due = [p for p in parties if p.task.due_date and p.task.due_date <= today]
    done = [p for p in due if p.status == TaskParty.Status.COMPLETED or p.task.status == Task.Status.COMPLETED]
    for p in due:
        ev.due_lines.append((f"{p.task.code} {p.task.title}（{p.task.due_date:%Y-%m-%d}）",
                             _("已完成") if p in done else _("未完成"), p.task_id))
    on_time: dict[tuple[int, str], ProgressReport] = {}
    late: dict[tuple[int, str], ProgressReport] = {}
    for r in reports:
        if r.status in (ProgressReport.Status.RETURNED, ProgressReport.Status.WITHDRAWN) or r.party_id is None:
            continue
        (late if r.is_late else on_time).setdefault((r.party_id, r.period), r)
    expected = []
    for p in parties:
        closed = p.completed_on or (p.task.completed_on if p.task.status == Task.Status.COMPLETED else None)
        for period in periods:
            if closed and period.start > closed:
                continue  # nothing is owed after a line is signed off
            expected.append((p, period.code))
    delivered = 0
    for p, code in expected:
        key = (p.pk, code)
        state = _("按期报送") if key in on_time else (_("逾期报送") if key in late else _("未报送"))
        delivered += key in on_time
        ev.reports.append((f"{code} · {p.task.code} {p.task.title}", state, p.task_id))
    answered = [i for i in items if i.responded_at or i.status == SupervisionItem.Status.CLOSED]
    in_time = [i for i in answered if i.responded_at and timezone.localdate(i.responded_at) <= i.due_date]
    pending_late = [i for i in items if i not in answered and i.due_date < today]
    for i in items:
        state = (_("按时反馈") if i in in_time else _("超时反馈") if i in answered
                 else _("超时未反馈") if i in pending_late else _("未到反馈时限"))
        ev.supervision.append((_("%(title)s（%(source)s，%(due)s 前反馈）") % {"title": i.title, "source": i.get_source_display(),
                                                   "due": f"{i.due_date:%Y-%m-%d}"}, state, i.task_id))
    measured = len(answered) + len(pending_late)
    metrics = {
        "completion_rate": len(done) / len(due) if due else None,
        "report_rate": delivered / len(expected) if expected else None,
        "overdue_tasks": sum(1 for p in parties if p.task.due_date and p.task.due_date < today
                             and p.status != TaskParty.Status.COMPLETED and p.task.status != Task.Status.COMPLETED),
        "supervision_on_time_rate": len(in_time) / measured if measured else None,
        "returned_reports": sum(1 for r in reports if r.status == ProgressReport.Status.RETURNED),
    }
    return metrics, ev


def assess(plan: Plan, scheme: ScoringScheme, today: dt.date) -> list[Assessed]:
    """Every unit and town with a line in the plan, ranked; 不参评 (nothing due or measurable) last."""
    periods = expected_periods(plan, today)
    parties = list(TaskParty.objects.filter(task__plan=plan, removed_on__isnull=True)
                   .select_related("task", "unit", "town").order_by("task__order", "id"))
    reports = list(ProgressReport.objects.filter(task__plan=plan))
    items = list(SupervisionItem.objects.filter(plan=plan))
    groups: dict[tuple[str, int], list[TaskParty]] = {}
    for p in parties:
        groups.setdefault(("unit", p.unit_id) if p.unit_id else ("town", p.town_id), []).append(p)
    out: list[Assessed] = []
    for (kind, pk), mine in groups.items():
        ids = {p.pk for p in mine}
        field_name = "addressee_unit_id" if kind == "unit" else "addressee_town_id"
        m, ev = metrics_for(mine, [r for r in reports if r.party_id in ids],
                            [i for i in items if getattr(i, field_name) == pk], periods, plan, today)
        out.append(Assessed(f"{kind}-{pk}", mine[0].name, "单位" if kind == "unit" else "街乡镇", m,
                            score(m, scheme), ev))
    rank([a.card for a in out])
    return sorted(out, key=lambda a: (a.card.rank is None, a.card.rank or 0, a.name))
