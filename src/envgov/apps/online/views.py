"""Online-monitoring pages: points (with the district's rule and the limits file for the receiver), a
point's recent values, limits and alerts, the alert list with 转督办, and the import of the receiver's alert
file. Objects of other districts — and, for a town's users, of other towns — are not found (404)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from envgov.apps.accounts.scope import scoped
from envgov.apps.online import actions, permissions, services
from envgov.apps.online.models import Alert, AlertRule, MonitoringPoint, PermitLimit
from envgov.web.forms import form_errors


class PointForm(forms.Form):
    mn = forms.CharField(label=_("设备唯一标识 MN"), max_length=40)
    name = forms.CharField(label=_("点位名称"), max_length=100)
    kind = forms.ChoiceField(label=_("点位类型"), choices=MonitoringPoint.Kind.choices, required=False)
    enterprise_name = forms.CharField(label=_("企业名称"), max_length=200, required=False)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    town = forms.ModelChoiceField(label=_("所在街乡镇"), queryset=None, required=False)
    active = forms.BooleanField(label=_("在用"), required=False, initial=True)

    def __init__(self, *args, district=None, **kwargs):
        super().__init__(*args, **kwargs)
        from envgov.apps.geo.models import Town

        self.fields["town"].queryset = Town.objects.filter(district=district)


class PointEditForm(PointForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class LimitForm(forms.Form):
    code = forms.CharField(label=_("污染物编码"), max_length=20, help_text=_("HJ 212 附录 B，如 w01018（COD）"))
    averaging = forms.ChoiceField(label=_("均值类型"), choices=PermitLimit.Averaging.choices)
    max_value = forms.FloatField(label=_("上限"), required=False)
    min_value = forms.FloatField(label=_("下限"), required=False)
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    source = forms.CharField(label=_("依据"), max_length=200, required=False)


class RuleForm(forms.Form):
    consecutive_hours = forms.IntegerField(label=_("连续超标小时数"), required=False, min_value=1, max_value=720,
                                           help_text=_("留空：不自动转督办"))
    reason = forms.CharField(label=_("设定依据"), max_length=200)


class AlertImportForm(forms.Form):
    file = forms.FileField(label=_("数据接收服务的报警文件（每行一条 JSON 记录）"))


def _not_saved(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, gettext("未保存：%(reason)s") % {"reason": " ".join(exc.messages)})


def _point(request: HttpRequest, point_id: int) -> MonitoringPoint:
    return get_object_or_404(permissions.points_for(request.user).select_related("town"), pk=point_id)


@scoped("any_user")
def points(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    qs = (permissions.points_for(request.user).select_related("town")
          .annotate(new_alerts=Count("alerts", filter=Q(alerts__status=Alert.Status.NEW)),
                    all_alerts=Count("alerts")))
    can_edit = permissions.can_edit_points(request.user, district)
    rule = AlertRule.objects.filter(district=district).first() if district else None
    return render(request, "online/points.html", {
        "points": qs, "can_edit": can_edit, "rule": rule,
        "add_form": PointForm(district=district) if can_edit else None,
        "rule_form": RuleForm(initial={"consecutive_hours": getattr(rule, "consecutive_hours", None),
                                       "reason": getattr(rule, "reason", "")}) if can_edit else None,
        "import_form": AlertImportForm() if can_edit else None,
        "simulated": qs.filter(is_simulated=True).exists(),
        "plan": actions.plan_for_supervision(district) if district else None,
    })


@scoped("reviewer")
@require_POST
def point_add(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    form = PointForm(request.POST, district=district)
    if not form.is_valid():
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
        return redirect("online_points")
    try:
        point = actions.create_point(district, acting_user=request.user, data=form.cleaned_data)
    except ValidationError as exc:
        _not_saved(request, exc)
        return redirect("online_points")
    messages.success(request, gettext("已登记点位 %(name)s") % {"name": point.name})
    return redirect("online_point", point_id=point.pk)


@scoped("any_user")
def point_detail(request: HttpRequest, point_id: int) -> HttpResponse:
    point = _point(request, point_id)
    can_edit = permissions.can_edit_limits(request.user, point)
    fields, rows = services.recent_values(point)
    limits = {(lim.code + "-Avg"): lim for lim in point.limits.filter(averaging=PermitLimit.Averaging.HOURLY)}
    table = [{"time": r.time, "cells": [{"value": r.values.get(f), "over": _over(limits.get(f), r.values.get(f))}
                                        for f in fields]} for r in rows]
    form = None
    if can_edit:
        form = PointEditForm(initial={"mn": point.mn, "name": point.name, "kind": point.kind,
                                      "enterprise_name": point.enterprise_name, "credit_code": point.credit_code,
                                      "town": point.town_id, "active": point.active, "version": point.version},
                             district=point.district)
    return render(request, "online/point.html", {
        "point": point, "fields": fields, "table": table, "limits": point.limits.all(),
        "alerts": point.alerts.select_related("supervision_item")[:50], "form": form,
        "limit_form": LimitForm() if can_edit else None, "can_supervise": can_edit,
    })


def _over(limit: PermitLimit | None, value: float | None) -> bool:
    if limit is None or value is None:
        return False
    return bool((limit.max_value is not None and value > limit.max_value)
                or (limit.min_value is not None and value < limit.min_value))


@scoped("reviewer")
@require_POST
def point_edit(request: HttpRequest, point_id: int) -> HttpResponse:
    point = _point(request, point_id)
    form = PointEditForm(request.POST, district=point.district)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            actions.update_point(point, acting_user=request.user, expected_version=version, data=data)
        except ValidationError as exc:
            _not_saved(request, exc)
        else:
            messages.success(request, gettext("已保存点位 %(name)s") % {"name": point.name})
    else:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
    return redirect("online_point", point_id=point.pk)


@scoped("reviewer")
@require_POST
def limit_save(request: HttpRequest, point_id: int) -> HttpResponse:
    point = _point(request, point_id)
    if request.POST.get("op") == "delete":
        limit = get_object_or_404(PermitLimit, point=point, pk=request.POST.get("limit") or 0)
        actions.delete_limit(limit, acting_user=request.user)
        messages.success(request, gettext("已删除限值 %(code)s") % {"code": limit.code})
        return redirect("online_point", point_id=point.pk)
    form = LimitForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
        return redirect("online_point", point_id=point.pk)
    try:
        limit = actions.save_limit(point, acting_user=request.user, data=form.cleaned_data)
    except ValidationError as exc:
        _not_saved(request, exc)
    else:
        messages.success(request, gettext("已保存限值 %(code)s") % {"code": limit.code})
    return redirect("online_point", point_id=point.pk)


@scoped("any_user")
def alerts(request: HttpRequest) -> HttpResponse:
    qs = permissions.alerts_for(request.user).select_related("point", "point__town", "supervision_item")
    status, kind = request.GET.get("status", ""), request.GET.get("kind", "")
    if status in Alert.Status.values:
        qs = qs.filter(status=status)
    if kind in Alert.Kind.values:
        qs = qs.filter(kind=kind)
    return render(request, "online/alerts.html", {
        "alerts": qs[:500], "total": qs.count(), "status": status, "kind": kind,
        "statuses": Alert.Status.choices, "kinds": Alert.Kind.choices,
        "can_supervise": permissions.can_edit_points(request.user, request.user.district),
    })


@scoped("reviewer")
@require_POST
def alert_supervise(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = get_object_or_404(permissions.alerts_for(request.user).select_related("point", "point__town"), pk=alert_id)
    try:
        result = actions.supervise_alert(alert, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, gettext("未转督办：%(reason)s") % {"reason": " ".join(exc.messages)})
        return redirect(request.POST.get("next") or "online_alerts")
    if result.created:
        messages.success(request, gettext("已转督办：%(title)s") % {"title": result.item.title})
    else:
        messages.info(request, gettext("该报警已转督办，未重复发起"))
    return redirect("supervision_detail", item_id=result.item.pk)


@scoped("reviewer")
@require_POST
def rule_save(request: HttpRequest) -> HttpResponse:
    form = RuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
        return redirect("online_points")
    try:
        actions.set_rule(request.user.district, acting_user=request.user,
                         consecutive_hours=form.cleaned_data["consecutive_hours"], reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _not_saved(request, exc)
    else:
        messages.success(request, gettext("已保存自动转督办规则"))
    return redirect("online_points")


@scoped("reviewer")
def alert_import(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    form = AlertImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return redirect("online_points")
    if not form.is_valid():
        messages.error(request, gettext("未导入：%(reason)s") % {"reason": form_errors(form)})
        return render(request, "online/import.html", {"problems": [], "form": form}, status=422)
    upload = form.cleaned_data["file"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "alerts.jsonl"
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        records, problems = services.read_alert_file(path, upload.name)
    if problems:
        return render(request, "online/import.html", {"problems": problems[:200], "total": len(problems),
                                                      "form": form}, status=422)
    try:
        outcome = actions.record_alerts(district, records, acting_user=request.user,
                                        note=gettext("导入报警文件：%(name)s") % {"name": upload.name[:100]})
    except ValidationError as exc:
        return render(request, "online/import.html", {"problems": [services.FileProblem(0, m) for m in exc.messages],
                                                      "form": form}, status=422)
    return render(request, "online/import.html", {"outcome": outcome, "form": form, "name": upload.name})


@scoped("reviewer")
def limits_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(services.limits_json(request.user.district), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="hj212-limits.json"'
    return response
