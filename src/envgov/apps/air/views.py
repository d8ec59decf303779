"""Monitoring pages: air dashboard (daily AQI of the district and its stations, targets), data import
with its validation report, stations, exceptional-event days."""
from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from envgov.apps.accounts.scope import scoped
from envgov.apps.air import services
from envgov.apps.air.models import AirDaily, ExceptionalDay, ObservationImport, Station
from envgov.apps.plans.models import Target
from envgov.standards import air as std


class ImportForm(forms.Form):
    file = forms.FileField(label=_("监测数据文件（CSV / XLSX / Parquet）"))
    profile = forms.ChoiceField(label=_("格式"), required=False, choices=[
        ("", _("自动识别（长表 / 宽表模板）")), ("long", _("长表 site,time,parameter,value,unit")),
        ("wide", _("宽表 site,time,pm25,pm10,so2,no2,co,o3")),
        ("zh-wide", _("中文表头模板 站点,时间,PM2.5,PM10,SO2,NO2,CO,O3")), ("uci-beijing", _("UCI 北京多站点")),
    ])


class ExceptionalDayForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("依据（如市级沙尘认定文件）"), max_length=200)


def _district(request: HttpRequest):  # noqa: ANN202
    return request.user.district


@scoped("any_user")
def air_dashboard(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    days = list(AirDaily.objects.filter(district=district, station__isnull=True).order_by("day")
                .values("day", "aqi", "level", "primary_pollutants", "pm25", "edition"))
    levels = {ed: [{"n": lv.number, "name": lv.category, "color": "#%02x%02x%02x" % lv.rgb, "low": lv.aqi_low,
                    "high": lv.aqi_high} for lv in std.levels(ed)] for ed in ("2012", "2026")}
    stations = Station.objects.filter(district=district).order_by("code")
    targets = list(Target.objects.filter(plan__district=district, indicator__code__in=services.AIR_TARGET_KEYS
                                         ).select_related("indicator", "plan").order_by("plan__year", "id"))
    from envgov.apps.outlook.services import projection

    for t in targets:
        t.projection = projection(t)
    counts = {}
    for d in days:
        counts[d["level"]] = counts.get(d["level"], 0) + 1
    from envgov.apps.air.templatetags.air import pollutants

    chart = {"days": [[d["day"].isoformat(), d["aqi"], d["level"], pollutants(d["primary_pollutants"])] for d in days],
             "levels": levels}
    return render(request, "air/air_dashboard.html", {
        "days": days[-30:][::-1], "n_days": len(days), "stations": stations, "targets": targets,
        "chart": chart, "counts": sorted(counts.items(), key=lambda kv: kv[0] or 0),
        "exceptional": ExceptionalDay.objects.filter(district=district).select_related("marked_by").order_by("-day")[:50],
        "exc_form": ExceptionalDayForm(), "simulated": stations.filter(is_simulated=True).exists(),
    })


@scoped("reviewer")
def air_import(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    outcome = None
    status = 200
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            from django.core.exceptions import ValidationError

            from envgov.web import uploads

            try:  # CSV/TXT, Excel or Parquet by content, within the request cap; safe name
                uploads.check_upload(form.cleaned_data["file"], kinds=uploads.AIR_DATA,
                                     max_bytes=uploads.max_request_bytes(request))
            except ValidationError as exc:
                form.add_error("file", exc.messages)
        if form.is_valid():
            outcome = services.import_air_file(form.cleaned_data["file"], district=district, acting_user=request.user,
                                               profile=form.cleaned_data["profile"] or None,
                                               progress_token=request.POST.get("progress_token", ""))
            state = outcome.record.state
            if state == ObservationImport.State.ACCEPTED:
                _done_message(request, outcome)
            elif state == ObservationImport.State.PENDING:
                messages.error(request, gettext("数据已通过校验并写入数据湖，但日报和目标的更新未完成，导入记为“未完成”。"
                                                "请在下方导入记录中点“完成导入”重试，或“撤销”。"))
            else:
                status = 422
                messages.error(request, gettext("文件未通过校验，没有写入任何数据。请按下列错误修改后重新上传。"))
    history = list(ObservationImport.objects.filter(district=district).select_related("uploaded_by")[:20])
    for h in history:
        h.interrupted = services.is_interrupted(h)
    return render(request, "air/air_import.html", {
        "form": form, "outcome": outcome, "history": history,
        "stations": Station.objects.filter(district=district).order_by("code"),
        "progress_token": uuid.uuid4().hex,
    }, status=status)


@scoped("reviewer")
def air_import_progress(request: HttpRequest) -> JsonResponse:
    """Polled by the import page while its upload is processed (static/envgov/import_progress.js)."""
    return JsonResponse(services.import_progress(_district(request), request.GET.get("token", "")))


def _done_message(request: HttpRequest, outcome: services.ImportOutcome) -> None:
    text = gettext("导入成功：新增 %(records)s 条记录，更新日报 %(days)s 条、目标 %(targets)s 项")
    messages.success(request, text % {"records": outcome.record.appended, "days": outcome.days_refreshed,
                                      "targets": outcome.targets_updated})


def _own_import(request: HttpRequest, import_id: int) -> ObservationImport:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(ObservationImport.objects.select_related("district"), pk=import_id,
                             district=_district(request))


@scoped("reviewer")
@require_POST
def air_import_finish(request: HttpRequest, import_id: int) -> HttpResponse:
    """Finish an interrupted import (未完成): refresh the daily results and targets from its lake data."""
    record = _own_import(request, import_id)
    try:
        outcome = services.finish_import(record, acting_user=request.user)
    except services.ImportRefused as exc:
        messages.error(request, str(exc))
    else:
        if outcome.record.state == ObservationImport.State.ACCEPTED:
            _done_message(request, outcome)
        else:
            messages.info(request, gettext("该导入在写入数据湖之前已中断，没有写入任何数据，已记为“已撤销”。请重新上传文件。"))
    return redirect("air_import")


@scoped("reviewer")
@require_POST
def air_import_undo(request: HttpRequest, import_id: int) -> HttpResponse:
    """Undo an interrupted import: its lake data is removed and the days it touched are recomputed."""
    record = _own_import(request, import_id)
    try:
        services.undo_import(record, acting_user=request.user)
    except services.ImportRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("已撤销该导入：数据湖中的本次数据已移除，相关日期的日报和目标已重新计算"))
    return redirect("air_import")


@scoped("reviewer")
def air_import_template(request: HttpRequest) -> HttpResponse:
    """The Chinese-header import template (站点, 时间, PM2.5 … O3), recognised on upload."""
    resp = HttpResponse(services.template_csv(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = "attachment; filename*=UTF-8''%E7%9B%91%E6%B5%8B%E6%95%B0%E6%8D%AE%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.csv"
    return resp


@scoped("reviewer")
def air_import_errors(request: HttpRequest) -> HttpResponse:
    """All located errors of a refused import of the user's district as CSV (?id=…; default: the latest)."""
    from django.http import Http404

    imports = ObservationImport.objects.filter(district=_district(request), accepted=False)
    raw = request.GET.get("id")
    if raw is not None:
        if not raw.isdigit():
            raise Http404
        record = imports.filter(pk=int(raw)).first()
        if record is None:
            raise Http404
    else:
        record = imports.order_by("-pk").first()
    body = services.errors_csv(record) if record is not None else services.errors_csv(ObservationImport(report={}))
    resp = HttpResponse(body, content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="import-errors-{record.pk if record else 0}.csv"'
    return resp


@scoped("reviewer")
@require_POST
def exceptional_day_add(request: HttpRequest) -> HttpResponse:
    from django.core.exceptions import ValidationError

    from envgov.apps.air import actions

    form = ExceptionalDayForm(request.POST)
    if form.is_valid():
        try:
            actions.mark_exceptional_day(_district(request), acting_user=request.user, day=form.cleaned_data["day"],
                                         note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("air_dashboard")
        updated = services.refresh_air_targets(_district(request))
        text = ngettext("已标记沙尘日 %(day)s，重新计算目标 %(n)s 项", "已标记沙尘日 %(day)s，重新计算目标 %(n)s 项", updated)
        messages.success(request, text % {"day": f"{form.cleaned_data['day']:%Y-%m-%d}", "n": updated})
    else:
        messages.error(request, gettext("请填写日期和依据"))
    return redirect("air_dashboard")


@scoped("reviewer")
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    today = dt.date.today()
    n = services.refresh_air_targets(district)
    text = ngettext("已重新计算 %(n)s 项空气质量目标（%(day)s）", "已重新计算 %(n)s 项空气质量目标（%(day)s）", n)
    messages.success(request, text % {"n": n, "day": f"{today:%Y-%m-%d}"})
    return redirect("air_dashboard")
