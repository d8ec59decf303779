"""信息公开 pages: the district's public page (no login, nothing internal) and the coordinator's editing of the
drinking-water safety entries (behind login)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from envgov.apps.accounts.scope import scoped
from envgov.apps.audit import clock
from envgov.apps.disclosure import actions, permissions
from envgov.apps.disclosure.models import DrinkingWaterNotice
from envgov.apps.geo.models import District
from envgov.web.forms import form_errors


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(label=_("正文"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}))
    published_on = forms.DateField(label=_("发布日期"), widget=forms.DateInput(attrs={"type": "date"}))
    published = forms.BooleanField(label=_("在公开页显示"), required=False)


class NoticeEditForm(NoticeForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


@scoped("public")
def public_page(request: HttpRequest, adcode: str) -> HttpResponse:
    """信息公开 has one public page, the district's (dashboard `public_district`: air quality by town with its
    map, published circulars, and this app's published drinking-water entries); this address leads there."""
    district = get_object_or_404(District, adcode=adcode)
    return redirect("public_district", adcode=district.adcode)


@scoped("reviewer")
def manage(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    form = NoticeForm(initial={"published_on": clock.today()})
    status = 200
    if request.method == "POST":
        form = NoticeForm(request.POST)
        if form.is_valid():
            try:
                actions.create_notice(district, acting_user=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, gettext("未保存：%(reason)s") % {"reason": " ".join(exc.messages)})
            else:
                messages.success(request, gettext("已保存"))
                return redirect("disclosure_manage")
        else:
            status = 422
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
    return render(request, "disclosure/manage.html", {
        "district": district, "form": form,
        "notices": DrinkingWaterNotice.objects.filter(district=district).select_related("updated_by"),
        "can_edit": permissions.can_edit_notices(request.user, district)}, status=status)


@scoped("reviewer")
def edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    status = 200
    notice = get_object_or_404(DrinkingWaterNotice, pk=entry_id, district=request.user.district)
    if request.method == "POST":
        form = NoticeEditForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                actions.update_notice(notice, acting_user=request.user, expected_version=version, data=data)
            except ValidationError as exc:
                messages.error(request, gettext("未保存：%(reason)s") % {"reason": " ".join(exc.messages)})
            else:
                messages.success(request, gettext("已保存"))
                return redirect("disclosure_manage")
        else:
            status = 422
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
    else:
        form = NoticeEditForm(initial={"title": notice.title, "body": notice.body, "published_on": notice.published_on,
                                       "published": notice.published, "version": notice.version})
    return render(request, "disclosure/edit.html", {"notice": notice, "form": form}, status=status)
