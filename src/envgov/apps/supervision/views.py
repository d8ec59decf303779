"""督办 pages: the board, opening by hand, an item with its timeline (respond, 销号), the printable 督办单,
and scoped downloads of photos and evidence."""
from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from envgov.apps.accounts.scope import plans_for, scoped, supervision_for
from envgov.apps.audit import clock
from envgov.apps.plans.views import attempt
from envgov.apps.plans.views_files import file_response
from envgov.apps.supervision import actions, permissions
from envgov.apps.supervision.forms import CloseForm, OpenForm, RespondForm
from envgov.apps.supervision.models import SupervisionItem, SupervisionPhoto
from envgov.apps.supervision.sheet import sheet_for


@scoped("any_user")
def supervision_board(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(plans_for(request.user), pk=plan_id)
    items = supervision_for(request.user).filter(plan=plan).select_related("task", "addressee_unit", "addressee_town")
    columns = [(s, label, [i for i in items if i.status == s]) for s, label in SupervisionItem.Status.choices]
    return render(request, "supervision/board.html", {
        "plan": plan, "columns": columns, "today": clock.today(),
        "can_open": permissions.can_open_supervision(request.user, plan),
    })


@scoped("reviewer")
def supervision_open(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(plans_for(request.user), pk=plan_id)
    if not permissions.can_open_supervision(request.user, plan):
        raise PermissionDenied(_("只有统筹协调人员可以发起督办"))
    form = OpenForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        d, out = form.cleaned_data, {}

        def call() -> None:
            out["item"] = actions.open_supervision(
                plan, acting_user=request.user, title=d["title"], detail=d["detail"], due_date=d["due_date"],
                task=d["task"], addressee_unit=d["addressee_unit"], addressee_town=d["addressee_town"])

        if attempt(request, call, _("已发起督办")):
            return redirect("supervision_detail", item_id=out["item"].pk)
    return render(request, "supervision/open.html", {"plan": plan, "form": form})


def _history(item: SupervisionItem):  # noqa: ANN202
    return item.events.select_related("actor").prefetch_related("photos")


@scoped("any_user")
def supervision_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    user = request.user
    item = get_object_or_404(supervision_for(user).select_related("plan", "task", "reopens"), pk=item_id)
    respond_form = RespondForm(initial={"version": item.version, "response": item.response})
    close_form = CloseForm(initial={"version": item.version})
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "respond":
            respond_form = RespondForm(request.POST, request.FILES)
            if respond_form.is_valid():
                d = respond_form.cleaned_data
                if attempt(request, lambda: actions.respond_supervision(
                        item, acting_user=user, response=d["response"], photos=d["photos"],
                        expected_version=d["version"]), _("反馈已提交")):
                    return redirect("supervision_detail", item_id=item.pk)
        elif op == "close":
            close_form = CloseForm(request.POST, request.FILES)
            if close_form.is_valid():
                d = close_form.cleaned_data
                if attempt(request, lambda: actions.close_supervision(
                        item, acting_user=user, note=d["note"], evidence=d["evidence"],
                        expected_version=d["version"]), _("已销号")):
                    return redirect("supervision_detail", item_id=item.pk)
        item.refresh_from_db()
    return render(request, "supervision/detail.html", {
        "item": item, "events": _history(item), "respond_form": respond_form, "close_form": close_form,
        "can_respond": permissions.can_respond(user, item), "can_close": permissions.can_close_supervision(user, item),
        "reopened_by": item.reopened_by.order_by("id").first(),
    })


@scoped("reviewer")
@require_POST
def run_daily_check(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(plans_for(request.user), pk=plan_id)
    if not permissions.can_run_daily_check(request.user, plan):
        raise PermissionDenied(_("只有统筹协调人员可以发起督办"))
    result = actions.flag_overdue_and_lagging(plan, clock.today(), acting_user=request.user)
    messages.success(request, _("检查完成：新增逾期督办 %(overdue)s 项，进度滞后督办 %(lagging)s 项，升级督办 %(escalated)s 项")
                     % {"overdue": result.overdue, "lagging": result.lagging, "escalated": result.escalated})
    return redirect("supervision_board", plan_id=plan.pk)


@scoped("any_user")
def supervision_sheet(request: HttpRequest, item_id: int) -> HttpResponse:
    """The printable 督办单 (.docx) of one item."""
    item = get_object_or_404(supervision_for(request.user).select_related("plan__district", "task"), pk=item_id)
    body = sheet_for(item, _history(item))
    name = _("督办单-%(number)s.docx") % {"number": f"{item.plan.year}-{item.pk:04d}"}
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@scoped("any_user")
def evidence_download(request: HttpRequest, item_id: int) -> FileResponse:
    item = get_object_or_404(supervision_for(request.user), pk=item_id)
    return file_response(item.closure_evidence, item.closure_evidence.name.rsplit("/", 1)[-1])


@scoped("any_user")
def photo_download(request: HttpRequest, photo_id: int) -> FileResponse:
    photo = get_object_or_404(SupervisionPhoto.objects.filter(item__in=supervision_for(request.user)), pk=photo_id)
    return file_response(photo.file, photo.name)
