"""通报 pages: the list with the generate form, one circular (its tables, downloads, publish), the
district's 发文机关/文号 settings, and the public downloads of published circulars."""
from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from envgov.apps.accounts.scope import scoped
from envgov.apps.audit import clock
from envgov.apps.circulars import actions, permissions, services
from envgov.apps.circulars.forms import GenerateForm, PublishForm, SettingsForm
from envgov.apps.circulars.models import Circular
from envgov.apps.plans.actions import StaleEdit, error_text
from envgov.apps.plans.views_files import file_response
from envgov.reports import circular as report


def _add_errors(form, exc: ValidationError) -> None:  # noqa: ANN001
    if hasattr(exc, "message_dict"):
        for name, msgs in exc.message_dict.items():
            for m in msgs:
                form.add_error(name if name in form.fields else None, m)
    else:
        for m in exc.messages:
            form.add_error(None, m)


def _list(request: HttpRequest, form: GenerateForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    district = user.district
    circulars = permissions.circulars_for(user).select_related("district", "created_by", "published_by")
    today = clock.today()
    form = form or GenerateForm(initial={"period": services.previous_month(today), "kind": Circular.Kind.MONTHLY})
    return render(request, "circulars/list.html", {
        "circulars": circulars, "form": form, "district": district,
        "can_generate": permissions.can_generate(user, district),
        "sees_drafts": permissions.sees_drafts(user),
        "setting": services.settings_of(district) if district else None,
    }, status=status)


@scoped("any_user")
def circular_list(request: HttpRequest) -> HttpResponse:
    return _list(request)


@scoped("reviewer")
@require_POST
def circular_generate(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    if not permissions.can_generate(request.user, district):
        raise Http404  # an administrator of no district has no district to rank
    form = GenerateForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            out = actions.generate(district, d["period"], kind=d["kind"], by=d["by"] or "concentration",
                                   acting_user=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            c = out.circular
            messages.success(request, (_("已重新生成 %(period)s 的通报草稿") if out.regenerated
                                       else _("已生成 %(period)s 的通报草稿")) % {"period": c.period_label})
            for w in out.warnings:
                messages.warning(request, w)
            return redirect("circular_detail", circular_id=c.pk)
    return _list(request, form, status=422)


def _detail(request: HttpRequest, circular: Circular, status: int = 200) -> HttpResponse:
    content = report.CircularContent.from_dict(circular.content)
    sections = [{"section": s, "title": report.table_title(i, s, content.period_label),
                 "headers": report.headers(s), "rows": report.table_rows(s),
                 "sentence": report.bottom_sentence(s)} for i, s in enumerate(content.sections, start=1)]
    return render(request, "circulars/detail.html", {
        "circular": circular, "content": content, "sections": sections,
        "publish_form": PublishForm(initial={"version": circular.version}),
        "can_publish": permissions.can_publish(request.user, circular),
        "setting": services.settings_of(circular.district),
    }, status=status)


@scoped("any_user")
def circular_detail(request: HttpRequest, circular_id: int) -> HttpResponse:
    circular = get_object_or_404(permissions.circulars_for(request.user).select_related("district"), pk=circular_id)
    return _detail(request, circular)


@scoped("reviewer")
@require_POST
def circular_publish(request: HttpRequest, circular_id: int) -> HttpResponse:
    circular = get_object_or_404(permissions.circulars_for(request.user).select_related("district"), pk=circular_id)
    if circular.is_published:  # nothing left to do (a second click, another tab)
        messages.info(request, _("该通报已发布：%(number)s") % {"number": circular.number})
        return redirect("circular_detail", circular_id=circular.pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请从通报页面提交发布"))
        return _detail(request, circular, status=422)
    try:
        circular = actions.publish(circular, acting_user=request.user, expected_version=form.cleaned_data["version"])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return _detail(request, circular, status=422)
    except StaleEdit as exc:
        messages.error(request, str(exc))
        circular.refresh_from_db()
        return _detail(request, circular, status=409)
    messages.success(request, _("通报已发布：%(number)s") % {"number": circular.number})
    return redirect("circular_detail", circular_id=circular.pk)


def _name(circular: Circular, ext: str) -> str:
    return f"{circular.number or _('通报草稿')}-{circular.period_label}.{ext}"


@scoped("any_user")
def circular_docx(request: HttpRequest, circular_id: int) -> HttpResponse:
    circular = get_object_or_404(permissions.circulars_for(request.user), pk=circular_id)
    return file_response(circular.docx, _name(circular, "docx"))


@scoped("any_user")
def circular_xlsx(request: HttpRequest, circular_id: int) -> HttpResponse:
    circular = get_object_or_404(permissions.circulars_for(request.user), pk=circular_id)
    return file_response(circular.xlsx, _name(circular, "xlsx"))


def _pdf(request: HttpRequest, circular: Circular, back: str | None) -> HttpResponse:
    try:
        pdf = services.preview_pdf(circular)
    except report.PdfUnavailable as exc:
        message = _(exc.template) % exc.values if exc.values else _(exc.template)
        if back:
            messages.error(request, message)
            return redirect(back)
        return render(request, "circulars/unavailable.html", {"message": message}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(_name(circular, 'pdf'))}"
    return response


@scoped("any_user")
def circular_pdf(request: HttpRequest, circular_id: int) -> HttpResponse:
    """The PDF preview (LibreOffice), shown in the browser."""
    circular = get_object_or_404(permissions.circulars_for(request.user), pk=circular_id)
    return _pdf(request, circular, back=reverse("circular_detail", args=[circular.pk]))


@scoped("reviewer")
def circular_settings(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    if not permissions.can_edit_settings(request.user, district):
        raise Http404
    setting = services.settings_of(district)
    form = SettingsForm(initial={"organ": setting.organ, "number_prefix": setting.number_prefix,
                                 "recipients": setting.recipients, "version": setting.version})
    status = 200
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.save_settings(district, acting_user=request.user, organ=d["organ"],
                                      number_prefix=d["number_prefix"], recipients=d["recipients"],
                                      expected_version=d["version"])
            except ValidationError as exc:
                _add_errors(form, exc)
            except StaleEdit as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("通报设置已保存"))
                return redirect("circular_list")
        status = 422
    return render(request, "circulars/settings.html", {
        "form": form, "district": district, "default_organ": services.organ_of(district, setting.__class__(
            district=district)), "setting": setting}, status=status)


# ---------------------------------------------------------------- public (no login): published only

def _published(published_id: int) -> Circular:
    return get_object_or_404(Circular.objects.filter(status=Circular.Status.PUBLISHED), pk=published_id)


@scoped("public")
def circular_public_docx(request: HttpRequest, published_id: int) -> HttpResponse:
    circular = _published(published_id)
    return file_response(circular.docx, _name(circular, "docx"))


@scoped("public")
def circular_public_pdf(request: HttpRequest, published_id: int) -> HttpResponse:
    return _pdf(request, _published(published_id), back=None)
