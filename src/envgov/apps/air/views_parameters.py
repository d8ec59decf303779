"""The page of user-set air parameters: the rules the reference marks UNCONFIRMED, the values in force for
the district, who set them and on what basis. Everyone signed in may read it (results depend on it);
coordinators and administrators may change it, which recomputes the daily results and targets."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from envgov.apps.air import permissions
from envgov.apps.accounts.scope import scoped
from envgov.apps.air import services
from envgov.standards import air as std


def _other_unconfirmed() -> list[dict[str, str]]:
    """Unconfirmed rules with no alternative value to choose: kept as they are and shown as unconfirmed."""
    out = []
    for ed, m in std.PERCENTILE_METHOD.items():
        if m["confidence"] == "unconfirmed":
            out.append({"rule": gettext("百分位数计算方法（%(ed)s 版）") % {"ed": ed}, "source": m["source"],
                        "in_use": gettext("沿用 HJ 663-2013 附录 A 的线性插值")})
    for ed in ("2012", "2026"):
        items = std.assessment_items(ed)
        if items and items[0].confidence == "unconfirmed":
            out.append({"rule": gettext("年评价项目与百分位（%(ed)s 版）") % {"ed": ed}, "source": items[0].source,
                        "in_use": gettext("沿用 2013 版：SO2、NO2 第98百分位；PM10、PM2.5、CO 第95百分位；O3 第90百分位")})
    for rule in std.EXCEPTIONAL_EVENT_RULES.values():
        out.append({"rule": rule.document, "source": f"{rule.note}（{rule.designated_by}）",
                    "in_use": gettext("由用户在空气质量页逐日标记沙尘/例外事件日，原始与扣除后结果并列")})
    return out


@scoped("any_user")
def air_parameters(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    return render(request, "air/air_parameters.html", {
        "rows": services.air_parameter_rows(district),
        "other": _other_unconfirmed(),
        "can_edit": permissions.can_set_air_parameters(request.user, district),
    })


@scoped("reviewer")
@require_POST
def air_parameters_save(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    values = {}
    for p in std.parameters.PARAMETERS:
        name = f"p_{p.key}"
        if p.kind == "bool":
            values[p.key] = request.POST.get(name) == "on"
        elif name in request.POST:
            values[p.key] = request.POST[name]
    try:
        outcome = services.set_air_parameters(district, acting_user=request.user, values=values,
                                              reason=request.POST.get("reason", ""))
    except ValueError as exc:
        messages.error(request, gettext("未保存：%(reason)s") % {"reason": exc})
        return redirect("air_parameters")
    if not outcome.changed:
        messages.info(request, gettext("参数没有变化"))
    else:
        text = gettext("已保存 %(n)s 项参数，重新计算日报 %(days)s 条、目标 %(targets)s 项")
        messages.success(request, text % {"n": len(outcome.changed), "days": outcome.days_refreshed,
                                          "targets": outcome.targets_updated})
    return redirect("air_parameters")
