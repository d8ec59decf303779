"""What a person owes — the one definition used by every page, badge, reminder and notice.

A unit or town reporter owes, for each task line of their own that is neither closed (销号) nor on a
completed task: the report of the period owed today (envgov.rules.ledger.owed_period) unless one is
waiting for review or accepted; a returned or withdrawn report of that period counts as owed (to
correct). They also owe a response to each open 督办 addressed to them. A unit leader (科室负责人,
分管领导) owes a response to each open 督办 of their unit or town that has been escalated to their level.
A coordinator owes a review of each report waiting, and a decision (销号) on each answered 督办. Nobody
else owes anything. Work that is done is never owed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import plans_for, reports_for, supervision_for
from envgov.apps.plans.models import Plan, ProgressReport, Task, TaskParty
from envgov.apps.supervision.models import SupervisionItem

R = User.Role


@dataclass
class OwedItem:
    kind: str  # report / correction / response / review / closure
    plan_id: int
    title: str
    due_date: dt.date | None
    url: str
    party_name: str = ""
    period: str = ""
    task_id: int | None = None
    report_id: int | None = None
    item_id: int | None = None

    @property
    def label(self) -> str:
        from django.utils.translation import gettext

        return {
            "report": gettext("待填报"), "correction": gettext("待修改后重报"), "response": gettext("待反馈督办"),
            "review": gettext("待审核"), "closure": gettext("待销号"),
        }[self.kind]


def _period_and_due(plan: Plan, today: dt.date) -> tuple[str, dt.date]:
    from envgov.apps.plans.actions import owed_period_of, period_due_date

    period = owed_period_of(plan, today).code
    return period, period_due_date(plan, period)


def owed_by_parties(plan: Plan, today: dt.date, parties: Q | None = None) -> list[OwedItem]:
    """Reports owed in a plan by the parties matched by `parties` (all parties when None)."""
    if plan.status != Plan.Status.ISSUED:
        return []
    period, due = _period_and_due(plan, today)
    qs = (TaskParty.objects.filter(task__plan=plan, removed_on__isnull=True)
          .exclude(status=TaskParty.Status.COMPLETED).exclude(task__status=Task.Status.COMPLETED)
          .select_related("task", "unit", "town").order_by("task__order", "task_id", "id"))
    if parties is not None:
        qs = qs.filter(parties)
    rows = list(qs)
    states: dict[int, list[tuple[str, int]]] = {}
    for party_id, status, report_id in (ProgressReport.objects.filter(party__in=[p.pk for p in rows], period=period)
                                        .order_by("submitted_at").values_list("party_id", "status", "id")):
        states.setdefault(party_id, []).append((status, report_id))
    out = []
    for p in rows:
        mine = states.get(p.pk, [])
        if any(s in (ProgressReport.Status.SUBMITTED, ProgressReport.Status.ACCEPTED) for s, _ in mine):
            continue
        returned = [rid for s, rid in mine if s in (ProgressReport.Status.RETURNED, ProgressReport.Status.WITHDRAWN)]
        out.append(OwedItem(
            kind="correction" if returned else "report", plan_id=plan.pk,
            title=f"{p.task.code} {p.task.title}", due_date=due,
            url=reverse("task_detail", args=[p.task_id]) + "#report", party_name=p.name, period=period,
            task_id=p.task_id, report_id=returned[-1] if returned else None,
        ))
    return out


def _responses(items) -> list[OwedItem]:  # noqa: ANN001 - open SupervisionItem rows
    return [OwedItem(kind="response", plan_id=i.plan_id, title=i.title, due_date=i.due_date,
                     url=reverse("supervision_detail", args=[i.pk]), item_id=i.pk, task_id=i.task_id)
            for i in items.order_by("due_date", "id")]


def owed_for(user: User, today: dt.date) -> list[OwedItem]:
    """Everything `user` owes today, soonest due first."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    out: list[OwedItem] = []
    plans = list(plans_for(user).filter(status=Plan.Status.ISSUED))
    if user.role in (R.UNIT_REPORTER, R.TOWN_REPORTER):
        mine = Q(unit_id=user.unit_id) if user.role == R.UNIT_REPORTER else Q(town_id=user.town_id)
        if (user.unit_id if user.role == R.UNIT_REPORTER else user.town_id) is None:
            return []
        for plan in plans:
            out += owed_by_parties(plan, today, mine)
        out += _responses(supervision_for(user).filter(plan__in=plans, status=SupervisionItem.Status.OPEN))
    elif user.role == R.UNIT_LEADER:
        out += _responses(supervision_for(user).filter(plan__in=plans, status=SupervisionItem.Status.OPEN,
                                                       escalation_level__gte=user.leader_level or 99))
    elif user.role in (R.ADMIN, R.COORDINATOR):
        waiting = (reports_for(user).filter(task__plan__in=plans, status=ProgressReport.Status.SUBMITTED)
                   .select_related("task", "unit", "town").order_by("submitted_at"))
        out += [OwedItem(kind="review", plan_id=r.task.plan_id, title=f"{r.task.code} {r.task.title}",
                         due_date=None, url=reverse("task_detail", args=[r.task_id]) + f"#report-{r.pk}",
                         party_name=(r.unit or r.town).name if (r.unit_id or r.town_id) else "", period=r.period,
                         task_id=r.task_id, report_id=r.pk)
                for r in waiting]
        answered = (supervision_for(user).filter(plan__in=plans, status=SupervisionItem.Status.RESPONDED)
                    .order_by("responded_at", "id"))
        out += [OwedItem(kind="closure", plan_id=i.plan_id, title=i.title, due_date=None,
                         url=reverse("supervision_detail", args=[i.pk]), item_id=i.pk, task_id=i.task_id)
                for i in answered]
    return sorted(out, key=lambda o: (o.due_date or dt.date.max, o.kind, o.title))


def owed_count(user: User, today: dt.date) -> int:
    return len(owed_for(user, today))


def group_by_party(items: list[OwedItem]) -> list[tuple[str, list[OwedItem]]]:
    """Owed reports per unit or town, the longest list first (the reminders page and the daily check)."""
    groups: dict[str, list[OwedItem]] = {}
    for o in items:
        groups.setdefault(o.party_name, []).append(o)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
