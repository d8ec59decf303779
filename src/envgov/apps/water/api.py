"""API operations of the water app: sections with their monthly classes, and a month's compensation
ledger. Read-only; every figure is the engine's (`services`), as on the pages. Sections of another
district are not found (404)."""
# no `from __future__ import annotations`: ninja reads the parameter types through the api_scoped wrapper

import re

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Schema, Status

from envgov.apps.accounts.scope import api_scoped
from envgov.apps.plans.api import ERRORS, _user
from envgov.apps.plans.queries import filter_id
from envgov.apps.water import services
from envgov.apps.water.models import Section

router = Router(tags=["地表水"])


class MonthOut(Schema):
    month: str
    samples: int
    water_class: str | None
    status: str | None
    attained: bool | None
    primary_pollutants: list[str]


class SectionOut(Schema):
    id: int
    code: str
    name: str
    river: str
    kind: str
    kind_rule: str
    level: str
    target: str | None
    town: str | None
    boundary: str
    upstream: str
    downstream: str
    is_simulated: bool
    months: list[MonthOut]


def _months(results) -> list[dict]:
    return [{"month": r.period, "samples": r.samples, "water_class": r.label or None, "status": r.status or None,
             "attained": r.attained, "primary_pollutants": r.primary} for r in results]


def _section(s: Section, results) -> dict:
    from envgov.standards.water.tables import CLASS_LABELS

    return {"id": s.pk, "code": s.code, "name": s.name, "river": s.river, "kind": s.kind, "kind_rule": s.kind_rule,
            "level": s.level, "target": CLASS_LABELS.get(s.target or 0), "town": s.town.name if s.town_id else None,
            "boundary": s.boundary, "upstream": s.upstream, "downstream": s.downstream,
            "is_simulated": s.is_simulated, "months": _months(results)}


def _sections(request: HttpRequest):
    user = _user(request)
    return Section.objects.filter(district_id=user.district_id, active=True).select_related("town") \
        if user.district_id else Section.objects.none()


@router.get("/water/sections", response=list[SectionOut], summary="水质断面及逐月类别")
@api_scoped("any_user")
def list_water_sections(request: HttpRequest):
    sections = list(_sections(request))
    by = {}
    for r in services.evaluate(sections, "month"):
        by.setdefault(r.section.pk, []).append(r)
    return [_section(s, by.get(s.pk, [])) for s in sections]


@router.get("/water/sections/{section_id}", response={200: SectionOut, **ERRORS}, summary="水质断面详情")
@api_scoped("any_user")
def get_water_section(request: HttpRequest, section_id: int):
    s = _sections(request).filter(pk=filter_id(section_id)).first()
    if s is None:
        return Status(404, {"detail": gettext("未找到该断面")})
    return Status(200, _section(s, services.evaluate([s], "month")))


@router.get("/water/compensation", response={200: dict, **ERRORS}, summary="跨界断面补偿月台账")
@api_scoped("any_user")
def water_compensation(request: HttpRequest, month: str = "", rules: str = "beijing-2015"):
    from envgov.rules import compensation as comp

    user = _user(request)
    if rules not in comp.RULE_SETS:
        return Status(422, {"detail": gettext("未知补偿规则集；可用：%(ids)s") % {"ids": "、".join(comp.RULE_SETS)}})
    if month and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        return Status(422, {"detail": gettext("月份应写作 YYYY-MM（如 2024-03）")})
    if user.district_id is None:
        return Status(404, {"detail": gettext("未找到本区")})
    if not month:  # the latest month with samples
        months = services.months_with_data(user.district)
        if not months:
            return Status(200, {"month": None, "lines": [], "transfers": [], "detail": gettext("本区还没有水质样品")})
        month = months[-1]
    result = services.ledger(user.district, rules, month)
    if result.missing is not None:
        return Status(422, {"detail": "；".join(services.translate(r) for r in result.missing.reasons())})
    if result.ledger is None:
        return Status(422, {"detail": result.error})
    doc = result.ledger.to_dict()
    for line, src in zip(doc["lines"], result.ledger.lines):
        line["reasoning"] = services.reasoning(src)
    return Status(200, doc)
