"""The district's ecology page (EI, grade and change; carbon intensity and its declines; soil safe-use rates;
the plan's targets with their stored figures; the user-set rules) and the coordinators' entry forms and
EI import. Every figure shown is the engine's (`services`)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from envgov.apps.accounts.scope import scoped
from envgov.apps.ecology import actions, permissions, services
from envgov.apps.ecology.models import EcologyIndex
from envgov.apps.plans.target_figures import status_word
from envgov.web.forms import form_errors


class EIForm(forms.Form):
    year = forms.IntegerField(label=_("年份"))
    biological_abundance = forms.CharField(label=_("生物丰度指数"))
    vegetation_cover = forms.CharField(label=_("植被覆盖指数"))
    water_network_density = forms.CharField(label=_("水网密度指数"))
    land_stress = forms.CharField(label=_("土地胁迫指数"))
    pollution_load = forms.CharField(label=_("污染负荷指数"))
    constraint = forms.ChoiceField(label=_("环境限制"), choices=EcologyIndex.Constraint.choices, required=False)
    source = forms.CharField(label=_("数据来源"), max_length=200, required=False)


class CarbonForm(forms.Form):
    year = forms.IntegerField(label=_("年份"))
    co2 = forms.CharField(label=_("二氧化碳排放量（吨）"))
    gdp = forms.CharField(label=_("地区生产总值（万元，基准年可比价）"))
    source = forms.CharField(label=_("数据来源"), max_length=200, required=False)


class BaseYearForm(forms.Form):
    base_year = forms.IntegerField(label=_("基准年"))


class FarmlandForm(forms.Form):
    year = forms.IntegerField(label=_("年份"))
    as_of = forms.DateField(label=_("统计截至"), widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ChoiceField(label=_("面积单位"), choices=[("亩", _("亩")), ("公顷", _("公顷"))])
    b = forms.CharField(label=_("B 轻微污染耕地落实优先保护类措施面积"))
    c = forms.CharField(label=_("C 轻中度污染耕地落实安全利用措施且农产品达标面积"))
    d = forms.CharField(label=_("D 重度污染耕地落实严格管控措施面积"))
    e = forms.CharField(label=_("E 受污染耕地总面积"))
    source = forms.CharField(label=_("数据来源"), max_length=200, required=False)


class ConstructionForm(forms.Form):
    year = forms.IntegerField(label=_("年份"))
    as_of = forms.DateField(label=_("统计截至"), widget=forms.DateInput(attrs={"type": "date"}))
    safe_plots = forms.CharField(label=_("安全利用地块数"))
    reused_plots = forms.CharField(label=_("再开发利用地块数"))
    basis = forms.CharField(label=_("核算口径（分子、分母各指什么）"), max_length=200, required=False)
    source = forms.CharField(label=_("数据来源"), max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("分指数文件（CSV / XLSX）"))


def _validation(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _target_rows(district) -> list[dict]:  # noqa: ANN001
    return [{"target": t, "status": status_word(t.actual_status) if t.actual_status else "",
             "status_code": t.actual_status} for t in services.targets(district)]


@scoped("any_user")
def ecology(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    can_edit = permissions.can_edit_ecology(request.user, district)
    ei, ei_prov = services.ei_years(district) if district else ([], {})
    carbon = services.carbon(district) if district else None
    from envgov.engine import carbon as carbon_engine
    from envgov.engine import soil as soil_engine

    return render(request, "ecology/page.html", {
        "district": district, "can_edit": can_edit,
        "ei_years": ei[::-1], "ei_prov": ei_prov,
        "carbon": carbon, "carbon_prov": carbon_engine.provenance(),
        "farmland": services.farmland_years(district)[::-1] if district else [],
        "construction": services.construction_years(district)[::-1] if district else [],
        "farmland_rule": soil_engine.FARMLAND_RULE, "construction_rule": soil_engine.CONSTRUCTION_RULE,
        "targets": _target_rows(district) if district else [],
        "parameters": services.parameter_rows(district) if district else [],
        "ei_form": EIForm() if can_edit else None, "carbon_form": CarbonForm() if can_edit else None,
        "base_form": BaseYearForm(initial={"base_year": carbon.base_year if carbon else None}) if can_edit else None,
        "farmland_form": FarmlandForm() if can_edit else None,
        "construction_form": ConstructionForm() if can_edit else None,
        "simulated": any(y.row.is_simulated for y in ei) or bool(carbon and any(r.is_simulated for r in carbon.rows)),
    })


def _post(request: HttpRequest, form_class, save, ok: str) -> HttpResponse:  # noqa: ANN001
    form = form_class(request.POST)
    if form.is_valid():
        try:
            save(dict(form.cleaned_data))
        except ValidationError as exc:
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": _validation(exc)})
        else:
            messages.success(request, ok % {"year": form.cleaned_data.get("year") or form.cleaned_data.get("base_year")})
    else:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
    return redirect("ecology")


@scoped("reviewer")
@require_POST
def ei_save(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    return _post(request, EIForm, lambda d: actions.save_indices(district, acting_user=request.user, year=d.pop("year"),
                                                                 data=d),
                 gettext("已保存 %(year)s 年生态环境状况分指数"))


@scoped("reviewer")
@require_POST
def carbon_save(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    return _post(request, CarbonForm, lambda d: actions.save_carbon_year(district, acting_user=request.user, **d),
                 gettext("已保存 %(year)s 年碳排放和地区生产总值"))


@scoped("reviewer")
@require_POST
def base_year_save(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    return _post(request, BaseYearForm, lambda d: actions.set_carbon_base_year(district, acting_user=request.user, **d),
                 gettext("碳排放强度基准年已设为 %(year)s 年"))


@scoped("reviewer")
@require_POST
def farmland_save(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    return _post(request, FarmlandForm, lambda d: actions.save_farmland(district, acting_user=request.user, **d),
                 gettext("已保存 %(year)s 年受污染耕地安全利用台账"))


@scoped("reviewer")
@require_POST
def construction_save(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    return _post(request, ConstructionForm, lambda d: actions.save_construction(district, acting_user=request.user, **d),
                 gettext("已保存 %(year)s 年重点建设用地安全利用台账"))


@scoped("reviewer")
@require_POST
def parameters_save(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    values: dict[str, object] = {}
    for pset in actions.parameter_sets():
        for p in pset:
            name = f"p_{p.key}"
            if p.kind == "bool":
                values[p.key] = request.POST.get(name) == "on"
            elif name in request.POST:
                values[p.key] = request.POST[name]
    try:
        changed = actions.set_parameters(district, acting_user=request.user, values=values,
                                         reason=request.POST.get("reason", ""))
    except ValueError as exc:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": gettext(str(exc))})
    else:
        if changed:
            messages.success(request, gettext("已保存 %(n)s 项参数，已重新计算目标") % {"n": len(changed)})
        else:
            messages.info(request, gettext("参数没有变化"))
    return redirect("ecology")


@scoped("reviewer")
def ei_import(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    outcome = None
    status = 200
    form = ImportForm()
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
            outcome = actions.import_indices(form.cleaned_data["file"], district=district, acting_user=request.user)
            if outcome.ok:
                messages.success(request, gettext("导入成功：%(n)s 个年份（%(years)s）") % {
                    "n": len(outcome.saved), "years": "、".join(str(y) for y in outcome.saved)})
                return redirect("ecology")
            status = 422
            messages.error(request, gettext("文件未通过校验，没有写入任何数据。请按下列错误修改后重新上传。"))
        else:
            status = 422
    return render(request, "ecology/import.html", {"form": form, "outcome": outcome}, status=status)


@scoped("reviewer")
def ei_template(request: HttpRequest) -> HttpResponse:
    from envgov.standards.ecology.tables import COMPONENTS

    header = ["年份", *(c.label for c in COMPONENTS), "环境限制"]
    body = ("\ufeff" + ",".join(header) + "\r\n").encode("utf-8")
    resp = HttpResponse(body, content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = "attachment; filename=\"ecology-indices-template.csv\""
    return resp
