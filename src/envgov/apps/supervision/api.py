"""API operations of 督办: list, respond, close. Reads go through the scope queryset (outside scope → 404);
writes parse the JSON body and call envgov.apps.supervision.actions, which check rights, lock and audit.
"""
# no `from __future__ import annotations`: ninja reads the parameter types through the api_scoped wrapper

import datetime as dt

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from envgov.apps.accounts.scope import api_scoped, supervision_for
from envgov.apps.plans.api import ERRORS, NarrativeIn, VersionIn, _user
from envgov.apps.plans.queries import filter_id
from envgov.apps.supervision import actions
from envgov.apps.supervision.models import SupervisionItem

router = Router(tags=["督办"])


class EventOut(Schema):
    kind: str
    kind_label: str
    level: int
    actor: str | None
    note: str
    at: dt.datetime


class SupervisionOut(Schema):
    id: int
    plan_id: int
    task_id: int | None
    source: str
    addressee_unit: str | None
    addressee_town: str | None
    title: str
    detail: str
    period: str
    opened_on: dt.date
    due_date: dt.date
    status: str
    escalation_level: int = Field(description="0 经办人员，1 科室负责人，2 分管领导")
    escalation_label: str
    reopens_id: int | None
    reopen_reason: str
    response: str
    closure_note: str
    events: list[EventOut]
    version: int


class RespondIn(Schema):
    response: NarrativeIn
    version: VersionIn


class CloseIn(Schema):
    note: NarrativeIn
    version: VersionIn


def _item(i: SupervisionItem) -> dict:
    return {
        "id": i.pk, "plan_id": i.plan_id, "task_id": i.task_id, "source": i.source,
        "addressee_unit": i.addressee_unit.name if i.addressee_unit else None,
        "addressee_town": i.addressee_town.name if i.addressee_town else None,
        "title": i.title, "detail": i.detail, "period": i.period, "opened_on": i.opened_on, "due_date": i.due_date,
        "status": i.status, "escalation_level": i.escalation_level,
        "escalation_label": str(i.get_escalation_level_display()), "reopens_id": i.reopens_id,
        "reopen_reason": i.reopen_reason, "response": i.response, "closure_note": i.closure_note,
        "events": [{"kind": e.kind, "kind_label": str(e.get_kind_display()), "level": e.level,
                    "actor": e.actor.display_name if e.actor_id else None, "note": e.note, "at": e.at}
                   for e in i.events.all()],
        "version": i.version,
    }


def _items_qs(request: HttpRequest):
    return (supervision_for(_user(request)).select_related("addressee_unit", "addressee_town")
            .prefetch_related("events__actor"))


@router.get("/supervision", response=list[SupervisionOut], summary="督办事项")
@api_scoped("any_user")
def list_supervision(request: HttpRequest, plan: int | None = None, status: str = ""):
    items = _items_qs(request)
    if plan is not None:
        items = items.filter(plan_id=filter_id(plan))  # beyond any id: nothing, never a 500
    if status:
        items = items.filter(status=status)
    return [_item(i) for i in items]


@router.get("/supervision/{item_id}", response={200: SupervisionOut, **ERRORS}, summary="督办事项详情")
@api_scoped("any_user")
def get_supervision(request: HttpRequest, item_id: int):
    return Status(200, _item(get_object_or_404(_items_qs(request), pk=item_id)))


@router.post("/supervision/{item_id}/respond", response={200: SupervisionOut, **ERRORS}, summary="督办反馈")
@api_scoped("addressee")
def respond_supervision(request: HttpRequest, item_id: int, payload: RespondIn):
    user = _user(request)
    item = get_object_or_404(supervision_for(user), pk=item_id)
    actions.respond_supervision(item, acting_user=user, response=payload.response, expected_version=payload.version)
    return Status(200, _item(_items_qs(request).get(pk=item.pk)))


@router.post("/supervision/{item_id}/close", response={200: SupervisionOut, **ERRORS}, summary="督办销号")
@api_scoped("reviewer")
def close_supervision(request: HttpRequest, item_id: int, payload: CloseIn):
    user = _user(request)
    item = get_object_or_404(supervision_for(user), pk=item_id)
    actions.close_supervision(item, acting_user=user, note=payload.note, expected_version=payload.version)
    return Status(200, _item(_items_qs(request).get(pk=item.pk)))
