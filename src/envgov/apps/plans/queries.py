"""Read-side figures for the pages and the API: completion by area and unit, overdue lists, filters."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from envgov.apps.plans.models import Plan, ProgressReport, Task, TaskParty
from envgov.apps.supervision.models import SupervisionItem
from envgov.rules import bounds


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
class OverdueTask:
    """A row of the overview's overdue list (read in the same pass as the counts, not as Task objects)."""

    pk: int
    code: str
    title: str
    due_date: dt.date
    lead_names: list[str]


@dataclass
class Overview:
    plan: Plan
    today: dt.date
    totals: Completion
    by_area: list[Completion] = field(default_factory=list)
    by_unit: list[Completion] = field(default_factory=list)
    by_town: list[Completion] = field(default_factory=list)
    overdue: list[OverdueTask] = field(default_factory=list)
    pending_reviews: int = 0
    open_supervision: int = 0
    without_lead: int = 0  # 责任未落实: tasks with no lead unit and no town


def overdue_q(today: dt.date) -> Q:
    return Q(due_date__lt=today) & ~Q(status=Task.Status.COMPLETED)


OVERDUE_SHOWN = 50  # the overview lists the 50 oldest overdue tasks; the task list shows them all


def overview(plan: Plan, tasks: QuerySet, supervision: QuerySet, today: dt.date) -> Overview:
    """Completion figures over the tasks the viewer may see (a reporter sees their own share).

    One row per visible task and per lead-unit link is fetched and counted here, not in grouped SQL:
    a plan has a few hundred tasks, and five plain queries cost a fraction of the ten the page made
    before (the ORM's query compilation dominated, not the database). Counting in Python also keeps every task
    once: a reporter's scope joins lead and cooperating units, and grouped counts over that join
    counted a task once per cooperating unit.
    """
    rows = list(tasks.filter(plan=plan).values_list(
        "id", "status", "due_date", "all_towns", "area_id", "area__name", "area__order", "code", "title"))
    visible = {r[0] for r in rows}
    lead_names: dict[int, list[str]] = {}
    links = Task.lead_units.through.objects.filter(task__plan=plan).order_by("id")
    for task_id, name in links.values_list("task_id", "unit__name"):
        if task_id in visible:
            lead_names.setdefault(task_id, []).append(name)
    with_towns = set(Task.towns.through.objects.filter(task__plan=plan).values_list("task_id", flat=True))
    # completion per responsible party: each unit's and town's own line, not the whole task's status
    by_unit: dict[str, Completion] = {}
    by_town: dict[str, Completion] = {}
    status_of = {r[0]: (r[1], r[2]) for r in rows}
    party_rows = (TaskParty.objects.filter(task__plan=plan, removed_on__isnull=True)
                  .values_list("task_id", "unit__name", "town__name", "status"))
    for task_id, unit_name, town_name, party_status in party_rows:
        if task_id not in visible:
            continue
        task_status, due_date = status_of[task_id]
        bucket = (by_unit.setdefault(unit_name, Completion(unit_name)) if unit_name
                  else by_town.setdefault(town_name, Completion(town_name)))
        done = party_status == TaskParty.Status.COMPLETED or task_status == Task.Status.COMPLETED
        bucket.total += 1
        bucket.completed += done
        bucket.overdue += due_date is not None and due_date < today and not done

    totals = Completion("全部")
    by_area: dict[tuple[int, int], Completion] = {}
    overdue: list[OverdueTask] = []
    without_lead = 0
    for task_id, status, due_date, all_towns, area_id, area_name, area_order, code, title in rows:
        done = status == Task.Status.COMPLETED
        late = due_date is not None and due_date < today and not done  # same rule as overdue_q
        buckets = [totals, by_area.setdefault((area_order, area_id), Completion(area_name))]
        for b in buckets:
            b.total += 1
            b.completed += done
            b.overdue += late
        if late:
            overdue.append(OverdueTask(task_id, code, title, due_date, lead_names.get(task_id, [])))
        if task_id not in lead_names and task_id not in with_towns and not all_towns:
            without_lead += 1

    result = Overview(plan=plan, today=today, totals=totals, without_lead=without_lead)
    result.by_area = [by_area[key] for key in sorted(by_area)]
    result.by_unit = sorted(by_unit.values(), key=lambda c: (-c.total, c.label))
    result.by_town = sorted(by_town.values(), key=lambda c: (-c.total, c.label))
    result.overdue = sorted(overdue, key=lambda t: (t.due_date, t.pk))[:OVERDUE_SHOWN]
    pending = ProgressReport.objects.filter(task__plan=plan, status=ProgressReport.Status.SUBMITTED)
    result.pending_reviews = sum(1 for task_id in pending.values_list("task_id", flat=True) if task_id in visible)
    result.open_supervision = supervision.filter(plan=plan).exclude(status=SupervisionItem.Status.CLOSED).count()
    return result


def filter_id(value) -> int | None:  # noqa: ANN001 - int from the API, text from a page's query string
    """A filter's id, or None when it is no id any row can have (text, or beyond 64 bits: SQLite refuses
    to compare a related column with it) — such a filter matches nothing."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if bounds.in_id_range(number) else None


def filter_tasks(tasks: QuerySet, params: dict, today: dt.date) -> QuerySet:
    """Task list filters: 领域, 牵头单位, 街乡镇, 状态 (incl. 逾期), keyword."""
    if params.get("area"):
        tasks = tasks.filter(area__code=params["area"])
    if params.get("unit") == "none":
        tasks = tasks.filter(lead_units__isnull=True, towns__isnull=True, all_towns=False)
    elif params.get("unit"):
        unit = filter_id(params["unit"])
        tasks = tasks.filter(Q(lead_units=unit) | Q(cooperating_units=unit)) if unit else tasks.none()
    if params.get("town"):
        town = filter_id(params["town"])
        tasks = tasks.filter(Q(towns=town) | Q(all_towns=True)) if town else tasks.none()
    status = params.get("status")
    if status == "overdue":
        tasks = tasks.filter(overdue_q(today))
    elif status in Task.Status.values:
        tasks = tasks.filter(status=status)
    if params.get("q"):
        q = params["q"].replace("\x00", "").strip()  # PostgreSQL refuses NUL in a pattern
        tasks = tasks.filter(Q(title__icontains=q) | Q(body__icontains=q) | Q(code__icontains=q))
    return tasks.distinct()
