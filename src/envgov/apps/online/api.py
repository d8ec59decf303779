"""API operations of the online-monitoring app: points with their limits, and alerts. Read-only (转督办 and
edits are page actions). Scope as on the pages: another district's points, or another town's for a town's
users, are not found (404)."""
# no `from __future__ import annotations`: ninja reads the parameter types through the api_scoped wrapper

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Schema, Status

from envgov.apps.accounts.scope import api_scoped
from envgov.apps.online import permissions
from envgov.apps.online.models import Alert
from envgov.apps.plans.api import ERRORS, _user
from envgov.apps.plans.queries import filter_id

router = Router(tags=["在线监控"])


class LimitOut(Schema):
    code: str
    averaging: str
    max_value: float | None
    min_value: float | None
    unit: str
    source: str


class PointOut(Schema):
    id: int
    mn: str
    name: str
    kind: str
    enterprise_name: str
    credit_code: str
    town: str | None
    active: bool
    is_simulated: bool
    limits: list[LimitOut]


class AlertOut(Schema):
    id: int
    point_id: int
    mn: str
    kind: str
    cn: str
    code: str
    field: str
    time: str
    value: float | None
    limit: float | None
    unit: str
    flag: str
    reason: str
    status: str
    supervision_item_id: int | None
    is_simulated: bool


def _point(p) -> dict:  # noqa: ANN001
    return {"id": p.pk, "mn": p.mn, "name": p.name, "kind": p.kind, "enterprise_name": p.enterprise_name,
            "credit_code": p.credit_code, "town": p.town.name if p.town_id else None, "active": p.active,
            "is_simulated": p.is_simulated,
            "limits": [{"code": x.code, "averaging": x.averaging, "max_value": x.max_value, "min_value": x.min_value,
                        "unit": x.unit, "source": x.source} for x in p.limits.all()]}


def _alert(a: Alert) -> dict:
    item = getattr(a, "supervision_item", None)
    return {"id": a.pk, "point_id": a.point_id, "mn": a.point.mn, "kind": a.kind, "cn": a.cn, "code": a.code,
            "field": a.field, "time": a.time.isoformat(), "value": a.value, "limit": a.limit, "unit": a.unit,
            "flag": a.flag, "reason": a.reason, "status": a.status,
            "supervision_item_id": item.pk if item is not None else None, "is_simulated": a.is_simulated}


@router.get("/online/points", response=list[PointOut], summary="在线监控点位及许可限值")
@api_scoped("any_user")
def list_online_points(request: HttpRequest):
    return [_point(p) for p in permissions.points_for(_user(request)).select_related("town").prefetch_related("limits")]


@router.get("/online/points/{point_id}", response={200: PointOut, **ERRORS}, summary="在线监控点位详情")
@api_scoped("any_user")
def get_online_point(request: HttpRequest, point_id: int):
    p = permissions.points_for(_user(request)).filter(pk=filter_id(point_id)).select_related("town").first()
    if p is None:
        return Status(404, {"detail": gettext("未找到该点位")})
    return Status(200, _point(p))


@router.get("/online/alerts", response=list[AlertOut], summary="在线监控报警（最近 500 条）")
@api_scoped("any_user")
def list_online_alerts(request: HttpRequest, status: str = "", kind: str = ""):
    qs = permissions.alerts_for(_user(request)).select_related("point", "supervision_item")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return [_alert(a) for a in qs[:500]]
