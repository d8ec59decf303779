"""API operations of the source inventory (decision 0030): read-only. The same scope as the pages: the
district for oversight roles, the own town for town reporters, nothing for unit reporters; a source
outside it is not found (404)."""
# no `from __future__ import annotations`: ninja reads the parameter types through the api_scoped wrapper

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Schema, Status

from envgov.apps.accounts.scope import api_scoped
from envgov.apps.plans.api import ERRORS, _user
from envgov.apps.plans.queries import filter_id
from envgov.apps.sources import services
from envgov.ingest import sources as spec

router = Router(tags=["污染源清单"])


class SourceOut(Schema):
    id: int
    kind: str
    name: str
    town: str
    address: str
    lon: float | None
    lat: float | None
    is_simulated: bool
    fields: dict


def _plain(v):  # noqa: ANN001, ANN202
    return v.isoformat() if isinstance(v, dt.date) else v


def _source(obj, kind: str) -> dict:  # noqa: ANN001
    k = spec.KINDS[kind]
    extra = {}
    for f in k.fields:
        if f.key in ("id", "name", "town", "address", "lon", "lat"):
            continue
        if f.key in ("receiving_water", "channel", "channel_kind", "discharger_code", "last_cleaned"):
            extra[f.key] = _plain(services.display(obj, f))
        else:
            extra[f.key] = _plain(getattr(obj, f.key))
    if kind == "fleet":
        extra["in_ledger"] = obj.in_ledger
    return {"id": obj.pk, "kind": kind, "name": obj.name, "town": obj.town.name, "address": obj.address,
            "lon": obj.lon, "lat": obj.lat, "is_simulated": obj.is_simulated, "fields": extra}


@router.get("/sources", response={200: list[SourceOut], **ERRORS}, summary="污染源清单（按类别，可按街乡镇筛选）")
@api_scoped("any_user")
def list_sources(request: HttpRequest, kind: str = "enterprise", town: int | None = None):
    if kind not in spec.KINDS:
        return Status(422, {"detail": gettext("未知类别；可用：%(kinds)s") % {"kinds": "、".join(spec.KINDS)}})
    qs = services.sources_for(_user(request), kind)
    if town is not None:
        qs = qs.filter(town_id=filter_id(town))
    return Status(200, [_source(o, kind) for o in qs])


@router.get("/sources/enterprise/{enterprise_id}", response={200: SourceOut, **ERRORS}, summary="企业详情")
@api_scoped("any_user")
def get_enterprise(request: HttpRequest, enterprise_id: int):
    obj = services.sources_for(_user(request), "enterprise").filter(pk=filter_id(enterprise_id)).first()
    if obj is None:
        return Status(404, {"detail": gettext("未找到该企业")})
    out = _source(obj, "enterprise")
    out["fields"]["reports"] = [{"year": r.year, "due_date": _plain(r.due_date), "submitted_on": _plain(r.submitted_on),
                                 "audit_status": r.audit_status} for r in obj.reports.all()]
    return Status(200, out)
