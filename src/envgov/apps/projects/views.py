"""Project and fund pages: the project library (list, add, edit, Excel import/export with the template), a
project's reductions and payments against its budget, the reductions summed against the plans' targets,
and the fund allocations to towns with each town's line of reasoning."""
from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from envgov.apps.accounts.scope import scoped
from envgov.apps.audit import clock
from envgov.apps.projects import actions, permissions, services
from envgov.apps.projects.models import FundAllocation, Project
from envgov.rules import funds
from envgov.rules import reductions as red
from envgov.web.forms import form_errors

METHOD_CHOICES = [("", _("（无）"))] + [(k, _(v)) for k, v in red.METHODS.items()]


class ProjectForm(forms.Form):
    code = forms.CharField(label=_("项目编号"), max_length=40)
    name = forms.CharField(label=_("项目名称"), max_length=200)
    area = forms.ChoiceField(label=_("领域"), choices=Project.Area.choices)
    town = forms.ModelChoiceField(label=_("街乡镇"), queryset=None, required=False)
    lead_unit = forms.ModelChoiceField(label=_("牵头单位"), queryset=None, required=False)
    year = forms.IntegerField(label=_("实施年度"), min_value=2000, max_value=2100)
    budget = forms.DecimalField(label=_("预算（万元）"), min_value=0, max_digits=14, decimal_places=4)
    fund_source = forms.ChoiceField(label=_("资金来源"), choices=Project.FundSource.choices)
    status = forms.ChoiceField(label=_("状态"), choices=Project.Status.choices)
    task = forms.ModelChoiceField(label=_("关联任务"), queryset=None, required=False)
    note = forms.CharField(label=_("备注"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, district=None, **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        from envgov.apps.accounts.models import Unit
        from envgov.apps.geo.models import Town
        from envgov.apps.plans.models import Task

        self.fields["town"].queryset = Town.objects.filter(district=district)
        self.fields["lead_unit"].queryset = Unit.objects.filter(district=district)
        self.fields["task"].queryset = Task.objects.filter(plan__district=district).select_related("plan")
        self.fields["task"].label_from_instance = lambda t: f"{t.plan.year} {t.code} {t.title[:40]}"
        for p, label in red.POLLUTANTS.items():
            self.fields[f"{p}_t"] = forms.DecimalField(label=_("%(p)s 减排量（吨）") % {"p": label}, required=False,
                                                       min_value=0, max_digits=12, decimal_places=3)
            self.fields[f"{p}_method"] = forms.ChoiceField(label=_("%(p)s 核算方法") % {"p": label},
                                                           choices=METHOD_CHOICES, required=False)
            self.fields[f"{p}_basis"] = forms.CharField(label=_("%(p)s 核算依据") % {"p": label}, max_length=300,
                                                        required=False)

    def data_for_action(self) -> dict:
        d = dict(self.cleaned_data)
        reductions = {}
        for p in red.POLLUTANTS:
            t, m, b = d.pop(f"{p}_t"), d.pop(f"{p}_method"), d.pop(f"{p}_basis")
            if t is not None or m or b:
                reductions[p] = (t, m, b)
        d.pop("version", None)
        d["reductions"] = reductions
        return d


class ProjectEditForm(ProjectForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("支付日期"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("金额（万元）"), min_value=Decimal("0.0001"), max_digits=14, decimal_places=4)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("项目库文件（XLSX / CSV，按模板填写）"))


def _district(request: HttpRequest):  # noqa: ANN202
    return request.user.district


def _own_project(request: HttpRequest, project_id: int) -> Project:
    return get_object_or_404(Project.objects.select_related("town", "lead_unit", "task__plan"), pk=project_id,
                             district=_district(request))


def _validation_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _initial(project: Project) -> dict:
    initial = {"code": project.code, "name": project.name, "area": project.area, "town": project.town_id,
               "lead_unit": project.lead_unit_id, "year": project.year, "budget": project.budget.normalize(),
               "fund_source": project.fund_source, "status": project.status, "task": project.task_id,
               "note": project.note, "version": project.version}
    for r in project.reductions.all():
        initial |= {f"{r.pollutant}_t": r.tonnes.normalize(), f"{r.pollutant}_method": r.method,
                    f"{r.pollutant}_basis": r.basis}
    return initial


@scoped("any_user")
def project_list(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    qs = Project.objects.filter(district=district).select_related("town", "lead_unit", "task") \
        .prefetch_related("reductions", "payments")
    status, town, year = request.GET.get("status", ""), request.GET.get("town", ""), request.GET.get("year", "")
    if status in Project.Status.values:
        qs = qs.filter(status=status)
    if town.isdigit():
        qs = qs.filter(town_id=int(town))
    if year.isdigit():
        qs = qs.filter(year=int(year))
    projects = list(qs)
    rows = [(p, services.spending(p, list(p.payments.all())), {r.pollutant: r for r in p.reductions.all()})
            for p in projects]
    totals = services.totals_by_pollutant(projects)
    from envgov.apps.geo.models import Town

    return render(request, "projects/list.html", {
        "rows": rows, "pollutants": red.POLLUTANTS, "totals": [(red.POLLUTANTS[p], t) for p, t in totals.items()],
        "budget": sum((s.budget for _p, s, _r in rows), Decimal(0)),
        "paid": sum((s.paid for _p, s, _r in rows), Decimal(0)),
        "statuses": Project.Status.choices, "towns": Town.objects.filter(district=district),
        "years": sorted(set(Project.objects.filter(district=district).values_list("year", flat=True)), reverse=True),
        "status": status, "town": town, "year": year,
        "simulated": any(p.is_simulated for p in projects),
        "can_edit": permissions.can_edit_projects(request.user, district),
        "query": request.GET.urlencode(),
    })


@scoped("reviewer")
def project_add(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    form = ProjectForm(request.POST or None, district=district, initial={"year": clock.today().year})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                project = actions.create_project(district, acting_user=request.user, data=form.data_for_action())
            except ValidationError as exc:
                messages.error(request, gettext("未保存：%(reason)s") % {"reason": _validation_text(exc)})
                status = 422
            else:
                messages.success(request, gettext("已登记项目 %(name)s") % {"name": project.name})
                return redirect("project_detail", project_id=project.pk)
        else:
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
            status = 422
    return render(request, "projects/form.html", {"form": form, "project": None}, status=status)


@scoped("any_user")
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _own_project(request, project_id)
    payments = list(project.payments.select_related("recorded_by"))
    can_pay = permissions.can_record_payment(request.user, project)
    return render(request, "projects/detail.html", {
        "project": project, "reductions": list(project.reductions.all()), "payments": payments,
        "spending": services.spending(project, payments),
        "payment_form": PaymentForm(initial={"paid_on": clock.today()}) if can_pay else None,
        "can_edit": permissions.can_edit_projects(request.user, project.district_id),
    })


@scoped("reviewer")
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _own_project(request, project_id)
    form = ProjectEditForm(request.POST or None, district=project.district, initial=_initial(project))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            version = form.cleaned_data["version"]
            try:
                actions.update_project(project, acting_user=request.user, expected_version=version,
                                       data=form.data_for_action())
            except ValidationError as exc:
                messages.error(request, gettext("未保存：%(reason)s") % {"reason": _validation_text(exc)})
                status = 422
            else:
                messages.success(request, gettext("已保存项目 %(name)s") % {"name": project.name})
                return redirect("project_detail", project_id=project.pk)
        else:
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
            status = 422
    return render(request, "projects/form.html", {"form": form, "project": project}, status=status)


@scoped("reviewer")
@require_POST
def project_payment(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _own_project(request, project_id)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            actions.record_payment(project, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, gettext("未登记：%(reason)s") % {"reason": _validation_text(exc)})
        else:
            messages.success(request, gettext("已登记支付 %(amount)s 万元") % {"amount": form.cleaned_data["amount"].normalize()})
    else:
        messages.error(request, gettext("未登记：%(reason)s") % {"reason": form_errors(form)})
    return redirect("project_detail", project_id=project.pk)


def _located(errors) -> list[dict]:  # noqa: ANN001
    out = []
    for e in errors:
        reason = gettext(e.template) % dict(e.values) if e.template and e.values else (
            gettext(e.template) if e.template else e.reason)
        out.append({"row": e.row, "column": e.column, "reason": reason})
    return out


@scoped("reviewer")
def project_import(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    form = ImportForm()
    outcome = None
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            from envgov.web import uploads

            try:
                uploads.check_upload(form.cleaned_data["file"], kinds=frozenset({"csv", "txt", "xlsx"}),
                                     max_bytes=uploads.max_request_bytes(request))
            except ValidationError as exc:
                form.add_error("file", exc.messages)
        if form.is_valid():
            outcome = services.import_upload(form.cleaned_data["file"], district=district, acting_user=request.user)
            if outcome.ok:
                messages.success(request, gettext("导入成功：新增项目 %(c)s 个，更新项目 %(u)s 个") % {
                    "c": outcome.created, "u": outcome.updated})
                return redirect("project_list")
            status = 422
            messages.error(request, gettext("文件未通过校验，没有写入任何数据。请按下列错误修改后重新上传。"))
        else:
            status = 422
    return render(request, "projects/import.html", {
        "form": form, "outcome": outcome, "file": outcome.rows.file if outcome else "",
        "errors": _located(outcome.rows.errors) if outcome else [],
        "warnings": _located(outcome.rows.warnings) if outcome else [],
        "refused": outcome.refused if outcome else "", "headers": services.HEADERS,
    }, status=status)


def _xlsx(data: bytes, name: str) -> HttpResponse:
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


@scoped("any_user")
def project_template(request: HttpRequest) -> HttpResponse:
    return _xlsx(services.template_xlsx(), "项目库导入模板.xlsx")


@scoped("any_user")
def project_export(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.filter(district=_district(request)).select_related("town", "lead_unit", "task") \
        .prefetch_related("reductions")
    return _xlsx(services.export_xlsx(projects), "项目库.xlsx")


@scoped("any_user")
def project_reductions(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    checks = [services.check_target(t) for t in services.reduction_targets(district)] if district else []
    return render(request, "projects/reductions.html", {
        "checks": checks, "methods": {k: gettext(v) for k, v in red.METHODS.items()},
        "pollutants": red.POLLUTANTS,
    })


@scoped("any_user")
def fund_list(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    return render(request, "projects/funds.html", {
        "allocations": FundAllocation.objects.filter(district=district).select_related("created_by"),
        "can_allocate": permissions.can_allocate_funds(request.user, district),
        "rule": funds.RULES["factor-share"], "factors": list(funds.FACTORS.values()),
    })


@scoped("reviewer")
def fund_add(request: HttpRequest) -> HttpResponse:
    from envgov.apps.geo.models import Town

    district = _district(request)
    rule_set = funds.RULES["factor-share"]
    towns = list(Town.objects.filter(district=district, active=True).order_by("code"))
    year_raw = request.POST.get("year") or request.GET.get("year") or str(clock.today().year)
    year = int(year_raw) if year_raw.isdigit() and 2000 <= int(year_raw) <= 2100 else clock.today().year
    from_projects = services.town_project_reductions(district, year)
    status = 200
    problems: list[str] = []
    post = request.POST if request.method == "POST" else None
    if post is not None:
        chosen = [t for t in towns if post.get(f"in_{t.pk}")]
        values = {t.name: {f: post.get(f"v_{t.pk}_{f}", "") for f in rule_set.factors} for t in chosen}
        weights = {f: post.get(f"w_{f}", "") for f in rule_set.factors}
        if not year_raw.isdigit() or not 2000 <= int(year_raw) <= 2100:
            problems.append(gettext("年度应为 2000–2100 之间的年份"))
        else:
            try:
                record = actions.create_allocation(district, acting_user=request.user, year=year,
                                                   title=post.get("title", ""), total_wan=post.get("total", ""),
                                                   weights=weights, values=values, reason=post.get("reason", ""))
            except ValidationError as exc:
                problems += exc.messages
            else:
                messages.success(request, gettext("已完成资金分配：%(title)s") % {"title": record.title})
                return redirect("fund_detail", allocation_id=record.pk)
        status = 422
    rows = []
    for t in towns:
        auto = from_projects.get(t.name, {})
        cells = []
        for f in rule_set.factors:
            default = auto.get(f, Decimal(0)) if funds.FACTORS[f].source == "projects" else ""
            value = post.get(f"v_{t.pk}_{f}", "") if post is not None else (
                format(default.normalize(), "f") if isinstance(default, Decimal) else default)
            cells.append({"factor": f, "value": value, "label": gettext(funds.FACTORS[f].label)})
        rows.append({"town": t, "cells": cells, "checked": (post is None) or bool(post.get(f"in_{t.pk}"))})
    return render(request, "projects/fund_form.html", {
        "rule": rule_set, "factors": [funds.FACTORS[f] for f in rule_set.factors], "rows": rows,
        "weights": {f: (post.get(f"w_{f}", "") if post is not None else "") for f in rule_set.factors},
        "title": post.get("title", "") if post is not None else gettext("%(year)s 年污染防治专项转移支付资金分配") % {"year": year},
        "total": post.get("total", "") if post is not None else "", "reason": post.get("reason", "") if post is not None else "",
        "year": year, "problems": problems,
    }, status=status)


@scoped("any_user")
def fund_detail(request: HttpRequest, allocation_id: int) -> HttpResponse:
    record = get_object_or_404(FundAllocation.objects.select_related("created_by"), pk=allocation_id,
                               district=_district(request))
    rule_set = funds.RULES.get(record.rule)
    return render(request, "projects/fund_detail.html", {
        "record": record, "rule": rule_set, "lines": record.result.get("lines", []),
        "weights": [(funds.FACTORS[k], v) for k, v in record.weights.items() if k in funds.FACTORS],
        "total_wan": funds.wan(record.total_yuan),
    })
