"""API operations of the ledger: plans, targets, tasks, progress (督办: envgov.apps.supervision.api).

Reads go through the scope querysets (an object outside the caller's scope is 404, never shown);
writes only parse the JSON body and call `envgov.apps.plans.actions`, which check rights, lock and audit.
"""
# no `from __future__ import annotations`: ninja reads the parameter types through the api_scoped wrapper,
# whose module globals do not hold this module's names, so the annotations must be real objects

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from envgov.apps.accounts.scope import api_scoped, plans_for, reports_for, supervision_for, tasks_for
from envgov.apps.audit import clock
from envgov.apps.plans import actions, owed, progress, queries
from envgov.apps.plans.models import Plan, ProgressReport, Target, Task
from envgov.catalogue import gettext_noop
from envgov.rules import bounds

router = Router(tags=["台账"])


def _user(request: HttpRequest):
    return getattr(request, "auth", None) or request.user


# ---------------------------------------------------------------- bounded input, tolerant output

def _bounded(check, label: str):  # noqa: ANN001, ANN202 - a bounds check → a pydantic validator
    """Out-of-bounds input is a located 422 before the view runs (web/api.py words `out_of_bounds`)."""

    def validate(value):  # noqa: ANN001, ANN202
        try:
            return check(value, label)
        except bounds.OutOfBounds as exc:
            raise PydanticCustomError("out_of_bounds", str(exc).replace("{", "(").replace("}", ")"),
                                      {"template": exc.problem.template, "values": dict(exc.problem.values)}) from None

    return AfterValidator(validate)


FigureIn = Annotated[Decimal, _bounded(bounds.figure, gettext_noop("累计完成量")), WithJsonSchema({
    "type": "number", "minimum": 0, "maximum": float(bounds.FIGURE.largest)})]
NarrativeIn = Annotated[str, _bounded(bounds.text, gettext_noop("进展情况"))]
ReasonIn = Annotated[str, _bounded(bounds.text, gettext_noop("退回原因"))]
VersionIn = Annotated[int, _bounded(lambda v, label: bounds.integer(v, label, maximum=bounds.VERSION_MAX), "version"),
                     WithJsonSchema({"type": "integer", "minimum": 0, "maximum": bounds.VERSION_MAX})]
# what a column already holds is shown as it is, even a value no door lets in any more (NaN on PostgreSQL)
StoredFigure = Annotated[Decimal, Field(allow_inf_nan=True)]


# ---------------------------------------------------------------- schemas

class PlanOut(Schema):
    id: int
    district: str
    year: int
    title: str
    status: str
    report_frequency: str
    revision: int
    issued_at: dt.datetime | None
    is_simulated: bool
    version: int


class PlanDetailOut(PlanOut):
    tasks_total: int
    tasks_completed: int
    tasks_overdue: int
    pending_reviews: int
    open_supervision: int


class TargetOut(Schema):
    id: int
    area: str
    indicator: str
    indicator_name: str
    comparator: str
    value: StoredFigure
    unit: str
    period_kind: str
    period_label: str
    period_end: dt.date | None
    scope: str
    town: str | None
    actual_value: StoredFigure | None
    actual_as_of: dt.date | None
    status: str = Field(description="met / not_met / unknown")


class QuantityOut(Schema):
    id: int
    name: str
    unit: str
    kind: str = Field(description="count：各责任方累加 / rate：各责任方均须达到（取最低）")
    target_value: StoredFigure
    achieved_value: StoredFigure | None


class PartyQuantityOut(Schema):
    quantity_id: int
    share_value: StoredFigure | None = Field(description="计划分解给该责任方的量；不分解为 null")
    achieved_value: StoredFigure | None


class PartyOut(Schema):
    id: int
    kind: str = Field(description="unit / town")
    name: str
    status: str
    completed_on: dt.date | None
    quantities: list[PartyQuantityOut]


class TaskOut(Schema):
    id: int
    plan_id: int
    code: str
    title: str
    area: str
    lead_units: list[str]
    cooperating_units: list[str]
    towns: list[str]
    all_towns: bool
    due_date: dt.date | None
    status: str
    completed_on: dt.date | None
    overdue: bool
    version: int


class TaskDetailOut(TaskOut):
    body: str
    closure_reason: str
    quantities: list[QuantityOut]
    parties: list[PartyOut] = Field(description="各责任方（牵头单位、街乡镇）各自的进展与销号")


class ProgressOut(Schema):
    id: int
    task_id: int
    period: str
    unit: str | None
    town: str | None
    narrative: str
    marks_complete: bool
    status: str
    submitted_by: str
    submitted_at: dt.datetime
    reviewed_at: dt.datetime | None
    return_reason: str
    quantities: dict[int, StoredFigure] = Field(description="工作量 id → 累计完成量")
    version: int


class ProgressIn(Schema):
    narrative: NarrativeIn
    quantities: dict[int, FigureIn] = Field(
        default_factory=dict, json_schema_extra={"propertyNames": {"pattern": "^[0-9]{1,18}$"}},
        description=f"工作量 id → 累计完成量（0 至 {bounds.FIGURE.largest}，最多 {bounds.FIGURE.decimal_places} 位小数）")
    marks_complete: bool = False


class ReviewIn(Schema):
    decision: Literal["accept", "return"]
    reason: ReasonIn = ""
    version: VersionIn = Field(description="读取时的 version，防止覆盖他人的审核")







class Message(Schema):
    detail: str


ERRORS = {401: Message, 403: Message, 404: Message, 409: Message, 422: Message}


# ---------------------------------------------------------------- row builders

def _plan(p: Plan) -> dict:
    return {
        "id": p.pk, "district": p.district.name, "year": p.year, "title": p.title, "status": p.status,
        "report_frequency": p.report_frequency, "revision": p.revision, "issued_at": p.issued_at,
        "is_simulated": p.is_simulated, "version": p.version,
    }


def _task(t: Task, today: dt.date) -> dict:
    return {
        "id": t.pk, "plan_id": t.plan_id, "code": t.code, "title": t.title, "area": t.area.code,
        "lead_units": [u.name for u in t.lead_units.all()],
        "cooperating_units": [u.name for u in t.cooperating_units.all()],
        "towns": [x.name for x in t.towns.all()], "all_towns": t.all_towns, "due_date": t.due_date,
        "status": t.status, "completed_on": t.completed_on,
        "overdue": bool(t.due_date and t.due_date < today and t.status != Task.Status.COMPLETED),
        "version": t.version,
    }


def _report(r: ProgressReport) -> dict:
    return {
        "id": r.pk, "task_id": r.task_id, "period": r.period, "unit": r.unit.name if r.unit else None,
        "town": r.town.name if r.town else None, "narrative": r.narrative, "marks_complete": r.marks_complete,
        "status": r.status, "submitted_by": r.submitted_by.username, "submitted_at": r.submitted_at,
        "reviewed_at": r.reviewed_at, "return_reason": r.return_reason,
        "quantities": {qp.quantity_id: qp.value for qp in r.quantities.all()}, "version": r.version,
    }





TASK_PREFETCH = ("lead_units", "cooperating_units", "towns")


def _reports_qs(request: HttpRequest):
    return reports_for(_user(request)).select_related("unit", "town", "submitted_by").prefetch_related("quantities")





# ---------------------------------------------------------------- what I owe

class OwedItemOut(Schema):
    kind: str = Field(description="report 待填报 / correction 待重报 / response 待反馈督办 / review 待审核 / closure 待销号")
    label: str
    title: str
    due_date: dt.date | None
    url: str
    party: str
    period: str
    task_id: int | None
    report_id: int | None
    item_id: int | None


class OwedOut(Schema):
    count: int
    items: list[OwedItemOut]


@router.get("/me/owed", response=OwedOut, summary="我的待办（与页面、提醒、通知同一口径）")
@api_scoped("any_user")
def my_owed(request: HttpRequest):
    items = owed.owed_for(_user(request), clock.today())
    return {"count": len(items), "items": [
        {"kind": o.kind, "label": o.label, "title": o.title, "due_date": o.due_date, "url": o.url,
         "party": o.party_name, "period": o.period, "task_id": o.task_id, "report_id": o.report_id,
         "item_id": o.item_id} for o in items]}


# ---------------------------------------------------------------- plans and targets

@router.get("/plans", response=list[PlanOut], summary="我可见的计划")
@api_scoped("any_user")
def list_plans(request: HttpRequest):
    return [_plan(p) for p in plans_for(_user(request)).select_related("district")]


@router.get("/plans/{plan_id}", response={200: PlanDetailOut, **ERRORS}, summary="计划及完成情况")
@api_scoped("any_user")
def get_plan(request: HttpRequest, plan_id: int):
    user = _user(request)
    plan = get_object_or_404(plans_for(user).select_related("district"), pk=plan_id)
    o = queries.overview(plan, tasks_for(user), supervision_for(user), clock.today())
    return {
        **_plan(plan), "tasks_total": o.totals.total, "tasks_completed": o.totals.completed,
        "tasks_overdue": o.totals.overdue, "pending_reviews": o.pending_reviews,
        "open_supervision": o.open_supervision,
    }


@router.get("/plans/{plan_id}/targets", response={200: list[TargetOut], **ERRORS}, summary="目标指标")
@api_scoped("any_user")
def list_targets(request: HttpRequest, plan_id: int):
    plan = get_object_or_404(plans_for(_user(request)), pk=plan_id)
    rows = []
    for t in Target.objects.filter(plan=plan).select_related("area", "indicator", "town"):
        rows.append({
            "id": t.pk, "area": t.area.code, "indicator": t.indicator.code, "indicator_name": t.indicator.name,
            "comparator": t.comparator, "value": t.value, "unit": t.unit, "period_kind": t.period_kind,
            "period_label": t.period_label, "period_end": t.period_end, "scope": t.scope,
            "town": t.town.name if t.town else None, "actual_value": t.actual_value,
            "actual_as_of": t.actual_as_of, "status": t.status,
        })
    return Status(200, rows)


@router.get("/plans/{plan_id}/tasks", response={200: list[TaskOut], **ERRORS}, summary="任务台账（可筛选）")
@api_scoped("any_user")
def list_tasks(
    request: HttpRequest, plan_id: int, area: str = "", unit: int | None = None, town: int | None = None,
    status: str = "", overdue: bool = False, q: str = "",
):
    """area = 领域代码（air…）；unit = 单位 id（牵头或配合）；status = not_started / in_progress / completed /
    overdue；overdue=true 只看逾期；q = 关键词。"""
    user = _user(request)
    plan = get_object_or_404(plans_for(user), pk=plan_id)
    today = clock.today()
    params = {"area": area, "unit": unit, "town": town, "status": status, "q": q}
    tasks = queries.filter_tasks(tasks_for(user).filter(plan=plan), params, today)
    if overdue:
        tasks = tasks.filter(queries.overdue_q(today))
    tasks = tasks.select_related("area").prefetch_related(*TASK_PREFETCH).order_by("order", "id")
    return Status(200, [_task(t, today) for t in tasks])


# ---------------------------------------------------------------- tasks and progress

@router.get("/tasks/{task_id}", response={200: TaskDetailOut, **ERRORS}, summary="任务详情")
@api_scoped("any_user")
def get_task(request: HttpRequest, task_id: int):
    task = get_object_or_404(
        tasks_for(_user(request)).select_related("area", "plan")
        .prefetch_related(*TASK_PREFETCH, "quantities", "parties__unit", "parties__town", "parties__quantities"),
        pk=task_id,
    )
    quantities = [
        {"id": q.pk, "name": q.name, "unit": q.unit, "kind": q.kind, "target_value": q.target_value,
         "achieved_value": q.achieved_value}
        for q in task.quantities.all()
    ]
    parties = [
        {"id": row["party"].pk, "kind": row["kind"], "name": row["name"], "status": row["status"],
         "completed_on": row["completed_on"],
         "quantities": [{"quantity_id": x["quantity"].pk, "share_value": x["share_value"],
                         "achieved_value": x["achieved_value"]} for x in row["quantities"]]}
        for row in progress.completion_by_party(task)
    ]
    return Status(200, {**_task(task, clock.today()), "body": task.body, "closure_reason": task.closure_reason,
                        "quantities": quantities, "parties": parties})


@router.get("/tasks/{task_id}/progress", response={200: list[ProgressOut], **ERRORS}, summary="任务的进展报告")
@api_scoped("any_user")
def list_progress(request: HttpRequest, task_id: int):
    task = get_object_or_404(tasks_for(_user(request)), pk=task_id)
    return Status(200, [_report(r) for r in _reports_qs(request).filter(task=task)])


@router.post("/tasks/{task_id}/progress", response={201: ProgressOut, **ERRORS}, summary="填报本期进展")
@api_scoped("reporter")
def submit_progress(request: HttpRequest, task_id: int, payload: ProgressIn):
    """单位或街乡镇填报员填报本期进展；本期被退回的报告原地重新提交。"""
    user = _user(request)
    task = get_object_or_404(tasks_for(user).select_related("plan"), pk=task_id)
    report = actions.submit_progress(
        task, acting_user=user, narrative=payload.narrative, quantities=dict(payload.quantities),
        marks_complete=payload.marks_complete,
    )
    return Status(201, _report(_reports_qs(request).get(pk=report.pk)))


@router.post("/progress/{report_id}/review", response={200: ProgressOut, **ERRORS}, summary="审核进展（采纳/退回）")
@api_scoped("reviewer")
def review_progress(request: HttpRequest, report_id: int, payload: ReviewIn):
    user = _user(request)
    report = get_object_or_404(reports_for(user).select_related("task__plan"), pk=report_id)
    actions.review_progress(report, acting_user=user, accept=payload.decision == "accept", reason=payload.reason,
                            expected_version=payload.version)
    return Status(200, _report(_reports_qs(request).get(pk=report.pk)))
