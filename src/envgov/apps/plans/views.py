"""Ledger pages: overview, task list and detail, my tasks, reviews, reminders (督办: envgov.apps.supervision).

Views parse input, fetch objects through the scope querysets (outside scope → 404) and call actions.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from envgov.apps.accounts.models import Unit, User
from envgov.apps.accounts.scope import plans_for, reports_for, scoped, supervision_for, tasks_for
from envgov.apps.audit import clock
from envgov.apps.plans import actions, owed, permissions, progress, queries
from envgov.apps.plans.forms import (
    CloseTaskForm,
    CommentForm,
    ProgressForm,
    ReviewForm,
    TaskEditForm,
)
from envgov.apps.plans.models import Plan, ProgressReport, Task, TaskParty
from envgov.rules import bounds

R = User.Role


def _today():
    return clock.today()


@scoped("public")
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@scoped("any_user")
def home(request: HttpRequest) -> HttpResponse:
    if request.user.role in (R.UNIT_REPORTER, R.TOWN_REPORTER):
        return redirect("my_tasks")
    plan = plans_for(request.user).exclude(status=Plan.Status.CLOSED).order_by("-year").first()
    if plan is None:
        return render(request, "plans/no_plan.html")
    return redirect("plan_overview", plan_id=plan.pk)


@scoped("any_user")
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "plans/plan_list.html", {"plans": plans_for(request.user).select_related("district")})


@scoped("any_user")
def plan_overview(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(plans_for(request.user).select_related("district"), pk=plan_id)
    data = queries.overview(plan, tasks_for(request.user), supervision_for(request.user), _today())
    targets = plan.targets.select_related("indicator", "area")
    chart = {key: [{"name": c.label, "total": c.total, "completed": c.completed, "overdue": c.overdue} for c in rows]
             for key, rows in (("areas", data.by_area), ("units", data.by_unit))}
    return render(request, "plans/overview.html", {"plan": plan, "o": data, "targets": targets, "chart": chart,
                                                   "can_enter_actuals": permissions.is_coordinator(request.user)})


@scoped("any_user")
def task_list(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(plans_for(request.user), pk=plan_id)
    tasks = queries.filter_tasks(tasks_for(request.user).filter(plan=plan), request.GET, _today())
    tasks = tasks.select_related("area").prefetch_related("lead_units", "cooperating_units")
    page = Paginator(tasks.order_by("order", "id"), 50).get_page(request.GET.get("page"))
    ctx = {
        "plan": plan, "page": page, "areas": plan.areas.all(), "today": _today(),
        "units": Unit.objects.filter(district=plan.district), "statuses": Task.Status.choices,
        "filters": request.GET,
    }
    template = "plans/_task_rows.html" if request.htmx else "plans/task_list.html"
    return render(request, template, ctx)


@scoped("any_user")
def my_tasks(request: HttpRequest) -> HttpResponse:
    """A reporter's own lines: what they owe first (the one definition of owed), then everything else."""
    user = request.user
    today = _today()
    owed_items = owed.owed_for(user, today)
    owed_tasks = {o.task_id for o in owed_items if o.kind in ("report", "correction")}
    rows = []
    if user.role in (R.UNIT_REPORTER, R.TOWN_REPORTER):
        mine = {"unit_id": user.unit_id} if user.role == R.UNIT_REPORTER else {"town_id": user.town_id}
        parties = (TaskParty.objects.filter(task__in=tasks_for(user).exclude(plan__status=Plan.Status.CLOSED),
                                            removed_on__isnull=True, **mine)
                   .select_related("task", "task__plan").order_by("task__due_date", "task__order"))
        for party in parties:
            task = party.task
            period = actions.current_period(task.plan, today)
            latest = party.reports.filter(period=period).order_by("-submitted_at").first()
            rows.append({"task": task, "party": party, "period": period, "report": latest,
                         "owed": task.pk in owed_tasks,
                         "overdue": bool(task.due_date and task.due_date < today and task.status != "completed")})
        rows.sort(key=lambda r: (not r["owed"], r["task"].due_date or dt.date.max, r["task"].order))
    return render(request, "plans/my_tasks.html", {
        "rows": rows, "owed_items": owed_items, "today": today, "owed_count": len(owed_items),
        "responses": [o for o in owed_items if o.kind == "response"],
    })


@scoped("any_user")
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    user = request.user
    task = get_object_or_404(
        tasks_for(user).select_related("plan", "area").prefetch_related("lead_units", "cooperating_units", "towns"),
        pk=task_id,
    )
    today = _today()
    quantities = list(task.quantities.all())
    party = permissions.reporting_party(user, task)
    period = actions.current_period(task.plan, today)
    waiting = reopened = None
    if party is not None:
        current = actions.open_report(party, period)
        if current is not None and current.status == ProgressReport.Status.SUBMITTED:
            waiting = current
        elif current is not None:
            reopened = current
    can_report = (party is not None and task.plan.status == Plan.Status.ISSUED and waiting is None
                  and party.status != TaskParty.Status.COMPLETED)
    form = ProgressForm(quantities=quantities, party=party, reopened=reopened) if can_report else None
    if request.method == "POST" and can_report:
        form = ProgressForm(request.POST, request.FILES, quantities=quantities, party=party, reopened=reopened)
        if form.is_valid():
            try:
                actions.submit_progress(
                    task, acting_user=user, narrative=form.cleaned_data["narrative"],
                    quantities=form.quantity_values(), marks_complete=form.cleaned_data["marks_complete"],
                    attachments=form.cleaned_data["attachments"],
                )
            except ValidationError as exc:
                messages.error(request, actions.error_text(exc))
            else:
                messages.success(request, _("进展已提交，等待审核"))
                return redirect("task_detail", task_id=task.pk)
    reports = reports_for(user).filter(task=task).select_related("unit", "town", "submitted_by", "reviewed_by")
    reports = reports.prefetch_related("attachments", "quantities__quantity", "events__actor")
    parties = (task.parties.filter(removed_on__isnull=True).select_related("unit", "town")
               .prefetch_related("quantities__quantity"))
    ctx = {
        "task": task, "quantities": quantities, "reports": reports, "form": form, "today": today,
        "can_review": permissions.is_coordinator(user), "can_edit": permissions.can_edit_task(user, task),
        "lag": actions.lag_of(task, today), "party": party, "period": period, "waiting": waiting,
        "reopened": reopened, "parties": parties,
        "party_summary": progress.summary(list(parties)),
        "items": supervision_for(user).filter(task=task).select_related("addressee_unit", "addressee_town"),
        "comments": task.comments.select_related("author"),
        "comment_form": CommentForm() if permissions.can_comment(user, task) else None,
        "close_form": CloseTaskForm(initial={"version": task.version})
        if permissions.can_close_task(user, task) and task.status != Task.Status.COMPLETED else None,
        "is_cooperating": party is None and user.role == R.UNIT_REPORTER
        and task.cooperating_units.filter(pk=user.unit_id).exists(),
        "history": _task_history(task),
    }
    return render(request, "plans/task_detail.html", ctx)


def _task_history(task: Task) -> list:
    """The task's own changes (text, deadline, assignment, quantities, each party's 销号), newest first."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from envgov.apps.audit.models import AuditLog
    from envgov.apps.audit.present import describe
    from envgov.apps.plans.models import Quantity

    def of(model, ids) -> Q:  # noqa: ANN001
        return Q(content_type=ContentType.objects.get_for_model(model), object_id__in=[str(i) for i in ids])

    where = (of(Task, [task.pk]) | of(Quantity, task.quantities.values_list("pk", flat=True))
             | of(TaskParty, task.parties.values_list("pk", flat=True)))
    entries = AuditLog.objects.filter(where).select_related("actor", "content_type").order_by("-at", "-id")[:30]
    return describe(entries)


@scoped("reporter")
@require_POST
def withdraw_report(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(reports_for(request.user), pk=report_id)
    attempt(request, lambda: actions.withdraw_progress(
        report, acting_user=request.user, expected_version=_int(request.POST.get("version"), report.version)),
        _("已撤回，可修改后重新提交"))
    return redirect(reverse("task_detail", args=[report.task_id]) + "#report-form")


@scoped("any_user")
@require_POST
def task_comment(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(tasks_for(request.user), pk=task_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写留言内容（不超过 4000 字）"))
    else:
        attempt(request, lambda: actions.comment_task(task, acting_user=request.user, body=form.cleaned_data["body"]),
                 _("留言已发布"))
    return redirect(reverse("task_detail", args=[task.pk]) + "#comments")


@scoped("reviewer")
@require_POST
def task_close(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(tasks_for(request.user), pk=task_id)
    form = CloseTaskForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写关闭任务的原因"))
    else:
        attempt(request, lambda: actions.close_task(task, acting_user=request.user, reason=form.cleaned_data["reason"],
                                                     expected_version=form.cleaned_data["version"]),
                 _("任务已关闭（统筹关闭）"))
    return redirect("task_detail", task_id=task.pk)


def attempt(request: HttpRequest, call, done: str) -> bool:  # noqa: ANN001
    """Run one action for a page: a refusal (bad input, someone else's later edit) becomes the page's error
    banner, success the `done` message. True when the action went through."""
    try:
        call()
    except ValidationError as exc:
        messages.error(request, actions.error_text(exc))
    except actions.StaleEdit as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
        return True
    return False


def _int(value, default: int) -> int:  # noqa: ANN001
    """A posted id or version; what is no integer of a column's range (a database could not even look it
    up: SQLite refuses an int beyond 64 bits) is the default."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if -bounds.INT64_MAX <= number <= bounds.INT64_MAX else default


@scoped("reviewer")
def task_edit(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(tasks_for(request.user).select_related("plan"), pk=task_id)
    district = task.plan.district
    if request.method == "POST":
        form = TaskEditForm(request.POST, task=task)
        if form.is_valid():
            data = form.cleaned_data
            saved = attempt(request, lambda: actions.update_task(
                task, {"title": data["title"], "body": data["body"], "due_date": data["due_date"]},
                expected_version=data["version"], acting_user=request.user, reason=data["reason"],
                lead_units=data["lead_units"], cooperating_units=data["cooperating_units"],
                towns=data["towns"], all_towns=data["all_towns"], quantities=form.quantity_edits(),
            ), _("任务已保存"))
            if saved:
                return redirect("task_detail", task_id=task.pk)
    else:
        form = TaskEditForm(task=task)
    return render(request, "plans/task_edit.html", {"task": task, "form": form, "district": district})


@scoped("reviewer")
@require_POST
def review_report(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(reports_for(request.user), pk=report_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("审核表单不完整"))
    else:
        accept = form.cleaned_data["decision"] == "accept"
        attempt(request, lambda: actions.review_progress(
            report, acting_user=request.user, accept=accept, reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        ), _("已采纳") if accept else _("已退回"))
    return redirect("task_detail", task_id=report.task_id)


@scoped("oversight")
def review_queue(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(plans_for(request.user), pk=plan_id)
    reports = reports_for(request.user).filter(task__plan=plan, status=ProgressReport.Status.SUBMITTED)
    reports = reports.select_related("task", "unit", "town", "submitted_by").order_by("submitted_at")
    if request.method == "POST":
        if not permissions.is_coordinator(request.user):
            raise PermissionDenied(_("只有统筹协调人员可以审核进展"))
        chosen = reports.filter(pk__in=[_int(v, 0) for v in request.POST.getlist("report")])
        result = actions.accept_many(list(chosen), acting_user=request.user)
        if result.accepted:
            messages.success(request, _("已批量采纳 %(n)s 份进展") % {"n": len(result.accepted)})
        for report, why in result.refused:
            messages.error(request, f"{report.task.code}：{why}")
        if not result.accepted and not result.refused:
            messages.error(request, _("请先勾选要采纳的进展"))
        return redirect("review_queue", plan_id=plan.pk)
    return render(request, "plans/review_queue.html", {"plan": plan, "reports": reports,
                                                       "can_review": permissions.is_coordinator(request.user)})


def _plan_transition(request: HttpRequest, plan_id: int, action, done: str) -> HttpResponse:  # noqa: ANN001
    plan = get_object_or_404(plans_for(request.user), pk=plan_id)
    try:
        action(plan, acting_user=request.user)
        messages.success(request, done)
    except ValidationError as exc:
        messages.error(request, actions.error_text(exc))
    return redirect("plan_overview", plan_id=plan.pk)


@scoped("reviewer")
@require_POST
def issue_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _plan_transition(request, plan_id, actions.issue_plan, _("计划已印发，各单位和街乡镇现在可以看到自己的任务"))


@scoped("reviewer")
@require_POST
def close_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _plan_transition(request, plan_id, actions.close_plan, _("计划已关闭，台账转为只读"))


@scoped("oversight")
def reminders(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(plans_for(request.user), pk=plan_id)
    items = owed.owed_by_parties(plan, _today())
    return render(request, "plans/reminders.html", {
        "plan": plan, "owed": owed.group_by_party(items), "period": actions.current_period(plan, _today()),
        "due": actions.period_due_date(plan, actions.current_period(plan, _today())),
    })


def _assessment(request: HttpRequest, plan_id: int):  # noqa: ANN202
    from envgov.apps.plans.assessment import assess
    from envgov.rules.scoring import METRICS, load_scheme

    plan = get_object_or_404(plans_for(request.user), pk=plan_id)
    scheme = load_scheme()
    return plan, scheme, assess(plan, scheme, _today()), [METRICS[r.metric] for r in scheme.rules]


@scoped("oversight")
def assessment(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The ranking; `?key=unit-3` opens one unit's or town's score to its items and the ledger lines each
    was counted from."""
    plan, scheme, rows, headers = _assessment(request, plan_id)
    key = request.GET.get("key")
    if key:
        row = next((r for r in rows if r.key == key), None)
        if row is None:
            raise Http404(_("该单位或街乡镇不在本计划的考评范围内"))
        return render(request, "plans/assessment_detail.html", {"plan": plan, "a": row, "scheme": scheme})
    return render(request, "plans/assessment.html", {"plan": plan, "rows": rows, "scheme": scheme,
                                                     "headers": headers})


@scoped("oversight")
def assessment_export(request: HttpRequest, plan_id: int) -> HttpResponse:
    from envgov.reports import xlsx

    plan, scheme, rows, headers = _assessment(request, plan_id)
    columns = [(_("排名"), 6), (_("单位/街乡镇"), 22), (_("类型"), 8), (_("得分"), 8)] + [(str(h), 14) for h in headers]
    table = []
    for a in rows:
        cells = [a.card.rank if a.card.assessed else _("不参评"), a.name, a.kind,
                 a.card.total if a.card.assessed else "—"]
        for i in a.card.items:
            value = "—" if i.value is None else (f"{i.value:.1%}" if isinstance(i.value, float) else i.value)
            cells.append(f"{value}（{i.points:.1f}）" if a.card.assessed else value)
        table.append(cells)
    note = _("评分方案：%(name)s（%(id)s %(version)s）；计算日期 %(day)s；括号内为得分") % {
        "name": scheme.name, "id": scheme.id, "version": scheme.version, "day": f"{_today():%Y-%m-%d}"}
    data = xlsx.build_table(_("%(title)s综合考评") % {"title": plan.title}, columns, table, note=note)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"{plan.title}综合考评_{_today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"assessment.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response




@scoped("reviewer")
def target_actual(request: HttpRequest, target_id: int) -> HttpResponse:
    """Enter a target's actual figure that the platform cannot compute yet (with its source and date)."""
    from envgov.apps.plans.forms import TargetActualForm
    from envgov.apps.plans.models import Target

    target = get_object_or_404(Target.objects.filter(plan__in=plans_for(request.user))
                               .select_related("plan", "indicator"), pk=target_id)
    form = TargetActualForm(request.POST or None, initial={
        "value": target.entered_value, "as_of": target.entered_as_of or _today(), "source": target.entered_source,
        "version": target.version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if attempt(request, lambda: actions.enter_target_actual(
                target, acting_user=request.user, value=d["value"], as_of=d["as_of"], source=d["source"],
                expected_version=d["version"]), _("实际值已保存")):
            return redirect("plan_overview", plan_id=target.plan_id)
    return render(request, "plans/target_actual.html", {"target": target, "form": form, "plan": target.plan})


@scoped("reviewer")
def plan_reporting(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's reporting requirement: period and due day (every owed count and reminder follows it)."""
    from envgov.apps.plans.forms import ReportingForm

    plan = get_object_or_404(plans_for(request.user), pk=plan_id)
    form = ReportingForm(request.POST or None, initial={
        "report_frequency": plan.report_frequency, "report_due_day": plan.report_due_day,
        "report_due_next_month": plan.report_due_next_month, "version": plan.version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if attempt(request, lambda: actions.set_reporting(
                plan, acting_user=request.user, frequency=d["report_frequency"], due_day=d["report_due_day"],
                next_month=d["report_due_next_month"], expected_version=d["version"]), _("填报要求已保存")):
            return redirect("plan_overview", plan_id=plan.pk)
    period = actions.current_period(plan, _today())
    return render(request, "plans/plan_reporting.html", {
        "plan": plan, "form": form, "period": period, "due": actions.period_due_date(plan, period)})
