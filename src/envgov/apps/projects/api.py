"""API operations of the projects app (read-only): the project library with reductions and spending, the
reduction targets with their sums, and the fund allocations. Another district's objects are not found."""
# no `from __future__ import annotations`: ninja reads the parameter types through the api_scoped wrapper

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Schema, Status

from envgov.apps.accounts.scope import api_scoped
from envgov.apps.plans.api import ERRORS, _user
from envgov.apps.plans.queries import filter_id
from envgov.apps.projects import services
from envgov.apps.projects.models import FundAllocation, Project

router = Router(tags=["项目资金库"])


class ReductionOut(Schema):
    pollutant: str
    tonnes: float
    method: str
    basis: str


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    area: str
    town: str | None
    lead_unit: str | None
    year: int
    budget_wan: float
    paid_wan: float
    remaining_wan: float
    execution_rate: float | None
    fund_source: str
    status: str
    task: str | None
    is_simulated: bool
    reductions: list[ReductionOut]


class ContributionOut(Schema):
    project_code: str
    project_name: str
    stage: str
    tonnes: float
    method: str
    basis: str


class ReductionTargetOut(Schema):
    target_id: int
    plan: str
    indicator: str
    target: float
    achieved: float | None
    pending: float | None
    status: str | None
    reason: str
    projects: list[ContributionOut]


class AllocationOut(Schema):
    id: int
    year: int
    title: str
    rule: str
    rule_version: str
    total_yuan: int
    weights: dict
    lines: list[dict]
    reason: str
    is_simulated: bool


def _projects(request: HttpRequest):
    user = _user(request)
    if not user.district_id:
        return Project.objects.none()
    return Project.objects.filter(district_id=user.district_id).select_related("town", "lead_unit", "task") \
        .prefetch_related("reductions", "payments")


def _project(p: Project) -> dict:
    s = services.spending(p, list(p.payments.all()))
    return {"id": p.pk, "code": p.code, "name": p.name, "area": p.area, "town": p.town.name if p.town_id else None,
            "lead_unit": p.lead_unit.name if p.lead_unit_id else None, "year": p.year, "budget_wan": float(s.budget),
            "paid_wan": float(s.paid), "remaining_wan": float(s.remaining),
            "execution_rate": float(s.rate) if s.rate is not None else None, "fund_source": p.fund_source,
            "status": p.status, "task": p.task.code if p.task_id else None, "is_simulated": p.is_simulated,
            "reductions": [{"pollutant": r.pollutant, "tonnes": float(r.tonnes), "method": r.method, "basis": r.basis}
                           for r in p.reductions.all()]}


@router.get("/projects", response=list[ProjectOut], summary="项目库")
@api_scoped("any_user")
def list_projects(request: HttpRequest):
    return [_project(p) for p in _projects(request)]


@router.get("/projects/reductions", response=list[ReductionTargetOut], summary="工程减排量对照计划减排目标")
@api_scoped("any_user")
def project_reduction_targets(request: HttpRequest):
    user = _user(request)
    if not user.district_id:
        return []
    out = []
    for t in services.reduction_targets(user.district):
        c = services.check_target(t)
        j = c.judgement
        out.append({"target_id": t.pk, "plan": f"{t.plan.year} {t.plan.title}", "indicator": t.indicator.code,
                    "target": float(t.value), "achieved": float(j.achieved) if j else None,
                    "pending": float(j.pending) if j else None, "status": j.status if j else None,
                    "reason": j.reason if j else "",
                    "projects": [{"project_code": x.project_code, "project_name": x.project_name, "stage": x.stage,
                                  "tonnes": float(x.tonnes), "method": x.method, "basis": x.basis}
                                 for x in c.contributions]})
    return out


@router.get("/projects/{project_id}", response={200: ProjectOut, **ERRORS}, summary="项目详情")
@api_scoped("any_user")
def get_project(request: HttpRequest, project_id: int):
    p = _projects(request).filter(pk=filter_id(project_id)).first()
    if p is None:
        return Status(404, {"detail": gettext("未找到该项目")})
    return Status(200, _project(p))


@router.get("/funds/allocations", response=list[AllocationOut], summary="专项资金分配")
@api_scoped("any_user")
def list_fund_allocations(request: HttpRequest):
    user = _user(request)
    if not user.district_id:
        return []
    return [{"id": a.pk, "year": a.year, "title": a.title, "rule": a.rule, "rule_version": a.rule_version,
             "total_yuan": a.total_yuan, "weights": a.weights, "lines": a.result.get("lines", []), "reason": a.reason,
             "is_simulated": a.is_simulated} for a in FundAllocation.objects.filter(district_id=user.district_id)]
