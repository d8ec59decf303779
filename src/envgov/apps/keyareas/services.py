"""Reading side of the key areas: which zone a point lies in, the user-set parameters, the rows of a month's
ledger (sources inside each area with their estimate), a site's checklist, the map payload and the .xlsx.
Nothing here writes; `actions` does."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from envgov.apps.geo.models import District
from envgov.apps.keyareas.models import KeyArea, KeyAreaParameter, LedgerMonth, MeasureCheck, StrictZone
from envgov.catalogue import gettext_noop
from envgov.geo import areas
from envgov.ingest import sources as spec
from envgov.rules import keyareas as rule

# the fact of a source's ledger that is its activity level, and its unit (msgid); kinds not named carry no
# activity level in the inventory, so their emission cannot be estimated (缺活动水平)
ACTIVITY: dict[str, tuple[str | None, str]] = {
    "site": ("area_m2", gettext_noop("平方米")),
    "fleet": ("own_vehicles", gettext_noop("辆")),
    "machinery": ("power_kw", gettext_noop("千瓦")),
    "catering": (None, gettext_noop("户")),  # one unit is one 户
}
LEDGER_KINDS = ("enterprise", "site", "catering", "fleet", "machinery", "hazchem")  # air-relevant sources
MSG_NO_SHARE = gettext_noop("%(activity)s × %(factor)s = %(emission)s 吨；减排比例未设置：%(measures)s")
MSG_NO_MEASURES = gettext_noop("%(activity)s × %(factor)s = %(emission)s 吨（本计划未对该类污染源规定区域措施）")
MSG_NO_AREA = gettext_noop("区域无范围（站点无坐标且未设定中心或多边形）")


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str  # msgid or plain text
    unit: str  # msgid template …
    per: str  # … with the activity's unit (msgid), "" for a share
    share: bool  # a reduction share (0–1) rather than a factor

    def unit_text(self) -> str:
        return gettext(self.unit) % {"unit": gettext(self.per)} if self.per else gettext(self.unit)


def parameters() -> list[Parameter]:
    out = [Parameter(f"factor:{kind}", spec.KINDS[kind].label, gettext_noop("吨/（%(unit)s·月）"), unit, False)
           for kind, (_f, unit) in ACTIVITY.items()]
    out += [Parameter(f"cut:{m.code}", m.text, gettext_noop("减排比例（0–1）"), "", True) for m in rule.SITE_MEASURES]
    return out


def parameter_label(key: str) -> str:
    """The parameter's name as the audit log and pages show it (Chinese msgid, not the code)."""
    p = next((p for p in parameters() if p.key == key), None)
    if p is None:
        return key
    return ("减排比例：" if p.share else "排放系数：") + p.label


def parameter_values(district: District) -> dict[str, float]:
    return dict(KeyAreaParameter.objects.filter(district=district).values_list("key", "value"))


def parameter_rows(district: District) -> list[dict]:
    stored = {p.key: p for p in KeyAreaParameter.objects.filter(district=district).select_related("set_by")}
    rows = []
    for p in parameters():
        s = stored.get(p.key)
        rows.append({"key": p.key, "label": gettext(p.label), "unit": p.unit_text(),
                     "share": p.share, "value": s.value if s else None, "reason": s.reason if s else "",
                     "set_by": s.set_by if s else None, "set_at": s.set_at if s else None,
                     "simulated": bool(s and s.is_simulated)})
    return rows


# ---------------------------------------------------------------- geometry

@dataclass
class Placed:
    area: KeyArea
    geom: object  # shapely geometry of the key area (None: no range)
    zones: list[tuple[StrictZone, object]]


def placed_areas(district: District) -> list[Placed]:
    out = []
    for area in KeyArea.objects.filter(district=district).select_related("station").prefetch_related("zones"):
        try:
            geom = area.geometry()
        except ValueError:
            geom = None
        zones = []
        for z in area.zones.all():
            try:
                zones.append((z, areas.area_of(z.polygon)))
            except ValueError:
                continue
        out.append(Placed(area, geom, zones))
    return out


def zone_in(p: Placed, lon: float | None, lat: float | None) -> str | None:
    if lon is None or lat is None:
        return None
    in_strict = any(areas.contains(g, lon, lat) for _z, g in p.zones)
    in_area = p.geom is not None and areas.contains(p.geom, lon, lat)
    return rule.zone_of(in_area, in_strict)


def site_zone(site, placed: list[Placed] | None = None) -> tuple[KeyArea | None, str | None]:  # noqa: ANN001
    """The strongest zone a site lies in over all the district's key areas (严控区 wins) and its area."""
    best: tuple[KeyArea | None, str | None] = (None, None)
    for p in placed if placed is not None else placed_areas(site.district):
        z = zone_in(p, site.lon, site.lat)
        if z == rule.STRICT:
            return p.area, z
        if z == rule.AREA and best[1] is None:
            best = (p.area, z)
    return best


# ---------------------------------------------------------------- checklist and estimate

def checks_of(site) -> dict[str, MeasureCheck]:  # noqa: ANN001
    return {c.measure: c for c in MeasureCheck.objects.filter(site=site).select_related("checked_by")}


def checklist(site, zone: str | None) -> list[dict]:  # noqa: ANN001
    done = checks_of(site)
    out = []
    for m, strength in rule.measures_for(zone):
        c = done.get(m.code)
        out.append({"code": m.code, "text": m.text, "strength": strength,
                    "strength_label": rule.STRENGTH_LABELS[strength], "check": c, "done": bool(c and c.done)})
    return out


def activity_of(kind: str, source) -> float | None:  # noqa: ANN001
    if kind not in ACTIVITY:
        return None
    attr = ACTIVITY[kind][0]
    if attr is None:
        return 1.0
    value = getattr(source, attr, None)
    return float(value) if value is not None else None


def estimate_row(kind: str, source, zone: str, params: dict[str, float], open_codes: list[str]) -> dict:  # noqa: ANN001
    activity = activity_of(kind, source)
    factor = params.get(f"factor:{kind}")
    base = rule.estimate(activity, factor, [])
    out = {"activity": activity, "activity_unit": ACTIVITY[kind][1] if kind in ACTIVITY else "", "factor": factor,
           "emission_t": base.emission_t, "space_t": None, "reason": base.reason, "values": base.values}
    if base.emission_t is None:
        return out
    if kind != "site":
        out["reason"] = MSG_NO_MEASURES
        return out
    missing = [c for c in open_codes if f"cut:{c}" not in params]
    if missing:
        texts = {m.code: m.text for m in rule.SITE_MEASURES}
        out["reason"] = MSG_NO_SHARE
        out["values"] = {**base.values, "measures": [texts[c] for c in missing]}
        return out
    full = rule.estimate(activity, factor, [params[f"cut:{c}"] for c in open_codes])
    out.update(space_t=full.reduction_space_t, reason=full.reason, values=full.values)
    return out


def reason_text(reason: str, values: dict) -> str:
    if not reason:
        return ""
    vals = dict(values)
    if isinstance(vals.get("measures"), list):
        vals["measures"] = "、".join(gettext(t) for t in vals["measures"])
    try:
        return gettext(reason) % vals if vals else gettext(reason)
    except (KeyError, TypeError, ValueError):
        return gettext(reason)


def build_rows(district: District) -> list[dict]:
    """Every source (of LEDGER_KINDS, with a position) inside each key area, with its zone and estimate."""
    from envgov.apps.sources.models import MODELS

    placed = placed_areas(district)
    params = parameter_values(district)
    site_checks: dict[int, set[str]] = {}
    for site_id, code in MeasureCheck.objects.filter(district=district, done=True).values_list("site_id", "measure"):
        site_checks.setdefault(site_id, set()).add(code)
    rows = []
    for kind in LEDGER_KINDS:
        for src in MODELS[kind].objects.filter(district=district).exclude(lon=None).exclude(lat=None):
            for p in placed:
                zone = zone_in(p, src.lon, src.lat)
                if zone is None:
                    continue
                open_codes = []
                if kind == "site":
                    _a, strongest = site_zone(src, placed)
                    open_codes = [m.code for m, _s in rule.measures_for(strongest)
                                  if m.code not in site_checks.get(src.pk, set())]
                rows.append({"key_area": p.area, "source_kind": kind, "source_id": src.pk, "source_name": src.name,
                             "town_id": src.town_id, "zone": zone, "open_measures": open_codes,
                             **estimate_row(kind, src, zone, params, open_codes)})
    return rows


def ledger_rows(ledger: LedgerMonth | None, user) -> list:  # noqa: ANN001
    from envgov.apps.keyareas.permissions import sources_town_scope

    if ledger is None:
        return []
    sees, town_id = sources_town_scope(user)
    if not sees:
        return []
    qs = ledger.rows.select_related("key_area", "town")
    if town_id is not None:
        qs = qs.filter(town_id=town_id)
    out = list(qs)
    for r in out:
        r.kind_label = gettext(spec.KINDS[r.source_kind].label)
        r.zone_label = gettext(rule.ZONE_LABELS.get(r.zone, r.zone))
        r.reason_text = reason_text(r.reason, r.values)
        r.has_factor = r.source_kind in ACTIVITY  # kinds without an activity fact have no factor to set
    return out


def totals(rows: list) -> dict:
    em = [r.emission_t for r in rows if r.emission_t is not None]
    sp = [r.space_t for r in rows if r.space_t is not None]
    return {"n": len(rows), "emission": sum(em) if em else None, "space": sum(sp) if sp else None,
            "unestimated": sum(1 for r in rows if r.emission_t is None)}


def months(district: District) -> list[str]:
    return list(LedgerMonth.objects.filter(district=district).order_by("-month").values_list("month", flat=True))


# ---------------------------------------------------------------- map and export

def map_payload(district: District, rows: list) -> dict:
    from envgov.apps.dashboard.services import town_geojson
    from envgov.geo.towns import mapping

    features = [{"type": "Feature", "geometry": f["geometry"],
                 "properties": {"name": f"t{f['properties']['id']}", "label": f["properties"]["name"], "layer": "town"}}
                for f in town_geojson(district)["features"]]
    stations = []
    extent = []  # the areas' and zones' bounds: the map opens on them (1.5 km is a dot on a district map)
    for p in placed_areas(district):
        extent += [g.bounds for g in [p.geom, *(g for _z, g in p.zones)] if g is not None]
        if p.geom is not None:
            features.append({"type": "Feature", "geometry": mapping(p.geom),
                             "properties": {"name": f"a{p.area.pk}", "label": p.area.name, "layer": "area"}})
        for z, g in p.zones:
            features.append({"type": "Feature", "geometry": mapping(g),
                             "properties": {"name": f"z{z.pk}", "label": z.name, "layer": "strict"}})
        c = p.area.centre
        if c:
            stations.append({"name": p.area.station.name, "value": [c[0], c[1]]})
    from envgov.apps.sources.models import MODELS

    points = []
    for r in rows:
        src = MODELS[r.source_kind].objects.filter(pk=r.source_id).values("lon", "lat").first()
        if src and src["lon"] is not None:
            points.append({"name": r.source_name, "value": [src["lon"], src["lat"]], "zone": r.zone,
                           "kind": r.kind_label, "zone_label": r.zone_label})
    bounds = None
    if extent:
        x0, y0 = min(b[0] for b in extent), min(b[1] for b in extent)
        x1, y1 = max(b[2] for b in extent), max(b[3] for b in extent)
        mx, my = (x1 - x0) * 0.25 + 0.002, (y1 - y0) * 0.25 + 0.002
        bounds = [[round(x0 - mx, 6), round(y1 + my, 6)], [round(x1 + mx, 6), round(y0 - my, 6)]]
    return {"geo": {"type": "FeatureCollection", "features": features}, "stations": stations, "sources": points,
            "bounds": bounds,
            "words": {"area": gettext("重点区域"), "strict": gettext("严控区"), "station": gettext("监测站点"),
                      "source": gettext("污染源")}}


def ledger_xlsx(district: District, ledger: LedgerMonth, rows: list) -> bytes:
    from envgov.reports.xlsx import build_tables

    def num(v):  # noqa: ANN001, ANN202
        return round(v, 6) if v is not None else None

    columns = [(gettext("重点区域"), 16), (gettext("分区"), 18), (gettext("类别"), 14), (gettext("名称"), 28),
               (gettext("所在街乡镇"), 12), (gettext("活动水平"), 12), (gettext("单位"), 8), (gettext("排放系数"), 12),
               (gettext("月排放量（吨）"), 14), (gettext("减排空间（吨）"), 14), (gettext("说明"), 60)]
    body = [[r.key_area.name, r.zone_label, r.kind_label, r.source_name, r.town.name, num(r.activity),
             gettext(r.activity_unit) if r.activity_unit else "",
             num(r.factor) if r.factor is not None else gettext("排放系数未设置") if r.has_factor else "",
             num(r.emission_t), num(r.space_t), r.reason_text] for r in rows]
    note = gettext("%(district)s %(month)s；排放系数、减排比例为本区用户设定参数") % {
        "district": district.name, "month": ledger.month}
    return build_tables([(gettext("重点区域污染源台账"), columns, body, note)])
