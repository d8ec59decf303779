"""API operations of town rankings: the ranking, the town figures, the settings in force (reads, for
everyone signed in to the district) and one monthly measure (write, coordinators). Reads go through
envgov.apps.rankings.services, the write through envgov.apps.rankings.actions."""
# no `from __future__ import annotations`: ninja reads the parameter types through the api_scoped wrapper

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from envgov.apps.accounts.scope import api_scoped
from envgov.apps.audit import clock
from envgov.apps.geo.models import Town
from envgov.apps.plans.api import ERRORS, _user
from envgov.apps.plans.queries import filter_id
from envgov.apps.rankings import actions, services
from envgov.engine.towns import default_period
from envgov.rules import ranking as rules

router = Router(tags=["街乡镇排名"])

IndicatorIn = Literal["pm25", "pm10", "dustfall", "tsp", "road_dust"]
ByIn = Literal["concentration", "improvement", "composite"]
PeriodIn = Query("", max_length=40, description="2024-03（月）、2024-Q1（季度）、2024（全年）、2024-ytd（年初至今）；"
                 "留空为上一个完整月")


class PeriodOut(Schema):
    kind: str
    key: str
    label: str
    start: dt.date
    end: dt.date
    nominal_end: dt.date
    days: int


class RankedTownOut(Schema):
    town_id: int
    town: str
    value: float | None
    rank: int | None = Field(description="并列同名次，下一名次顺延；null 表示数据不足未排名")
    valid_days: int
    days: int
    completeness: float
    last_year_value: float | None
    change_pct: float | None
    score: float | None = Field(description="排名所依据的数值：浓度、同比变化率（%）或综合指数")
    flagged: bool = Field(description="排名靠后（最后 N 名，并列者一并标记）")
    reason: str


class RuleOut(Schema):
    id: str
    version: str
    citation: str
    confidence: str
    bottom_n: int
    validity: str
    weights: dict[str, Any]
    parameters: dict[str, Any]


class RankingOut(Schema):
    period: PeriodOut
    last_period: PeriodOut | None
    indicator: str
    unit: str
    by: str
    rule: RuleOut
    rows: list[RankedTownOut]


class TownFigureOut(Schema):
    town_id: int
    town: str
    value: float | None
    valid: bool
    valid_days: int
    days: int
    completeness: float
    sites: int
    basis: str = Field(description="day：日均值天数；month：月度录入值的月数")
    note: str


class FiguresOut(Schema):
    period: PeriodOut
    indicator: str
    unit: str
    towns: list[TownFigureOut]


class SettingsOut(Schema):
    weights: dict[str, float]
    weighting_mode: str
    bottom_n: int
    min_completeness: float
    partial_month: str
    composite: dict[str, Any]
    change_digits: int
    composite_digits: int
    user_set: dict[str, bool]


class MeasureIn(Schema):
    indicator: Literal["dustfall", "tsp", "road_dust"]
    month: str = Field(..., pattern=r"^\d{4}-\d{2}$", description="2024-03")
    value: str = Field(..., max_length=30, description="按报告保留的小数位数填写（文本，保留位数）")
    source: str = Field("", max_length=200)


class MeasureOut(Schema):
    result: str = Field(description="added 新增、changed 修改、unchanged 未变")


def _district(request: HttpRequest):
    return _user(request).district


def _period_error(exc: Exception) -> Status:
    return Status(422, {"detail": str(exc)})


def _period(text: str) -> str:
    return (text or "").strip() or default_period(clock.today())


@router.get("/rankings", response={200: RankingOut, **ERRORS}, summary="街乡镇排名")
@api_scoped("any_user")
def get_ranking(request: HttpRequest, period: str = PeriodIn, indicator: IndicatorIn = "pm25",
                by: ByIn = "concentration"):
    district = _district(request)
    if district is None:
        return Status(404, {"detail": "您的账号未关联区"})
    try:
        return Status(200, services.rank_towns(district, _period(period), indicator, by=by).as_dict())
    except (services.PeriodError, services.IndicatorError) as exc:
        return _period_error(exc)


@router.get("/rankings/figures", response={200: FiguresOut, **ERRORS}, summary="街乡镇时段数据")
@api_scoped("any_user")
def get_figures(request: HttpRequest, period: str = PeriodIn, indicator: IndicatorIn = "pm25"):
    district = _district(request)
    if district is None:
        return Status(404, {"detail": "您的账号未关联区"})
    try:
        p = services.period_of(_period(period))
        figures = services.town_figures(district, p, indicator)
    except (services.PeriodError, services.IndicatorError) as exc:
        return _period_error(exc)
    return Status(200, {"period": p.as_dict(), "indicator": indicator, "unit": rules.INDICATORS[indicator].unit,
                        "towns": [f.as_dict() for f in figures]})


@router.get("/rankings/settings", response={200: SettingsOut, **ERRORS}, summary="排名设置")
@api_scoped("any_user")
def get_settings(request: HttpRequest):
    district = _district(request)
    if district is None:
        return Status(404, {"detail": "您的账号未关联区"})
    s = services.settings_for(district)
    return Status(200, {"weights": s.weights, "weighting_mode": s.weighting_mode, "bottom_n": s.bottom_n,
                        "min_completeness": s.min_completeness, "partial_month": s.partial_month,
                        "composite": s.composite, "change_digits": s.change_digits,
                        "composite_digits": s.composite_digits, "user_set": s.user_set})


@router.post("/rankings/towns/{rank_town_id}/measures", response={200: MeasureOut, **ERRORS},
             summary="录入街乡镇月度指标")
@api_scoped("reviewer")
def post_measure(request: HttpRequest, rank_town_id: int, payload: MeasureIn):
    user = _user(request)
    district = user.district
    town = get_object_or_404(Town.objects.filter(district=district), pk=filter_id(rank_town_id))
    try:
        month = dt.date.fromisoformat(f"{payload.month}-01")
    except ValueError:
        return Status(422, {"detail": "月份格式应为 2024-03"})
    result = actions.save_measure(district, acting_user=user, town=town, indicator=payload.indicator, month=month,
                                  value=payload.value, source=payload.source)
    return Status(200, {"result": result})
