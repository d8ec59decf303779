"""达标研判 pages: every target with its projection, one target's projection with the method explained,
its town decomposition, and the district's 预警 parameter. Thin: computation is in services/engine."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext

from envgov.apps.accounts.scope import plans_for, scoped
from envgov.apps.geo.models import Town
from envgov.apps.outlook import permissions, services
from envgov.apps.outlook.models import TownTarget
from envgov.apps.plans.actions import error_text
from envgov.apps.plans.models import Target
from envgov.rules import projection as rules


def _target(request: HttpRequest, target_id: int) -> Target:
    return get_object_or_404(Target.objects.filter(plan__in=plans_for(request.user))
                             .select_related("plan", "plan__district", "indicator"), pk=target_id)


@scoped("oversight")
def outlook_list(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    rows = services.district_projections(district, plans_for(request.user)) if district else []
    warn, user_set, record = services.warn_probability(district) if district else (
        rules.WARN_PROBABILITY.default, False, None)
    return render(request, "outlook/list.html", {
        "rows": rows, "projected": [r for r in rows if r.applicable], "other": [r for r in rows if not r.applicable],
        "warn": warn, "warn_text": f"{warn:.0%}", "warn_user_set": user_set, "record": record, "rule": rules.RULE})


@scoped("oversight")
def outlook_detail(request: HttpRequest, target_id: int) -> HttpResponse:
    target = _target(request, target_id)
    p = services.projection(target)
    return render(request, "outlook/detail.html", {
        "target": target, "p": p, "rule": rules.RULE, "towns": services.town_targets(target),
        "can_decompose": permissions.can_decompose(request.user, target)})


@scoped("oversight")
def outlook_towns(request: HttpRequest, target_id: int) -> HttpResponse:
    """The town decomposition of a target: the table for oversight roles, the form for coordinators."""
    target = _target(request, target_id)
    status = 200
    posted: dict = {}
    if request.method == "POST":
        if not permissions.can_decompose(request.user, target):
            raise PermissionDenied(gettext("只有本区的系统管理员或统筹协调人员可以分解目标"))
        towns = Town.objects.filter(district=target.plan.district, active=True)
        posted = {t.pk: request.POST.get(f"town_{t.pk}", "").strip() for t in towns}
        try:
            services.decompose(target, acting_user=request.user, method=request.POST.get("method", ""),
                               values=posted, baseline=request.POST.get("baseline_period", ""),
                               reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": error_text(exc)})
            status = 422
        else:
            messages.success(request, gettext("分解目标已保存"))
            return redirect("outlook_towns", target_id=target.pk)
    current = {r.town_id: r for r in TownTarget.objects.filter(target=target)}
    towns = [{"town": t, "current": current.get(t.pk), "posted": posted.get(t.pk, "")}
             for t in Town.objects.filter(district=target.plan.district, active=True).order_by("code")]
    return render(request, "outlook/towns.html", {
        "target": target, "rows": services.town_targets(target), "towns": towns,
        "methods": TownTarget.Method.choices, "method": request.POST.get("method", ""),
        "baseline": request.POST.get("baseline_period", ""), "reason": request.POST.get("reason", ""),
        "can_decompose": permissions.can_decompose(request.user, target),
        "town_indicator": services.TOWN_INDICATORS.get(target.indicator.code)}, status=status)


@scoped("oversight")
def outlook_settings(request: HttpRequest) -> HttpResponse:
    """The district's 预警 probability (a user-set parameter: no text fixes it)."""
    district = request.user.district
    status = 200
    if request.method == "POST":
        if not permissions.can_set_parameters(request.user, district):
            raise PermissionDenied(gettext("只有本区的系统管理员或统筹协调人员可以设置研判参数"))
        try:
            services.set_warn_probability(district, acting_user=request.user,
                                          value=request.POST.get("warn_probability", ""),
                                          reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": error_text(exc)})
            status = 422
        else:
            messages.success(request, gettext("研判参数已保存"))
            return redirect("outlook_settings")
    warn, user_set, record = services.warn_probability(district)
    return render(request, "outlook/settings.html", {
        "warn": warn, "warn_text": services.plain_number(warn), "user_set": user_set, "record": record,
        "parameter": rules.WARN_PROBABILITY,
        "can_edit": permissions.can_set_parameters(request.user, district)}, status=status)
