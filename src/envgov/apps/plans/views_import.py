"""Plan document import: upload → draft beside its source text → reviewer's corrections → ledger."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from envgov.apps.accounts import permissions
from envgov.apps.accounts.models import Unit
from envgov.apps.accounts.scope import scoped
from envgov.apps.audit import log as audit
from envgov.apps.plans import review, unit_decisions
from envgov.apps.plans.loader import load_structured_plan
from envgov.apps.plans.models import Indicator, PlanDraft
from envgov.web import uploads

MAX_DOCUMENT_BYTES = 30 * 1024 * 1024


class PlanUploadForm(forms.Form):
    file = forms.FileField(label=_("计划文件（.docx / .pdf / .txt）"))
    year = forms.IntegerField(label=_("年度（不填则从标题识别）"), required=False, min_value=2000, max_value=2100)


def _drafts(request: HttpRequest):  # noqa: ANN202
    return PlanDraft.objects.filter(district=request.user.district)


@scoped("reviewer")
def plan_import(request: HttpRequest) -> HttpResponse:
    from envgov.planio import PlanImportError, import_plan

    form = PlanUploadForm()
    if request.method == "POST":
        form = PlanUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:  # content is a PDF, Word, Excel or text file of at most MAX_DOCUMENT_BYTES; safe name
                uploads.check_upload(upload, kinds=uploads.PLAN_DOCUMENT, max_bytes=MAX_DOCUMENT_BYTES)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                try:
                    imported = import_plan(upload.read(), upload.name, district=request.user.district.name,
                                           year=form.cleaned_data["year"])
                except PlanImportError as exc:
                    messages.error(request, gettext("无法导入“%(name)s”：%(error)s")
                                   % {"name": upload.name, "error": exc})
                else:
                    draft = PlanDraft.objects.create(
                        district=request.user.district, filename=upload.name[:200], uploaded_by=request.user,
                        original_text=imported.original_text, data=review.draft_data(imported),
                        warnings=list(imported.warnings),
                    )
                    messages.success(request, gettext("已识别 %(tasks)s 项任务、%(targets)s 项目标，请逐项核对")
                                     % {"tasks": len(imported.tasks), "targets": len(imported.targets)})
                    return redirect("plan_draft", draft_id=draft.pk)
    return render(request, "plans/plan_import.html", {"form": form, "drafts": _drafts(request)[:20]})


@scoped("reviewer")
def plan_draft(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_object_or_404(_drafts(request), pk=draft_id)
    errors: list = []
    data = draft.data
    if request.method == "POST" and draft.status == PlanDraft.Status.OPEN:
        op = request.POST.get("op")
        if op == "discard":
            draft.status = PlanDraft.Status.DISCARDED
            draft.save(update_fields=["status"])
            messages.success(request, gettext("草稿已放弃"))
            return redirect("plan_import")
        data, errors = review.read_review_form(request.POST, draft.data)
        data, unit_errors = unit_decisions.read_decisions(request.POST, data, draft.district)
        errors += unit_errors
        if op and op.startswith("accept-area:") and not errors:
            data, n = review.accept_area(data, op.split(":", 1)[1])
            messages.success(request, ngettext("本节已采用 %(n)s 项", "本节已采用 %(n)s 项", n) % {"n": n})
            op = "save"
        if op == "commit" and review.district_mismatch(data) and request.POST.get("confirm_district") != "on":
            errors.append(review.FormError(gettext("计划"), gettext("所属区"),
                                           gettext("文件写的是另一个区的计划：请勾选“确认属于本区”后再入台账")))
        if op == "commit" and not errors:  # no unit is created silently: every unknown name decided first
            errors += unit_decisions.check_decided(data, draft.district, request.user)
        if not errors:
            with transaction.atomic():
                expected = int(request.POST.get("version") or 0)
                if PlanDraft.objects.filter(pk=draft.pk, version=expected).update(version=F("version") + 1) != 1:
                    messages.error(request, gettext("该草稿已被他人修改，您的修改未保存。请刷新页面后再提交。"))
                    return redirect("plan_draft", draft_id=draft.pk)
                draft.refresh_from_db()
                draft.data = data
                draft.save(update_fields=["data"])
                if op == "commit":
                    try:
                        decided, new_units = unit_decisions.apply(data, draft.district, request.user)
                        result = load_structured_plan(
                            {**review.committed_data(decided)}, district=draft.district, acting_user=request.user,
                            source_name=draft.filename, create_units=False,
                        )
                    except (ValidationError, KeyError, ValueError) as exc:
                        transaction.set_rollback(True)
                        messages.error(request, gettext("入台账失败，未保存任何内容：%(error)s") % {"error": exc})
                        return redirect("plan_draft", draft_id=draft.pk)
                    draft.status, draft.plan = PlanDraft.Status.COMMITTED, result.plan
                    draft.save(update_fields=["status", "plan"])
                    audit.record(actor=request.user, action="import", obj=result.plan, plan=result.plan,
                                 note=f"由文件“{draft.filename}”导入并核对")
                    note = gettext("已入台账（草稿状态）：%(tasks)s 项任务、%(targets)s 项目标") % {
                        "tasks": result.tasks, "targets": result.targets}
                    if new_units:
                        n = len(new_units)
                        names = pgettext("between names in a list", "、").join(new_units[:10])
                        note += ngettext("；新建单位 %(n)s 个：%(names)s", "；新建单位 %(n)s 个：%(names)s", n) % {
                            "n": n, "names": names}
                    messages.success(request, note)
                    return redirect("plan_overview", plan_id=result.plan.pk)
            messages.success(request, gettext("已保存"))
            return redirect("plan_draft", draft_id=draft.pk)
        messages.error(request, ngettext("有 %(n)s 处需要修改，未保存", "有 %(n)s 处需要修改，未保存", len(errors))
                       % {"n": len(errors)})
    return render(request, "plans/plan_draft.html", {
        "draft": draft, "data": data, "errors": errors, "areas": review.AREA_NAMES,
        "district_mismatch": review.district_mismatch(data),
        "source_html": review.highlighted_source(draft.original_text, data),
        "indicators": Indicator.objects.order_by("area_code", "code"),
        "unknown_units": unit_decisions.pending(data, draft.district),
        "registry_units": Unit.objects.filter(district=draft.district).order_by("name"),
        "may_manage_units": permissions.can_manage_units(request.user, draft.district),
    }, status=422 if errors else 200)  # a refused save or commit says so to API-minded clients too
