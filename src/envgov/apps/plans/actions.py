"""Every state change of the ledger: issue a plan, edit a task, report progress, review it, flag
overdue and lagging tasks, respond to and close supervision items.

Each function is atomic, checks the actor's right to act, refuses stale edits (optimistic locking on
`version`) and writes the audit log. Views and the API only parse input and call these.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import plans_for, reports_for, require, supervision_for, tasks_for
from envgov.apps.notices import ledger as notices
from envgov.apps.plans import audit, clock
from envgov.apps.plans.models import (
    Attachment,
    Plan,
    PlanRevision,
    ProgressReport,
    Quantity,
    QuantityProgress,
    SupervisionItem,
    Task,
)

R = User.Role
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
SUPERVISION_RESPONSE_DAYS = 7  # default answer time for an automatically opened 督办; editable per item


class StaleEdit(Exception):
    """Someone else saved this record after you opened it. The message is the whole (translated) sentence."""


def error_text(exc: ValidationError) -> str:
    """One line of every message of a refusal, for a page banner or an API error body."""
    if hasattr(exc, "message_dict"):
        return _separator().join(m for msgs in exc.message_dict.values() for m in msgs)
    return _separator().join(exc.messages)


def _separator() -> str:
    return pgettext("between the messages of one refusal", "；")


def _bump(model, pk: int, expected_version: int, stale_message: str) -> None:  # noqa: ANN001
    """Compare-and-set on `version`: the later of two concurrent saves is refused."""
    if model.objects.filter(pk=pk, version=expected_version).update(version=F("version") + 1) != 1:
        raise StaleEdit(stale_message)


def is_reviewer(user: User) -> bool:
    return user.role in (R.ADMIN, R.COORDINATOR)


# ---------------------------------------------------------------- plans

def plan_snapshot(plan: Plan) -> dict:
    return {
        "plan": audit.snapshot(plan),
        "targets": [audit.snapshot(t) for t in plan.targets.all()],
        "tasks": [audit.snapshot(t) for t in plan.tasks.all()],
    }


@transaction.atomic
def issue_plan(plan: Plan, *, acting_user: User) -> Plan:
    require(is_reviewer(acting_user), "只有统筹协调人员可以印发计划")
    require(plans_for(acting_user).filter(pk=plan.pk).exists(), "该计划不在您的管辖范围内")
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError(_("只有草稿状态的计划可以印发"))
    before = audit.snapshot(plan)
    plan.status = Plan.Status.ISSUED
    plan.issued_at = clock.now()
    plan.save(update_fields=["status", "issued_at"])
    audit.record(actor=acting_user, action="issue", obj=plan, plan=plan, before=before, after=audit.snapshot(plan))
    return plan


@transaction.atomic
def close_plan(plan: Plan, *, acting_user: User) -> Plan:
    """Year over: the plan becomes read-only history (no more reports, no more daily checks)."""
    require(is_reviewer(acting_user), "只有统筹协调人员可以关闭计划")
    require(plans_for(acting_user).filter(pk=plan.pk).exists(), "该计划不在您的管辖范围内")
    if plan.status != Plan.Status.ISSUED:
        raise ValidationError(_("只有已印发的计划可以关闭"))
    before = audit.snapshot(plan)
    plan.status, plan.closed_at = Plan.Status.CLOSED, clock.now()
    plan.save(update_fields=["status", "closed_at"])
    audit.record(actor=acting_user, action="close", obj=plan, plan=plan, before=before, after=audit.snapshot(plan))
    return plan


def keep_plan_revision(plan: Plan, acting_user: User, reason: str) -> None:
    """After issue, every change first stores a snapshot of the plan as it was."""
    if plan.status == Plan.Status.DRAFT:
        return
    Plan.objects.filter(pk=plan.pk).update(revision=F("revision") + 1)
    plan.refresh_from_db(fields=["revision"])
    PlanRevision.objects.create(
        plan=plan, number=plan.revision, created_by=acting_user, reason=reason[:200], snapshot=plan_snapshot(plan)
    )


TASK_EDITABLE = ("title", "body", "due_date", "status", "completed_on")


@transaction.atomic
def update_task(
    task: Task, changes: dict, *, expected_version: int, acting_user: User, reason: str = "",
    lead_units: Iterable | None = None, cooperating_units: Iterable | None = None, keep_revision: bool = True,
) -> Task:
    """Edit a task. After issue a plan snapshot is kept first; a batch (Excel import) keeps one snapshot
    itself with `keep_plan_revision` and passes keep_revision=False for each row."""
    require(is_reviewer(acting_user), "只有统筹协调人员可以修改任务")
    require(tasks_for(acting_user).filter(pk=task.pk).exists(), "该任务不在您的管辖范围内")
    unknown = set(changes) - set(TASK_EDITABLE)
    if unknown:
        raise ValidationError(_("不可修改的字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.version != expected_version:
        raise StaleEdit(_("任务 %(code)s 已被他人修改，您的修改未保存。请刷新页面查看最新内容后再提交。")
                        % {"code": task.code})
    if keep_revision:
        keep_plan_revision(task.plan, acting_user, reason or f"修改任务 {task.code}")
    before = audit.snapshot(task)
    for key, value in changes.items():
        setattr(task, key, value)
    task.full_clean(exclude=["plan", "area", "parent"])
    task.version += 1
    task.save()
    if lead_units is not None:
        task.lead_units.set(lead_units)
    if cooperating_units is not None:
        task.cooperating_units.set(cooperating_units)
    audit.record(actor=acting_user, action="update", obj=task, plan=task.plan, before=before,
                 after=audit.snapshot(task), note=reason)
    notices.task_edited(task, before, audit.snapshot(task), reason)
    return task


# ---------------------------------------------------------------- progress

def current_period(plan: Plan, today: dt.date) -> str:
    if plan.report_frequency == Plan.Frequency.QUARTERLY:
        return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    return f"{today.year}-{today.month:02d}"


def reporter_identity(user: User, task: Task) -> dict:
    """The unit or town on whose behalf a reporter speaks for this task (refused outside scope)."""
    require(user.role in (R.UNIT_REPORTER, R.TOWN_REPORTER), "只有单位或街乡镇填报员可以填报进展")
    require(tasks_for(user).filter(pk=task.pk).exists(), "该任务不属于您的单位或街乡镇")
    return {"unit_id": user.unit_id} if user.role == R.UNIT_REPORTER else {"town_id": user.town_id}


@dataclass
class NewAttachment:
    name: str
    file: UploadedFile


@transaction.atomic
def submit_progress(
    task: Task, *, acting_user: User, narrative: str, period: str | None = None,
    quantities: dict[int, Decimal] | None = None, marks_complete: bool = False,
    attachments: Iterable[UploadedFile] = (), today: dt.date | None = None,
) -> ProgressReport:
    """A reporter's progress for the period. A returned report of the same period is resubmitted in place."""
    who = reporter_identity(acting_user, task)
    if task.plan.status != Plan.Status.ISSUED:
        raise ValidationError(_("计划未印发或已关闭，不能填报"))
    narrative = (narrative or "").strip()
    if not narrative:
        raise ValidationError({"narrative": _("请填写进展情况")})
    today = today or clock.today()
    period = period or current_period(task.plan, today)
    own_quantities = {q.pk: q for q in task.quantities.all()}
    for qid, value in (quantities or {}).items():
        if qid not in own_quantities:
            raise ValidationError(_("工作量不属于该任务"))
        if value is None or value < 0:
            raise ValidationError({"quantities": _("“%(name)s”累计完成量不能为负数")
                                                  % {"name": own_quantities[qid].name}})
    attachments = list(attachments)
    for f in attachments:
        if f.size > MAX_ATTACHMENT_BYTES:
            raise ValidationError({"attachments": _("附件“%(name)s”超过 10 MB") % {"name": f.name}})

    existing = (
        ProgressReport.objects.select_for_update()
        .filter(task=task, period=period, **who)
        .exclude(status=ProgressReport.Status.ACCEPTED)
        .first()
    )
    now = clock.now()
    if existing is not None:
        if existing.status == ProgressReport.Status.SUBMITTED:
            raise ValidationError(_("本期进展已提交，正在审核中；如需补充请等待审核结果"))
        before = audit.snapshot(existing)
        existing.narrative, existing.marks_complete = narrative, marks_complete
        existing.status, existing.submitted_at, existing.submitted_by = (
            ProgressReport.Status.SUBMITTED, now, acting_user,
        )
        existing.version += 1
        existing.save()
        report, action = existing, "resubmit"
    else:
        before = None
        report = ProgressReport.objects.create(
            task=task, period=period, narrative=narrative, marks_complete=marks_complete,
            submitted_by=acting_user, submitted_at=now, **who,
        )
        action = "submit"
    for qid, value in (quantities or {}).items():
        QuantityProgress.objects.update_or_create(report=report, quantity_id=qid, defaults={"value": value})
    for f in attachments:
        Attachment.objects.create(report=report, file=f, name=f.name[:200], size=f.size)
    if task.status == Task.Status.NOT_STARTED:
        Task.objects.filter(pk=task.pk).update(status=Task.Status.IN_PROGRESS)
    audit.record(actor=acting_user, action=action, obj=report, plan=task.plan, before=before,
                 after=audit.snapshot(report))
    return report


@transaction.atomic
def review_progress(
    report: ProgressReport, *, acting_user: User, accept: bool, expected_version: int, reason: str = "",
) -> ProgressReport:
    require(is_reviewer(acting_user), "只有统筹协调人员可以审核进展")
    require(reports_for(acting_user).filter(pk=report.pk).exists(), "该进展不在您的管辖范围内")
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("退回时请填写原因")})
    _bump(ProgressReport, report.pk, expected_version,
          _("该进展报告已被他人修改，您的修改未保存。请刷新页面查看最新内容后再提交。"))
    report.refresh_from_db()
    if report.status != ProgressReport.Status.SUBMITTED:
        raise ValidationError(_("该进展不是待审核状态"))
    before = audit.snapshot(report)
    report.status = ProgressReport.Status.ACCEPTED if accept else ProgressReport.Status.RETURNED
    report.return_reason = "" if accept else reason.strip()
    report.reviewed_by, report.reviewed_at = acting_user, clock.now()
    report.save()
    audit.record(actor=acting_user, action="accept" if accept else "return", obj=report, plan=report.task.plan,
                 before=before, after=audit.snapshot(report), note=reason)
    notices.report_reviewed(report)
    if accept:
        _apply_accepted(report, acting_user)
    return report


def _apply_accepted(report: ProgressReport, acting_user: User) -> None:
    """Accepted figures become the task's achieved quantities; a completion request completes the task."""
    task = report.task
    for qp in report.quantities.select_related("quantity"):
        q: Quantity = qp.quantity
        before = audit.snapshot(q)
        q.achieved_value = qp.value
        q.save(update_fields=["achieved_value"])
        audit.record(actor=acting_user, action="quantity", obj=q, plan=task.plan, before=before,
                     after=audit.snapshot(q))
    if report.marks_complete and task.status != Task.Status.COMPLETED:
        before = audit.snapshot(task)
        task.status = Task.Status.COMPLETED
        task.completed_on = clock.today()
        task.version += 1
        task.save(update_fields=["status", "completed_on", "version"])
        audit.record(actor=acting_user, action="complete", obj=task, plan=task.plan, before=before,
                     after=audit.snapshot(task))


# ---------------------------------------------------------------- overdue and lagging

def expected_share(task: Task, today: dt.date) -> float | None:
    """Linear schedule from the plan's start (1 Jan) to the task's deadline (year end when none is set)."""
    start = dt.date(task.plan.year, 1, 1)
    due = task.due_date or dt.date(task.plan.year, 12, 31)
    span = (due - start).days
    if span <= 0:
        return 1.0
    return min(1.0, max(0.0, (today - start).days / span))


LAG_TOLERANCE = 0.10  # a task is lagging when its achieved share trails the linear schedule by more


def lag_of(task: Task, today: dt.date) -> float | None:
    """How far the least-advanced quantity trails the linear schedule (None if not measurable)."""
    expected = expected_share(task, today)
    shares = [q.share if q.share is not None else 0.0 for q in task.quantities.all() if q.target_value]
    if expected is None or not shares:
        return None
    return expected - min(shares)


def _addressees(task: Task) -> list[dict]:
    """Lead units, else the towns named; a task with neither goes to the coordinators (责任未落实)."""
    leads = list(task.lead_units.all())
    if leads:
        return [{"addressee_unit": u} for u in leads]
    return [{"addressee_town": t} for t in task.towns.all()] or [{}]


@dataclass
class FlagResult:
    overdue: int = 0
    lagging: int = 0


@transaction.atomic
def flag_overdue_and_lagging(plan: Plan, today: dt.date, *, acting_user: User | None = None) -> FlagResult:
    """The daily check: open one supervision item per addressee for each overdue or lagging task that
    has none open yet. Idempotent — running it twice a day opens nothing new."""
    result = FlagResult()
    if plan.status != Plan.Status.ISSUED:
        return result
    tasks = (
        plan.tasks.exclude(status=Task.Status.COMPLETED)
        .prefetch_related("quantities", "lead_units", "towns")
    )
    open_items = set(
        SupervisionItem.objects.filter(plan=plan, task__isnull=False)
        .exclude(status=SupervisionItem.Status.CLOSED)
        .values_list("task_id", "source", "addressee_unit_id", "addressee_town_id")
    )
    for task in tasks:
        source, detail = None, ""
        if task.due_date and task.due_date < today:
            source = SupervisionItem.Source.OVERDUE
            detail = f"完成时限 {task.due_date:%Y-%m-%d} 已过，任务尚未完成销号。"
        else:
            lag = lag_of(task, today)
            if lag is not None and lag > LAG_TOLERANCE:
                source = SupervisionItem.Source.LAGGING
                expected = expected_share(task, today) or 0.0
                detail = f"按时序进度应完成 {expected:.0%}，实际最低完成 {expected - lag:.0%}。"
        if source is None:
            continue
        for who in _addressees(task):
            key = (task.pk, source, getattr(who.get("addressee_unit"), "pk", None), getattr(who.get("addressee_town"), "pk", None))
            if key in open_items:
                continue
            if not who:
                detail += "该任务未明确牵头单位，请统筹协调部门先落实责任单位。"
            item = SupervisionItem.objects.create(
                plan=plan, task=task, source=source, title=f"{task.code} {task.title}"[:300], detail=detail,
                opened_on=today, due_date=today + dt.timedelta(days=SUPERVISION_RESPONSE_DAYS),
                created_by=acting_user, **who,
            )
            audit.record(actor=acting_user, action="open", obj=item, plan=plan, after=audit.snapshot(item),
                         note="系统每日自动检查")
            notices.supervision_opened(item)
            if source == SupervisionItem.Source.OVERDUE:
                result.overdue += 1
            else:
                result.lagging += 1
    return result


@transaction.atomic
def open_supervision(
    plan: Plan, *, acting_user: User, title: str, due_date: dt.date, task: Task | None = None,
    addressee_unit=None, addressee_town=None, detail: str = "",  # noqa: ANN001
) -> SupervisionItem:
    require(is_reviewer(acting_user), "只有统筹协调人员可以发起督办")
    require(plans_for(acting_user).filter(pk=plan.pk).exists(), "该计划不在您的管辖范围内")
    if not (addressee_unit or addressee_town):
        raise ValidationError(_("请选择督办单位或街乡镇"))
    for addressee in (addressee_unit, addressee_town):
        if addressee is not None and addressee.district_id != plan.district_id:
            raise ValidationError(_("“%(addressee)s”不属于%(district)s")
                                      % {"addressee": addressee, "district": plan.district})
    item = SupervisionItem.objects.create(
        plan=plan, task=task, source=SupervisionItem.Source.MANUAL, title=title[:300], detail=detail,
        opened_on=clock.today(), due_date=due_date, addressee_unit=addressee_unit,
        addressee_town=addressee_town, created_by=acting_user,
    )
    audit.record(actor=acting_user, action="open", obj=item, plan=plan, after=audit.snapshot(item))
    notices.supervision_opened(item)
    return item


@transaction.atomic
def respond_supervision(
    item: SupervisionItem, *, acting_user: User, response: str, expected_version: int,
) -> SupervisionItem:
    require(acting_user.role in (R.UNIT_REPORTER, R.TOWN_REPORTER), "只有被督办单位可以反馈")
    require(supervision_for(acting_user).filter(pk=item.pk).exists(), "该督办事项不属于您的单位或街乡镇")
    if not response.strip():
        raise ValidationError({"response": _("请填写整改反馈")})
    _bump(SupervisionItem, item.pk, expected_version,
          _("该督办事项已被他人修改，您的修改未保存。请刷新页面查看最新内容后再提交。"))
    item.refresh_from_db()
    if item.status == SupervisionItem.Status.CLOSED:
        raise ValidationError(_("该督办事项已销号"))
    before = audit.snapshot(item)
    item.response, item.status = response.strip(), SupervisionItem.Status.RESPONDED
    item.responded_by, item.responded_at = acting_user, clock.now()
    item.save()
    audit.record(actor=acting_user, action="respond", obj=item, plan=item.plan, before=before,
                 after=audit.snapshot(item))
    return item


@transaction.atomic
def close_supervision(
    item: SupervisionItem, *, acting_user: User, note: str, expected_version: int,
    evidence: UploadedFile | None = None,
) -> SupervisionItem:
    require(is_reviewer(acting_user), "只有统筹协调人员可以销号")
    require(supervision_for(acting_user).filter(pk=item.pk).exists(), "该督办事项不在您的管辖范围内")
    if not note.strip():
        raise ValidationError({"note": _("请填写销号说明")})
    _bump(SupervisionItem, item.pk, expected_version,
          _("该督办事项已被他人修改，您的修改未保存。请刷新页面查看最新内容后再提交。"))
    item.refresh_from_db()
    if item.status == SupervisionItem.Status.CLOSED:
        raise ValidationError(_("该督办事项已销号"))
    before = audit.snapshot(item)
    item.closure_note, item.status = note.strip(), SupervisionItem.Status.CLOSED
    item.closed_by, item.closed_at = acting_user, clock.now()
    if evidence is not None:
        item.closure_evidence = evidence
    item.save()
    audit.record(actor=acting_user, action="close", obj=item, plan=item.plan, before=before,
                 after=audit.snapshot(item))
    return item


# ---------------------------------------------------------------- reminders

def owed_reports(plan: Plan, today: dt.date) -> dict[str, list[Task]]:
    """Per unit/town, the tasks still without a report for the current period — what they owe, nothing else."""
    period = current_period(plan, today)
    owed: dict[str, list[Task]] = {}
    tasks = plan.tasks.exclude(status=Task.Status.COMPLETED).prefetch_related("lead_units", "towns", "reports")
    for task in tasks:
        reported_units = {r.unit_id for r in task.reports.all() if r.period == period and r.status != "returned"}
        reported_towns = {r.town_id for r in task.reports.all() if r.period == period and r.status != "returned"}
        for unit in task.lead_units.all():
            if unit.pk not in reported_units:
                owed.setdefault(unit.name, []).append(task)
        for town in task.towns.all():
            if town.pk not in reported_towns:
                owed.setdefault(town.name, []).append(task)
    return owed

