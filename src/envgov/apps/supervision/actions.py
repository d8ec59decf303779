"""State changes of 督办: the daily check (open, reopen, escalate), manual opening, response with
photos, 销号. Each action is atomic, checks its named permission, keeps a timeline event and an audit
entry, and tells the people concerned through envgov.apps.notices.ledger.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.audit import clock
from envgov.apps.audit import log as audit
from envgov.apps.notices import ledger as notices
from envgov.apps.plans import progress
from envgov.apps.plans.actions import (
    _bump,
    current_period,
    expected_share,
    lag_of,
    party_lag,
)
from envgov.apps.plans.models import Plan, Task, TaskParty
from envgov.apps.supervision import permissions
from envgov.apps.supervision.models import SupervisionEvent, SupervisionItem, SupervisionPhoto
from envgov.rules import ledger
from envgov.web import uploads


MAX_PHOTOS_PER_RESPONSE = 9  # a phone's multi-select; more belongs in a document


def _stale() -> str:
    return _("该督办事项已被他人修改，您的修改未保存。请刷新页面查看最新内容后再提交。")


def _event(item: SupervisionItem, kind: str, actor: User | None, note: str = "") -> SupervisionEvent:
    return SupervisionEvent.objects.create(item=item, kind=kind, level=item.escalation_level, actor=actor,
                                           note=note, at=clock.now())


@dataclass
class FlagResult:
    overdue: int = 0
    lagging: int = 0
    reopened: int = 0
    escalated: int = 0


def _closure_period(plan: Plan, item: SupervisionItem) -> str:
    closed_on = timezone.localdate(item.closed_at) if item.closed_at else item.opened_on
    return current_period(plan, closed_on)


@transaction.atomic
def flag_overdue_and_lagging(plan: Plan, today: dt.date, *, acting_user: User | None = None) -> FlagResult:
    """The daily check: one supervision item per (task, party, cause, period) while the cause lasts, and
    one escalation step for each item left unanswered past its response deadline.

    An open item is never doubled. A closed one (销号) stands for the rest of the period in which it was
    closed: only a check in a later period that finds the same cause again opens a new item, which
    names the one it reopens and says why. Idempotent — running it twice a day opens nothing new.
    """
    result = FlagResult()
    if plan.status != Plan.Status.ISSUED:
        return result
    period = current_period(plan, today)
    tasks = (
        plan.tasks.exclude(status=Task.Status.COMPLETED)
        .prefetch_related("quantities", "parties__unit", "parties__town", "parties__quantities__quantity")
    )
    items = list(SupervisionItem.objects.filter(plan=plan, task__isnull=False)
                 .exclude(source=SupervisionItem.Source.MANUAL).order_by("opened_on", "id"))
    open_keys = {(i.task_id, i.party_id, i.source) for i in items if i.status != SupervisionItem.Status.CLOSED}
    last_closed = {(i.task_id, i.party_id, i.source): i for i in items if i.status == SupervisionItem.Status.CLOSED}
    for task in tasks:
        parties = [p for p in progress.current_parties(task) if p.status != TaskParty.Status.COMPLETED]
        checks: list[tuple[TaskParty | None, str, str]] = []
        overdue = bool(task.due_date and task.due_date < today)
        expected = expected_share(task, today) or 0.0
        for party in parties or ([None] if not task.parties.exists() else []):
            if overdue:
                checks.append((party, SupervisionItem.Source.OVERDUE,
                               _("完成时限 %(due)s 已过，任务尚未完成销号。") % {"due": f"{task.due_date:%Y-%m-%d}"}))
                continue
            lag = party_lag(party, task, today) if party else lag_of(task, today)
            if lag is not None and lag > ledger.LAG_TOLERANCE:
                checks.append((party, SupervisionItem.Source.LAGGING,
                               _("按时序进度应完成 %(expected)s，实际完成 %(actual)s。")
                               % {"expected": f"{expected:.0%}", "actual": f"{expected - lag:.0%}"}))
        for party, source, detail in checks:
            key = (task.pk, party.pk if party else None, source)
            if key in open_keys:
                continue
            previous = last_closed.get(key)
            if previous is not None and _closure_period(plan, previous) >= period:
                continue  # closed in this period: the 销号 stands until a later period's check
            if party is None:
                detail += _("该任务未明确牵头单位，请统筹协调部门先落实责任单位。")
            reopen_reason = ""
            if previous is not None:
                reopen_reason = (_("该事项已于 %(closed)s 销号；%(period)s 期检查再次发现：%(detail)s")
                                 % {"closed": f"{timezone.localdate(previous.closed_at):%Y-%m-%d}", "period": period, "detail": detail})
            try:
                with transaction.atomic():
                    item = SupervisionItem.objects.create(
                        plan=plan, task=task, source=source, title=f"{task.code} {task.title}"[:300], detail=detail,
                        opened_on=today, due_date=today + dt.timedelta(days=ledger.SUPERVISION_RESPONSE_DAYS),
                        created_by=acting_user, party=party, period=period, reopens=previous,
                        reopen_reason=reopen_reason,
                        addressee_unit=party.unit if party and party.unit_id else None,
                        addressee_town=party.town if party and party.town_id else None,
                    )
            except IntegrityError:
                continue  # a check running at the same moment opened it: one item per cause and period
            open_keys.add(key)
            _event(item, SupervisionEvent.Kind.REOPENED if previous else SupervisionEvent.Kind.OPENED, acting_user,
                   reopen_reason or detail)
            audit.record(actor=acting_user, action="reopen" if previous else "open", obj=item, plan=plan,
                         after=audit.snapshot(item), note=_("系统每日自动检查"))
            result.reopened += previous is not None
            notices.supervision_opened(item)
            if source == SupervisionItem.Source.OVERDUE:
                result.overdue += 1
            else:
                result.lagging += 1
    result.escalated = escalate_unanswered(plan, today, acting_user=acting_user)
    return result


def escalate_unanswered(plan: Plan, today: dt.date, *, acting_user: User | None = None) -> int:
    """Each item still unanswered past its response deadline climbs 经办 → 科室负责人 → 分管领导
    (envgov.rules.ledger.escalation_level); each step is a timeline event, an audit entry and a notice
    to the addressee's leaders of that level. Returns the number of steps taken."""
    steps = 0
    waiting = (SupervisionItem.objects.filter(plan=plan, status=SupervisionItem.Status.OPEN, due_date__lt=today)
               .select_related("addressee_unit", "addressee_town", "plan__district").order_by("id"))
    for item in waiting:
        level = ledger.escalation_level(item.due_date, today)
        if level <= item.escalation_level:
            continue
        updated = (SupervisionItem.objects.filter(pk=item.pk, version=item.version, status=SupervisionItem.Status.OPEN)
                   .update(escalation_level=level, escalated_on=today, version=item.version + 1))
        if updated != 1:
            continue  # answered or changed meanwhile: nothing to escalate
        before = {"escalation_level": item.escalation_level}
        item.refresh_from_db()
        note = (_("反馈时限 %(due)s 已过 %(days)s 天仍未反馈，升级至%(level)s督办。")
                % {"due": f"{item.due_date:%Y-%m-%d}", "days": (today - item.due_date).days,
                   "level": item.get_escalation_level_display()})
        _event(item, SupervisionEvent.Kind.ESCALATED, acting_user, note)
        audit.record(actor=acting_user, action="escalate", obj=item, plan=plan, before=before,
                     after={"escalation_level": level}, note=note)
        notices.supervision_escalated(item, note)
        steps += 1
    return steps


@transaction.atomic
def open_supervision(
    plan: Plan, *, acting_user: User, title: str, due_date: dt.date, task: Task | None = None,
    addressee_unit=None, addressee_town=None, detail: str = "",  # noqa: ANN001
) -> SupervisionItem:
    require(permissions.can_open_supervision(acting_user, plan), _("只有统筹协调人员可以发起督办"))
    if not title.strip():
        raise ValidationError({"title": _("请填写督办事项")})
    if not (addressee_unit or addressee_town):
        raise ValidationError(_("请选择督办单位或街乡镇"))
    for addressee in (addressee_unit, addressee_town):
        if addressee is not None and addressee.district_id != plan.district_id:
            raise ValidationError(_("“%(addressee)s”不属于%(district)s")
                                  % {"addressee": addressee, "district": plan.district})
    if task is not None and task.plan_id != plan.pk:
        raise ValidationError({"task": _("该任务不属于本计划")})
    item = SupervisionItem.objects.create(
        plan=plan, task=task, source=SupervisionItem.Source.MANUAL, title=title.strip()[:300], detail=detail,
        opened_on=clock.today(), due_date=due_date, addressee_unit=addressee_unit,
        addressee_town=addressee_town, created_by=acting_user, period=current_period(plan, clock.today()),
    )
    _event(item, SupervisionEvent.Kind.OPENED, acting_user, detail)
    audit.record(actor=acting_user, action="open", obj=item, plan=plan, after=audit.snapshot(item))
    notices.supervision_opened(item)
    return item


@dataclass
class CauseOpened:
    item: SupervisionItem
    created: bool  # False: the item for this cause already existed (nothing was opened twice)


RankingOpened = CauseOpened  # the name the rankings app knows


# what the audit entry of an item opened for a cause shows (the answer and closure fields are still empty)
CAUSE_FIELDS = ["plan", "task", "source", "addressee_unit", "addressee_town", "online_alert", "title", "detail",
                "opened_on", "due_date", "status", "escalation_level"]


@transaction.atomic
def open_for_cause(
    plan: Plan, *, acting_user: User | None, source: str, cause_key: str, title: str, detail: str,
    due_date: dt.date, town=None, unit=None, task: Task | None = None, online_alert=None,  # noqa: ANN001
    note: str = "",
) -> CauseOpened:
    """A 督办 for a cause found outside the plan's tasks — a town ranked at the bottom (排名靠后), an
    online-monitoring alert (在线监控报警) — opened by a person or, with `acting_user` None, by a rule the
    district set. One item per plan, source and cause (`cause_key`; for a ranking also per town): opening it
    again finds the existing item, and two people clicking at once still make one (the unique constraints)."""
    if acting_user is not None:
        require(permissions.can_open_supervision(acting_user, plan), _("只有统筹协调人员可以发起督办"))
    if town is None and unit is None:
        raise ValidationError(_("请选择督办单位或街乡镇"))
    for addressee in (town, unit):
        if addressee is not None and addressee.district_id != plan.district_id:
            raise ValidationError(_("“%(addressee)s”不属于%(district)s")
                                  % {"addressee": addressee, "district": plan.district})
    if task is not None and task.plan_id != plan.pk:
        raise ValidationError({"task": _("该任务不属于本计划")})
    if not cause_key.strip():
        raise ValidationError(_("缺少督办原因"))
    same = {"plan": plan, "source": source, "cause_key": cause_key[:60]}
    if source == SupervisionItem.Source.RANKING:
        same["addressee_town"] = town
    existing = SupervisionItem.objects.filter(**same).first()
    if existing is not None:
        return CauseOpened(existing, False)
    try:
        with transaction.atomic():
            item = SupervisionItem.objects.create(
                **{**same, "addressee_town": town}, task=task, title=title.strip()[:300], detail=detail,
                opened_on=clock.today(), due_date=due_date, addressee_unit=unit, online_alert=online_alert,
                created_by=acting_user, period=current_period(plan, clock.today()),
            )
    except IntegrityError:  # opened by someone else at the same moment
        return CauseOpened(SupervisionItem.objects.get(**same), False)
    _event(item, SupervisionEvent.Kind.OPENED, acting_user, detail)
    audit.record(actor=acting_user, action="open", obj=item, plan=plan, after=audit.snapshot(item, CAUSE_FIELDS),
                 note=note)
    notices.supervision_opened(item)
    return CauseOpened(item, True)


def open_for_ranking(
    plan: Plan, *, acting_user: User, town, cause_key: str, title: str, detail: str,  # noqa: ANN001
    due_date: dt.date, task: Task | None = None,
) -> CauseOpened:
    """A 督办 to a town that a ranking placed in its bottom N (source 排名靠后). One item per plan, town and
    ranking (`cause_key`: indicator, method and period; uniq_supervision_ranking)."""
    require(permissions.can_open_supervision(acting_user, plan), _("只有统筹协调人员可以发起督办"))
    if town is None or town.district_id != plan.district_id:
        raise ValidationError(_("“%(addressee)s”不属于%(district)s") % {"addressee": town, "district": plan.district})
    return open_for_cause(plan, acting_user=acting_user, source=SupervisionItem.Source.RANKING,
                          cause_key=cause_key, title=title, detail=detail, due_date=due_date, town=town, task=task,
                          note=_("街乡镇排名靠后"))


@transaction.atomic
def respond_supervision(
    item: SupervisionItem, *, acting_user: User, response: str, expected_version: int,
    photos: Iterable[UploadedFile] = (),
) -> SupervisionItem:
    """The addressee's answer: text, and photos taken at the site. A later answer (before 销号) replaces
    the text shown on the item; every answer stays on the timeline with its own photos."""
    require(permissions.can_respond(acting_user, item), _("只有被督办单位可以反馈"))
    photos = list(photos)
    if not response.strip():
        raise ValidationError({"response": _("请填写整改反馈")})
    if len(photos) > MAX_PHOTOS_PER_RESPONSE:
        raise ValidationError({"photos": _("每次反馈最多上传 %(n)s 个文件") % {"n": MAX_PHOTOS_PER_RESPONSE}})
    names = uploads.check_uploads(photos, kinds=uploads.EVIDENCE, field="photos")  # type by content, size, name
    _bump(SupervisionItem, item.pk, expected_version, _stale())
    item.refresh_from_db()
    if item.status == SupervisionItem.Status.CLOSED:
        raise ValidationError(_("该督办事项已销号"))
    before = audit.snapshot(item)
    item.response, item.status = response.strip(), SupervisionItem.Status.RESPONDED
    item.responded_by, item.responded_at = acting_user, clock.now()
    item.save()
    event = _event(item, SupervisionEvent.Kind.RESPONDED, acting_user, item.response)
    for f, name in zip(photos, names):
        SupervisionPhoto.objects.create(item=item, event=event, file=f, name=name[:200], size=f.size,
                                        uploaded_by=acting_user)
    audit.record(actor=acting_user, action="respond", obj=item, plan=item.plan, before=before,
                 after=audit.snapshot(item),
                 note=_("附照片 %(n)s 张") % {"n": len(photos)} if photos else "")
    return item


@transaction.atomic
def close_supervision(
    item: SupervisionItem, *, acting_user: User, note: str, expected_version: int,
    evidence: UploadedFile | None = None,
) -> SupervisionItem:
    require(permissions.can_close_supervision(acting_user, item), _("只有统筹协调人员可以销号"))
    if not note.strip():
        raise ValidationError({"note": _("请填写销号说明")})
    if evidence is not None:
        uploads.check_upload(evidence, kinds=uploads.EVIDENCE, field="evidence")
    _bump(SupervisionItem, item.pk, expected_version, _stale())
    item.refresh_from_db()
    if item.status == SupervisionItem.Status.CLOSED:
        raise ValidationError(_("该督办事项已销号"))
    before = audit.snapshot(item)
    item.closure_note, item.status = note.strip(), SupervisionItem.Status.CLOSED
    item.closed_by, item.closed_at = acting_user, clock.now()
    if evidence is not None:
        item.closure_evidence = evidence
    item.save()
    _event(item, SupervisionEvent.Kind.CLOSED, acting_user, item.closure_note)
    audit.record(actor=acting_user, action="close", obj=item, plan=item.plan, before=before,
                 after=audit.snapshot(item))
    return item
