"""Read-side figures for the pages and the API: completion by area and unit, overdue lists, filters."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from envgov.apps.plans.models import Plan, ProgressReport, SupervisionItem, Task


@dataclass
class Completion:
    label: str
    total: int = 0
    completed: int = 0
    overdue: int = 0

    @property
    def rate(self) -> float:
        return self.completed / self.total if self.total else 0.0


@dataclass
class Overview:
    plan: Plan
    today: dt.date
    totals: Completion
    by_area: list[Completion] = field(default_factory=list)
    by_unit: list[Completion] = field(default_factory=list)
    overdue: list[Task] = field(default_factory=list)
    pending_reviews: int = 0
    open_supervision: int = 0
    without_lead: int = 0  # 责任未落实: tasks with no lead unit and no town


def overdue_q(today: dt.date) -> Q:
    return Q(due_date__lt=today) & ~Q(status=Task.Status.COMPLETED)


def overview(plan: Plan, tasks: QuerySet, today: dt.date) -> Overview:
    """Completion figures over the tasks the viewer may see (a reporter sees their own share)."""
    tasks = tasks.filter(plan=plan)
    done = Q(status=Task.Status.COMPLETED)
    late = overdue_q(today)
    agg = tasks.aggregate(total=Count("id"), completed=Count("id", filter=done), overdue=Count("id", filter=late))
    result = Overview(plan=plan, today=today, totals=Completion("全部", **agg))
    for row in (
        tasks.values("area__name", "area__order")
        .annotate(total=Count("id"), completed=Count("id", filter=done), overdue=Count("id", filter=late))
        .order_by("area__order")
    ):
        result.by_area.append(Completion(row["area__name"], row["total"], row["completed"], row["overdue"]))
    unit_rows = (
        tasks.filter(lead_units__isnull=False)
        .values("lead_units__name")
        .annotate(total=Count("id"), completed=Count("id", filter=done), overdue=Count("id", filter=late))
        .order_by("-total", "lead_units__name")
    )
    result.by_unit = [
        Completion(r["lead_units__name"], r["total"], r["completed"], r["overdue"]) for r in unit_rows
    ]
    result.overdue = list(
        tasks.filter(late).select_related("area").prefetch_related("lead_units").order_by("due_date")[:50]
    )
    result.without_lead = tasks.filter(lead_units__isnull=True, towns__isnull=True, all_towns=False).count()
    result.pending_reviews = ProgressReport.objects.filter(
        task__in=tasks, status=ProgressReport.Status.SUBMITTED
    ).count()
    result.open_supervision = SupervisionItem.objects.filter(plan=plan).exclude(
        status=SupervisionItem.Status.CLOSED
    ).count()
    return result


def filter_tasks(tasks: QuerySet, params: dict, today: dt.date) -> QuerySet:
    """Task list filters: 领域, 牵头单位, 街乡镇, 状态 (incl. 逾期), keyword."""
    if params.get("area"):
        tasks = tasks.filter(area__code=params["area"])
    if params.get("unit") == "none":
        tasks = tasks.filter(lead_units__isnull=True, towns__isnull=True, all_towns=False)
    elif params.get("unit"):
        tasks = tasks.filter(Q(lead_units=params["unit"]) | Q(cooperating_units=params["unit"]))
    if params.get("town"):
        tasks = tasks.filter(Q(towns=params["town"]) | Q(all_towns=True))
    status = params.get("status")
    if status == "overdue":
        tasks = tasks.filter(overdue_q(today))
    elif status in Task.Status.values:
        tasks = tasks.filter(status=status)
    if params.get("q"):
        q = params["q"].strip()
        tasks = tasks.filter(Q(title__icontains=q) | Q(body__icontains=q) | Q(code__icontains=q))
    return tasks.distinct()
