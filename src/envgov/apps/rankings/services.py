"""Town figures and rankings of a district: fetch with one database aggregate, compute with
envgov.engine.towns (NumPy) under envgov.rules.ranking. Public interface (others build on it):

    town_figures(district, period, indicator) -> list[TownFigure]
    rank_towns(district, period, indicator, by="concentration") -> Ranking

`period` is a TownPeriod or a text for `parse_period` ("2024-03", "2024-Q1", "2024", "2024-ytd"), read
against the ledger's today (envgov.apps.audit.clock). Indicators: "pm25", "pm10" (from the sites' daily
values, monitoring.AirDaily), "dustfall", "tsp", "road_dust" (entered monthly, rankings.TownMeasure).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils.translation import gettext

from envgov.apps.audit import clock
from envgov.apps.geo.models import District
from envgov.apps.geo.models import Town as TownModel
from envgov.apps.air.models import AirDaily, Station
from envgov.apps.rankings.models import RankingSettings, SiteWeighting, TownMeasure
from envgov.engine import towns as engine
from envgov.engine.towns import (  # re-exported: the interface's types
    PeriodError,
    RankedTown,
    Ranking,
    RuleInfo,
    TownFigure,
    TownPeriod,
    parse_period,
)
from envgov.rules import ranking as rules
from envgov.standards import air as std

__all__ = [
    "PeriodError",
    "RankedTown",
    "Ranking",
    "RuleInfo",
    "Settings",
    "TownFigure",
    "TownPeriod",
    "indicator_error",
    "parse_period",
    "period_of",
    "rank_towns",
    "settings_for",
    "town_figures",
]


class IndicatorError(ValueError):
    """An indicator code the rankings do not know (Chinese message)."""


def indicator_error(code: str) -> str:
    return gettext("未知指标“%(code)s”，可选：%(choices)s") % {
        "code": code, "choices": "、".join(f"{k}（{gettext(v.label)}）" for k, v in rules.INDICATORS.items())}


def _indicator(code: str) -> rules.IndicatorDef:
    ind = rules.INDICATORS.get((code or "").strip().lower())
    if ind is None:
        raise IndicatorError(indicator_error(code))
    return ind


def period_of(period: TownPeriod | str) -> TownPeriod:
    return period if isinstance(period, TownPeriod) else parse_period(str(period), clock.today())


# ------------------------------------------------------------------------- settings

@dataclass(frozen=True)
class Settings:
    """The district's settings in force, each with whether the district set it (else envgov's default)."""

    weights: dict[str, float]
    weighting_mode: str
    bottom_n: int
    min_completeness: float
    partial_month: str
    composite: dict[str, dict[str, float | None]]
    change_digits: int
    composite_digits: int
    user_set: dict[str, bool] = field(default_factory=dict)
    reason: str = ""
    record: RankingSettings | None = None

    def parameters(self) -> dict[str, Any]:
        return {"weighting_mode": self.weighting_mode, "partial_month": self.partial_month,
                "min_completeness": self.min_completeness, "change_digits": self.change_digits,
                "composite_digits": self.composite_digits, "user_set": dict(self.user_set)}


def settings_for(district: District) -> Settings:
    rows = {w.kind: float(w.weight) for w in SiteWeighting.objects.filter(district=district)}
    weights = {k: rows.get(k, 1.0) for k in rules.STATION_KINDS}
    rec = RankingSettings.objects.filter(district=district).first()
    d = rules.PARAMETERS
    if rec is None:
        return Settings(weights, str(d["weighting_mode"].default), rules.BOTTOM_N_DEFAULT,
                        float(d["min_completeness"].default), str(d["partial_month"].default),  # type: ignore[arg-type]
                        rules.default_composite(), int(d["change_digits"].default),  # type: ignore[call-overload]
                        int(d["composite_digits"].default),  # type: ignore[call-overload]
                        user_set={"weights": any(v != 1.0 for v in weights.values())})
    composite = rec.composite or rules.default_composite()
    user_set = {
        "weights": any(v != 1.0 for v in weights.values()),
        "weighting_mode": rec.weighting_mode != d["weighting_mode"].default,
        "bottom_n": rec.bottom_n != rules.BOTTOM_N_DEFAULT,
        "min_completeness": float(rec.min_completeness) != d["min_completeness"].default,
        "partial_month": rec.partial_month != d["partial_month"].default,
        "composite": bool(rec.composite) and rec.composite != rules.default_composite(),
        "change_digits": rec.change_digits != d["change_digits"].default,
        "composite_digits": rec.composite_digits != d["composite_digits"].default,
    }
    return Settings(weights, rec.weighting_mode, rec.bottom_n, float(rec.min_completeness), rec.partial_month,
                    composite, rec.change_digits, rec.composite_digits, user_set, rec.reason, rec)


def _air_parameters(district: District) -> dict[str, object]:
    from envgov.apps.air.services import air_parameters

    return air_parameters(district)


# ------------------------------------------------------------------------- town figures

def _towns(district: District) -> list[engine.Town]:
    return [engine.Town(pk, name, code) for pk, name, code in
            TownModel.objects.filter(district=district, active=True).order_by("code").values_list("pk", "name", "code")]


# Aggregates of the sites' daily values per (town, day, kind), remembered per process for each query and
# used again while the rows they were computed from are unchanged: the token is the largest id and the
# number of the AirDaily rows of those stations in the period (refresh_daily deletes and re-creates rows,
# so any refresh, import or undo changes it) and the stations' (id, town, kind).
_AGGREGATES: OrderedDict[tuple, tuple[tuple, tuple]] = OrderedDict()
_AGGREGATES_MAX = 64


def _aggregate(district: District, period: TownPeriod, indicator: str, stations: list[tuple[int, int, str]]):  # noqa: ANN202
    station_ids = [sid for sid, _town, _kind in stations]
    rows = AirDaily.objects.filter(district=district, station_id__in=station_ids,
                                   day__range=(period.start, period.end))
    marker = rows.order_by().aggregate(last=Max("id"), n=Count("id"))
    token = (marker["last"], marker["n"], tuple(stations))
    key = (district.pk, indicator, period.start, period.end)
    hit = _AGGREGATES.get(key)
    if hit is not None and hit[0] == token:
        _AGGREGATES.move_to_end(key)
        return hit[1]
    # One aggregate: per town, day and station kind, Σ of the sites' valid daily values and their count
    # (the station list lets the database walk its (district, station, day) index for the period only).
    found = list(rows.filter(**{f"{indicator}__isnull": False})
                 .order_by().values("station__town_id", "day", "station__kind")
                 .annotate(s=Sum(indicator), n=Count("id"))
                 .values_list("station__town_id", "day", "station__kind", "s", "n"))
    result = None
    if found:  # as arrays once: town id, day ordinal, kind index, Σ, count
        town_ids, days, kind_codes, sums, counts = zip(*found)
        result = (np.asarray(town_ids, dtype="int64"),
                  np.fromiter((d.toordinal() for d in days), dtype="int64", count=len(days)),
                  engine.kind_index(kind_codes), np.asarray(sums, dtype="float64"),
                  np.asarray(counts, dtype="float64"))
    # remembered once the rows it was read from are committed: inside a transaction that may still roll
    # back (and whose ids may be used again), it is not remembered until the commit
    transaction.on_commit(lambda: _remember(key, token, result))
    return result


def _remember(key: tuple, token: tuple, result) -> None:  # noqa: ANN001
    _AGGREGATES[key] = (token, result)
    if len(_AGGREGATES) > _AGGREGATES_MAX:
        _AGGREGATES.popitem(last=False)


def _air_figures(district: District, period: TownPeriod, indicator: str, s: Settings,
                 towns: list[engine.Town]) -> list[TownFigure]:
    kinds = [k for k in rules.STATION_KINDS if s.weights.get(k, 1.0) > 0]
    index = {t.id: i for i, t in enumerate(towns)}
    n_days = period.days
    stations = list(Station.objects.filter(district=district, town__in=list(index), kind__in=kinds)
                    .order_by("id").values_list("id", "town_id", "kind"))
    sites: dict[int, int] = {}
    for _sid, town_id, _kind in stations:
        sites[town_id] = sites.get(town_id, 0) + 1
    agg = _aggregate(district, period, indicator, stations) if stations else None
    if agg is not None:
        town_ids, day_ord, kind_idx, sums, counts = agg
        ids, inverse = np.unique(town_ids, return_inverse=True)
        town_idx = np.fromiter((index[int(t)] for t in ids), dtype="int64", count=len(ids))[inverse]
        daily = engine.town_daily(town_idx, day_ord - period.start.toordinal(), kind_idx, sums, counts,
                                  len(towns), n_days, engine.weights_vector(s.weights), s.weighting_mode)
    else:
        daily = np.full((len(towns), n_days), np.nan)
    edition = std.edition_for(period.start).key
    validity = rules.period_validity(std.validity_rules(edition), s.partial_month, s.min_completeness)
    return engine.air_figures(towns, period, indicator, daily, sites, validity, translate=gettext)


def _measure_figures(district: District, period: TownPeriod, indicator: str, s: Settings,
                     towns: list[engine.Town]) -> list[TownFigure]:
    months = [m for m, _ in engine.measure_months(period)]
    values: dict[tuple[int, Any], float] = {}
    digits: dict[tuple[int, Any], int] = {}
    for town_id, month, value, places in (
            TownMeasure.objects.filter(district=district, indicator=indicator, month__in=months)
            .values_list("town_id", "month", "value", "digits")):
        values[(town_id, month)] = float(value)
        digits[(town_id, month)] = places
    return engine.measure_figures(towns, period, values, s.min_completeness, digits, translate=gettext)


def town_figures(district: District, period: TownPeriod | str, indicator: str,
                 settings: Settings | None = None) -> list[TownFigure]:
    """The district's active towns (in code order) with their figure of `indicator` for `period`."""
    ind = _indicator(indicator)
    period = period_of(period)
    s = settings or settings_for(district)
    towns = _towns(district)
    with std.parameters.using(_air_parameters(district)):
        if ind.source == "air":
            return _air_figures(district, period, ind.code, s, towns)
        return _measure_figures(district, period, ind.code, s, towns)


# ------------------------------------------------------------------------- rankings

def _references(period: TownPeriod) -> dict[str, float]:
    """Default S_i of the composite: GB 3095 grade-2 annual limits (air.md §4.1), by the period's start."""
    return default_references(period.start)


def default_references(day=None) -> dict[str, float]:  # noqa: ANN001 - a date (default: today)
    """GB 3095 grade-2 annual limits in force on `day` for the indicators that have one (PM2.5, PM10, TSP)."""
    day = day or clock.today()
    return {code: std.limits_for(day, ind.limit_pollutant, "annual", 2).value
            for code, ind in rules.INDICATORS.items() if ind.limit_pollutant}


def rank_towns(district: District, period: TownPeriod | str, indicator: str,
               by: str = rules.CONCENTRATION) -> Ranking:
    """Rank the district's towns for `period` by concentration, improvement against the same period last
    year, or the composite score; bottom N flagged; towns without sufficient data listed with the reason."""
    ind = _indicator(indicator)
    if by not in rules.BY_CHOICES:
        raise ValueError(gettext("排名方式应为 concentration（浓度）、improvement（改善幅度）或 composite（综合）"))
    period = period_of(period)
    s = settings_for(district)
    last_period = period.same_period_last_year()
    figures = town_figures(district, period, ind.code, s)
    last = town_figures(district, last_period, ind.code, s)
    composite_values = None
    if by == rules.COMPOSITE:
        composite_values = {}
        per = {code: {f.town_id: f for f in (figures if code == ind.code else town_figures(district, period, code, s))}
               for code in s.composite}
        for f in figures:
            composite_values[f.town_id] = {code: (per[code][f.town_id].value if f.town_id in per[code]
                                                  and per[code][f.town_id].valid else None) for code in s.composite}
    with std.parameters.using(_air_parameters(district)):
        rows = engine.rank(figures, by, last_year=last, composite_values=composite_values,
                           composite_spec=s.composite, references=_references(period), bottom_n=s.bottom_n,
                           change_digits=s.change_digits, composite_digits=s.composite_digits, translate=gettext)
        edition = std.edition_for(period.start).key
        validity = rules.period_validity(std.validity_rules(edition), s.partial_month, s.min_completeness)
    rule = rules.RULES[by]
    weights: dict[str, Any] = {"station_kinds": dict(s.weights), "mode": s.weighting_mode}
    if by == rules.COMPOSITE:
        refs = _references(period)
        weights["composite"] = {k: {"weight": v.get("weight"), "reference": v.get("reference") or refs.get(k)}
                                for k, v in s.composite.items()}
    info = RuleInfo(id=rule.id, version=rule.version, citation=gettext(rule.citation), confidence=rule.confidence,
                    bottom_n=s.bottom_n, weights=weights, validity=validity.citation, parameters=s.parameters())
    return Ranking(period=period, indicator=ind.code, by=by, rule=info, rows=rows, last_period=last_period,
                   unit=ind.unit)
