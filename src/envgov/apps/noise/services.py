"""The engine's figures out of the stored noise data (decision 0035): stored points and measurements →
`envgov.engine.noise.evaluate` under the district's values of the unconfirmed rules → point-times, per-point
summaries and the day/night attainment rates overall and per class. Nothing of it is stored, so the page, the
map, the API and the plan targets show the same figure."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from envgov.apps.audit import clock
from envgov.apps.geo.models import District
from envgov.apps.noise.models import NoiseMeasurement, NoiseParameter, NoisePoint, SensitiveZone
from envgov.engine import noise as engine
from envgov.standards.noise.parameters import PARAMETERS
from envgov.standards.noise.tables import BY_CODE, CLASS_CODES, DAY, NIGHT, PERIODS

DAY_CODE = "noise_day_compliance"
NIGHT_CODE = "noise_night_compliance"
NOISE_TARGET_CODES = (DAY_CODE, NIGHT_CODE)  # plans/data/indicators.yaml
PERIOD_OF_CODE = {DAY_CODE: DAY, NIGHT_CODE: NIGHT}
MET, WARN, NOT_MET, UNKNOWN = "met", "warn", "not_met", "unknown"
STATUS_WORDS = {MET: gettext_noop("达标"), WARN: gettext_noop("预警"), NOT_MET: gettext_noop("未达标"),
                UNKNOWN: gettext_noop("未知")}
TEMPLATE_HEADER = ("点位编码", "点位名称", "功能区类别", "经度", "纬度", "监测时间", "时段", "等效声级", "最大声级", "监测轮次")
COLOURS = {True: "#2e7d32", False: "#c62828", None: "#90a4ae"}


# ------------------------------------------------------------------------------------------ parameters

def noise_parameters(district_id: int | None) -> dict[str, object]:
    if district_id is None:
        return {}
    return {p.key: p.value for p in NoiseParameter.objects.filter(district_id=district_id) if p.key in PARAMETERS.by_key}


def in_force(district_id: int | None):  # noqa: ANN201 - a context manager
    """The district's values of the unconfirmed rules applied to every computation inside the block."""
    return PARAMETERS.using(noise_parameters(district_id))


def parameter_rows(district: District) -> list[dict[str, Any]]:
    rows = {p.key: p for p in NoiseParameter.objects.filter(district=district).select_related("set_by")}
    return [{"parameter": p, "value": rows[p.key].value if p.key in rows else p.default, "record": rows.get(p.key),
             "user_set": p.key in rows and rows[p.key].value != p.default} for p in PARAMETERS]


def template_csv() -> bytes:
    """The import template (UTF-8 with BOM so that Excel opens it as UTF-8): header and one example row."""
    example = ("TZ-N01", "示例点位", "1", "116.65", "39.90", "2024-05-14 10:00", "昼间", "53.2", "68.0", "2024Q2")
    return ("\ufeff" + ",".join(TEMPLATE_HEADER) + "\r\n" + ",".join(example) + "\r\n").encode("utf-8")


# ------------------------------------------------------------------------------------------ engine

def points(district: District, active_only: bool = True) -> list[NoisePoint]:
    qs = NoisePoint.objects.filter(district=district).select_related("town")
    return list(qs.filter(active=True) if active_only else qs)


def years_with_data(district: District) -> list[int]:
    dates = NoiseMeasurement.objects.filter(point__district=district).dates("time", "year")
    return sorted({d.year for d in dates})


def _bounds(start: dt.date | None, end: dt.date | None) -> dict:
    q: dict[str, Any] = {}
    tz = timezone.get_current_timezone()
    if start is not None:
        q["time__gte"] = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    if end is not None:
        q["time__lt"] = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return q


def evaluate(district: District, start: dt.date | None = None, end: dt.date | None = None,
             cls: Iterable[str] | None = None) -> engine.NoiseEvaluation:
    """The engine's evaluation of the district's active points over [start, end] (local dates)."""
    pts = {p.code: p for p in points(district)}
    if cls is not None:
        wanted = set(cls)
        pts = {c: p for c, p in pts.items() if p.cls in wanted}
    stored = (NoiseMeasurement.objects.filter(point__in=list(pts.values()), **_bounds(start, end))
              .select_related("point").order_by("point__code", "time"))
    ms = [engine.Measurement(m.point.code, timezone.localtime(m.time).replace(tzinfo=None), m.has_clock, m.period,
                             m.leq, m.lmax, m.round, m.row or 0, m.duration) for m in stored]
    measured = {m.point for m in ms}
    eng_points = {c: engine.Point(c, p.name, p.cls, p.lon, p.lat) for c, p in pts.items() if c in measured}
    with in_force(district.pk):
        return engine.evaluate(eng_points, ms)


def year_bounds(year: int | None) -> tuple[dt.date | None, dt.date | None]:
    return (dt.date(year, 1, 1), dt.date(year, 12, 31)) if year else (None, None)


@dataclass
class RateRow:
    cls: str | None
    label: str
    area: str
    day_limit: float | None
    night_limit: float | None
    day: engine.Rate
    night: engine.Rate


def rate_rows(result: engine.NoiseEvaluation) -> list[RateRow]:
    """One row per class (and the whole district first), day and night side by side — the engine's rates."""
    rows = [RateRow(None, gettext("全部功能区"), "", None, None, result.rate(DAY), result.rate(NIGHT))]
    for code in CLASS_CODES:
        c = BY_CODE[code]
        rows.append(RateRow(code, gettext("%(code)s类") % {"code": code}, gettext(c.area), c.day, c.night,
                            result.rate(DAY, code), result.rate(NIGHT, code)))
    return rows


def point_rows(district: District, result: engine.NoiseEvaluation) -> list[dict[str, Any]]:
    """Every active point with its day and night summary (energetic mean, limit, 点次 attained)."""
    summaries = {(s.point, s.period): s for s in result.summaries}
    out = []
    for p in points(district):
        out.append({"point": p, "day": summaries.get((p.code, DAY)), "night": summaries.get((p.code, NIGHT)),
                    "limit_day": BY_CODE[p.cls].day, "limit_night": BY_CODE[p.cls].night})
    return out


def _summary_dict(s) -> dict | None:  # noqa: ANN001
    if s is None:
        return None
    return {"leq": s.leq, "limit": s.limit, "values": s.values, "point_times": s.point_times, "attained": s.attained,
            "rate": s.rate, "all_attained": s.attained == s.point_times}


def map_payload(district: District, year: int | None) -> dict[str, Any]:
    """What the map page draws: the towns' GeoJSON (the dashboard's, one path), the zones, and every point with
    its day and night figures and the colour of its attainment."""
    from envgov.apps.dashboard.services import town_geojson

    start, end = year_bounds(year)
    result = evaluate(district, start, end)
    summaries = {(s.point, s.period): s for s in result.summaries}
    pts = []
    for p in points(district):
        if p.lon is None or p.lat is None:
            continue
        rec: dict[str, Any] = {"id": p.pk, "code": p.code, "name": p.name, "cls": p.cls,
                               "town": p.town.name if p.town else "", "lon": p.lon, "lat": p.lat}
        for period in (DAY, NIGHT):
            s = summaries.get((p.code, period))
            rec[period] = _summary_dict(s)
            attained = None if s is None else s.attained == s.point_times
            rec[f"{period}_colour"] = COLOURS[attained]
        pts.append(rec)
    zones = [{"id": z.pk, "name": z.name, "kind": z.kind, "geometry": z.boundary, "simulated": z.is_simulated}
             for z in SensitiveZone.objects.filter(district=district)]
    return {
        "geo": town_geojson(district), "points": pts, "zones": zones, "year": year,
        "colours": {"attained": COLOURS[True], "exceeded": COLOURS[False], "none": COLOURS[None]},
        "words": {"day": gettext(PERIODS[DAY]), "night": gettext(PERIODS[NIGHT]), "attained": gettext("达标"),
                  "exceeded": gettext("超标"), "no_data": gettext("无监测数据"), "limit": gettext("限值"),
                  "leq": gettext("等效声级"), "point_times": gettext("达标点次"), "zone": gettext("噪声敏感建筑物集中区域"),
                  "cls": gettext("功能区类别"), "points": gettext("监测点位"), "town": gettext("街乡镇")},
    }


# ------------------------------------------------------------------------------------------ targets

@dataclass
class TargetCheck:
    target: Any
    value: float | None
    as_of: dt.date | None
    status: str
    reason: str
    source: str

    @property
    def status_word(self) -> str:
        return STATUS_WORDS[self.status]


def noise_targets(district: District) -> list[Any]:
    from envgov.apps.plans.models import Target

    return list(Target.objects.filter(plan__district=district, indicator__code__in=NOISE_TARGET_CODES)
                .select_related("plan", "indicator").order_by("plan__year", "id"))


def check_target(target, district: District) -> TargetCheck:  # noqa: ANN001
    """The target's actual value (the day or night attainment rate of the plan year so far, the engine's) and
    达标 / 预警 / 未达标 by the rule of decision 0035:

    * the period is over: the rate against the target by its comparator (达标 / 未达标);
    * the period is running: the rate so far meets the target and so does the latest month with data → 达标;
      the rate so far meets it but the latest month does not → 预警; the rate so far does not → 未达标 (so far)."""
    from envgov.rules.ledger import target_status

    period = PERIOD_OF_CODE[target.indicator.code]
    word = gettext(PERIODS[period])
    plan = target.plan
    start = dt.date(plan.year, 1, 1)
    period_end = target.period_end or dt.date(plan.year, 12, 31)
    as_of_limit = min(period_end, clock.today())
    months = sorted({d for d in NoiseMeasurement.objects.filter(
        point__district=district, point__active=True, period=period, **_bounds(start, as_of_limit)).dates("time", "month")})
    if not months:
        return TargetCheck(target, None, None, UNKNOWN,
                           gettext("计划年度内没有%(period)s功能区噪声监测数据") % {"period": word}, "")
    last = months[-1]
    last_end = dt.date(last.year + last.month // 12, last.month % 12 + 1, 1) - dt.timedelta(days=1)
    as_of = min(last_end, as_of_limit)
    rate = evaluate(district, start, as_of).rate(period)
    latest = evaluate(district, last, as_of).rate(period)
    value = rate.rate
    if value is None:
        return TargetCheck(target, None, None, UNKNOWN,
                           gettext("计划年度内没有%(period)s功能区噪声监测数据") % {"period": word}, "")
    ok = target_status(target.comparator, target.value, Decimal(str(value)))
    over = as_of_limit >= period_end
    latest_ok = latest.rate is None or target_status(target.comparator, target.value, Decimal(str(latest.rate))) == "met"
    base = gettext("%(period)s达标率 %(rate)s%%（%(a)s/%(n)s 点次），目标 %(cmp)s %(value)s%%") % {
        "period": word, "rate": f"{value:.1f}", "a": rate.attained, "n": rate.monitored,
        "cmp": target.get_comparator_display(), "value": _figure(target.value)}
    month_label = gettext("%(y)s年%(m)s月") % {"y": last.year, "m": last.month}
    if ok == "met" and (over or latest_ok):
        status, reason = MET, base
    elif ok == "met":
        status = WARN
        reason = base + gettext("；但%(month)s%(period)s达标率 %(rate)s%%（%(a)s/%(n)s 点次）低于目标，需关注") % {
            "month": month_label, "period": word, "rate": f"{latest.rate:.1f}", "a": latest.attained,
            "n": latest.monitored}
    else:
        status = NOT_MET
        reason = base + ("" if over else gettext("（截至 %(day)s）") % {"day": as_of.isoformat()})
    n_points = NoisePoint.objects.filter(district=district, active=True).count()
    source = gettext("%(n)s个声环境功能区监测点位 · %(start)s至%(end)s · GB 3096-2008 · HJ 640-2012") % {
        "n": n_points, "start": start.isoformat(), "end": as_of.isoformat()}
    return TargetCheck(target, value, as_of, status, reason, source)


def _figure(value) -> str:  # noqa: ANN001 - Decimal
    d = Decimal(str(value)).normalize()
    return f"{d:f}"


def refresh_noise_targets(district: District) -> int:
    from envgov.apps.plans import target_figures

    return target_figures.refresh(district, NOISE_TARGET_CODES)


def noise_target_figures(district: District, targets: list[Any]) -> dict[int, Any]:
    """Provider of the noise targets' figures (decision 0033): check_target's rate, status and reason."""
    from envgov.apps.plans.target_figures import TargetFigure

    out = {}
    for target in targets:
        check = check_target(target, district)
        out[target.pk] = TargetFigure(value=check.value, as_of=check.as_of, source=check.source,
                                      status=check.status, reason=check.reason)
    return out
