"""接诉即办 pages: the orders a user may see, one order with the forms its reader may use (phone-friendly:
one column, big buttons), the import with its template, the category rules, the 三率 parameters, and the
month's 三率 per unit and town with the repeated addresses and the town heat map."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from envgov.apps.accounts.scope import scoped
from envgov.apps.audit import clock
from envgov.apps.complaints import actions, permissions, services
from envgov.apps.complaints.models import STAGE_WORDS, ComplaintImport, WorkOrder
from envgov.rules import complaints as rules
from envgov.web.forms import form_errors


class ImportForm(forms.Form):
    file = forms.FileField(label=_("工单文件（XLSX / CSV，按导入模板）"))


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("承办单位"), queryset=None)
    deadline = forms.DateField(label=_("办结时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    limit_hours = forms.FloatField(label=_("响应时限（小时，空：按三率参数）"), required=False, min_value=0.1,
                                   widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, district=None, **kwargs):
        super().__init__(*args, **kwargs)
        from envgov.apps.accounts.models import Unit

        self.fields["unit"].queryset = Unit.objects.filter(district=district).order_by("name")


class VisitForm(forms.Form):
    resolved = forms.TypedChoiceField(label=_("解决情况"), required=False, empty_value=None,
                                      coerce=lambda v: v == "yes",
                                      choices=[("", _("未评价")), ("yes", _("已解决")), ("no", _("未解决"))])
    satisfaction = forms.ChoiceField(label=_("满意度"), required=False,
                                     choices=[("", _("未评价"))] + list(WorkOrder.Satisfaction.choices))
    version = forms.IntegerField(widget=forms.HiddenInput)


class CorrectForm(forms.Form):
    category = forms.CharField(label=_("诉求类别（空：按类别规则判定）"), max_length=30, required=False)
    town = forms.ModelChoiceField(label=_("街乡镇（空：按地址判定）"), queryset=None, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, district=None, **kwargs):
        super().__init__(*args, **kwargs)
        from envgov.apps.geo.models import Town

        self.fields["town"].queryset = Town.objects.filter(district=district, active=True).order_by("code")


def _district(request: HttpRequest):
    return request.user.district


def _own_order(request: HttpRequest, order_id: int) -> WorkOrder:
    return get_object_or_404(permissions.orders_for(request.user).select_related("unit", "town", "reopen_of"),
                             pk=order_id)


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _done(request: HttpRequest, order: WorkOrder, call, ok: str) -> HttpResponse:
    from envgov.apps.plans.actions import StaleEdit

    try:
        call()
    except StaleEdit as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": " ".join(exc.messages)})
    else:
        messages.success(request, ok)
    return redirect("complaint_detail", order_id=order.pk)


@scoped("any_user")
def order_list(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    qs = permissions.orders_for(request.user).select_related("unit", "town")
    months = services.months_with_orders(district) if district else []
    month = request.GET.get("month", "")
    if month:
        try:
            start, end = services.month_bounds(month)
        except ValueError:
            raise Http404 from None
        qs = qs.filter(dispatched_at__gte=start, dispatched_at__lt=end)
    stage = request.GET.get("stage", "")
    q = (request.GET.get("q") or "").strip()
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(number__icontains=q) | Q(address__icontains=q) | Q(content__icontains=q))
    cats = services.category_rules(district) if district else rules.DEFAULT_CATEGORIES
    rows = []
    for o in qs[:5000]:
        if stage and o.stage != stage:
            continue
        cat, how = services.category_of(o, cats)
        rows.append({"o": o, "category": cat, "how": how, "stage": STAGE_WORDS[o.stage]})
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    manage = permissions.can_manage_orders(request.user, district)
    return render(request, "complaints/list.html", {
        "page": page, "months": months, "month": month, "stage": stage, "q": q, "stages": STAGE_WORDS.items(),
        "can_manage": manage, "can_rates": permissions.can_view_rates(request.user, district),
        "simulated": WorkOrder.objects.filter(district=district, is_simulated=True).exists() if district else False,
        "query": request.GET.urlencode(),
    })


@scoped("any_user")
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    o = _own_order(request, order_id)
    manage = permissions.can_manage_orders(request.user, o.district_id)
    cats = services.category_rules(o.district)
    cat, how = services.category_of(o, cats)
    ctx = {"o": o, "category": cat, "how": how, "stage": STAGE_WORDS[o.stage], "can_manage": manage,
           "can_answer": permissions.can_answer(request.user, o),
           "reopenings": list(o.reopenings.all()), "categories": [gettext(c) for c in cats.categories]}
    if manage:
        ctx["assign_form"] = AssignForm(district=o.district, initial={
            "unit": o.unit_id, "deadline": o.deadline, "limit_hours": o.limit_hours, "version": o.version})
        ctx["visit_form"] = VisitForm(initial={
            "resolved": "" if o.resolved is None else ("yes" if o.resolved else "no"), "satisfaction": o.satisfaction,
            "version": o.version})
        ctx["correct_form"] = CorrectForm(district=o.district, initial={
            "category": o.category, "town": o.town_id if o.town_manual else None, "version": o.version})
    return render(request, "complaints/detail.html", ctx)


@scoped("reviewer")
@require_POST
def order_assign(request: HttpRequest, order_id: int) -> HttpResponse:
    o = _own_order(request, order_id)
    form = AssignForm(request.POST, district=o.district)
    if not form.is_valid():
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
        return redirect("complaint_detail", order_id=o.pk)
    d = form.cleaned_data
    return _done(request, o, lambda: actions.assign_order(
        o, acting_user=request.user, expected_version=d["version"], unit=d["unit"], deadline=d["deadline"],
        limit_hours=d["limit_hours"]), gettext("已派单给 %(unit)s") % {"unit": d["unit"].name})


@scoped("any_user")
@require_POST
def order_sign(request: HttpRequest, order_id: int) -> HttpResponse:
    o = _own_order(request, order_id)
    return _done(request, o, lambda: actions.sign_order(o, acting_user=request.user,
                                                        expected_version=_version(request)), gettext("已签收"))


@scoped("any_user")
@require_POST
def order_reply(request: HttpRequest, order_id: int) -> HttpResponse:
    o = _own_order(request, order_id)
    return _done(request, o, lambda: actions.reply_order(o, acting_user=request.user, expected_version=_version(request),
                                                         reply=request.POST.get("reply", "")), gettext("已保存答复"))


@scoped("reviewer")
@require_POST
def order_visit(request: HttpRequest, order_id: int) -> HttpResponse:
    o = _own_order(request, order_id)
    form = VisitForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
        return redirect("complaint_detail", order_id=o.pk)
    d = form.cleaned_data
    return _done(request, o, lambda: actions.record_visit(o, acting_user=request.user, expected_version=d["version"],
                                                          resolved=d["resolved"], satisfaction=d["satisfaction"]),
                 gettext("已登记回访结果"))


@scoped("reviewer")
@require_POST
def order_correct(request: HttpRequest, order_id: int) -> HttpResponse:
    o = _own_order(request, order_id)
    form = CorrectForm(request.POST, district=o.district)
    if not form.is_valid():
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": form_errors(form)})
        return redirect("complaint_detail", order_id=o.pk)
    d = form.cleaned_data
    return _done(request, o, lambda: actions.correct_order(o, acting_user=request.user, expected_version=d["version"],
                                                           category=d["category"], town=d["town"]),
                 gettext("已保存类别和街乡镇"))


@scoped("reviewer")
@require_POST
def order_reopen(request: HttpRequest, order_id: int) -> HttpResponse:
    o = _own_order(request, order_id)
    try:
        new = actions.reopen_order(o, acting_user=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, gettext("未重启：%(reason)s") % {"reason": " ".join(exc.messages)})
        return redirect("complaint_detail", order_id=o.pk)
    messages.success(request, gettext("已重启为工单 %(number)s") % {"number": new.number})
    return redirect("complaint_detail", order_id=new.pk)


@scoped("reviewer")
def order_import(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    outcome, status, form = None, 200, ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            from envgov.web import uploads

            try:
                uploads.check_upload(form.cleaned_data["file"], kinds={"csv", "txt", "xlsx"},
                                     max_bytes=uploads.max_request_bytes(request))
            except ValidationError as exc:
                form.add_error("file", exc.messages)
        if form.is_valid():
            outcome = services.import_file(form.cleaned_data["file"], district=district, acting_user=request.user)
            r = outcome.record
            if r.state == ComplaintImport.State.ACCEPTED:
                messages.success(request, gettext("导入成功：新增工单 %(c)s 件，补充 %(u)s 件，已入库未变 %(n)s 件")
                                 % {"c": r.created, "u": r.updated, "n": r.unchanged})
            else:
                status = 422
                messages.error(request, gettext("文件未通过校验，没有写入任何数据。请按下列错误修改后重新上传。"))
        else:
            status = 422
    history = ComplaintImport.objects.filter(district=district).select_related("uploaded_by")[:20]
    return render(request, "complaints/import.html", {"form": form, "outcome": outcome, "history": history,
                                                      "header": "、".join(services.TEMPLATE_HEADER)}, status=status)


@scoped("reviewer")
def import_template(request: HttpRequest) -> HttpResponse:
    resp = HttpResponse(services.template_xlsx(),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = "attachment; filename*=UTF-8''%E5%B7%A5%E5%8D%95%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    return resp


@scoped("reviewer")
def category_rules(request: HttpRequest) -> HttpResponse:
    from envgov.apps.complaints.models import CategoryRuleSet

    district = _district(request)
    rs = CategoryRuleSet.objects.filter(district=district).select_related("updated_by").first()
    cats = services.category_rules(district)
    text, status = services.rules_text(cats), 200
    if request.method == "POST":
        text = request.POST.get("rules", "")
        try:
            version = int(request.POST["version"]) if request.POST.get("version") else None
            actions.save_rules(district, acting_user=request.user, text=text, expected_version=version)
        except (ValueError, ValidationError) as exc:
            status = 422
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": reason})
        else:
            messages.success(request, gettext("已保存类别规则"))
            return redirect("complaint_rules")
    return render(request, "complaints/rules.html", {"rules_text": text, "rs": rs, "cats": cats,
                                                     "is_default": rs is None, "other": gettext(cats.other)},
                  status=status)


@scoped("oversight")
def parameters(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    return render(request, "complaints/parameters.html", {
        "rows": services.parameter_rows(district) if district else [],
        "can_set": permissions.can_set_parameters(request.user, district),
        "citation": services.cite(rules.RULE_CITATION)})


@scoped("reviewer")
@require_POST
def parameters_save(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    values = {p.key: request.POST[f"p_{p.key}"] for p in rules.PARAMETERS if f"p_{p.key}" in request.POST}
    try:
        changed = actions.set_parameters(district, acting_user=request.user, values=values,
                                         reason=request.POST.get("reason", ""))
    except ValueError as exc:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": str(exc)})
    else:
        if changed:
            messages.success(request, gettext("已保存 %(n)s 项三率参数") % {"n": len(changed)})
        else:
            messages.info(request, gettext("参数没有变化"))
    nxt = request.POST.get("next", "")
    if nxt.startswith(reverse("complaint_rates")):
        return redirect(nxt)
    return redirect("complaint_parameters")


def _month(request: HttpRequest, months: list[str]) -> str:
    month = request.GET.get("month") or (months[-1] if months else clock.today().strftime("%Y-%m"))
    try:
        return rules.parse_month(month)
    except ValueError:
        raise Http404 from None


@scoped("oversight")
def rates(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    if district is None:
        raise Http404
    months = services.months_with_orders(district)
    month = _month(request, months)
    outcome = services.month_result(district, month)
    missing = []
    if outcome.missing:
        numbers = {n for line in outcome.missing.values() for n in line}
        ids = dict(WorkOrder.objects.filter(district=district, number__in=numbers).values_list("number", "pk"))
        for line in outcome.missing_lines():
            line["links"] = [(n, ids.get(n)) for n in line["orders"][:20]]
            line["more"] = max(0, len(line["orders"]) - 20)
            missing.append(line)
    result = outcome.result
    from envgov.apps.plans.models import Plan

    return render(request, "complaints/rates.html", {
        "months": months, "month": month, "outcome": outcome, "result": result, "missing": missing,
        "rows": services.rate_rows(result) if result else [],
        "repeats": services.repeats_with_follow_ups(district, result) if result else [],
        "by_category": [(gettext(k), v) for k, v in result.by_category.items()] if result else [],
        "warnings": [gettext(w) for w in result.warnings] if result else [],
        "params": services.parameter_rows(district),
        "map": services.heat_payload(district, result, month),
        "citation": services.cite(rules.RULE_CITATION),
        "can_manage": permissions.can_manage_orders(request.user, district),
        "plans": Plan.objects.filter(district=district, status=Plan.Status.ISSUED).order_by("-year", "-pk"),
        "due": clock.today() + dt.timedelta(days=7),
    })


@scoped("oversight")
def rates_xlsx(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    if district is None:
        raise Http404
    month = _month(request, services.months_with_orders(district))
    outcome = services.month_result(district, month)
    if outcome.result is None:
        messages.error(request, gettext("本月三率无法计算：%(reason)s") % {
            "reason": outcome.error or "；".join(line["label"] for line in outcome.missing_lines())})
        return redirect(f"{reverse('complaint_rates')}?month={month}")
    resp = HttpResponse(services.rates_xlsx(outcome.result),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="complaint-rates-{month}.xlsx"'
    return resp


@scoped("reviewer")
@require_POST
def repeat_supervise(request: HttpRequest) -> HttpResponse:
    from envgov.apps.plans.models import Plan

    district = _district(request)
    month = request.POST.get("month", "")
    back = f"{reverse('complaint_rates')}?month={month}"
    plan = Plan.objects.filter(district=district, pk=_int(request.POST.get("plan"))).first()
    try:
        month = rules.parse_month(month)
        due = dt.date.fromisoformat(request.POST.get("due_date", ""))
    except ValueError:
        messages.error(request, gettext("未发起督办：请填写月份和反馈时限"))
        return redirect(back)
    try:
        follow, created = actions.supervise_repeat(district, acting_user=request.user, plan=plan, month=month,
                                                   address_key=request.POST.get("address", ""), due_date=due)
    except ValidationError as exc:
        messages.error(request, gettext("未发起督办：%(reason)s") % {"reason": " ".join(exc.messages)})
        return redirect(back)
    if created:
        messages.success(request, gettext("已发起督办：%(title)s") % {"title": follow.item.title})
    else:
        messages.info(request, gettext("该地址本月已转为督办"))
    return redirect(back)


def _int(v) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0
