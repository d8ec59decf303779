"""Ledger pages: overview, task list and detail, my tasks, supervision board (audit log: envgov.apps.audit).

Views parse input, fetch objects through the scope querysets (outside scope → 404) and call actions.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from envgov.apps.accounts.models import Unit, User
from envgov.apps.accounts.scope import plans_for, reports_for, scoped, supervision_for, tasks_for
from envgov.apps.audit import clock
from envgov.apps.plans import actions, queries
from envgov.apps.plans.forms import CloseForm, ProgressForm, RespondForm, ReviewForm, TaskEditForm
from envgov.apps.plans.models import Plan, ProgressReport, SupervisionItem, Task

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
    return render(request, "plans/overview.html", {"plan": plan, "o": data, "targets": targets, "chart": chart})


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
    user = request.user
    tasks = tasks_for(user).exclude(plan__status=Plan.Status.CLOSED)
    if user.role not in (R.UNIT_REPORTER, R.TOWN_REPORTER):
        tasks = tasks.none()
    tasks = tasks.select_related("plan", "area").prefetch_related("lead_units", "reports")
    today = _today()
    rows = []
    for task in tasks.order_by("due_date", "order"):
        period = actions.current_period(task.plan, today)
        mine = [r for r in task.reports.all() if r.period == period and (
            (user.unit_id and r.unit_id == user.unit_id) or (user.town_id and r.town_id == user.town_id))]
        rows.append({"task": task, "period": period, "report": mine[0] if mine else None,
                     "owed": task.status != Task.Status.COMPLETED and not [r for r in mine if r.status != "returned"],
                     "overdue": bool(task.due_date and task.due_date < today and task.status != "completed")})
    items = supervision_for(user).exclude(status=SupervisionItem.Status.CLOSED).select_related("task")
    return render(request, "plans/my_tasks.html", {"rows": rows, "items": items, "today": today,
                                                   "owed_count": sum(1 for r in rows if r["owed"])})


@scoped("any_user")
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    user = request.user
    task = get_object_or_404(
        tasks_for(user).select_related("plan", "area").prefetch_related("lead_units", "cooperating_units", "towns"),
        pk=task_id,
    )
    quantities = list(task.quantities.all())
    can_report = user.role in (R.UNIT_REPORTER, R.TOWN_REPORTER) and task.plan.status == Plan.Status.ISSUED
    form = ProgressForm(quantities=quantities) if can_report else None
    if request.method == "POST" and can_report:
        form = ProgressForm(request.POST, request.FILES, quantities=quantities)
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
    reports = reports.prefetch_related("attachments", "quantities__quantity")
    ctx = {
        "task": task, "quantities": quantities, "reports": reports, "form": form, "today": _today(),
        "can_review": actions.is_reviewer(user), "can_edit": actions.is_reviewer(user),
        "lag": actions.lag_of(task, _today()),
        "items": supervision_for(user).filter(task=task),
    }
    return render(request, "plans/task_detail.html", ctx)


@scoped("reviewer")
def task_edit(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(tasks_for(request.user), pk=task_id)
    if request.method == "POST":
        form = TaskEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.update_task(
                    task, {"title": data["title"], "body": data["body"], "due_date": data["due_date"]},
                    expected_version=data["version"], acting_user=request.user, reason=data["reason"],
                )
            except (ValidationError, actions.StaleEdit) as exc:
                messages.error(request, actions.error_text(exc) if isinstance(exc, ValidationError) else str(exc))
            else:
                messages.success(request, _("任务已保存"))
                return redirect("task_detail", task_id=task.pk)
    else:
        form = TaskEditForm(initial={"title": task.title, "body": task.body, "due_date": task.due_date,
                                     "version": task.version})
    return render(request, "plans/task_edit.html", {"task": task, "form": form})


@scoped("reviewer")
@require_POST
def review_report(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(reports_for(request.user), pk=report_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("审核表单不完整"))
    else:
        try:
            actions.review_progress(
                report, acting_user=request.user, accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"], expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            messages.error(request, actions.error_text(exc))
        except actions.StaleEdit as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已采纳") if form.cleaned_data["decision"] == "accept" else _("已退回"))
    return redirect("task_detail", task_id=report.task_id)


@scoped("oversight")
def review_queue(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(plans_for(request.user), pk=plan_id)
    reports = reports_for(request.user).filter(task__plan=plan, status=ProgressReport.Status.SUBMITTED)
    reports = reports.select_related("task", "unit", "town", "submitted_by").order_by("submitted_at")
    return render(request, "plans/review_queue.html", {"plan": plan, "reports": reports})


@scoped("any_user")
def supervision_board(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(plans_for(request.user), pk=plan_id)
    items = supervision_for(request.user).filter(plan=plan).select_related("task", "addressee_unit", "addressee_town")
    columns = [(s, label, [i for i in items if i.status == s]) for s, label in SupervisionItem.Status.choices]
    return render(request, "plans/supervision_board.html", {"plan": plan, "columns": columns, "today": _today()})


@scoped("any_user")
def supervision_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    user = request.user
    item = get_object_or_404(supervision_for(user).select_related("plan", "task"), pk=item_id)
    respond_form = RespondForm(initial={"version": item.version})
    close_form = CloseForm(initial={"version": item.version})
    if request.method == "POST":
        try:
            if request.POST.get("op") == "respond":
                respond_form = RespondForm(request.POST)
                if respond_form.is_valid():
                    actions.respond_supervision(item, acting_user=user, response=respond_form.cleaned_data["response"],
                                                expected_version=respond_form.cleaned_data["version"])
                    messages.success(request, _("反馈已提交"))
                    return redirect("supervision_detail", item_id=item.pk)
            elif request.POST.get("op") == "close":
                close_form = CloseForm(request.POST, request.FILES)
                if close_form.is_valid():
                    actions.close_supervision(item, acting_user=user, note=close_form.cleaned_data["note"],
                                              evidence=close_form.cleaned_data["evidence"],
                                              expected_version=close_form.cleaned_data["version"])
                    messages.success(request, _("已销号"))
                    return redirect("supervision_detail", item_id=item.pk)
        except ValidationError as exc:
            messages.error(request, actions.error_text(exc))
        except actions.StaleEdit as exc:
            messages.error(request, str(exc))
    ctx = {
        "item": item, "respond_form": respond_form, "close_form": close_form,
        "can_respond": user.role in (R.UNIT_REPORTER, R.TOWN_REPORTER) and item.status != "closed",
        "can_close": actions.is_reviewer(user) and item.status != "closed",
    }
    return render(request, "plans/supervision_detail.html", ctx)


@scoped("reviewer")
@require_POST
def run_daily_check(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(plans_for(request.user), pk=plan_id)
    result = actions.flag_overdue_and_lagging(plan, _today(), acting_user=request.user)
    messages.success(request, _("检查完成：新增逾期督办 %(overdue)s 项，进度滞后督办 %(lagging)s 项")
                     % {"overdue": result.overdue, "lagging": result.lagging})
    return redirect("supervision_board", plan_id=plan.pk)


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
    owed = actions.owed_reports(plan, _today())
    return render(request, "plans/reminders.html", {
        "plan": plan, "owed": sorted(owed.items(), key=lambda kv: -len(kv[1])),
        "period": actions.current_period(plan, _today()),
    })


@scoped("oversight")
def assessment(request: HttpRequest, plan_id: int) -> HttpResponse:
    from envgov.apps.plans.assessment import assess
    from envgov.rules.scoring import METRICS, load_scheme

    plan = get_object_or_404(plans_for(request.user), pk=plan_id)
    scheme = load_scheme()
    rows = assess(plan, scheme, _today())
    headers = [METRICS[r.metric] for r in scheme.rules]
    return render(request, "plans/assessment.html", {"plan": plan, "rows": rows, "scheme": scheme,
                                                     "headers": headers})
