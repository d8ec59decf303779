"""What the ledger tells people, and when. Each ledger action calls one function here in one line:

  review_progress    → report_reviewed(report)              a returned report: its reporters, with the reason
  open_supervision,
  flag_overdue_…     → supervision_opened(item)              the addressee unit's or town's reporters
  escalate_unanswered → supervision_escalated(item, note)   the addressee's leaders of the new level
  update_task        → task_edited(task, before, after, reason)  the reporters of the task's units and towns
  daily check        → remind_reports_due(plan, today)       each party's reports still owed, ≤ 3 days before due

A person is told only what they owe or what changed for them — never about a task that is done. What is
owed comes from ONE place, `owed_by_party` below (an adapter over the ledger's own definition).
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from envgov.apps.accounts.models import Unit, User
from envgov.apps.geo.models import Town
from envgov.apps.notices.actions import notify
from envgov.apps.notices.models import Notice
from envgov.apps.plans.models import Plan, ProgressReport, Task
from envgov.apps.supervision.models import SupervisionItem

R = User.Role
DUE_SOON_DAYS = 3  # "report due in 3 days": remind when the period's due date is this close or closer


# ---------------------------------------------------------------- who, and what they owe

def reporters_of(units: Iterable[Unit] = (), towns: Iterable[Town] = ()) -> list[User]:
    """The active reporters who speak for these units and towns."""
    unit_ids = {u.pk for u in units}
    town_ids = {t.pk for t in towns}
    if not unit_ids and not town_ids:
        return []
    q = Q(role=R.UNIT_REPORTER, unit_id__in=unit_ids) | Q(role=R.TOWN_REPORTER, town_id__in=town_ids)
    return list(User.objects.filter(q, is_active=True).select_related("unit", "town").order_by("pk"))


def leaders_of(item: SupervisionItem, level: int) -> list[User]:
    """The addressee's active unit leaders whom an item escalated to `level` reaches (科室负责人 at 1,
    分管领导 at 2)."""
    if not (item.addressee_unit_id or item.addressee_town_id):
        return []
    q = Q(unit_id=item.addressee_unit_id) if item.addressee_unit_id else Q(town_id=item.addressee_town_id, unit__isnull=True)
    return list(User.objects.filter(q, role=R.UNIT_LEADER, leader_level=level, is_active=True).order_by("pk"))


def coordinators_of(district) -> list[User]:  # noqa: ANN001
    return list(User.objects.filter(district=district, role=R.COORDINATOR, is_active=True).order_by("pk"))


def is_done(task: Task) -> bool:
    """Work that is done is never noticed: a completed task (every party signed off, or closed)."""
    return task.status == Task.Status.COMPLETED


def owed_by_party(plan: Plan, today: dt.date) -> dict[Unit | Town, list]:
    """Per unit or town, the reports it owes today — the ledger's one definition (envgov.apps.plans.owed)."""
    from envgov.apps.plans.owed import owed_by_parties

    parties: dict[str, Unit | Town] = {t.name: t for t in Town.objects.filter(district=plan.district)}
    parties.update({u.name: u for u in Unit.objects.filter(district=plan.district)})
    out: dict[Unit | Town, list] = {}
    for item in owed_by_parties(plan, today):
        if item.party_name in parties:
            out.setdefault(parties[item.party_name], []).append(item)
    return out


def period_due_date(plan: Plan, period: str) -> dt.date:
    from envgov.apps.plans.actions import period_due_date as due

    return due(plan, period)


def periods_due_soon(plan: Plan, today: dt.date) -> list[tuple[str, dt.date]]:
    """The period owed today, when its due date lies between today and DUE_SOON_DAYS ahead."""
    from envgov.apps.plans.actions import current_period

    period = current_period(plan, today)
    due = period_due_date(plan, period)
    return [(period, due)] if 0 <= (due - today).days <= DUE_SOON_DAYS else []


def _default_language():  # noqa: ANN202
    """Notices are written once, in the site's language, and sent with the same words."""
    return translation.override(settings.LANGUAGE_CODE)


# ---------------------------------------------------------------- the hooks

def remind_reports_due(plan: Plan, today: dt.date) -> int:
    """The daily reminder: each unit's and town's reporters are told which reports of a period due within
    DUE_SOON_DAYS they still owe (once per period). Returns the number of notices written."""
    if plan.status != Plan.Status.ISSUED:
        return 0
    written = 0
    for period, due in periods_due_soon(plan, today):
        for party, items in owed_by_party(plan, today).items():
            if not items:
                continue
            people = reporters_of(units=[party]) if isinstance(party, Unit) else reporters_of(towns=[party])
            with _default_language():
                title = _("%(period)s 进展还有 %(n)s 项未填报，%(due)s 截止") % {
                    "period": period, "n": len(items), "due": f"{due:%Y-%m-%d}"}
                body = "\n".join(f"· {o.title}" for o in items)
            links = [{"label": o.title[:80], "url": reverse("task_detail", args=[o.task_id]) + "#report-form"}
                     for o in items]
            written += len(notify(people, kind=Notice.Kind.REPORT_DUE, title=title, body=body,
                                  url=reverse("my_tasks"), links=links, key=f"due:{plan.pk}:{period}",
                                  district=plan.district))
    return written


def report_reviewed(report: ProgressReport) -> list[Notice]:
    """A returned report: its unit's or town's reporters are told, with the reviewer's reason."""
    if report.status != ProgressReport.Status.RETURNED or is_done(report.task) or (
            report.party is not None and report.party.status == report.party.Status.COMPLETED):
        return []
    task = report.task
    people = reporters_of(units=[report.unit] if report.unit else [], towns=[report.town] if report.town else [])
    with _default_language():
        title = _("进展被退回：%(task)s") % {"task": f"{task.code} {task.title}"}
        body = _("%(period)s 的进展被退回，原因：%(reason)s\n请修改后重新提交。") % {
            "period": report.period, "reason": report.return_reason}
    return notify(people, kind=Notice.Kind.REPORT_RETURNED, title=title, body=body,
                  url=reverse("task_detail", args=[task.pk]) + "#report-form", subject=report,
                  key=f"report:{report.pk}:v{report.version}", district=task.plan.district)


def supervision_opened(item: SupervisionItem) -> list[Notice]:
    """A new 督办: the addressee unit's or town's reporters are told what and by when."""
    if item.status == SupervisionItem.Status.CLOSED:
        return []
    people = reporters_of(units=[item.addressee_unit] if item.addressee_unit_id else [],
                          towns=[item.addressee_town] if item.addressee_town_id else [])
    with _default_language():
        title = _("新督办：%(title)s") % {"title": item.title}
        body = _("%(source)s。%(detail)s\n请于 %(due)s 前反馈整改情况。") % {
            "source": item.get_source_display(), "detail": item.detail, "due": f"{item.due_date:%Y-%m-%d}"}
    return notify(people, kind=Notice.Kind.SUPERVISION_OPENED, title=title, body=body,
                  url=reverse("supervision_detail", args=[item.pk]), subject=item,
                  key=f"supervision:{item.pk}", district=item.plan.district)


def supervision_escalated(item: SupervisionItem, note: str) -> list[Notice]:
    """An unanswered 督办 climbed a step: the addressee's leaders of that level are told; where the
    addressee has no such leader on the platform, the district's coordinators are, so that someone acts."""
    if item.status != SupervisionItem.Status.OPEN:
        return []
    people = leaders_of(item, item.escalation_level)
    with _default_language():
        title = _("督办升级（%(level)s）：%(title)s") % {"level": item.get_escalation_level_display(), "title": item.title}
        body = note
        if not people:
            body += _("\n%(addressee)s尚未在平台设置%(level)s账号，请统筹协调部门跟进。") % {
                "addressee": item.addressee or "", "level": item.get_escalation_level_display()}
    return notify(people or coordinators_of(item.plan.district), kind=Notice.Kind.SUPERVISION_ESCALATED,
                  title=title, body=body, url=reverse("supervision_detail", args=[item.pk]), subject=item,
                  key=f"supervision:{item.pk}:level{item.escalation_level}", district=item.plan.district)


TASK_NOTICED_FIELDS = ("title", "body", "due_date", "lead_units", "cooperating_units", "towns", "all_towns",
                       "quantities")


def _shown(task: Task, field: str, value) -> str:  # noqa: ANN001
    if value in (None, "", []):
        return _("（空）")
    if field in ("lead_units", "cooperating_units"):
        return "、".join(Unit.objects.filter(pk__in=value).order_by("name").values_list("name", flat=True))
    if field == "towns":
        return "、".join(Town.objects.filter(pk__in=value).order_by("name").values_list("name", flat=True))
    if field == "quantities":
        return "；".join(value)
    if field == "all_towns":
        return _("是") if value else _("否")
    return str(value)


def _parties(task: Task, snap: dict) -> tuple[set[int], set[int]]:
    units = set(snap.get("lead_units", [])) | set(snap.get("cooperating_units", []))
    towns = set(snap.get("towns", []))
    if snap.get("all_towns"):
        towns |= set(Town.objects.filter(district=task.plan.district).values_list("pk", flat=True))
    return units, towns


def task_edited(task: Task, before: dict, after: dict, reason: str = "") -> list[Notice]:
    """A coordinator changed an issued task: the reporters of its units and towns — before and after the
    change, so a unit taken off the task hears it too — are told what changed. Not for a draft plan, not
    for a task that is done."""
    if task.plan.status == Plan.Status.DRAFT or is_done(task):
        return []
    changed = [f for f in TASK_NOTICED_FIELDS if before.get(f) != after.get(f) and (f in before or f in after)]
    if not changed:
        return []
    with _default_language():
        lines = []
        for f in changed:
            label = str(_("工作量") if f == "quantities" else Task._meta.get_field(f).verbose_name)
            if f == "body":
                lines.append(_("%(field)s已修改") % {"field": label})
            else:
                lines.append(f"{label}：{_shown(task, f, before.get(f))} → {_shown(task, f, after.get(f))}")
        if reason:
            lines.append(_("修改原因：%(reason)s") % {"reason": reason})
        title = _("任务调整：%(task)s") % {"task": f"{task.code} {task.title}"}
    units_before, towns_before = _parties(task, before)
    units_after, towns_after = _parties(task, after)
    people = reporters_of(units=Unit.objects.filter(pk__in=units_before | units_after),
                          towns=Town.objects.filter(pk__in=towns_before | towns_after))
    return notify(people, kind=Notice.Kind.TASK_EDITED, title=title, body="\n".join(lines),
                  url=reverse("task_detail", args=[task.pk]), subject=task,
                  key=f"task:{task.pk}:v{task.version}", district=task.plan.district)
