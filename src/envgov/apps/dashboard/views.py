"""驾驶舱 pages: the district's dashboard (signed in) and its public page (no login, no internal data)."""
from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from envgov.apps.accounts.scope import plans_for, scoped, supervision_for, tasks_for
from envgov.apps.audit import clock
from envgov.apps.dashboard import permissions, services
from envgov.apps.disclosure import services as disclosure
from envgov.apps.geo.models import District

PALETTE = ("#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027")  # low → high (lower is better)
NO_DATA = "#cfd8dc"


def colour_classes(values: list[float | None]) -> tuple[list[int | None], list[tuple[float, float]]]:
    """Equal-interval classes (0–4) of the valid values, and the class bounds for the legend."""
    valid = [v for v in values if v is not None]
    if not valid:
        return [None] * len(values), []
    lo, hi = min(valid), max(valid)
    n = len(PALETTE)
    step = (hi - lo) / n if hi > lo else 0
    bounds = [(lo + i * step, lo + (i + 1) * step) for i in range(n)] if step else [(lo, hi)]

    def cls(v: float) -> int:
        return 0 if not step else min(int((v - lo) / step), n - 1)

    return [None if v is None else cls(v) for v in values], bounds


def _map_payload(towns: list[services.TownValue], geo: dict, indicator: tuple[str, str, str] | None) -> dict:
    classes, bounds = colour_classes([t.value for t in towns])
    rows = []
    for t, c in zip(towns, classes):
        row = t.as_dict()
        row["class"] = c
        row["colour"] = NO_DATA if c is None else PALETTE[c]
        rows.append(row)
    derived = any(f["properties"]["source"] == "derived" for f in geo["features"])
    return {
        "geo": geo, "towns": rows, "palette": list(PALETTE), "no_data": NO_DATA,
        "bounds": [[round(a, 1), round(b, 1)] for a, b in bounds], "derived": derived,
        "indicator": {"code": indicator[0], "label": indicator[1], "unit": indicator[2]} if indicator else None,
        "words": {"no_data": _("数据不足"), "derived": _("示意边界"), "imported": _("导入边界"),
                  "valid_days": _("有效天数"), "open": _("点击打开街乡镇页面")},
    }


def _period_choices(today: dt.date) -> list[tuple[str, str]]:
    keys = [services.default_period_key(today), f"{today.year}-ytd"]
    keys += [f"{today.year}-{m:02d}" for m in range(today.month, 0, -1)]
    keys += [f"{today.year}-Q{q}" for q in range((today.month - 1) // 3 + 1, 0, -1)]
    keys += [f"{today.year - 1}", f"{today.year - 1}-ytd"]
    out = []
    for key in keys:
        period, warning = services.parse_period(key, today)
        if not warning:
            out.append((period.key or key, period.label))
    return out


def _indicator(request: HttpRequest, choices: list[tuple[str, str, str]]) -> tuple[str, str, str] | None:
    wanted = request.GET.get("indicator", "pm25")
    return next((c for c in choices if c[0] == wanted), choices[0] if choices else None)


@scoped("any_user")
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    district = user.district
    if district is None or not permissions.can_view_dashboard(user, district):
        raise Http404(_("您的账号不属于任何区，没有驾驶舱"))
    today = clock.today()
    period, warning = services.parse_period(request.GET.get("period"), today)
    choices = services.indicators()
    indicator = _indicator(request, choices)
    version = services.data_version(district)
    towns = services.town_values(district, period, indicator[0], version) if indicator else []
    for t in towns:
        t.url = services.town_link(user, t.id)
    geo = services.town_geojson(district, version)
    plan = services.current_plan(plans_for(user))
    overview, items = services.ledger(plan, tasks_for(user), supervision_for(user), today)
    years = (today.year - 1, today.year)
    trend = services.monthly_means(district, years, "pm25", version)
    data = _map_payload(towns, geo, indicator)
    data["trend"] = {"years": [str(y) for y in years], "series": [[m["value"] for m in trend[y]] for y in years],
                     "months": [_("%(month)d月") % {"month": m} for m in range(1, 13)]}
    chart = {key: [{"name": c.label, "total": c.total, "completed": c.completed, "overdue": c.overdue} for c in rows]
             for key, rows in (("areas", overview.by_area if overview else []),
                               ("units", overview.by_unit if overview else []))}
    return render(request, "dashboard/dashboard.html", {
        "district": district, "period": period, "period_warning": warning, "periods": _period_choices(today),
        "indicators": choices, "indicator": indicator, "towns": data["towns"], "data": data, "chart": chart,
        "plan": plan, "kpis": services.kpis(plan, version), "o": overview, "items": items, "today": today,
        "trend": trend, "years": years,
    })


@scoped("public")
@cache_control(public=True, max_age=300)
def public_page(request: HttpRequest, adcode: str) -> HttpResponse:
    """The district's public page: air quality by town and the published circulars — no names of people,
    no tasks, no 督办 (permissions.PUBLIC_PARTS)."""
    district = get_object_or_404(District, adcode=adcode)
    today = clock.today()
    period, warning = services.parse_period(request.GET.get("period"), today)
    version = services.data_version(district)
    choices = [c for c in services.indicators() if c[0] in services.PUBLIC_INDICATORS]
    indicator = _indicator(request, choices)
    towns = services.town_values(district, period, indicator[0], version) if indicator else []
    data = _map_payload(towns, services.town_geojson(district, version), indicator)
    return render(request, "dashboard/public.html", {
        "district": district, "period": period, "period_warning": warning, "periods": _period_choices(today),
        "indicators": choices, "indicator": indicator, "data": data, "towns": data["towns"],
        "rows": services.public_air(district, period, version),
        "circulars": services.published_circulars(district), "today": today,
        "drinking_water": disclosure.drinking_water(district),
    })
