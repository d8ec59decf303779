"""驾驶舱 read side: what the dashboard and the public page show, assembled from the apps that own each figure.

Nothing is computed here that another module already computes (one path per figure):
* town figures — `envgov.apps.rankings.services.town_figures` (period means of the towns' sites);
* target status and projection — `envgov.apps.outlook.services.projection` (the engine's figure);
* task completion by area and unit, open 督办 — `envgov.apps.plans.queries.overview`;
* published circulars — `envgov.apps.circulars.services.published`;
* the district's monthly PM2.5 — the materialised daily values of its assessment set (`monitoring.AirDaily`,
  station NULL, computed by the engine); a month's mean is the mean of its valid daily values, shown when
  the month has the valid days GB 3095 Table 4 asks for, rounded by the standard's report rule — the same
  figure `envgov.engine.air.evaluate` gives for that month (tests/apps/test_dashboard.py checks it).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Avg, Count, Max, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from envgov.apps.dashboard import permissions
from envgov.apps.geo.models import District, Town
from envgov.apps.air.models import AirDaily
from envgov.apps.plans import queries
from envgov.apps.plans.models import Plan, Target
from envgov.apps.supervision.models import SupervisionItem
from envgov.standards import air as std

MAP_INDICATORS = ("pm25", "pm10", "dustfall", "tsp", "road_dust")  # offered when rankings knows them
PUBLIC_INDICATORS = ("pm25", "pm10")
SUPERVISION_SHOWN = 20
CACHE_SECONDS = 300  # the cache key also holds the data's version: a new import or boundary shows at once


# ------------------------------------------------------------------------------------ periods, indicators

def rankings():  # noqa: ANN201 - the rankings app's services module, or None before it is installed
    try:
        from envgov.apps.rankings import services
    except ImportError:
        return None
    return services


def indicators() -> list[tuple[str, str, str]]:
    """(code, label, unit) of the indicators the map may be coloured by."""
    try:
        from envgov.rules.ranking import INDICATORS
    except ImportError:
        return []
    return [(c, _(INDICATORS[c].label), INDICATORS[c].unit) for c in MAP_INDICATORS if c in INDICATORS]


def default_period_key(today: dt.date) -> str:
    """This year up to the end of the last complete month (a month still running has too few days for a
    valid mean, GB 3095 Table 4); in January, last year."""
    if today.month == 1:
        return str(today.year - 1)
    last = dt.date(today.year, today.month, 1) - dt.timedelta(days=1)
    return f"{today.year}-01-01..{last.isoformat()}"


def parse_period(text: str | None, today: dt.date):  # noqa: ANN201 - (envgov.engine.towns.TownPeriod, message)
    """The period asked for ("2024-03", "2024-Q1", "2024", "2024-ytd", "2024-01-01..2024-08-31"), by default
    `default_period_key`; a text that is no period gives the default and says so."""
    from envgov.engine.towns import PeriodError
    from envgov.engine.towns import parse_period as parse

    default = default_period_key(today)
    try:
        return parse((text or default).strip(), today), ""
    except (PeriodError, ValueError) as exc:
        fallback = parse(default, today)
        return fallback, _("时段“%(text)s”无法识别（%(why)s），已显示%(period)s。") % {
            "text": text[:40], "why": exc, "period": fallback.label}


def data_version(district: District) -> str:
    """What the cached figures depend on, cheaply: it changes when daily results are refreshed (rows are
    replaced, so the largest id grows; and every import's finish time), a town or its
    boundary changes, a station is added or moved to another town, a town measure is entered, or a
    ranking or standards setting is set. Part of every cache key below."""
    from envgov.apps.air.models import AirParameter, ObservationImport, Station

    parts: list[object] = [district.pk]
    # any refresh replaces daily rows with new ones: the table's largest id (the primary key's last entry,
    # not a scan of the district's rows) grows with every refresh of any district
    parts += AirDaily.objects.aggregate(m=Max("id")).values()
    parts += ObservationImport.objects.filter(district=district).aggregate(m=Max("finished_at")).values()
    parts += Town.objects.filter(district=district).aggregate(v=Max("version"), n=Count("id")).values()
    parts += Station.objects.filter(district=district).aggregate(
        n=Count("id"), v=Max("version"), t=Sum("town_id"), a=Count("id", filter=Q(active=True))).values()
    parts += AirParameter.objects.filter(district=district).aggregate(m=Max("set_at")).values()
    try:
        from envgov.apps.rankings.models import RankingSettings, SiteWeighting, TownMeasure
    except ImportError:
        pass
    else:
        parts += TownMeasure.objects.filter(district=district).aggregate(m=Max("entered_at"), n=Count("id")).values()
        parts += RankingSettings.objects.filter(district=district).aggregate(m=Max("set_at")).values()
        parts += SiteWeighting.objects.filter(district=district).aggregate(m=Max("set_at")).values()
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:16]


# ------------------------------------------------------------------------------------ the map

def town_geojson(district: District, version: str | None = None) -> dict:
    """FeatureCollection of the district's active towns with a boundary (WGS84, as stored); properties:
    id, name, source (derived = 示意边界 / imported), point (a point inside the town)."""
    key = f"dash:geo:{district.pk}:{version or data_version(district)}"
    found = cache.get(key)
    if found is not None:
        return found
    from envgov.geo.towns import as_area

    features = []
    for pk, name, boundary, source in (Town.objects.filter(district=district, active=True)
                                       .exclude(boundary=None).order_by("code")
                                       .values_list("pk", "name", "boundary", "boundary_source")):
        inside = as_area(boundary).representative_point()  # a point surely inside (labels, tests)
        features.append({"type": "Feature", "geometry": boundary, "properties": {
            "id": pk, "name": name, "source": source, "point": [round(inside.x, 6), round(inside.y, 6)]}})
    out = {"type": "FeatureCollection", "features": features}
    cache.set(key, out, CACHE_SECONDS)
    return out


def town_link(user, town_id: int) -> str:  # noqa: ANN001
    """The town's page the map opens: its rankings page when the rankings app has one, else (for the
    district administrator) its management page; "" when the viewer has none to open."""
    for page, name, kwarg in (("rankings", "ranking_town", "rank_town_id"), ("manage", "manage_town", "town_id")):
        if not permissions.can_open_town_page(user, page):
            continue
        try:
            return reverse(name, kwargs={kwarg: town_id})
        except NoReverseMatch:  # the rankings app's pages are not installed (yet)
            continue
    return ""


@dataclass
class TownValue:
    id: int
    name: str
    value: float | None
    valid_days: int
    days: int
    completeness: float
    sites: int
    note: str
    url: str = ""

    @property
    def text(self) -> str:
        """The reported value as written (71, 0.85): the rankings' rounding, without a float's trailing .0."""
        return "" if self.value is None else f"{self.value:g}"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "value": self.value, "text": self.text, "valid_days": self.valid_days,
                "days": self.days, "completeness": round(self.completeness, 3), "sites": self.sites,
                "note": self.note, "url": self.url}


def town_values(district: District, period, indicator: str, version: str | None = None) -> list[TownValue]:  # noqa: ANN001
    """The towns' figures of `indicator` for `period` from the rankings app (cached with the data version)."""
    r = rankings()
    if r is None:
        return []
    key = f"dash:towns:{district.pk}:{version or data_version(district)}:{period.key or period.start}:{period.end}:{indicator}"
    found = cache.get(key)
    if found is None:
        found = [TownValue(f.town_id, f.town, f.value, f.valid_days, f.days, f.completeness, f.sites, f.note)
                 for f in r.town_figures(district, period, indicator)]
        cache.set(key, found, CACHE_SECONDS)
    return found


# ------------------------------------------------------------------------------------ trend

def monthly_means(district: District, years: tuple[int, ...], pollutant: str = "pm25",
                  version: str | None = None) -> dict[int, list[dict]]:
    """Per year, 12 months of the district set's monthly mean {month, value, valid_days, short} (value
    None for a month without enough valid days; `short` says so)."""
    key = f"dash:trend:{district.pk}:{version or data_version(district)}:{pollutant}:{','.join(map(str, years))}"
    found = cache.get(key)
    if found is not None:
        return found
    rows = (AirDaily.objects.filter(district=district, station__isnull=True, day__year__in=years,
                                    **{f"{pollutant}__isnull": False})
            .annotate(y=ExtractYear("day"), m=ExtractMonth("day")).order_by()
            .values("y", "m").annotate(mean=Avg(pollutant), n=Count("id")))
    got = {(r["y"], r["m"]): (r["mean"], r["n"]) for r in rows}
    out: dict[int, list[dict]] = {}
    for year in years:
        edition = std.edition_for(dt.date(year, 1, 1)).key
        rules = std.validity_rules(edition)
        months = []
        for month in range(1, 13):
            mean, n = got.get((year, month), (None, 0))
            need = rules.february_min_days if month == 2 else rules.monthly_min_days
            value = (float(std.round_concentration(edition, pollutant, mean, "report"))
                     if mean is not None and n >= need else None)
            months.append({"month": month, "value": value, "valid_days": n, "short": mean is not None and n < need})
        out[year] = months
    cache.set(key, out, CACHE_SECONDS)
    return out


# ------------------------------------------------------------------------------------ targets

@dataclass
class Kpi:
    target: Target
    status: str  # 达标 / 预警 / 未达标 / 无法研判 / 待计算 (translated)
    status_class: str  # met / warn / not_met / pending (CSS)
    actual: Any = None
    as_of: dt.date | None = None
    projection: Any = None  # envgov.apps.outlook.services.Projection of a projected target
    url: str = ""  # the target's 达标研判 page (method explained)


def _projection(target: Target, version: str):  # noqa: ANN202 - Projection | None
    """The outlook app's projection of the target (None without the app), cached with the data version:
    its resampling of earlier years is the page's most expensive part."""
    try:
        from envgov.apps.outlook.services import projection
    except ImportError:
        return None
    key = f"dash:proj:{version}:{target.pk}:{target.version}:{target.actual_as_of}:{target.actual_value}"
    found = cache.get(key)
    if found is None:
        found = projection(target)
        cache.set(key, found, CACHE_SECONDS)
    return found


def kpis(plan: Plan | None, version: str = "") -> list[Kpi]:
    """One card per district-wide target of the plan: status and projection from the outlook app (达标研判)
    for the targets it projects; for the others, the target's own status from its actual value."""
    if plan is None:
        return []
    out = []
    targets = plan.targets.filter(scope=Target.Scope.DISTRICT).select_related("indicator", "area", "plan__district")
    for t in targets.order_by("area__order", "id"):
        p = _projection(t, version or data_version(plan.district))
        if p is not None and p.applicable and p.status:
            status, css = p.status_label, {"unknown": "pending"}.get(p.status, p.status)
        else:
            p = None
            status = t.status_label
            css = {"met": "met", "warn": "warn", "not_met": "not_met"}.get(t.status, "pending")
        url = ""
        if p is not None:
            try:
                url = reverse("outlook_detail", kwargs={"target_id": t.pk})
            except NoReverseMatch:
                url = ""
        out.append(Kpi(target=t, status=status, status_class=css, actual=t.effective_value,
                       as_of=t.actual_as_of or t.entered_as_of, projection=p, url=url))
    return out


# ------------------------------------------------------------------------------------ ledger parts

def ledger(plan: Plan | None, tasks, supervision, today: dt.date):  # noqa: ANN001, ANN201
    """Task completion by area and unit (the plan overview's one query) and the open 督办 items, both over
    what the viewer may see."""
    if plan is None:
        return None, []
    overview = queries.overview(plan, tasks, supervision, today)
    items = list(supervision.filter(plan=plan).exclude(status=SupervisionItem.Status.CLOSED)
                 .select_related("addressee_unit", "addressee_town", "task")
                 .order_by("due_date", "id")[:SUPERVISION_SHOWN])
    return overview, items


def current_plan(plans) -> Plan | None:  # noqa: ANN001 - the viewer's plans queryset
    return plans.exclude(status=Plan.Status.CLOSED).order_by("-year").first()


# ------------------------------------------------------------------------------------ public page

def published_circulars(district: District) -> list[dict]:
    """The published circulars (newest first) with their public downloads: title, 文号, 成文日期 only."""
    try:
        from envgov.apps.circulars.services import published
    except ImportError:
        return []
    out = []
    for c in published(district):
        links = {}
        for kind, name in (("docx", "circular_public_docx"), ("pdf", "circular_public_pdf")):
            try:
                links[kind] = reverse(name, kwargs={"published_id": c.pk})
            except NoReverseMatch:
                links[kind] = ""
        out.append({"title": c.title, "number": c.number, "signed_on": c.signed_on, **links})
    return out


def public_air(district: District, period, version: str | None = None) -> list[dict]:  # noqa: ANN001
    """By town: PM2.5 and PM10 for the period (no site names, no people): rows for the public table."""
    by_town: dict[int, dict] = {}
    for code in PUBLIC_INDICATORS:
        for v in town_values(district, period, code, version):
            row = by_town.setdefault(v.id, {"id": v.id, "name": v.name})
            row[code] = v.value
            row[f"{code}_note"] = v.note
    return list(by_town.values())
