"""Water pages: sections with the month's class (engine), a section's monthly classes and its correction
form, the sample import with the template, and the monthly cross-boundary compensation ledger."""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from envgov.apps.accounts.scope import scoped
from envgov.apps.audit import clock
from envgov.apps.water import permissions, services
from envgov.apps.water.models import Section, WaterImport
from envgov.standards.water.tables import BY_CODE, CLASS_LABELS, KINDS
from envgov.web.forms import form_errors

TARGET_CHOICES = [("", _("无目标"))] + [(str(c), f"{CLASS_LABELS[c]}类") for c in range(1, 6)]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("水质数据文件（CSV / XLSX；国家自动站发布数据 CSV / CSV.GZ）"))
    profile = forms.ChoiceField(label=_("格式"), required=False, choices=[
        ("", _("自动识别")), (services.TEMPLATE, _("通用模板 site,time,parameter,value,unit")),
        (services.CNEMC, _("国家地表水自动监测发布数据（cnemc-auto）")),
    ])


class SectionForm(forms.Form):
    code = forms.CharField(label=_("断面编码"), max_length=120)
    name = forms.CharField(label=_("断面名称"), max_length=80)
    river = forms.CharField(label=_("河流"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("水体类型"), choices=Section.Kind.choices)
    level = forms.ChoiceField(label=_("考核级别"), choices=[("", _("未定"))] + list(Section.Level.choices), required=False)
    target = forms.TypedChoiceField(label=_("目标类别"), choices=TARGET_CHOICES, coerce=int, empty_value=None,
                                    required=False)
    boundary = forms.ChoiceField(label=_("跨界类型"), choices=Section.Boundary.choices, required=False)
    upstream = forms.CharField(label=_("上游（补偿方）"), max_length=60, required=False)
    downstream = forms.CharField(label=_("下游（受偿方）"), max_length=60, required=False)
    inflow = forms.ModelChoiceField(label=_("入境断面"), queryset=Section.objects.none(), required=False)
    lon = forms.FloatField(label=_("经度(WGS84)"), required=False)
    lat = forms.FloatField(label=_("纬度(WGS84)"), required=False)
    town = forms.ModelChoiceField(label=_("所在街乡镇（空：按坐标自动判定）"), queryset=None, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, district=None, section=None, **kwargs):
        super().__init__(*args, **kwargs)
        from envgov.apps.geo.models import Town

        self.fields["town"].queryset = Town.objects.filter(district=district)
        qs = Section.objects.filter(district=district)
        self.fields["inflow"].queryset = qs.exclude(pk=section.pk) if section else qs


class SectionAddForm(SectionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["version"]


def _district(request: HttpRequest):
    return request.user.district


def _own_section(request: HttpRequest, section_id: int) -> Section:
    return get_object_or_404(Section.objects.select_related("town", "inflow"), pk=section_id,
                             district=_district(request))


@scoped("any_user")
def sections(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    months = services.months_with_data(district) if district else []
    month = request.GET.get("month") or (months[-1] if months else "")
    if month and month not in months:
        raise Http404
    overview = services.month_overview(district, month) if month else None
    checks = [services.check_target(t, district) for t in services.water_targets(district)] if district else []
    can_import = permissions.can_import_samples(request.user, district)
    return render(request, "water/sections.html", {
        "add_form": SectionAddForm(district=district) if can_import else None,
        "parameter_rows": services.water_parameter_rows(district) if district else [],
        "can_set_parameters": permissions.can_set_water_parameters(request.user, district),
        "months": months, "month": month, "overview": overview, "checks": checks,
        "simulated": Section.objects.filter(district=district, is_simulated=True).exists(),
        "can_import": permissions.can_import_samples(request.user, district),
        "kinds": KINDS,
    })


@scoped("any_user")
def section_detail(request: HttpRequest, section_id: int) -> HttpResponse:
    section = _own_section(request, section_id)
    results = services.evaluate([section], "month")
    can_edit = permissions.can_edit_section(request.user, section)
    form = None
    if can_edit:
        form = SectionForm(initial={
            "code": section.code, "name": section.name, "river": section.river, "kind": section.kind,
            "level": section.level, "target": section.target, "boundary": section.boundary,
            "upstream": section.upstream, "downstream": section.downstream, "inflow": section.inflow_id,
            "lon": section.lon, "lat": section.lat, "town": section.town_id if section.town_manual else None,
            "version": section.version}, district=section.district, section=section)
    return render(request, "water/section.html", {"section": section, "results": results[::-1], "form": form,
                                                  "samples": services.sample_classes(section)[::-1],
                                                  "target_label": CLASS_LABELS.get(section.target or 0, "")})


@scoped("reviewer")
@require_POST
def section_edit(request: HttpRequest, section_id: int) -> HttpResponse:
    from envgov.apps.water import actions

    section = _own_section(request, section_id)
    form = SectionForm(request.POST, district=section.district, section=section)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            actions.update_section(section, acting_user=request.user, expected_version=version, data=data)
        except ValidationError as exc:
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": " ".join(exc.messages)})
        else:
            messages.success(request, gettext("已保存断面 %(name)s") % {"name": section.name})
    else:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
    return redirect("water_section", section_id=section.pk)


@scoped("reviewer")
@require_POST
def section_add(request: HttpRequest) -> HttpResponse:
    """Register a section (its samples then come by import)."""
    from envgov.apps.water import actions

    district = _district(request)
    form = SectionAddForm(request.POST, district=district)
    if form.is_valid():
        try:
            section = actions.create_section(district, acting_user=request.user, data=dict(form.cleaned_data))
        except ValidationError as exc:
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": " ".join(exc.messages)})
        else:
            messages.success(request, gettext("已登记断面 %(name)s") % {"name": section.name})
            return redirect("water_section", section_id=section.pk)
    else:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
    return redirect("water_sections")


@scoped("reviewer")
def water_import(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    outcome = None
    status = 200
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            from envgov.web import uploads

            try:  # CSV/TXT (also gzip-compressed CSV) or Excel by content, within the request cap
                uploads.check_upload(form.cleaned_data["file"], kinds=uploads.WATER_DATA,
                                     max_bytes=uploads.max_request_bytes(request))
            except ValidationError as exc:
                form.add_error("file", exc.messages)
        if form.is_valid():
            outcome = services.import_file(form.cleaned_data["file"], district=district, acting_user=request.user,
                                           profile=form.cleaned_data["profile"] or None)
            if outcome.record.state == WaterImport.State.ACCEPTED:
                messages.success(request, gettext("导入成功：新增样品 %(n)s 条，新增断面 %(c)s 个，更新目标 %(t)s 项") % {
                    "n": outcome.record.samples, "c": outcome.record.sections_created, "t": outcome.targets_updated})
            else:
                status = 422
                messages.error(request, gettext("文件未通过校验，没有写入任何数据。请按下列错误修改后重新上传。"))
    history = WaterImport.objects.filter(district=district).select_related("uploaded_by")[:20]
    return render(request, "water/import.html", {
        "form": form, "outcome": outcome, "history": history,
        "sections": Section.objects.filter(district=district, active=True).order_by("code"),
        "codes": "、".join(services.VALUE_CODES),
    }, status=status)


@scoped("reviewer")
def water_import_template(request: HttpRequest) -> HttpResponse:
    resp = HttpResponse(services.template_csv(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = ("attachment; filename*=UTF-8''"
                                   "%E6%B0%B4%E8%B4%A8%E6%95%B0%E6%8D%AE%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.csv")
    return resp


# ------------------------------------------------------------------------------------------ compensation

def _ledger_request(request: HttpRequest):
    """Rule set, month and what-if of the query string (unknown values: 404, a bad what-if: a message)."""
    from envgov.rules import compensation as comp

    district = _district(request)
    rule_id = request.GET.get("rules") or "beijing-2015"
    if rule_id not in comp.RULE_SETS:
        raise Http404
    months = services.months_with_data(district) if district else []
    month = request.GET.get("month") or (months[-1] if months else clock.today().strftime("%Y-%m"))
    if months and month not in months:
        raise Http404
    changes: dict[str, Decimal] = {}
    problem = ""
    code, pct = request.GET.get("wi_code", ""), (request.GET.get("wi_pct") or "").strip()
    if code and pct:
        try:
            key, change = comp.parse_change(f"{code}={pct.rstrip('%')}%")
            changes[key] = change
        except ValueError as exc:
            problem = str(exc)
    payer = request.GET.get("wi_payer") or None
    return district, rule_id, months, month, changes, payer, problem


@scoped("any_user")
def compensation(request: HttpRequest) -> HttpResponse:
    from envgov.rules import compensation as comp

    district, rule_id, months, month, changes, payer, problem = _ledger_request(request)
    result = services.ledger(district, rule_id, month, changes, payer) if district else None
    if result is not None and result.error and changes and payer:  # an unknown payer: the ledger without it
        problem = result.error
        result = services.ledger(district, rule_id, month)
    rules = comp.RULE_SETS[rule_id]
    records = services.parameter_records(district, rule_id) if district else {}
    params = [{"key": k, "p": comp.PARAMETERS[k], "record": records.get(k), "label": gettext(comp.PARAMETERS[k].label),
               "rule": _cite(comp.PARAMETERS[k].rule), "why": _cite(comp.PARAMETERS[k].why_user_set),
               "when": _cite(comp.PARAMETERS[k].needed_when),
               "shown": _shown(comp.PARAMETERS[k], records[k].value) if k in records else ""}
              for k in rules.parameters]
    lines = []
    if result is not None and result.ledger is not None:
        lines = [(x, services.reasoning(x)) for x in result.ledger.lines]
    return render(request, "water/compensation.html", {
        "rule_sets": comp.RULE_SETS.values(), "rules": rules, "months": months, "month": month,
        "result": result, "lines": lines, "params": params, "problem": problem,
        "missing": _missing(result.missing) if result and result.missing else [],
        "warnings": [_cite(services.translate(w)) for w in result.ledger.warnings] if result and result.ledger else [],
        "citation": _cite(rules.citation), "rates_citation": _cite(rules.rates_citation),
        "dates_note": _cite(rules.dates_note),
        "can_edit": permissions.can_set_compensation_parameters(request.user, district),
        "pollutant_choices": [(c, BY_CODE[c].label) for c in comp.CHOOSABLE_POLLUTANTS], "wi_code": request.GET.get("wi_code", ""),
        "wi_pct": request.GET.get("wi_pct", ""), "wi_payer": payer or "",
        "payers": sorted({s.payer for s in services.compensation_sections(district, rules.level).values()})
        if district else [],
        "what_if_summary": _what_if_summary(result.what_if) if result and result.what_if else "",
        "query": request.GET.urlencode(),
    })


def _cite(text: str) -> str:
    """A rules' text in the user's language, its reference file named for a reader of the page."""
    return gettext(text).replace("water.md", gettext("平台参考资料（地表水）")) if text else ""


def _missing(exc) -> list[str]:
    """What the month lacks, for the page (the rules' own message speaks of the command line)."""
    from envgov.rules.compensation import PARAMETERS

    out = []
    for key, where in exc.needs.items():
        p = PARAMETERS[key]
        text = gettext("缺少用户设定参数“%(label)s”：%(why)s") % {"label": gettext(p.label), "why": _cite(p.why_user_set)}
        if where:
            text += gettext("。本月需要它的有：%(where)s") % {"where": "、".join(where[:5]) + (
                gettext(" 等 %(n)s 处") % {"n": len(where)} if len(where) > 5 else "")}
        out.append(text)
    return out


def _shown(p, value) -> str:
    from envgov.rules.compensation import wan

    if p.kind == "amount":
        return wan(int(value))
    if p.kind == "codes":
        return ",".join(value)
    return str(value)


def _what_if_summary(w) -> str:
    from envgov.rules.compensation import month_label, wan
    from envgov.standards.water.tables import BY_CODE

    parts = []
    for c, d in w.changes.items():
        pct = format((abs(d) * 100).normalize(), "f")
        tpl = gettext("%(item)s降低 %(pct)s%%") if d < 0 else gettext("%(item)s升高 %(pct)s%%")
        parts.append(tpl % {"item": BY_CODE[c].label, "pct": pct})
    scope = gettext("%(payer)s的出境断面") % {"payer": w.scope} if w.scope else gettext("所有断面")
    return gettext("假设%(month)s %(scope)s%(change)s：补偿金由 %(base)s 万元变为 %(scen)s 万元，少付 %(saving)s 万元") % {
        "month": month_label(w.baseline.month), "scope": scope, "change": "、".join(parts),
        "base": wan(w.baseline.total), "scen": wan(w.scenario.total), "saving": wan(w.saving)}


@scoped("any_user")
def compensation_xlsx(request: HttpRequest) -> HttpResponse:
    from envgov.reports.compensation import ledger_xlsx

    district, rule_id, _months, month, changes, payer, problem = _ledger_request(request)
    result = services.ledger(district, rule_id, month, changes, payer) if district else None
    if result is None or result.ledger is None or problem:
        messages.error(request, problem or (result.error if result and result.error else
                                            gettext("本月台账无法核算，请先设定所缺参数")))
        return redirect(f"{_ledger_url()}?{request.GET.urlencode()}")
    body = ledger_xlsx(result.ledger, result.what_if)
    resp = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="compensation-{rule_id}-{month}.xlsx"'
    return resp


def _ledger_url() -> str:
    from django.urls import reverse

    return reverse("water_compensation")


@scoped("reviewer")
@require_POST
def compensation_parameters(request: HttpRequest) -> HttpResponse:
    from envgov.rules import compensation as comp

    district = _district(request)
    rule_id = request.POST.get("rules") or ""
    if rule_id not in comp.RULE_SETS:
        raise Http404
    values = {k: request.POST.get(f"p_{k}", "") for k in comp.RULE_SETS[rule_id].parameters
              if f"p_{k}" in request.POST}
    try:
        outcome = services.set_compensation_parameters(district, acting_user=request.user, rule_id=rule_id,
                                                       values=values, reason=request.POST.get("reason", ""))
    except ValueError as exc:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": exc})
    else:
        if outcome.changed:
            messages.success(request, gettext("已保存 %(n)s 项补偿参数") % {"n": len(outcome.changed)})
        else:
            messages.info(request, gettext("参数没有变化"))
    month = request.POST.get("month", "")
    return redirect(f"{_ledger_url()}?rules={rule_id}" + (f"&month={month}" if month else ""))


@scoped("reviewer")
@require_POST
def water_parameters_save(request: HttpRequest) -> HttpResponse:
    """Set the district's values of the unconfirmed assessment rules (envgov.standards.water.parameters)."""
    from envgov.standards.water import parameters

    district = _district(request)
    values: dict[str, object] = {}
    for p in parameters.PARAMETERS:
        name = f"p_{p.key}"
        if p.kind == "bool":
            values[p.key] = request.POST.get(name) == "on"
        elif name in request.POST:
            values[p.key] = request.POST[name]
    try:
        changed = services.set_water_parameters(district, acting_user=request.user, values=values,
                                                reason=request.POST.get("reason", ""))
    except ValueError as exc:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": exc})
    else:
        if changed:
            messages.success(request, gettext("已保存 %(n)s 项水质评价参数，已重新计算水质目标") % {"n": len(changed)})
        else:
            messages.info(request, gettext("参数没有变化"))
    return redirect("water_sections")
