"""API operations of the complaints app (read-only): the work orders a user may see and a month's 三率.
Orders outside the user's scope are not found (404); rates are the rules evaluator's, as on the pages."""
# no `from __future__ import annotations`: ninja reads the parameter types through the api_scoped wrapper

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Schema, Status

from envgov.apps.accounts.scope import api_scoped
from envgov.apps.complaints import permissions, services
from envgov.apps.complaints.models import WorkOrder
from envgov.apps.plans.api import ERRORS, _user
from envgov.apps.plans.queries import filter_id

router = Router(tags=["接诉即办"])


class OrderOut(Schema):
    id: int
    number: str
    channel: str
    dispatched_at: str
    unit: str | None
    unit_written: str
    town: str | None
    address: str
    content: str
    category: str
    category_by: str
    deadline: str | None
    responded_at: str | None
    replied_at: str | None
    resolved: bool | None
    satisfaction: str | None
    reopen_of: str | None
    stage: str
    is_simulated: bool


def _iso(v) -> str | None:
    return None if v is None else v.isoformat()


def _order(o: WorkOrder, cats) -> dict:
    cat, how = services.category_of(o, cats)
    return {"id": o.pk, "number": o.number, "channel": o.channel, "dispatched_at": o.dispatched_at.isoformat(),
            "unit": o.unit.name if o.unit_id else None, "unit_written": o.unit_written,
            "town": o.town.name if o.town_id else None, "address": o.address, "content": o.content,
            "category": cat, "category_by": how, "deadline": _iso(o.deadline), "responded_at": _iso(o.responded_at),
            "replied_at": _iso(o.replied_at), "resolved": o.resolved, "satisfaction": o.satisfaction or None,
            "reopen_of": o.reopen_of.number if o.reopen_of_id else (o.reopen_of_number or None), "stage": o.stage,
            "is_simulated": o.is_simulated}


def _orders(request: HttpRequest):
    return permissions.orders_for(_user(request)).select_related("unit", "town", "reopen_of", "district")


@router.get("/complaints/orders", response={200: list[OrderOut], **ERRORS}, summary="接诉即办工单（本人可见范围）")
@api_scoped("any_user")
def list_complaint_orders(request: HttpRequest, month: str = ""):
    user = _user(request)
    qs = _orders(request)
    if month:
        try:
            start, end = services.month_bounds(month)
        except ValueError as exc:
            return Status(422, {"detail": str(exc)})
        qs = qs.filter(dispatched_at__gte=start, dispatched_at__lt=end)
    cats = services.category_rules(user.district) if user.district_id else services.rules.DEFAULT_CATEGORIES
    return Status(200, [_order(o, cats) for o in qs[:5000]])


@router.get("/complaints/orders/{order_id}", response={200: OrderOut, **ERRORS}, summary="接诉即办工单详情")
@api_scoped("any_user")
def get_complaint_order(request: HttpRequest, order_id: int):
    o = _orders(request).filter(pk=filter_id(order_id)).first()
    if o is None:
        return Status(404, {"detail": gettext("未找到该工单")})
    return Status(200, _order(o, services.category_rules(o.district)))


@router.get("/complaints/rates", response={200: dict, **ERRORS}, summary="接诉即办三率（按月，分承办单位、街乡镇）")
@api_scoped("oversight")
def complaint_rates(request: HttpRequest, month: str = ""):
    user = _user(request)
    if user.district_id is None:
        return Status(404, {"detail": gettext("未找到本区")})
    if not month:
        months = services.months_with_orders(user.district)
        if not months:
            return Status(200, {"month": None, "detail": gettext("本区还没有工单")})
        month = months[-1]
    outcome = services.month_result(user.district, month)
    if outcome.missing:  # not computable until the district sets them: which parameters, for which orders
        return Status(200, {"month": outcome.month, "computable": False, "missing": outcome.missing_lines(),
                            "detail": gettext("本月三率需要先设定参数")})
    if outcome.result is None:
        return Status(200, {"month": outcome.month, "computable": False, "missing": [], "detail": outcome.error})
    return Status(200, {**outcome.result.to_dict(), "computable": True})
