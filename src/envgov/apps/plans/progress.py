"""Every party's own progress line, and the task figures built from them (the one path for both).

A task's responsible parties are its lead units and its towns (all towns of the district where the plan
says 各街道乡镇). Cooperating units help the lead and are not parties: they write comments, not reports.
Each party reports, has its quantities accepted and is closed (销号) on its own; the task's quantities
and status are derived here and nowhere else:

* count quantity (200辆): achieved = sum of the parties' accepted cumulative figures;
* rate quantity (不少于15%): a rate every party must reach, never a sum — achieved = the lowest rate
  among the parties that have one accepted (None until one has);
* task status: completed when every current party is completed, or when a coordinator closed it with a
  reason; in progress once any report exists; else not started.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Iterable

from envgov.apps.plans.models import PartyQuantity, ProgressReport, Quantity, Task, TaskParty

RATE_UNITS = frozenset({"%", "％", "‰", "个百分点"})


def figure(value: Decimal | None) -> str:
    """A stored quantity as people write it: 7, not 7.0000; 3.5, not 3.5000; — when there is none; and a word,
    not a failure, for a value no column should hold (NaN, read where a database kept one)."""
    if value is None:
        return "—"
    if not value.is_finite():
        from django.utils.translation import gettext

        return gettext("无效数值")
    return format(value.normalize(), "f")


def ratio(achieved: Decimal | None, target: Decimal | None) -> float | None:
    """achieved / target as a float (the share of a quantity done); None where it cannot be measured —
    nothing achieved, no target, or a stored value that is no number."""
    if achieved is None or target is None or not target or not (achieved.is_finite() and target.is_finite()):
        return None
    return float(achieved / target)


def quantity_kind(unit: str) -> str:
    """A quantity written as a percentage is a rate to reach; anything else is a count to accumulate."""
    return Quantity.Kind.RATE if (unit or "").strip() in RATE_UNITS else Quantity.Kind.COUNT


def responsible(task: Task) -> tuple[list, list]:
    """(units, towns) answerable for the task under its current assignment."""
    units = list(task.lead_units.all())
    if task.all_towns:
        from envgov.apps.geo.models import Town

        towns = list(Town.objects.filter(district_id=task.plan.district_id).order_by("code"))
    else:
        towns = list(task.towns.all())
    return units, towns


def sync_parties(task: Task, today: dt.date | None = None) -> tuple[list[TaskParty], list[TaskParty]]:
    """Bring the task's party lines in line with its units and towns; returns (added, removed).

    A party that leaves the task keeps its reports and history (marked removed, no longer counted);
    one that comes back is reinstated. Every party has a line for every quantity of the task.
    """
    units, towns = responsible(task)
    wanted = {("unit", u.pk) for u in units} | {("town", t.pk) for t in towns}
    existing = {("unit", p.unit_id) if p.unit_id else ("town", p.town_id): p for p in task.parties.all()}
    added, removed = [], []
    for key in sorted(wanted - set(existing), key=str):
        kind, pk = key
        added.append(TaskParty.objects.create(task=task, **({"unit_id": pk} if kind == "unit" else {"town_id": pk})))
    for key, party in existing.items():
        if key in wanted and party.removed_on is not None:
            party.removed_on = None
            party.save(update_fields=["removed_on"])
            added.append(party)
        elif key not in wanted and party.removed_on is None:
            if party.reports.exists() or party.supervision_items.exists():
                party.removed_on = today or dt.date.today()
                party.save(update_fields=["removed_on"])
            else:
                party.delete()
            removed.append(party)
    quantities = list(task.quantities.all())
    for party in task.parties.filter(removed_on__isnull=True):
        for q in quantities:
            PartyQuantity.objects.get_or_create(party=party, quantity=q)
    return added, removed


def current_parties(task: Task) -> list[TaskParty]:
    return [p for p in task.parties.all() if p.removed_on is None]


def party_for(task: Task, *, unit_id: int | None = None, town_id: int | None = None) -> TaskParty | None:
    qs = task.parties.filter(removed_on__isnull=True)
    if unit_id:
        return qs.filter(unit_id=unit_id).first()
    if town_id:
        return qs.filter(town_id=town_id).first()
    return None


def apply_accepted_quantities(report: ProgressReport) -> list[Quantity]:
    """An accepted report's cumulative figures become its party's line; returns the quantities touched."""
    touched = []
    for qp in report.quantities.select_related("quantity"):
        line, _ = PartyQuantity.objects.get_or_create(party=report.party, quantity=qp.quantity)
        line.achieved_value = qp.value
        line.save(update_fields=["achieved_value"])
        touched.append(qp.quantity)
    return touched


def task_achieved(quantity: Quantity, lines: Iterable[PartyQuantity]) -> Decimal | None:
    """The task-level figure of one quantity from its current parties' lines (see the module note)."""
    values = [line.achieved_value for line in lines if line.achieved_value is not None]
    if not values:
        return None
    if quantity.kind == Quantity.Kind.RATE:
        return min(values)
    return sum(values, Decimal(0))


def recompute(task: Task, today: dt.date) -> dict:
    """Quantities and status of the task from its parties; returns the changed fields (for the audit)."""
    parties = current_parties(task)
    party_ids = {p.pk for p in parties}
    changes: dict = {}
    for q in task.quantities.all():
        lines = [line for line in q.party_lines.all() if line.party_id in party_ids]
        value = task_achieved(q, lines)
        if value != q.achieved_value:
            changes[f"quantity:{q.pk}"] = (q.achieved_value, value)
            q.achieved_value = value
            q.save(update_fields=["achieved_value"])
    if task.closure_reason or (parties and all(p.status == TaskParty.Status.COMPLETED for p in parties)):
        status = Task.Status.COMPLETED
    elif task.reports.exists():
        status = Task.Status.IN_PROGRESS
    else:
        status = Task.Status.NOT_STARTED
    if status != task.status:
        changes["status"] = (task.status, status)
        task.status = status
        if status == Task.Status.COMPLETED:
            task.completed_on = max([p.completed_on for p in parties if p.completed_on] or [today])
        else:
            task.completed_on = None
        Task.objects.filter(pk=task.pk).update(status=task.status, completed_on=task.completed_on)
    return changes


def party_share(party: TaskParty, task_shares: dict[int, float | None]) -> float | None:
    """How far a party has come on its least-advanced quantity: its own share where the plan splits the
    quantity, else the task's (a shared quantity is everyone's). None where nothing is measurable."""
    shares = []
    for line in party.quantities.all():
        if not line.quantity.target_value:
            continue
        own = line.share
        if own is None and line.share_value:
            own = 0.0
        if own is None:
            own = task_shares.get(line.quantity_id)
            own = 0.0 if own is None else own
        shares.append(own)
    return min(shares) if shares else None


def completion_by_party(task: Task) -> list[dict]:
    """Rows for the task page, export and API: each party's status and quantities."""
    rows = []
    for p in current_parties(task):
        rows.append({
            "party": p, "name": p.name, "kind": "town" if p.is_town else "unit", "status": p.status,
            "completed_on": p.completed_on,
            "quantities": [{"quantity": line.quantity, "share_value": line.share_value,
                            "achieved_value": line.achieved_value} for line in p.quantities.all()],
        })
    return rows


def summary(parties: list[TaskParty]) -> dict:
    """Counts of a task's current parties by kind and status (the task page's headline)."""
    out = {"total": len(parties), "completed": 0, "units": 0, "towns": 0, "towns_completed": 0,
           "units_completed": 0}
    for p in parties:
        done = p.status == TaskParty.Status.COMPLETED
        out["completed"] += done
        if p.is_town:
            out["towns"] += 1
            out["towns_completed"] += done
        else:
            out["units"] += 1
            out["units_completed"] += done
    return out
