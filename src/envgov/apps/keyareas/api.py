"""API of the key areas (decision 0038): read-only. The month's ledger rows with the pages' scope (oversight:
the district; a town reporter: own town; unit reporters: none)."""
# no `from __future__ import annotations`: ninja reads the parameter types through the api_scoped wrapper

from django.http import HttpRequest
from ninja import Router, Schema, Status

from envgov.apps.accounts.scope import api_scoped
from envgov.apps.keyareas import services
from envgov.apps.keyareas.models import LedgerMonth
from envgov.apps.plans.api import ERRORS, _user

router = Router(tags=["重点区域"])


class LedgerRowOut(Schema):
    key_area: str
    zone: str
    kind: str
    source_id: int
    name: str
    town: str
    activity: float | None
    activity_unit: str
    factor: float | None
    emission_t: float | None
    space_t: float | None
    note: str


@router.get("/keyareas/ledger", response={200: list[LedgerRowOut], **ERRORS},
            summary="重点区域污染源台账（按月，默认最近一月；排放系数未设置时排放量为空）")
@api_scoped("any_user")
def keyarea_ledger(request: HttpRequest, month: str = ""):
    user = _user(request)
    qs = LedgerMonth.objects.filter(district_id=user.district_id)
    ledger = qs.filter(month=month).first() if month else qs.order_by("-month").first()
    if ledger is None:
        return Status(200, [])  # no ledger (yet) for that month: no rows
    return Status(200, [{"key_area": r.key_area.name, "zone": r.zone, "kind": r.source_kind, "source_id": r.source_id,
                         "name": r.source_name, "town": r.town.name, "activity": r.activity,
                         "activity_unit": r.activity_unit, "factor": r.factor, "emission_t": r.emission_t,
                         "space_t": r.space_t, "note": r.reason_text} for r in services.ledger_rows(ledger, user)])
