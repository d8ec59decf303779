"""Every state change of the ledger: issue a plan, edit a task, report progress, review it, flag
how far a task trails its schedule (督办 itself: envgov.apps.supervision.actions).

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
from envgov.apps.accounts.scope import require
from envgov.apps.audit import clock
from envgov.apps.audit import log as audit
from envgov.apps.notices import ledger as notices
from envgov.apps.plans import bounds, permissions, progress
from envgov.apps.plans.models import (
    Attachment,
    Plan,
    PlanRevision,
    ProgressReport,
    QuantityProgress,
    ReportEvent,
    Task,
    TaskComment,
    TaskParty,
)
from envgov.rules import ledger
from envgov.web import uploads

R = User.Role
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # default of settings.ENVGOV_UPLOAD_MAX_FILE_BYTES (envgov.web.uploads)


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


# ---------------------------------------------------------------- plans

def plan_snapshot(plan: Plan) -> dict:
    return {
        "plan": audit.snapshot(plan),
        "targets": [audit.snapshot(t) for t in plan.targets.all()],
        "tasks": [audit.snapshot(t) for t in plan.tasks.all()],
    }


@transaction.atomic
def issue_plan(plan: Plan, *, acting_user: User) -> Plan:
    require(permissions.can_issue_plan(acting_user, plan), _("只有本区的统筹协调人员可以印发计划"))
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError(_("只有草稿状态的计划可以印发"))
    for task in plan.tasks.prefetch_related("lead_units", "towns", "parties", "quantities"):
        progress.sync_parties(task, clock.today())
    before = audit.snapshot(plan)
    plan.status = Plan.Status.ISSUED
    plan.issued_at = clock.now()
    plan.save(update_fields=["status", "issued_at"])
    audit.record(actor=acting_user, action="issue", obj=plan, plan=plan, before=before, after=audit.snapshot(plan))
    return plan


@transaction.atomic
def close_plan(plan: Plan, *, acting_user: User) -> Plan:
    """Year over: the plan becomes read-only history (no more reports, no more daily checks)."""
    require(permissions.can_close_plan(acting_user, plan), _("只有本区的统筹协调人员可以关闭计划"))
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


TASK_EDITABLE = ("title", "body", "due_date")


@dataclass
class QuantityEdit:
    """A quantity as the coordinator sets it: pk None adds one; `shares` maps party pk → its own share."""

    pk: int | None
    name: str
    unit: str
    target_value: Decimal
    shares: dict[int, Decimal | None] | None = None


@transaction.atomic
def update_task(
    task: Task, changes: dict, *, expected_version: int, acting_user: User, reason: str = "",
    lead_units: Iterable | None = None, cooperating_units: Iterable | None = None, towns: Iterable | None = None,
    all_towns: bool | None = None, quantities: list[QuantityEdit] | None = None, keep_revision: bool = True,
) -> Task:
    """Edit a task, issued or not: text, deadline, units, towns and quantities. After issue a plan
    snapshot is kept first and the task's history shows the change; parties follow the new assignment
    (one that leaves keeps its reports). A batch (Excel import) keeps one snapshot itself with
    `keep_plan_revision` and passes keep_revision=False for each row. Status is never edited here: it
    follows from the parties (progress.recompute) or from close_task."""
    require(permissions.can_edit_task(acting_user, task), _("只有本区的统筹协调人员可以修改任务"))
    unknown = set(changes) - set(TASK_EDITABLE)
    if unknown:
        raise ValidationError(_("不可修改的字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if changes.get("due_date") is not None:
        bounds.date(changes["due_date"], Task._meta.get_field("due_date").verbose_name, key="due_date")
    for e in quantities or ():
        if e.target_value is not None:
            e.target_value = bounds.figure(e.target_value, e.name or _("目标量"), key="quantities")
        for party_id, share in (e.shares or {}).items():
            if share is not None:
                e.shares[party_id] = bounds.figure(share, e.name or _("分解量"), key="quantities")
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.version != expected_version:
        raise StaleEdit(_("任务 %(code)s 已被他人修改，您的修改未保存。请刷新页面查看最新内容后再提交。")
                        % {"code": task.code})
    if keep_revision:
        keep_plan_revision(task.plan, acting_user, reason or f"修改任务 {task.code}")
    before = task_snapshot(task)
    quantities_before = _quantity_lines(task)
    parties_before = {p.pk: p for p in progress.current_parties(task)}
    for key, value in changes.items():
        setattr(task, key, value)
    if all_towns is not None:
        task.all_towns = bool(all_towns)
    task.full_clean(exclude=["plan", "area", "parent"])
    task.version += 1
    task.save()
    for attr, values in (("lead_units", lead_units), ("cooperating_units", cooperating_units), ("towns", towns)):
        if values is not None:
            values = list(values)
            for v in values:
                if v.district_id != task.plan.district_id:
                    raise ValidationError(_("“%(name)s”不属于%(district)s") % {"name": v, "district": task.plan.district})
            getattr(task, attr).set(values)
    if quantities is not None:
        _set_quantities(task, quantities, acting_user, reason)
    progress.sync_parties(task, clock.today())
    parties_after = {p.pk: p for p in progress.current_parties(Task.objects.get(pk=task.pk))}
    added = [p for pk, p in parties_after.items() if pk not in parties_before]
    removed = [p for pk, p in parties_before.items() if pk not in parties_after]
    if quantities is not None:
        _set_shares(task, quantities)
    after = task_snapshot(task)
    _recompute(task, acting_user, note=reason)
    audit.record(actor=acting_user, action="update", obj=task, plan=task.plan, before=before,
                 after=after, note=reason)
    task.refresh_from_db()
    notices.task_edited(task, {**before, "quantities": quantities_before},
                        {**after, "quantities": _quantity_lines(task)}, reason)
    task.edit_effect = {"added": added, "removed": removed, "before": before, "after": after}
    return task


def task_snapshot(task: Task) -> dict:
    """The task as its history shows it: fields, assignment and quantities by name."""
    return audit.snapshot(task, ["title", "body", "due_date", "all_towns", "lead_units", "cooperating_units",
                                 "towns", "closure_reason"])


def _quantity_lines(task: Task) -> list[str]:
    return [f"{q.name}：{progress.figure(q.target_value)}{q.unit}" for q in task.quantities.order_by("id")]


def _set_quantities(task: Task, edits: list[QuantityEdit], acting_user: User, reason: str) -> None:
    """Each quantity added, changed or removed is its own audit entry (the task's history shows them)."""
    from envgov.apps.plans.models import Quantity

    fields = ["name", "unit", "target_value", "kind"]
    existing = {q.pk: q for q in task.quantities.all()}
    keep = set()
    for e in edits:
        if not e.name.strip():
            raise ValidationError({"quantities": _("工作量名称不能为空")})
        if e.target_value is None or e.target_value <= 0:
            raise ValidationError({"quantities": _("“%(name)s”目标量须大于 0") % {"name": e.name}})
        if e.pk is not None:
            q = existing.get(e.pk)
            if q is None:
                raise ValidationError(_("工作量不属于该任务"))
            was = audit.snapshot(q, fields)
            q.name, q.unit, q.target_value = e.name.strip()[:200], e.unit.strip()[:20], e.target_value
            q.kind = progress.quantity_kind(q.unit)
            q.save()
            keep.add(q.pk)
            if audit.snapshot(q, fields) != was:
                audit.record(actor=acting_user, action="update", obj=q, plan=task.plan, before=was,
                             after=audit.snapshot(q, fields), note=reason)
        else:
            q = Quantity.objects.create(task=task, name=e.name.strip()[:200], unit=e.unit.strip()[:20],
                                        target_value=e.target_value, kind=progress.quantity_kind(e.unit))
            keep.add(q.pk)
            audit.record(actor=acting_user, action="create", obj=q, plan=task.plan, after=audit.snapshot(q, fields),
                         note=reason)
    for pk, q in existing.items():
        if pk not in keep:
            if q.progress.exists():
                raise ValidationError(_("“%(name)s”已有填报数据，不能删除") % {"name": q.name})
            audit.record(actor=acting_user, action="delete", obj=q, plan=task.plan, before=audit.snapshot(q, fields),
                         note=reason)
            q.delete()


def _set_shares(task: Task, edits: list[QuantityEdit]) -> None:
    from envgov.apps.plans.models import PartyQuantity

    by_name = {q.name: q for q in task.quantities.all()}
    for e in edits:
        if e.shares is None:
            continue
        q = by_name[e.name.strip()[:200]]
        for party_id, share in e.shares.items():
            PartyQuantity.objects.filter(quantity=q, party_id=party_id).update(share_value=share)


# ---------------------------------------------------------------- progress

def current_period(plan: Plan, today: dt.date) -> str:
    """The period whose report is owed today (see envgov.rules.ledger.owed_period)."""
    return owed_period_of(plan, today).code


def owed_period_of(plan: Plan, today: dt.date) -> ledger.Period:
    return ledger.owed_period(today, plan.report_frequency, plan.report_due_day, plan.report_due_next_month)


def period_due_date(plan: Plan, period: str) -> dt.date:
    return ledger.due_date(ledger.parse_period(period), plan.report_due_day, plan.report_due_next_month)


def reporter_party(user: User, task: Task) -> TaskParty:
    """The party (unit or town) on whose behalf a reporter speaks for this task (refused outside scope)."""
    party = permissions.reporting_party(user, task)
    if party is None and user.role == R.UNIT_REPORTER and permissions.can_comment(user, task):
        raise ValidationError(_("贵单位是该任务的配合单位，进展由牵头单位报送；可在任务页留言"))
    require(party is not None, _("只有该任务所涉单位或街乡镇的填报员可以填报进展"))
    return party


@dataclass
class NewAttachment:
    name: str
    file: UploadedFile


def open_report(party: TaskParty, period: str) -> ProgressReport | None:
    """The party's report of the period that is not accepted yet (waiting, returned or withdrawn)."""
    return (ProgressReport.objects.filter(party=party, period=period)
            .exclude(status=ProgressReport.Status.ACCEPTED).order_by("-submitted_at").first())


def _event(report: ProgressReport, kind: str, actor: User, note: str = "") -> None:
    ReportEvent.objects.create(report=report, kind=kind, actor=actor, at=clock.now(), note=note)


@transaction.atomic
def submit_progress(
    task: Task, *, acting_user: User, narrative: str, period: str | None = None,
    quantities: dict[int, Decimal] | None = None, marks_complete: bool = False,
    attachments: Iterable[UploadedFile] = (), today: dt.date | None = None,
) -> ProgressReport:
    """A party's progress for the period. A returned or withdrawn report of the same period is
    resubmitted in place (its attachments kept); a report waiting for review cannot be sent twice."""
    party = reporter_party(acting_user, task)
    if task.plan.status != Plan.Status.ISSUED:
        raise ValidationError(_("计划未印发或已关闭，不能填报"))
    if party.status == TaskParty.Status.COMPLETED:
        raise ValidationError(_("贵单位在该任务的责任已销号，无需再填报"))
    narrative = (narrative or "").strip()
    if not narrative:
        raise ValidationError({"narrative": _("请填写进展情况")})
    today = today or clock.today()
    period = period or current_period(task.plan, today)
    own_quantities = {q.pk: q for q in task.quantities.all()}
    checked = {}
    for qid, value in (quantities or {}).items():
        if qid not in own_quantities:
            raise ValidationError(_("工作量不属于该任务"))
        if value is None or (isinstance(value, Decimal) and value.is_finite() and value < 0):
            raise ValidationError({"quantities": _("“%(name)s”累计完成量不能为负数")
                                                  % {"name": own_quantities[qid].name}})
        checked[qid] = bounds.figure(value, own_quantities[qid].name, key="quantities")
    quantities = checked
    attachments = list(attachments)
    names = uploads.check_uploads(attachments, kinds=uploads.EVIDENCE, field="attachments")  # type, size, name

    list(TaskParty.objects.select_for_update().filter(pk=party.pk).order_by())  # one report per party at a time
    existing = open_report(party, period)
    now = clock.now()
    if existing is not None:
        if existing.status == ProgressReport.Status.SUBMITTED:
            raise ValidationError(_("本期进展已提交，正在审核中；如需修改请先撤回"))
        before = audit.snapshot(existing)
        existing.narrative, existing.marks_complete = narrative, marks_complete
        existing.status, existing.submitted_at, existing.submitted_by = (
            ProgressReport.Status.SUBMITTED, now, acting_user,
        )
        existing.version += 1
        existing.save()
        report, action = existing, "resubmit"
        _event(report, ReportEvent.Kind.RESUBMITTED, acting_user)
    else:
        before = None
        report = ProgressReport.objects.create(
            task=task, party=party, unit_id=party.unit_id, town_id=party.town_id, period=period,
            narrative=narrative, marks_complete=marks_complete, submitted_by=acting_user, submitted_at=now,
            first_submitted_at=now, due_on=period_due_date(task.plan, period),
        )
        action = "submit"
        _event(report, ReportEvent.Kind.SUBMITTED, acting_user)
    for qid, value in (quantities or {}).items():
        QuantityProgress.objects.update_or_create(report=report, quantity_id=qid, defaults={"value": value})
    for f, name in zip(attachments, names):
        Attachment.objects.create(report=report, file=f, name=name[:200], size=f.size)
    if party.status == TaskParty.Status.NOT_STARTED:
        TaskParty.objects.filter(pk=party.pk).update(status=TaskParty.Status.IN_PROGRESS)
    if task.status == Task.Status.NOT_STARTED:
        Task.objects.filter(pk=task.pk).update(status=Task.Status.IN_PROGRESS)
    audit.record(actor=acting_user, action=action, obj=report, plan=task.plan, before=before,
                 after=audit.snapshot(report))
    return report


@transaction.atomic
def withdraw_progress(report: ProgressReport, *, acting_user: User, expected_version: int) -> ProgressReport:
    """The reporter takes back a report waiting for review, to correct it; nothing of it is lost."""
    require(permissions.can_withdraw(acting_user, report), _("只有填报该进展的单位或街乡镇可以撤回"))
    _bump(ProgressReport, report.pk, expected_version,
          _("该进展报告已被他人修改，您的修改未保存。请刷新页面查看最新内容后再提交。"))
    report.refresh_from_db()
    if report.status != ProgressReport.Status.SUBMITTED:
        raise ValidationError(_("只有待审核的进展可以撤回"))
    before = audit.snapshot(report)
    report.status = ProgressReport.Status.WITHDRAWN
    report.save(update_fields=["status"])
    _event(report, ReportEvent.Kind.WITHDRAWN, acting_user)
    audit.record(actor=acting_user, action="withdraw", obj=report, plan=report.task.plan, before=before,
                 after=audit.snapshot(report))
    return report


@transaction.atomic
def review_progress(
    report: ProgressReport, *, acting_user: User, accept: bool, expected_version: int, reason: str = "",
) -> ProgressReport:
    require(permissions.can_review(acting_user, report), _("只有本区的统筹协调人员可以审核进展"))
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
    _event(report, ReportEvent.Kind.ACCEPTED if accept else ReportEvent.Kind.RETURNED, acting_user,
           "" if accept else reason.strip())
    audit.record(actor=acting_user, action="accept" if accept else "return", obj=report, plan=report.task.plan,
                 before=before, after=audit.snapshot(report), note=reason)
    notices.report_reviewed(report)
    if accept:
        _apply_accepted(report, acting_user)
    return report


@dataclass
class BatchReview:
    accepted: list[ProgressReport]
    refused: list[tuple[ProgressReport, str]]


def accept_many(reports: Iterable[ProgressReport], *, acting_user: User) -> BatchReview:
    """批量采纳: each report is accepted in its own transaction; one that cannot be (changed meanwhile,
    no longer waiting) is listed with the reason and the others still go through."""
    result = BatchReview([], [])
    for report in reports:
        try:
            result.accepted.append(review_progress(report, acting_user=acting_user, accept=True,
                                                   expected_version=report.version))
        except (ValidationError, StaleEdit) as exc:
            result.refused.append((report, error_text(exc) if isinstance(exc, ValidationError) else str(exc)))
    return result


def _apply_accepted(report: ProgressReport, acting_user: User) -> None:
    """Accepted figures become the party's line; a completion request closes the party (销号); the task's
    quantities and status follow from all its parties (envgov.apps.plans.progress)."""
    task = report.task
    party = report.party
    progress.apply_accepted_quantities(report)
    if report.marks_complete and party.status != TaskParty.Status.COMPLETED:
        before = audit.snapshot(party)
        party.status, party.completed_on = TaskParty.Status.COMPLETED, clock.today()
        party.version += 1
        party.save(update_fields=["status", "completed_on", "version"])
        audit.record(actor=acting_user, action="complete", obj=party, plan=task.plan, before=before,
                     after=audit.snapshot(party))
    _recompute(task, acting_user)


def _recompute(task: Task, acting_user: User | None, note: str = "") -> None:
    before = audit.snapshot(task)
    task = Task.objects.prefetch_related("parties__quantities__quantity", "quantities__party_lines").get(pk=task.pk)
    changes = progress.recompute(task, clock.today())
    if changes:
        Task.objects.filter(pk=task.pk).update(version=F("version") + 1)
        audit.record(actor=acting_user, action="complete" if changes.get("status", (0, ""))[1] == "completed"
                     else "progress", obj=task, plan=task.plan, before=before, after=audit.snapshot(task),
                     note=note)


@transaction.atomic
def close_task(task: Task, *, acting_user: User, reason: str, expected_version: int) -> Task:
    """The coordinator completes a task before every party has closed its line, with a reason."""
    require(permissions.can_close_task(acting_user, task), _("只有本区的统筹协调人员可以关闭任务"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写关闭任务的原因")})
    _bump(Task, task.pk, expected_version,
          _("任务 %(code)s 已被他人修改，您的修改未保存。请刷新页面查看最新内容后再提交。") % {"code": task.code})
    task.refresh_from_db()
    if task.status == Task.Status.COMPLETED:
        raise ValidationError(_("该任务已完成"))
    before = audit.snapshot(task)
    Task.objects.filter(pk=task.pk).update(closure_reason=reason.strip())
    task.refresh_from_db()
    progress.recompute(task, clock.today())
    audit.record(actor=acting_user, action="close", obj=task, plan=task.plan, before=before,
                 after=audit.snapshot(task), note=reason.strip())
    return task


@transaction.atomic
def comment_task(task: Task, *, acting_user: User, body: str) -> TaskComment:
    require(permissions.can_comment(acting_user, task), _("审计人员只能查看，不能留言"))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("请填写留言内容")})
    comment = TaskComment.objects.create(task=task, author=acting_user, body=body[:4000], at=clock.now())
    audit.record(actor=acting_user, action="comment", obj=comment, plan=task.plan, after=audit.snapshot(comment))
    return comment


# ---------------------------------------------------------------- overdue and lagging

def expected_share(task: Task, today: dt.date) -> float | None:
    """Linear schedule from the plan's start (1 Jan) to the task's deadline (year end when none is set)."""
    due = task.due_date or dt.date(task.plan.year, 12, 31)
    return ledger.expected_share(dt.date(task.plan.year, 1, 1), due, today)


def _task_shares(task: Task) -> dict[int, float | None]:
    return {q.pk: q.share for q in task.quantities.all()}


def lag_of(task: Task, today: dt.date) -> float | None:
    """How far the least-advanced quantity trails the linear schedule (None if not measurable)."""
    expected = expected_share(task, today)
    shares = [q.share if q.share is not None else 0.0 for q in task.quantities.all() if q.target_value]
    if expected is None or not shares:
        return None
    return expected - min(shares)


def party_lag(party: TaskParty, task: Task, today: dt.date) -> float | None:
    """The party's own lag: its share of a split quantity, else the task's share of a shared one."""
    share = progress.party_share(party, _task_shares(task))
    expected = expected_share(task, today)
    if share is None or expected is None:
        return None
    return expected - share


# ---------------------------------------------------------------- targets and plan settings

@transaction.atomic
def enter_target_actual(
    target, *, acting_user: User, value: Decimal, as_of: dt.date, source: str, expected_version: int,  # noqa: ANN001
) -> None:
    """A coordinator enters a target's actual figure that the platform cannot compute yet, with its source
    and date. It is kept beside a computed value, which takes over once it exists."""
    from envgov.apps.plans.models import Target

    require(permissions.can_enter_target_actual(acting_user, target), _("只有本区的统筹协调人员可以填报目标实际值"))
    if not (source or "").strip():
        raise ValidationError({"source": _("请写明数据来源（如 市生态环境局月报）")})
    value = bounds.figure(value, Target._meta.get_field("entered_value").verbose_name, key="value", minimum=None)
    bounds.date(as_of, Target._meta.get_field("entered_as_of").verbose_name, key="as_of")
    _bump(Target, target.pk, expected_version,
          _("该目标已被他人修改，您的修改未保存。请刷新页面查看最新内容后再提交。"))
    target.refresh_from_db()
    fields = ["entered_value", "entered_as_of", "entered_source", "entered_by"]
    before = audit.snapshot(target, fields)
    target.entered_value, target.entered_as_of = value, as_of
    target.entered_source, target.entered_by = source.strip()[:200], acting_user
    target.save(update_fields=fields)
    audit.record(actor=acting_user, action="enter_actual", obj=target, plan=target.plan, before=before,
                 after=audit.snapshot(target, fields))


@transaction.atomic
def set_reporting(plan: Plan, *, acting_user: User, frequency: str, due_day: int, next_month: bool,
                  expected_version: int) -> Plan:
    """The plan's reporting period (monthly or quarterly) and the day each period's report is due."""
    require(permissions.can_set_reporting(acting_user, plan), _("只有本区的统筹协调人员可以设置填报要求"))
    if frequency not in Plan.Frequency.values:
        raise ValidationError({"report_frequency": _("填报频次只能是每月或每季度")})
    if not 1 <= int(due_day) <= 31:
        raise ValidationError({"report_due_day": _("报送日须在 1 到 31 之间")})
    _bump(Plan, plan.pk, expected_version, _("该计划已被他人修改，您的修改未保存。请刷新页面后再提交。"))
    plan.refresh_from_db()
    fields = ["report_frequency", "report_due_day", "report_due_next_month"]
    before = audit.snapshot(plan, fields)
    plan.report_frequency, plan.report_due_day, plan.report_due_next_month = frequency, int(due_day), bool(next_month)
    plan.save(update_fields=fields)
    audit.record(actor=acting_user, action="update", obj=plan, plan=plan, before=before,
                 after=audit.snapshot(plan, fields), note="填报要求")
    return plan
