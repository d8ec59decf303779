"""Pages of town rankings (排名): the ranking, the town figures, one town's months, the monthly measures
(entry and import) and the district's settings. Views read through envgov.apps.rankings.services and
write through envgov.apps.rankings.actions."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from envgov.apps.accounts.scope import plans_for, scoped
from envgov.apps.audit import clock
from envgov.apps.geo.models import Town
from envgov.apps.plans.actions import error_text
from envgov.apps.plans.models import Plan
from envgov.apps.rankings import actions, export, permissions, services
from envgov.apps.rankings.models import RankingSettings, TownMeasure
from envgov.engine.towns import PERIOD_HELP, default_period
from envgov.rules import ranking as rules
from envgov.web import uploads


def _district(request: HttpRequest):  # noqa: ANN202
    district = request.user.district
    if district is None:
        raise Http404(gettext("您的账号未关联区，无法查看街乡镇排名"))
    return district


def _choices(today: dt.date) -> dict:
    months = []
    y, m = today.year, today.month
    for _ in range(24):
        months.append(f"{y}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    quarters = [f"{today.year - k}-Q{q}" for k in (0, 1) for q in (4, 3, 2, 1)
                if dt.date(today.year - k, 3 * q - 2, 1) <= today]
    years = [f"{today.year}-ytd", str(today.year - 1), str(today.year - 2)]
    return {"months": months, "quarters": quarters, "years": years,
            "indicators": [(k, v.label, v.unit) for k, v in rules.INDICATORS.items()],
            "methods": [(k, rules.RULES[k].label) for k in rules.BY_CHOICES]}


def _read_query(request: HttpRequest) -> tuple[str, str, str]:
    today = clock.today()
    period = (request.GET.get("period") or "").strip() or default_period(today)
    indicator = (request.GET.get("indicator") or "pm25").strip().lower()
    by = (request.GET.get("by") or rules.CONCENTRATION).strip().lower()
    return period, indicator, by


def _bad_request(request: HttpRequest, template: str, context: dict, message: str) -> HttpResponse:
    messages.error(request, message)
    return render(request, template, context, status=400)


@scoped("any_user")
def ranking(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    period, indicator, by = _read_query(request)
    context = {"period_text": period, "indicator": indicator, "by": by, "period_help": PERIOD_HELP,
               **_choices(clock.today())}
    if indicator not in rules.INDICATORS:
        return _bad_request(request, "rankings/ranking.html", context, services.indicator_error(indicator))
    if by not in rules.BY_CHOICES:
        return _bad_request(request, "rankings/ranking.html", context,
                            gettext("排名方式应为 concentration（浓度）、improvement（改善幅度）或 composite（综合）"))
    try:
        result = services.rank_towns(district, period, indicator, by=by)
    except services.PeriodError as exc:
        return _bad_request(request, "rankings/ranking.html", context, str(exc))
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(export.ranking_xlsx(result, district.name),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{export.file_name(result, district.name)}"
        return response
    can_supervise = permissions.can_open_ranking_supervision(request.user, district)
    plans = list(plans_for(request.user).filter(district=district, status=Plan.Status.ISSUED).order_by("-year"))
    default_plan = next((p for p in plans if p.year == result.period.end.year), plans[0] if plans else None)
    from envgov.apps.supervision.models import SupervisionItem

    existing = {i.addressee_town_id: i for i in SupervisionItem.objects.filter(
        plan__district=district, source=SupervisionItem.Source.RANKING, cause_key=actions.cause_key(result))}
    ind = rules.INDICATORS[indicator]
    context.update({
        "result": result, "ind": ind, "rule": rules.RULES[by], "settings": services.settings_for(district),
        "ranked": [r for r in result.rows if r.rank is not None], "insufficient": result.insufficient,
        "existing": existing, "can_supervise": can_supervise and bool(result.flagged), "plans": plans,
        "default_plan": default_plan, "query": urlencode({"period": result.period.key or period,
                                                          "indicator": indicator, "by": by}),
        "simulated": _simulated(district, ind), "bottom_default": rules.BOTTOM_N_CITATION,
        "kind_weights": [(label, result.rule.weights["station_kinds"].get(k)) for k, label in _kind_labels()],
        "composite_items": [(rules.INDICATORS[k].label, v) for k, v in result.rule.weights.get("composite", {}).items()
                            if k in rules.INDICATORS],
    })
    return render(request, "rankings/ranking.html", context)


def _kind_labels() -> list[tuple[str, str]]:
    from envgov.apps.rankings.models import StationKind

    return list(StationKind.choices)


def _simulated(district, ind: rules.IndicatorDef) -> bool:  # noqa: ANN001
    from envgov.apps.air.models import Station

    if ind.source == "air":
        return Station.objects.filter(district=district, is_simulated=True).exists()
    return TownMeasure.objects.filter(district=district, indicator=ind.code, is_simulated=True).exists()


@scoped("reviewer")
@require_POST
def supervise(request: HttpRequest) -> HttpResponse:
    """Open 督办 for the towns the ranking (as the form names it) flags."""
    district = _district(request)
    period, indicator, by = (request.POST.get("period", ""), request.POST.get("indicator", ""),
                             request.POST.get("by", rules.CONCENTRATION))
    back = reverse("ranking") + "?" + urlencode({"period": period, "indicator": indicator, "by": by})
    plan = plans_for(request.user).filter(district=district, pk=_int(request.POST.get("plan"))).first()
    if plan is None:
        messages.error(request, gettext("请选择本区已印发的计划"))
        return redirect(back)
    task = plan.tasks.filter(pk=_int(request.POST.get("task"))).first() if request.POST.get("task") else None
    due = None
    if request.POST.get("due_date"):
        try:
            due = dt.date.fromisoformat(request.POST["due_date"])
        except ValueError:
            messages.error(request, gettext("反馈时限格式应为 YYYY-MM-DD"))
            return redirect(back)
    try:
        result = services.rank_towns(district, period, indicator, by=by)
        outcome = actions.open_supervision(result, district=district, acting_user=request.user, plan=plan,
                                           due_date=due, task=task)
    except (services.PeriodError, services.IndicatorError, ValueError) as exc:
        messages.error(request, str(exc))
        return redirect(back)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(back)
    if outcome.opened:
        messages.success(request, gettext("已对 %(n)s 个排名靠后的街乡镇发起督办：%(towns)s") % {
            "n": len(outcome.opened), "towns": "、".join(str(i.addressee_town) for i in outcome.opened)})
    if outcome.existing:
        messages.info(request, gettext("%(towns)s 已有本次排名的督办，未重复发起") % {
            "towns": "、".join(str(i.addressee_town) for i in outcome.existing)})
    if not outcome.opened and not outcome.existing:
        messages.info(request, gettext("本次排名没有标记为靠后的街乡镇"))
    return redirect(back)


def _int(raw: object) -> int:
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return 0
    return value if 0 < value < 2**63 else 0


@scoped("any_user")
def figures(request: HttpRequest) -> HttpResponse:
    """Every town's figures of every indicator for one period, with completeness."""
    district = _district(request)
    period, _indicator, _by = _read_query(request)
    context = {"period_text": period, "period_help": PERIOD_HELP, **_choices(clock.today())}
    try:
        p = services.period_of(period)
    except services.PeriodError as exc:
        return _bad_request(request, "rankings/figures.html", context, str(exc))
    s = services.settings_for(district)
    columns = [(code, ind, {f.town_id: f for f in services.town_figures(district, p, code, s)})
               for code, ind in rules.INDICATORS.items()]
    towns = Town.objects.filter(district=district, active=True).order_by("code")
    rows = [{"town": t, "cells": [(ind, figs.get(t.pk)) for _code, ind, figs in columns]} for t in towns]
    context.update({"period": p, "columns": columns, "rows": rows, "settings": s})
    return render(request, "rankings/figures.html", context)


@scoped("any_user")
def town(request: HttpRequest, rank_town_id: int) -> HttpResponse:
    """One town: its figures month by month this year and last year, and its stations."""
    district = _district(request)
    t = get_object_or_404(Town.objects.filter(district=district), pk=rank_town_id)
    today = clock.today()
    year = _int(request.GET.get("year")) or today.year
    if year > today.year or year < 1990:
        year = today.year
    s = services.settings_for(district)
    months = [services.parse_period(f"{year}-{m:02d}", today) for m in range(1, 13)
              if dt.date(year, m, 1) <= today]
    table = []
    for code, ind in rules.INDICATORS.items():
        cells = []
        for p in months:
            f = next((f for f in services.town_figures(district, p, code, s) if f.town_id == t.pk), None)
            cells.append(f)
        ytd = next((f for f in services.town_figures(district, f"{year}-ytd" if year == today.year else str(year), code, s)
                    if f.town_id == t.pk), None)
        table.append({"code": code, "ind": ind, "cells": cells, "ytd": ytd})
    from envgov.apps.air.models import Station

    return render(request, "rankings/town.html", {
        "town": t, "year": year, "months": months, "table": table,
        "stations": Station.objects.filter(town=t).order_by("kind", "code"),
        "years": [today.year - k for k in range(3)],
    })


# ------------------------------------------------------------------------- measures

def _measure_indicators() -> list[tuple[str, str, str]]:
    return [(code, label, rules.INDICATORS[code].unit) for code, label in TownMeasure.Indicator.choices]


@scoped("any_user")
def measures(request: HttpRequest) -> HttpResponse:
    """Monthly town measures of one month: the values entered, a form to enter one, and the import."""
    district = _district(request)
    today = clock.today()
    month_text = (request.GET.get("month") or default_period(today)).strip()
    try:
        month = dt.date.fromisoformat(f"{month_text}-01")
    except ValueError:
        messages.error(request, gettext("月份格式应为 2024-03"))
        month = dt.date.fromisoformat(f"{default_period(today)}-01")
    towns = list(Town.objects.filter(district=district, active=True).order_by("code"))
    entered = {(m.town_id, m.indicator): m for m in TownMeasure.objects.filter(district=district, month=month)}
    rows = [{"town": t, "cells": [entered.get((t.pk, code)) for code in TownMeasure.Indicator.values]} for t in towns]
    return render(request, "rankings/measures.html", {
        "month": month, "rows": rows, "indicators": _measure_indicators(), "towns": towns,
        "can_edit": permissions.can_enter_measures(request.user, district),
        "months": _choices(today)["months"], "outcome": None,
        "simulated": any(m.is_simulated for m in entered.values()),
    })


@scoped("reviewer")
@require_POST
def measure_save(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    town_obj = Town.objects.filter(district=district, pk=_int(request.POST.get("town"))).first()
    month_text = request.POST.get("month", "")
    back = reverse("ranking_measures") + "?" + urlencode({"month": month_text[:7]})
    if town_obj is None:
        messages.error(request, gettext("请选择本区的街乡镇"))
        return redirect(back)
    try:
        month = dt.date.fromisoformat(f"{month_text[:7]}-01")
    except ValueError:
        messages.error(request, gettext("月份格式应为 2024-03"))
        return redirect(back)
    try:
        result = actions.save_measure(district, acting_user=request.user, town=town_obj,
                                      indicator=request.POST.get("indicator", ""), month=month,
                                      value=request.POST.get("value", ""), source=request.POST.get("source", ""))
    except ValidationError as exc:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": error_text(exc)})
        return redirect(back)
    text = {"added": gettext("已录入"), "changed": gettext("已修改"), "unchanged": gettext("数值没有变化")}[result]
    messages.success(request, text)
    return redirect(back)


@scoped("reviewer")
def measure_import(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    if request.method != "POST":
        return redirect("ranking_measures")
    f = request.FILES.get("file")
    status, outcome = 200, None
    if f is None:
        messages.error(request, gettext("请选择要导入的文件"))
        status = 422
    else:
        try:
            uploads.check_upload(f, kinds=frozenset({"xlsx", "csv", "txt"}), field="file",
                                 max_bytes=uploads.max_request_bytes(request))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            status = 422
        else:
            outcome = actions.import_measures(f, district=district, acting_user=request.user)
            if outcome.ok:
                messages.success(request, gettext("导入成功：新增 %(added)s 条，修改 %(changed)s 条，未变 %(unchanged)s 条") % {
                    "added": outcome.added, "changed": outcome.changed, "unchanged": outcome.unchanged})
                return redirect("ranking_measures")
            messages.error(request, gettext("文件未通过校验，没有写入任何数据。请按下列错误修改后重新上传。"))
            status = 422
    today = clock.today()
    return render(request, "rankings/measures.html", {
        "month": None, "rows": [], "indicators": _measure_indicators(),
        "towns": list(Town.objects.filter(district=district, active=True).order_by("code")),
        "can_edit": True,
        "months": _choices(today)["months"], "outcome": outcome,
        "errors": [{"row": e.row, "column": e.column, "reason": gettext(e.template) % dict(e.values) if e.values
                    else gettext(e.template)} for e in (outcome.errors if outcome else [])][:500],
    }, status=status)


@scoped("any_user")
def measure_template(request: HttpRequest) -> HttpResponse:
    from envgov.apps.rankings.measures import template_csv

    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E8%A1%97%E4%B9%A1%E9%95%87%E6%9C%88%E5%BA%A6%E6%8C%87%E6%A0%87.csv"
    return response


# ------------------------------------------------------------------------- settings

@scoped("any_user")
def settings_page(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    s = services.settings_for(district)
    refs = services.default_references()
    return render(request, "rankings/settings.html", {
        "s": s, "kinds": _kind_labels(),
        "parameters": rules.PARAMETERS, "bottom_citation": rules.BOTTOM_N_CITATION, "rules": rules.RULES,
        "indicators": [(k, v, s.composite.get(k), refs.get(k)) for k, v in rules.INDICATORS.items()],
        "modes": RankingSettings.WeightingMode.choices, "partials": RankingSettings.PartialMonth.choices,
        "can_edit": permissions.can_set_ranking_settings(request.user, district),
    })


@scoped("reviewer")
@require_POST
def settings_save(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    post = request.POST
    composite = {}
    for code in rules.INDICATORS:
        if post.get(f"c_{code}") == "on":
            composite[code] = {"weight": post.get(f"w_{code}", "1"), "reference": post.get(f"r_{code}", "")}
    try:
        actions.set_settings(
            district, acting_user=request.user,
            weights={k: post.get(f"k_{k}", "1") for k in rules.STATION_KINDS},
            bottom_n=post.get("bottom_n", ""), min_completeness=post.get("min_completeness", ""),
            weighting_mode=post.get("weighting_mode", ""), partial_month=post.get("partial_month", ""),
            composite=composite, change_digits=post.get("change_digits", "1"),
            composite_digits=post.get("composite_digits", "2"), reason=post.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": error_text(exc)})
        return redirect("ranking_settings")
    messages.success(request, gettext("排名设置已保存"))
    return redirect("ranking_settings")
