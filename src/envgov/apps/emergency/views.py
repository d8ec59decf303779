"""重污染应急 pages: overview, the emergency-reduction list and its import, the measure table, the forecast
that gives the warning level and starts it, an episode's action sheet (per town / per unit), check-ins
(phone-friendly), ending the warning and the after-action report (.docx)."""
from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from envgov.apps.accounts.scope import scoped
from envgov.apps.audit import clock
from envgov.apps.emergency import actions, permissions, services
from envgov.apps.emergency.models import GRADE_CHOICES, CheckIn, Episode, ListEntry, ListImport
from envgov.rules import alerts
from envgov.web.forms import form_errors

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class UploadForm(forms.Form):
    file = forms.FileField(label=_("文件（CSV / XLSX）"))


class ForecastForm(forms.Form):
    file = forms.FileField(label=_("预报文件（CSV / XLSX，列：日期、AQI）"), required=False)
    typed = forms.CharField(label=_("或逐日录入（每行：日期,AQI）"), required=False,
                            widget=forms.Textarea(attrs={"rows": 6, "placeholder": "2024-01-10,210"}))


class MeasureForm(forms.Form):
    industry = forms.CharField(label=_("行业（空：适用于没有单独设置的所有行业）"), max_length=60, required=False)
    grade = forms.ChoiceField(label=_("绩效分级"), choices=GRADE_CHOICES)
    level = forms.ChoiceField(label=_("预警级别"), choices=[])
    text = forms.CharField(label=_("措施（空：清除，显示为“未设置”）"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    cut = forms.CharField(label=_("减排比例（%，可空）"), max_length=10, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(c, gettext(alerts.LEVEL_NAMES[c])) for c in services.plan().codes]


class CheckInForm(forms.Form):
    entry = forms.TypedChoiceField(label=_("企业/工地"), coerce=int, choices=[])
    at = forms.DateTimeField(label=_("巡查时间"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    complied = forms.TypedChoiceField(label=_("措施是否落实"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                      choices=[("yes", _("已落实")), ("no", _("未落实"))])
    note = forms.CharField(label=_("情况说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label=_("现场照片（可选）"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [(x["id"], f"{x['name']}（{x['town']} · {gettext(x['grade_label'])}）")
                                        for x in lines]


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("解除日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("解除说明"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


def _district(request: HttpRequest):
    return request.user.district


def _episode(request: HttpRequest, episode_id: int) -> Episode:
    return get_object_or_404(services.episodes_for(request.user, _district(request)).select_related(
        "district", "started_by", "ended_by"), pk=episode_id)


def _checked_upload(form: forms.Form, request: HttpRequest, kinds) -> bool:  # noqa: ANN001
    from envgov.web import uploads

    f = form.cleaned_data.get("file") or form.cleaned_data.get("photo")
    if f is None:
        return True
    try:
        uploads.check_upload(f, kinds=kinds, max_bytes=uploads.max_request_bytes(request),
                             field="file" if "file" in form.cleaned_data else "photo")
    except ValidationError as exc:
        form.add_error("file" if "file" in form.cleaned_data else "photo", exc.messages)
        return False
    return True


@scoped("any_user")
def index(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    episodes = list(services.episodes_for(request.user, district)[:20])
    active = next((e for e in episodes if e.status == Episode.Status.ACTIVE), None)
    return render(request, "emergency/index.html", {
        "active": active, "episodes": episodes, "grades": services.grade_counts(district) if district else [],
        "listed": services.entries_for(request.user, district).filter(active=True).count() if district else 0,
        "can_start": permissions.can_start_warning(request.user, district),
        "plan": services.plan(), "simulated": ListEntry.objects.filter(district=district, is_simulated=True).exists(),
        "target_citation": alerts.LIST_TARGET_CITATION,
    })


@scoped("any_user")
def entry_list(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    entries = services.entries_for(request.user, district).filter(active=True) if district else ListEntry.objects.none()
    return render(request, "emergency/list.html", {
        "entries": entries, "can_edit": permissions.can_edit_list(request.user, district),
        "form": UploadForm(), "simulated": entries.filter(is_simulated=True).exists(),
    })


@scoped("reviewer")
def list_import(request: HttpRequest) -> HttpResponse:
    return _import(request, ListImport.Kind.LIST)


@scoped("reviewer")
def measures_import(request: HttpRequest) -> HttpResponse:
    return _import(request, ListImport.Kind.MEASURES)


def _import(request: HttpRequest, kind: str) -> HttpResponse:
    district = _district(request)
    record, status, form = None, 200, UploadForm()
    if request.method == "POST":
        from envgov.web import uploads

        form = UploadForm(request.POST, request.FILES)
        if form.is_valid() and _checked_upload(form, request, uploads.AIR_DATA - {"parquet"}):
            run = actions.import_list if kind == ListImport.Kind.LIST else actions.import_measures
            record = run(form.cleaned_data["file"], district=district, acting_user=request.user)
            if record.state == ListImport.State.ACCEPTED:
                messages.success(request, gettext("导入成功：%(n)s 行") % {"n": record.rows})
            else:
                status = 422
                messages.error(request, gettext("文件未通过校验，没有写入任何数据。请按下列错误修改后重新上传。"))
        else:
            status = 422
    history = ListImport.objects.filter(district=district, kind=kind).select_related("uploaded_by")[:20]
    return render(request, "emergency/import.html", {"form": form, "record": record, "history": history,
                                                     "kind": kind}, status=status)


@scoped("reviewer")
def list_template(request: HttpRequest) -> HttpResponse:
    from envgov.ingest.emergency_list import TEMPLATE_HEADER

    body = ",".join(TEMPLATE_HEADER) + "\r\n" + \
        "企业,示例企业（模拟）,91110112MA01234567,宋庄镇,家具制造,B,生态环境局,,,\r\n"
    resp = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = "attachment; filename*=UTF-8''" + quote("应急减排清单导入模板.csv")
    return resp


@scoped("any_user")
def measures(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    p = services.plan()
    return render(request, "emergency/measures.html", {
        "rows": services.table_rows(district) if district else [], "levels": [(c, p.rule(c).name) for c in p.codes],
        "can_edit": permissions.can_edit_measures(request.user, district), "form": MeasureForm(),
        "upload": UploadForm(), "grade_treatment": [(alerts.GRADES[g], m) for g, m in alerts.GRADE_TREATMENT.items()],
        "public": [(alerts.LEVEL_NAMES[c], alerts.PUBLIC_MEASURES.get(c, ())) for c in p.codes],
        "unset": services.UNSET, "target_citation": alerts.LIST_TARGET_CITATION,
        "simulated": ListEntry.objects.filter(district=district, is_simulated=True).exists(),
    })


@scoped("reviewer")
@require_POST
def measure_save(request: HttpRequest) -> HttpResponse:
    form = MeasureForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.set_measure(_district(request), acting_user=request.user, industry=d["industry"], grade=d["grade"],
                                level=d["level"], text=d["text"], cut=d["cut"])
        except ValidationError as exc:
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": " ".join(exc.messages)})
        else:
            messages.success(request, gettext("已保存减排措施") if d["text"].strip() else gettext("已清除：该项显示为“未设置”"))
    else:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
    return redirect("emergency_measures")


@scoped("reviewer")
def forecast(request: HttpRequest) -> HttpResponse:
    """预报 → 预警级别: evaluate an uploaded or typed forecast with the plan's rules; 启动预警 on an episode."""
    district = _district(request)
    form, outcome, status = ForecastForm(), None, 200
    if request.method == "POST":
        from envgov.web import uploads

        form = ForecastForm(request.POST, request.FILES)
        if form.is_valid() and _checked_upload(form, request, uploads.AIR_DATA - {"parquet"}):
            if form.cleaned_data["file"] is None and not form.cleaned_data["typed"].strip():
                form.add_error("typed", gettext("请上传预报文件或逐日录入"))
                status = 422
            else:
                outcome = services.evaluate_forecast(form.cleaned_data["file"], form.cleaned_data["typed"])
                if outcome.errors:
                    status = 422
                elif request.POST.get("op") == "start":
                    try:
                        number = int(request.POST.get("episode") or 1)
                    except ValueError:
                        number = 1
                    try:
                        episode = actions.start_warning(district, acting_user=request.user, result=outcome.result,
                                                        episode_number=number)
                    except ValidationError as exc:
                        messages.error(request, " ".join(exc.messages))
                        status = 409
                    else:
                        messages.success(request, gettext("已启动%(level)s，任务单已下发并通知相关单位和街乡镇") % {
                            "level": gettext(alerts.LEVEL_NAMES[episode.level])})
                        return redirect("emergency_episode", episode_id=episode.pk)
        else:
            status = 422
    typed = services.forecast_as_text(outcome.days) if outcome and outcome.days else ""
    return render(request, "emergency/forecast.html", {
        "form": form, "outcome": outcome, "typed": typed, "plan_title": gettext(services.plan().title),
        "active": Episode.objects.filter(district=district, status=Episode.Status.ACTIVE).first(),
        "level_names": alerts.LEVEL_NAMES,
    }, status=status)


@scoped("any_user")
def episode(request: HttpRequest, episode_id: int) -> HttpResponse:
    ep = _episode(request, episode_id)
    by = "unit" if request.GET.get("by") == "unit" else "town"
    lines = services.sheet_lines(ep, request.user)
    town, unit = request.GET.get("town", ""), request.GET.get("unit", "")
    if town:
        lines = [x for x in lines if str(x["town_id"]) == town]
    if unit:
        lines = [x for x in lines if str(x["unit_id"]) == unit]
    can_end = permissions.can_end_warning(request.user, ep) and ep.status == Episode.Status.ACTIVE
    return render(request, "emergency/episode.html", {
        "ep": ep, "by": by, "groups": services.group_lines(lines, by), "public": ep.sheet.get("public", []),
        "filtered": bool(town or unit),
        "checkins": services.checkins_for(request.user, ep)[:200], "compliance": services.compliance(ep),
        "can_end": can_end, "end_form": EndForm(initial={"ended_on": clock.today(), "version": ep.version}),
        "can_report": permissions.can_download_report(request.user, ep),
        "can_check_in": ep.status == Episode.Status.ACTIVE and request.user.role != "auditor",
        "level_name": alerts.LEVEL_NAMES[ep.level], "target_percent": ep.sheet.get("target_percent"),
        "target_citation": ep.sheet.get("target_citation", ""), "unset_short": services.UNSET_SHORT,
        "phases": [{**p, "name": alerts.LEVEL_NAMES[p["level"]]} for p in ep.phases],
    })


@scoped("any_user")
def checkin(request: HttpRequest, episode_id: int) -> HttpResponse:
    ep = _episode(request, episode_id)
    lines = services.sheet_lines(ep, request.user)
    status = 200
    initial = {"at": timezone.localtime(clock.now()).replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M"),
               "entry": request.GET.get("entry")}
    form = CheckInForm(initial=initial, lines=lines)
    if request.method == "POST":
        from envgov.web import uploads

        form = CheckInForm(request.POST, request.FILES, lines=lines)
        if form.is_valid() and _checked_upload(form, request, uploads.IMAGES):
            d = form.cleaned_data
            entry = get_object_or_404(ListEntry, pk=d["entry"], district=ep.district)
            try:
                actions.record_checkin(ep, acting_user=request.user, entry=entry, at=d["at"], complied=d["complied"],
                                       note=d["note"], photo=d["photo"])
            except ValidationError as exc:
                messages.error(request, gettext("未保存：%(reason)s") % {"reason": " ".join(exc.messages)})
                status = 422
            else:
                messages.success(request, gettext("已打卡：%(name)s") % {"name": entry.name})
                return redirect("emergency_episode", episode_id=ep.pk)
        else:
            status = 422
    chosen = next((x for x in lines if str(x["id"]) == str(form["entry"].value())), None)
    return render(request, "emergency/checkin.html", {
        "ep": ep, "form": form, "chosen": chosen, "level_name": alerts.LEVEL_NAMES[ep.level],
        "active": ep.status == Episode.Status.ACTIVE, "lines": lines,
    }, status=status)


@scoped("reviewer")
@require_POST
def end(request: HttpRequest, episode_id: int) -> HttpResponse:
    ep = _episode(request, episode_id)
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
        return redirect("emergency_episode", episode_id=ep.pk)
    try:
        actions.end_warning(ep, acting_user=request.user, expected_version=form.cleaned_data["version"],
                            ended_on=form.cleaned_data["ended_on"], note=form.cleaned_data["note"])
    except actions.StaleEdit as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": " ".join(exc.messages)})
    else:
        messages.success(request, gettext("已解除预警"))
    return redirect("emergency_episode", episode_id=ep.pk)


@scoped("oversight")
def report(request: HttpRequest, episode_id: int) -> HttpResponse:
    from envgov.reports.emergency import after_action_report

    ep = _episode(request, episode_id)
    body = after_action_report(services.summary(ep))
    name = gettext("重污染天气应急响应总结报告-%(start)s.docx") % {"start": f"{ep.start:%Y%m%d}"}
    response = HttpResponse(body, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@scoped("any_user")
def checkin_photo(request: HttpRequest, checkin_id: int) -> HttpResponse:
    from envgov.apps.plans.views_files import file_response

    district = _district(request)
    c = get_object_or_404(CheckIn.objects.select_related("episode"), pk=checkin_id, episode__district=district)
    if not permissions.sees_whole_list(request.user) and c.entry_id not in {
            x["id"] for x in services.sheet_lines(c.episode, request.user)} and c.inspector_id != request.user.pk:
        raise Http404
    if not c.photo:
        raise Http404
    return file_response(c.photo, c.photo.name.rsplit("/", 1)[-1])


