"""Source inventory pages (decision 0030): one list per kind filtered by town, a source's page with its edit
form (and, for enterprises, the annual reports; for catering units, the cleaning records; for outfalls, the
chain to receiving water and discharger), the template import and the export, the duplicates page and the
1/3 permit-report audit sample."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from envgov.apps.accounts.scope import require, scoped
from envgov.apps.audit import clock
from envgov.apps.sources import actions, permissions, services
from envgov.apps.sources.models import PermitReport, SourceImport
from envgov.ingest import sources as spec
from envgov.rules import sources as rules
from envgov.web.forms import form_errors

LIST_COLUMNS = {  # besides name / town / address: what a list shows of each kind
    "enterprise": ("credit_code", "industry", "permit_class", "permit_valid_to", "emergency_grade"),
    "site": ("stage", "area_m2", "dust_monitor", "video"),
    "catering": ("fume_cleaner", "last_cleaned"),
    "fleet": ("own_vehicles", "daily_trips"),
    "machinery": ("machine_type", "emission_stage", "registration_code"),
    "outfall": ("code", "receiving_water", "channel", "discharger_code"),
    "soil": ("plot_code", "status", "priority", "reviewed_on"),
    "radiation": ("source_class", "nuclide_or_device", "licence_number"),
    "hazchem": ("chemicals", "risk_level", "plan_filed"),
}


def _kind(value: str | None) -> str:
    if value not in spec.KINDS:
        raise Http404
    return value


def source_form(kind: str, user, *args, with_version: bool = False, **kwargs) -> forms.Form:  # noqa: ANN001, ANN002, ANN003
    """The form of a kind, from the template's columns (so the form and the import check the same things)."""
    fields: dict[str, forms.Field] = {}
    for f in spec.KINDS[kind].fields:
        if f.key == "id":
            continue
        label = _(f.names[0])
        req = f.required
        if f.type == "town":
            fields[f.key] = forms.ModelChoiceField(label=label, queryset=services.towns_for_edit(user))
        elif f.type == "bool":
            fields[f.key] = forms.BooleanField(label=label, required=False)
        elif f.type == "choice":
            fields[f.key] = forms.ChoiceField(label=label, required=req,
                                              choices=[("", "—")] + [(v, _(lbl)) for v, lbl in f.choices])
        elif f.type == "int":
            fields[f.key] = forms.IntegerField(label=label, required=req, min_value=0, max_value=spec.MAX_INT)
        elif f.type == "float":
            fields[f.key] = forms.FloatField(label=label, required=req, min_value=0, max_value=spec.MAX_FLOAT)
        elif f.type in ("lon", "lat"):
            fields[f.key] = forms.FloatField(label=label, required=False)
        elif f.type == "date":
            fields[f.key] = forms.DateField(label=label, required=req, widget=forms.DateInput(attrs={"type": "date"}))
        else:
            fields[f.key] = forms.CharField(label=label, required=req, max_length=18 if f.type == "credit_code"
                                            else f.max_length, strip=True)
    if with_version:
        fields["version"] = forms.IntegerField(widget=forms.HiddenInput)
    form_class = type(f"{kind.title()}Form", (forms.Form,), fields)
    return form_class(*args, **kwargs)


def _initial(obj, kind: str) -> dict:  # noqa: ANN001
    out: dict = {"version": obj.version}
    for f in spec.KINDS[kind].fields:
        if f.key == "town":
            out["town"] = obj.town_id
        elif f.key in actions.PSEUDO:
            if f.key != "id":
                out[f.key] = services.display(obj, f)
        else:
            out[f.key] = getattr(obj, f.key)
    return out


def _validation(exc: ValidationError, form: forms.Form) -> None:
    for k, msgs in exc.message_dict.items():
        form.add_error(k if k in form.fields else None, msgs)


@scoped("any_user")
def sources_home(request: HttpRequest) -> HttpResponse:
    kind = _kind(request.GET.get("kind") or "enterprise")
    k = spec.KINDS[kind]
    qs = services.sources_for(request.user, kind)
    towns = services.towns_for_view(request.user)
    town_id = request.GET.get("town") or ""
    if town_id:
        if not town_id.isdigit() or not towns.filter(pk=town_id).exists():
            raise Http404
        qs = qs.filter(town_id=int(town_id))
    cols = [k.field(c) for c in LIST_COLUMNS[kind]]
    rows = [(obj, [services.display(obj, f) for f in cols]) for obj in qs]
    can_add = permissions.can_add_sources(request.user)
    return render(request, "sources/list.html", {
        "kinds": services.counts(request.user), "kind": kind, "kind_label": gettext(k.label),
        "towns": towns, "town_id": town_id, "columns": [_(f.names[0]) for f in cols], "rows": rows,
        "add_form": source_form(kind, request.user) if can_add else None,
        "can_import": permissions.can_import_sources(request.user, request.user.district_id),
        "simulated": qs.filter(is_simulated=True).exists(),
        "soil": services.soil_status(request.user, clock.today()) if kind == "soil" else None,
        "fleet_rule": gettext(rules.FLEET_CITATION) if kind == "fleet" else "",
        "soil_rule": gettext(rules.SOIL_CITATION),
        "oversight": permissions.sees_district(request.user, request.user.district_id),
    })


@scoped("any_user")
@require_POST
def source_add(request: HttpRequest) -> HttpResponse:
    require(permissions.can_add_sources(request.user), gettext("只有统筹协调人员或街乡镇填报员可以登记污染源"))
    kind = _kind(request.POST.get("kind"))
    form = source_form(kind, request.user, request.POST)
    if form.is_valid():
        try:
            obj = actions.create_source(kind, request.user.district, acting_user=request.user,
                                        data=dict(form.cleaned_data))
        except ValidationError as exc:
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": " ".join(exc.messages)})
        else:
            messages.success(request, gettext("已登记 %(name)s") % {"name": obj.name})
            return redirect(f"sources_{kind}", **{f"{kind}_id": obj.pk})
    else:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
    return redirect(reverse("sources_home") + f"?kind={kind}")


class ReportForm(forms.Form):
    year = forms.IntegerField(label=_("报告年度"), min_value=2000, max_value=2100)
    due_date = forms.DateField(label=_("提交截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    submitted_on = forms.DateField(label=_("提交日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    audit_status = forms.ChoiceField(label=_("审核状态"), choices=PermitReport.Audit.choices, required=False)
    audit_note = forms.CharField(label=_("审核意见"), max_length=300, required=False)


class CleaningForm(forms.Form):
    cleaned_on = forms.DateField(label=_("清洗日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


@scoped("any_user")
def source_detail(request: HttpRequest, kind: str, **ids: int) -> HttpResponse:
    kind = _kind(kind)
    obj = get_object_or_404(services.sources_for(request.user, kind), pk=ids[f"{kind}_id"])
    can_edit = permissions.can_edit_source(request.user, obj)
    form = source_form(kind, request.user, initial=_initial(obj, kind), with_version=True) if can_edit else None
    report_form, cleaning_form = ReportForm(), CleaningForm()
    status = 200
    if request.method == "POST":
        require(can_edit, gettext("只有本区的统筹协调人员或本街乡镇的填报员可以修改该污染源"))
        op = request.POST.get("op") or "save"
        try:
            if op == "report" and kind == "enterprise":
                report_form = ReportForm(request.POST)
                if report_form.is_valid():
                    actions.save_report(obj, acting_user=request.user, data=dict(report_form.cleaned_data))
                    messages.success(request, gettext("已保存执行报告记录"))
                    return redirect(request.path)
            elif op == "cleaning" and kind == "catering":
                cleaning_form = CleaningForm(request.POST)
                if cleaning_form.is_valid():
                    actions.add_cleaning(obj, acting_user=request.user, **cleaning_form.cleaned_data)
                    messages.success(request, gettext("已登记清洗记录"))
                    return redirect(request.path)
            else:
                form = source_form(kind, request.user, request.POST, with_version=True)
                if form.is_valid():
                    data = dict(form.cleaned_data)
                    version = data.pop("version")
                    actions.update_source(obj, acting_user=request.user, expected_version=version, data=data)
                    messages.success(request, gettext("已保存 %(name)s") % {"name": obj.name})
                    return redirect(request.path)
        except ValidationError as exc:
            target = {"report": report_form, "cleaning": cleaning_form}.get(op, form)
            _validation(exc, target)
        status = 422
        messages.error(request, gettext("未保存，请按提示修改"))
    k = spec.KINDS[kind]
    facts = [(_(f.names[0]), services.display(obj, f)) for f in k.fields if f.key != "id"]
    return render(request, "sources/detail.html", {
        "obj": obj, "kind": kind, "kind_label": gettext(k.label), "facts": facts, "form": form,
        "reports": obj.reports.all() if kind == "enterprise" else None,
        "report_form": report_form if can_edit and kind == "enterprise" else None,
        "cleanings": obj.cleanings.all() if kind == "catering" else None,
        "cleaning_form": cleaning_form if can_edit and kind == "catering" else None,
        "channels": obj.channels.select_related("discharger") if kind == "outfall" else None,
        "fed": obj.channels.select_related("outfall__receiving_water") if kind == "enterprise" else None,
        "fleet_rule": gettext(rules.FLEET_CITATION) if kind == "fleet" else "",
    }, status=status)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=[(s, _(k.label)) for s, k in spec.KINDS.items()])
    file = forms.FileField(label=_("填好的导入模板（XLSX 或 CSV）"))


@scoped("reviewer")
def source_import(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    require(permissions.can_import_sources(request.user, district))
    outcome = None
    status = 200
    form = ImportForm(initial={"kind": request.GET.get("kind") or "enterprise"})
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            from envgov.web import uploads

            try:
                uploads.check_upload(form.cleaned_data["file"], kinds=frozenset({"xlsx", "csv", "txt"}),
                                     max_bytes=uploads.max_request_bytes(request))
            except ValidationError as exc:
                form.add_error("file", exc.messages)
        if form.is_valid():
            outcome = services.import_file(form.cleaned_data["file"], form.cleaned_data["kind"], district=district,
                                           acting_user=request.user)
            if outcome.accepted:
                messages.success(request, gettext("导入成功：新增 %(c)s 条，更新 %(u)s 条") % {
                    "c": outcome.record.created, "u": outcome.record.updated})
            else:
                status = 422
                messages.error(request, gettext("文件未通过校验，没有写入任何数据。请按下列错误修改后重新上传。"))
    history = SourceImport.objects.filter(district=district).select_related("uploaded_by")[:20]
    labels = {s: gettext(k.label) for s, k in spec.KINDS.items()}
    return render(request, "sources/import.html", {
        "form": form, "outcome": outcome, "kinds": labels.items(), "can_import": True, "oversight": True,
        "history": [(h, labels.get(h.kind, h.kind)) for h in history]}, status=status)


def _xlsx(body: bytes, name: str) -> HttpResponse:
    from urllib.parse import quote

    resp = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


@scoped("any_user")
def source_template(request: HttpRequest) -> HttpResponse:
    kind = _kind(request.GET.get("kind") or "enterprise")
    return _xlsx(services.template_xlsx(kind), gettext("%(kind)s导入模板.xlsx") % {"kind": gettext(spec.KINDS[kind].label)})


@scoped("any_user")
def source_export(request: HttpRequest) -> HttpResponse:
    kind = _kind(request.GET.get("kind") or "enterprise")
    town = request.GET.get("town") or ""
    if town and not (town.isdigit() and services.towns_for_view(request.user).filter(pk=town).exists()):
        raise Http404
    body = services.export_xlsx(request.user, kind, int(town) if town else None)
    return _xlsx(body, gettext("%(kind)s清单.xlsx") % {"kind": gettext(spec.KINDS[kind].label)})


@scoped("oversight")
def source_duplicates(request: HttpRequest) -> HttpResponse:
    return render(request, "sources/duplicates.html", {"groups": services.duplicates(request.user)})


@scoped("oversight")
def permit_audit(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    today = clock.today()
    raw = request.GET.get("year") or request.POST.get("year") or str(today.year - 1)
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Http404
    year = int(raw)
    if request.method == "POST":
        if not permissions.can_audit_reports(request.user, district):
            raise PermissionDenied(gettext("只有本区的系统管理员或统筹协调人员可以确定抽查名单"))
        n = actions.confirm_audit_sample(district, year, acting_user=request.user)
        messages.success(request, gettext("已确定抽查名单：新标记 %(n)s 份执行报告为待审核") % {"n": n})
        return redirect(reverse("sources_permit_audit") + f"?year={year}")
    sample = services.audit_sample(district, year)
    return render(request, "sources/permit_audit.html", {
        "sample": sample, "year": year, "rule": gettext(rules.AUDIT_CITATION),
        "can_confirm": permissions.can_audit_reports(request.user, district),
        "on_time_pct": None if sample.on_time_rate is None else round(sample.on_time_rate * 100, 1)})


# one page route per kind (the role matrix gives every route at most one object argument)
def detail_routes():  # noqa: ANN201
    from django.urls import path

    return [path(f"{kind}/<int:{kind}_id>/", source_detail, {"kind": kind}, name=f"sources_{kind}")
            for kind in spec.KINDS]

