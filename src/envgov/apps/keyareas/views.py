"""Key-area pages: the map of areas, strict zones and sources with the month's ledger (and its .xlsx), an
area's range and zones, the estimate's parameters, the monthly refresh, a construction site's checklist."""
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
from envgov.apps.keyareas import actions, permissions, services
from envgov.apps.keyareas.models import KeyArea, LedgerMonth
from envgov.geo.boundary_file import GCJ02, WGS84
from envgov.rules import keyareas as rule
from envgov.web.forms import form_errors

CRS_CHOICES = [(WGS84, _("WGS84（GPS、天地图）")), (GCJ02, _("GCJ-02（高德、腾讯地图）"))]


class AreaForm(forms.Form):
    name = forms.CharField(label=_("名称（空：站点名＋重点区域）"), max_length=80, required=False)
    shape = forms.ChoiceField(label=_("范围形状"), choices=KeyArea.Shape.choices, initial=KeyArea.Shape.CIRCLE)
    diameter_m = forms.FloatField(label=_("直径（米）"), initial=rule.DEFAULT_DIAMETER_M, required=False)
    centre_lon = forms.FloatField(label=_("中心经度(WGS84，空：站点坐标)"), required=False)
    centre_lat = forms.FloatField(label=_("中心纬度(WGS84，空：站点坐标)"), required=False)


class AreaAddForm(AreaForm):
    station = forms.ModelChoiceField(label=_("监测站点（国控/市控）"), queryset=None)

    def __init__(self, *args, district=None, **kwargs):
        super().__init__(*args, **kwargs)
        from envgov.apps.air.models import Station

        self.fields["station"].queryset = Station.objects.filter(district=district, kind__in=rule.STATION_KINDS,
                                                                 key_area__isnull=True)
        self.order_fields(["station"])


class AreaEditForm(AreaForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class GeoFileForm(forms.Form):
    file = forms.FileField(label=_("区域文件"))
    crs = forms.ChoiceField(label=_("坐标系"), choices=CRS_CHOICES, initial=WGS84)


def _validation(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return " ".join(" ".join(v) for v in exc.message_dict.values())
    return " ".join(exc.messages)


def _district(request: HttpRequest):
    return request.user.district


def _own_area(request: HttpRequest, keyarea_id: int) -> KeyArea:
    return get_object_or_404(KeyArea.objects.select_related("station"), pk=keyarea_id, district=_district(request))


def _own_site(request: HttpRequest, site_id: int):  # noqa: ANN202
    from envgov.apps.sources.models import ConstructionSite

    site = get_object_or_404(ConstructionSite.objects.select_related("town"), pk=site_id,
                             district=_district(request))
    if not permissions.can_view_site(request.user, site):
        raise Http404
    return site


def _ledger(request: HttpRequest):  # noqa: ANN202
    district = _district(request)
    months = services.months(district) if district else []
    month = request.GET.get("month") or (months[0] if months else "")
    if month and month not in months:
        raise Http404
    ledger = LedgerMonth.objects.filter(district=district, month=month).first() if month else None
    return district, months, month, ledger


@scoped("any_user")
def home(request: HttpRequest) -> HttpResponse:
    district, months, month, ledger = _ledger(request)
    rows = services.ledger_rows(ledger, request.user)
    can_edit = permissions.can_edit_keyareas(request.user, district)
    key_areas = list(KeyArea.objects.filter(district=district).select_related("station").prefetch_related("zones"))
    return render(request, "keyareas/home.html", {
        "district": district, "months": months, "month": month, "ledger": ledger, "rows": rows,
        "totals": services.totals(rows), "areas": key_areas, "can_edit": can_edit,
        "sees_sources": permissions.sources_town_scope(request.user)[0],
        "add_form": AreaAddForm(district=district) if can_edit else None,
        "parameter_rows": services.parameter_rows(district) if district else [],
        "map": services.map_payload(district, rows) if district else {},
        "simulated": any(a.is_simulated for a in key_areas), "citation": rule.CITATION,
        "default_diameter": rule.DEFAULT_DIAMETER_M,
    })


@scoped("reviewer")
@require_POST
def area_add(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    form = AreaAddForm(request.POST, district=district)
    if not form.is_valid():
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
        return redirect("keyareas_home")
    try:
        area = actions.create_area(district, acting_user=request.user, data=form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": _validation(exc)})
        return redirect("keyareas_home")
    messages.success(request, gettext("已划定重点区域“%(name)s”") % {"name": area.name})
    return redirect("keyareas_area", keyarea_id=area.pk)


@scoped("any_user")
def area_detail(request: HttpRequest, keyarea_id: int) -> HttpResponse:
    area = _own_area(request, keyarea_id)
    can_edit = permissions.can_edit_keyareas(request.user, area.district_id)
    form = None
    if can_edit:
        form = AreaEditForm(initial={"name": area.name, "shape": area.shape, "diameter_m": area.diameter_m,
                                     "centre_lon": area.centre_lon, "centre_lat": area.centre_lat,
                                     "version": area.version})
    try:
        geom = area.geometry()
    except ValueError:
        geom = None
    size_km2 = None
    if geom is not None:
        from envgov.geo.areas import metres_per_degree

        mx, my = metres_per_degree(geom.centroid.y)
        size_km2 = geom.area * mx * my / 1e6
    return render(request, "keyareas/area.html", {
        "area": area, "zones": list(area.zones.all()), "form": form, "can_edit": can_edit,
        "file_form": GeoFileForm() if can_edit else None, "size_km2": size_km2, "has_range": geom is not None,
        "default_diameter": rule.DEFAULT_DIAMETER_M,
    })


@scoped("reviewer")
@require_POST
def area_edit(request: HttpRequest, keyarea_id: int) -> HttpResponse:
    area = _own_area(request, keyarea_id)
    form = AreaEditForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
        return redirect("keyareas_area", keyarea_id=area.pk)
    try:
        actions.update_area(area, acting_user=request.user, expected_version=form.cleaned_data["version"],
                            data=form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": _validation(exc)})
    else:
        messages.success(request, gettext("已保存重点区域范围；下次更新台账时按新范围统计"))
    return redirect("keyareas_area", keyarea_id=area.pk)


def _geo_upload(request: HttpRequest, area: KeyArea, polygon: bool) -> HttpResponse:
    form = GeoFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, gettext("未导入：%(reason)s") % {"reason": form_errors(form)})
        return redirect("keyareas_area", keyarea_id=area.pk)
    upload = form.cleaned_data["file"]
    raw = upload.read(5 * 1024 * 1024 + 1)
    try:
        if polygon:
            try:
                version = int(request.POST.get("version", ""))
            except ValueError:
                version = 0
            actions.set_area_polygon(area, acting_user=request.user, raw=raw, file_name=upload.name,
                                     crs=form.cleaned_data["crs"], expected_version=version)
            messages.success(request, gettext("已按导入的多边形设定重点区域范围"))
        else:
            zones = actions.import_zones(area, acting_user=request.user, raw=raw, file_name=upload.name,
                                         crs=form.cleaned_data["crs"])
            messages.success(request, gettext("已导入 %(n)s 个严控区") % {"n": len(zones)})
    except actions.FileRefused as exc:
        messages.error(request, gettext("文件未导入（全部或全不）：共 %(n)s 处错误") % {"n": len(exc.messages)})
        return render(request, "keyareas/refused.html", {"area": area, "errors": exc.messages}, status=400)
    except ValidationError as exc:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": _validation(exc)})
    return redirect("keyareas_area", keyarea_id=area.pk)


@scoped("reviewer")
@require_POST
def zones_import(request: HttpRequest, keyarea_id: int) -> HttpResponse:
    return _geo_upload(request, _own_area(request, keyarea_id), polygon=False)


@scoped("reviewer")
@require_POST
def area_polygon(request: HttpRequest, keyarea_id: int) -> HttpResponse:
    return _geo_upload(request, _own_area(request, keyarea_id), polygon=True)


@scoped("reviewer")
@require_POST
def parameters_save(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    values = {p.key: request.POST[f"p_{p.key}"] for p in services.parameters() if f"p_{p.key}" in request.POST}
    try:
        changed = actions.set_parameters(district, acting_user=request.user, values=values,
                                         reason=request.POST.get("reason", ""))
    except ValueError as exc:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": exc})
    else:
        if changed:
            messages.success(request, gettext("已保存 %(n)s 项测算参数；更新台账后生效") % {"n": len(changed)})
        else:
            messages.info(request, gettext("参数没有变化"))
    return redirect("keyareas_home")


@scoped("reviewer")
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    try:
        ledger = actions.refresh_month(_district(request), acting_user=request.user,
                                       month=request.POST.get("month") or None)
    except ValueError as exc:
        messages.error(request, gettext("未更新：%(reason)s") % {"reason": exc})
        return redirect("keyareas_home")
    messages.success(request, gettext("已更新 %(month)s 重点区域污染源台账：%(n)s 条") % {
        "month": ledger.month, "n": ledger.rows.count()})
    return redirect(f"{_home_url()}?month={ledger.month}")


def _home_url() -> str:
    from django.urls import reverse

    return reverse("keyareas_home")


@scoped("any_user")
def ledger_xlsx(request: HttpRequest) -> HttpResponse:
    district, _months, month, ledger = _ledger(request)
    if ledger is None:
        messages.error(request, gettext("还没有台账，请先更新本月台账"))
        return redirect("keyareas_home")
    rows = services.ledger_rows(ledger, request.user)
    body = services.ledger_xlsx(district, ledger, rows)
    resp = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="keyareas-{ledger.month}.xlsx"'
    return resp


@scoped("any_user")
def site_detail(request: HttpRequest, site_id: int) -> HttpResponse:
    site = _own_site(request, site_id)
    if request.method == "POST":
        measure = request.POST.get("measure", "")
        try:
            actions.check_measure(site, acting_user=request.user, measure=measure,
                                  done=request.POST.get("done") == "on", note=request.POST.get("note", ""))
        except ValidationError as exc:
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": _validation(exc)})
        else:
            messages.success(request, gettext("已记录措施落实情况"))
        return redirect("keyareas_site", site_id=site.pk)
    area, zone = services.site_zone(site)
    return render(request, "keyareas/site.html", {
        "site": site, "area": area, "zone": zone, "zone_label": rule.ZONE_LABELS.get(zone, "") if zone else "",
        "items": services.checklist(site, zone), "can_check": permissions.can_check_measures(request.user, site),
        "citation": rule.CITATION,
    })
