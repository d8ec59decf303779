"""Noise pages (decision 0035): attainment rates by class, day and night, with the points' figures; the noise
map (points by day and night over the town boundaries, the sensitive-building zones as areas); a point's
point-times and its correction form; the measurement import with its template; the zone import; the
unconfirmed rules. Every figure is the engine's, through `services`."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from envgov.apps.accounts.scope import scoped
from envgov.apps.noise import permissions, services
from envgov.apps.noise.models import CLASS_CHOICES, NoiseImport, NoisePoint, SensitiveZone
from envgov.standards.noise.tables import DAY, NIGHT, PERIODS, RATE_DEFINITION
from envgov.web.forms import form_errors


class ImportForm(forms.Form):
    file = forms.FileField(label=_("功能区噪声监测数据文件（CSV / XLSX）"))


class ZoneImportForm(forms.Form):
    file = forms.FileField(label=_("噪声敏感建筑物集中区域文件（地理数据文件，每个要素一个区域）"))
    crs = forms.ChoiceField(label=_("坐标系"), choices=[("wgs84", "WGS84"), ("gcj02", _("GCJ-02（国测局坐标）"))])


class PointForm(forms.Form):
    code = forms.CharField(label=_("点位编码"), max_length=60)
    name = forms.CharField(label=_("点位名称"), max_length=80)
    cls = forms.ChoiceField(label=_("功能区类别"), choices=CLASS_CHOICES)
    lon = forms.FloatField(label=_("经度(WGS84)"), required=False)
    lat = forms.FloatField(label=_("纬度(WGS84)"), required=False)
    town = forms.ModelChoiceField(label=_("所在街乡镇（空：按坐标自动判定）"), queryset=None, required=False)
    active = forms.BooleanField(label=_("在用"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, district=None, **kwargs):
        super().__init__(*args, **kwargs)
        from envgov.apps.geo.models import Town

        self.fields["town"].queryset = Town.objects.filter(district=district)


class PointAddForm(PointForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        del self.fields["active"]


def _district(request: HttpRequest):
    return request.user.district


def _year(request: HttpRequest, district) -> tuple[list[int], int | None]:
    years = services.years_with_data(district) if district else []
    raw = request.GET.get("year") or ""
    if not raw:
        return years, (years[-1] if years else None)
    if not raw.isdigit() or int(raw) not in years:
        raise Http404
    return years, int(raw)


def _simulated(district) -> bool:
    return NoisePoint.objects.filter(district=district, is_simulated=True).exists() or \
        SensitiveZone.objects.filter(district=district, is_simulated=True).exists()


@scoped("any_user")
def overview(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    years, year = _year(request, district)
    result = services.evaluate(district, *services.year_bounds(year)) if district else None
    can_import = permissions.can_import_measurements(request.user, district)
    return render(request, "noise/overview.html", {
        "years": years, "year": year, "rows": services.rate_rows(result) if result else [],
        "points": services.point_rows(district, result) if result else [],
        "checks": [services.check_target(t, district) for t in services.noise_targets(district)] if district else [],
        "parameter_rows": services.parameter_rows(district) if district else [],
        "can_set_parameters": permissions.can_set_noise_parameters(request.user, district),
        "can_import": can_import, "add_form": PointAddForm(district=district) if can_import else None,
        "rate_definition": RATE_DEFINITION, "provenance": result.provenance if result else {},
        "simulated": _simulated(district), "zones": SensitiveZone.objects.filter(district=district).count(),
    })


@scoped("any_user")
def noise_map(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    years, year = _year(request, district)
    data = services.map_payload(district, year) if district else {"points": [], "zones": [], "geo": {"features": []}}
    return render(request, "noise/map.html", {"years": years, "year": year, "data": data,
                                              "simulated": _simulated(district), "periods": PERIODS,
                                              "DAY": DAY, "NIGHT": NIGHT})


def _own_point(request: HttpRequest, noise_point_id: int) -> NoisePoint:
    return get_object_or_404(NoisePoint.objects.select_related("town"), pk=noise_point_id, district=_district(request))


@scoped("any_user")
def point_detail(request: HttpRequest, noise_point_id: int) -> HttpResponse:
    point = _own_point(request, noise_point_id)
    result = services.evaluate(point.district)
    times = [t for t in result.point_times if t.point == point.code]
    form = None
    if permissions.can_edit_point(request.user, point):
        form = PointForm(initial={"code": point.code, "name": point.name, "cls": point.cls, "lon": point.lon,
                                  "lat": point.lat, "town": point.town_id if point.town_manual else None,
                                  "active": point.active, "version": point.version}, district=point.district)
    return render(request, "noise/point.html", {"point": point, "times": times[::-1], "form": form,
                                                "periods": PERIODS})


@scoped("reviewer")
@require_POST
def point_edit(request: HttpRequest, noise_point_id: int) -> HttpResponse:
    from envgov.apps.noise import actions

    point = _own_point(request, noise_point_id)
    form = PointForm(request.POST, district=point.district)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            actions.update_point(point, acting_user=request.user, expected_version=version, data=data)
        except ValidationError as exc:
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": " ".join(exc.messages)})
        else:
            messages.success(request, gettext("已保存点位 %(name)s") % {"name": point.name})
    else:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
    return redirect("noise_point", noise_point_id=point.pk)


@scoped("reviewer")
@require_POST
def point_add(request: HttpRequest) -> HttpResponse:
    from envgov.apps.noise import actions

    district = _district(request)
    form = PointAddForm(request.POST, district=district)
    if form.is_valid():
        try:
            point = actions.create_point(district, acting_user=request.user, data=dict(form.cleaned_data))
        except ValidationError as exc:
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": " ".join(exc.messages)})
        else:
            messages.success(request, gettext("已登记点位 %(name)s") % {"name": point.name})
            return redirect("noise_point", noise_point_id=point.pk)
    else:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
    return redirect("noise_overview")


@scoped("reviewer")
def noise_import(request: HttpRequest) -> HttpResponse:
    from envgov.apps.noise import actions

    district = _district(request)
    outcome = None
    status = 200
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            from envgov.web import uploads

            try:
                uploads.check_upload(form.cleaned_data["file"], kinds=uploads.AIR_DATA - {"parquet"},
                                     max_bytes=uploads.max_request_bytes(request))
            except ValidationError as exc:
                form.add_error("file", exc.messages)
        if form.is_valid():
            outcome = actions.import_file(form.cleaned_data["file"], district=district, acting_user=request.user)
            if outcome.record.state == NoiseImport.State.ACCEPTED:
                messages.success(request, gettext("导入成功：新增测量值 %(n)s 条，新增点位 %(c)s 个，更新目标 %(t)s 项") % {
                    "n": outcome.record.measurements, "c": outcome.record.points_created, "t": outcome.targets_updated})
            else:
                status = 422
                messages.error(request, gettext("文件未通过校验，没有写入任何数据。请按下列错误修改后重新上传。"))
    history = NoiseImport.objects.filter(district=district).select_related("uploaded_by")[:20]
    return render(request, "noise/import.html", {"form": form, "outcome": outcome, "history": history,
                                                 "header": "、".join(services.TEMPLATE_HEADER)}, status=status)


@scoped("reviewer")
def noise_import_template(request: HttpRequest) -> HttpResponse:
    resp = HttpResponse(services.template_csv(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = "attachment; filename*=UTF-8''noise-template.csv"
    return resp


@scoped("reviewer")
def zones(request: HttpRequest) -> HttpResponse:
    from envgov.apps.noise import actions

    district = _district(request)
    errors: list[str] = []
    status = 200
    form = ZoneImportForm()
    if request.method == "POST":
        form = ZoneImportForm(request.POST, request.FILES)
        if form.is_valid():
            from envgov.web import uploads

            upload = form.cleaned_data["file"]
            limit = uploads.max_request_bytes(request)
            raw = upload.read(limit + 1)
            outcome = actions.import_zones(district, raw, file_name=upload.name, acting_user=request.user,
                                           crs=form.cleaned_data["crs"], max_bytes=limit)
            if outcome.errors:
                errors, status = outcome.errors, 422
                messages.error(request, gettext("文件未通过校验，没有写入任何区域。"))
            else:
                messages.success(request, gettext("已导入 %(n)s 个噪声敏感建筑物集中区域") % {"n": len(outcome.created)})
                return redirect("noise_zones")
    return render(request, "noise/zones.html", {
        "form": form, "errors": errors, "zones": SensitiveZone.objects.filter(district=district)}, status=status)


@scoped("reviewer")
@require_POST
def parameters_save(request: HttpRequest) -> HttpResponse:
    from envgov.apps.noise import actions
    from envgov.standards.noise.parameters import PARAMETERS

    district = _district(request)
    values = {p.key: request.POST[f"p_{p.key}"] for p in PARAMETERS if f"p_{p.key}" in request.POST}
    try:
        changed = actions.set_noise_parameters(district, acting_user=request.user, values=values,
                                               reason=request.POST.get("reason", ""))
    except ValueError as exc:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": exc})
    else:
        if changed:
            messages.success(request, gettext("已保存 %(n)s 项噪声评价参数，已重新计算噪声目标") % {"n": len(changed)})
        else:
            messages.info(request, gettext("参数没有变化"))
    return redirect("noise_overview")
