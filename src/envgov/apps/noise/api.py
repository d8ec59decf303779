"""API operations of the noise app: points with their day and night figures, and the attainment rates by class.
Read-only; every figure is the engine's (`services`), as on the pages. Only the caller's district is seen."""
# no `from __future__ import annotations`: ninja reads the parameter types through the api_scoped wrapper

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Schema, Status

from envgov.apps.accounts.scope import api_scoped
from envgov.apps.noise import services
from envgov.apps.plans.api import ERRORS, _user
from envgov.standards.noise.tables import CLASS_CODES, DAY, NIGHT

router = Router(tags=["声环境"])


class PeriodOut(Schema):
    leq: float
    limit: float
    values: int
    point_times: int
    attained: int
    rate: float | None
    all_attained: bool


class PointOut(Schema):
    id: int
    code: str
    name: str
    cls: str
    town: str
    lon: float | None
    lat: float | None
    is_simulated: bool
    day: PeriodOut | None
    night: PeriodOut | None


def _year(request: HttpRequest, year: int | None):
    user = _user(request)
    if user.district_id is None:
        return None, None, Status(404, {"detail": gettext("未找到本区")})
    years = services.years_with_data(user.district)
    if year is not None and year not in years:
        return None, None, Status(404, {"detail": gettext("该年度没有噪声监测数据")})
    return user.district, year or (years[-1] if years else None), None


@router.get("/noise/points", response={200: list[PointOut], **ERRORS}, summary="声环境功能区监测点位及昼夜等效声级")
@api_scoped("any_user")
def list_noise_points(request: HttpRequest, year: int | None = None):
    district, year, error = _year(request, year)
    if error is not None:
        return error
    result = services.evaluate(district, *services.year_bounds(year))
    summaries = {(s.point, s.period): s for s in result.summaries}
    out = []
    for p in services.points(district):
        rec = {"id": p.pk, "code": p.code, "name": p.name, "cls": p.cls, "town": p.town.name if p.town else "",
               "lon": p.lon, "lat": p.lat, "is_simulated": p.is_simulated}
        for period in (DAY, NIGHT):
            rec[period] = services._summary_dict(summaries.get((p.code, period)))
        out.append(rec)
    return Status(200, out)


@router.get("/noise/rates", response={200: dict, **ERRORS}, summary="声环境功能区昼间、夜间达标率（总体与分类别）")
@api_scoped("any_user")
def noise_rates(request: HttpRequest, year: int | None = None):
    district, year, error = _year(request, year)
    if error is not None:
        return error
    result = services.evaluate(district, *services.year_bounds(year))

    def rate(r) -> dict:  # noqa: ANN001
        return {"monitored": r.monitored, "attained": r.attained, "rate": r.rate}

    return Status(200, {"year": year, "provenance": result.provenance,
                        "rates": {period: {"overall": rate(result.rate(period)),
                                           "by_class": {c: rate(result.rate(period, c)) for c in CLASS_CODES}}
                                  for period in (DAY, NIGHT)}})
