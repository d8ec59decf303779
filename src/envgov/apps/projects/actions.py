"""Changes to the project library and the funds: create and edit a project with its reduction figures,
import a whole file (all or nothing), record a payment, compute and keep a fund allocation. Atomic,
checked with `projects.permissions`, optimistic locking on `version`, audited. After a change of
reductions or status the reduction targets of the district's plans are refreshed (target_figures)."""
from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.accounts.versioned import save_versioned
from envgov.apps.audit import log as audit
from envgov.apps.projects import permissions
from envgov.apps.projects.models import FundAllocation, Payment, Project, Reduction
from envgov.rules import funds
from envgov.rules.reductions import METHODS, POLLUTANTS

PROJECT_FIELDS = ["code", "name", "area", "town", "lead_unit", "year", "budget", "fund_source", "status", "task",
                  "note"]
MAX_BUDGET = Decimal("10000000")  # 万元: 1 000 亿元


def check_project(district_id: int, data: dict, current: Project | None = None) -> tuple[dict, dict]:
    """The clean fields of a project (ValidationError keyed by field otherwise)."""
    errors: dict[str, list[str]] = {}
    code = (data.get("code") or "").strip()
    name = (data.get("name") or "").strip()
    if not re.fullmatch(r"[^\s,，]{1,40}", code):
        errors["code"] = [_("项目编号须为 1–40 个字符，不含空格和逗号")]
    elif Project.objects.filter(district_id=district_id, code=code).exclude(pk=getattr(current, "pk", None)).exists():
        errors["code"] = [_("项目编号“%(code)s”已被使用") % {"code": code}]
    if not name:
        errors["name"] = [_("请填写项目名称")]
    elif len(name) > 200:
        errors["name"] = [_("项目名称不超过 200 个字")]
    if data.get("area") not in Project.Area.values:
        errors["area"] = [_("请选择领域")]
    if data.get("fund_source") not in Project.FundSource.values:
        errors["fund_source"] = [_("请选择资金来源")]
    if data.get("status") not in Project.Status.values:
        errors["status"] = [_("请选择项目状态")]
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = [_("实施年度应为 2000–2100 之间的年份")]
    budget = data.get("budget")
    if not isinstance(budget, Decimal) or not budget.is_finite() or budget < 0 or budget > MAX_BUDGET:
        errors["budget"] = [_("预算应为 0～10000000 之间的万元数")]
    elif budget != budget.quantize(Decimal("0.0001")):
        errors["budget"] = [_("预算精确到元（万元最多 4 位小数）")]
    town = data.get("town")
    if town is not None and town.district_id != district_id:
        errors["town"] = [_("该街乡镇不属于本区")]
    unit = data.get("lead_unit")
    if unit is not None and unit.district_id != district_id:
        errors["lead_unit"] = [_("该单位不属于本区")]
    task = data.get("task")
    if task is not None and task.plan.district_id != district_id:
        errors["task"] = [_("该任务不属于本区的计划")]
    reductions = data.get("reductions") or {}
    for pollutant, (tonnes, method, basis) in reductions.items():
        label = POLLUTANTS.get(pollutant, pollutant)
        if pollutant not in POLLUTANTS:
            errors.setdefault("reductions", []).append(_("未知污染物 %(p)s") % {"p": pollutant})
        elif not isinstance(tonnes, Decimal) or not tonnes.is_finite() or tonnes < 0 or tonnes >= Decimal("1e9"):
            errors.setdefault("reductions", []).append(_("%(p)s 减排量应为不小于 0 的吨数") % {"p": label})
        elif method not in METHODS:
            errors.setdefault("reductions", []).append(_("%(p)s 请选择核算方法") % {"p": label})
        elif not (basis or "").strip():
            errors.setdefault("reductions", []).append(_("%(p)s 请填写核算依据（如监测报告、排放系数来源）") % {"p": label})
        elif len(basis.strip()) > 300:
            errors.setdefault("reductions", []).append(_("%(p)s 核算依据不超过 300 个字") % {"p": label})
    if errors:
        raise ValidationError(errors)
    return {"code": code, "name": name, "area": data["area"], "town": town, "lead_unit": unit, "year": year,
            "budget": budget, "fund_source": data["fund_source"], "status": data["status"], "task": task,
            "note": (data.get("note") or "").strip()}, {
        p: (t.quantize(Decimal("0.001")), m, b.strip()) for p, (t, m, b) in reductions.items()}


REDUCTIONS_KEY = "工程减排量"  # audit key of the reduction figures (shown as written; not a field)


def _reduction_state(project: Project) -> str:
    """The reduction figures as one Chinese line for the audit log: NOx 12.5 吨（监测数据法：依据）；…"""
    return "；".join(f"{POLLUTANTS[r.pollutant]} {format(r.tonnes.normalize(), 'f')} 吨（{METHODS[r.method]}：{r.basis}）"
                    for r in project.reductions.order_by("pollutant")) or "无"


def _set_reductions(project: Project, reductions: dict) -> None:
    project.reductions.exclude(pollutant__in=list(reductions)).delete()
    for pollutant, (tonnes, method, basis) in reductions.items():
        Reduction.objects.update_or_create(project=project, pollutant=pollutant,
                                           defaults={"tonnes": tonnes, "method": method, "basis": basis})


def _refresh_targets(district) -> None:  # noqa: ANN001
    from envgov.apps.projects.services import refresh_reduction_targets

    refresh_reduction_targets(district)


@transaction.atomic
def create_project(district, *, acting_user: User | None, data: dict, is_simulated: bool = False,
                   refresh: bool = True) -> Project:
    if acting_user is not None:
        require(permissions.can_edit_projects(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以登记项目"))
    clean, reductions = check_project(district.pk, data)
    project = Project.objects.create(district=district, is_simulated=is_simulated, **clean)
    _set_reductions(project, reductions)
    audit.record(actor=acting_user, action="project_create", obj=project,
                 after={**audit.snapshot(project, PROJECT_FIELDS), REDUCTIONS_KEY: _reduction_state(project)})
    if refresh:
        _refresh_targets(district)
    return project


@transaction.atomic
def update_project(project: Project, *, acting_user: User, expected_version: int, data: dict,
                   refresh: bool = True) -> Project:
    require(permissions.can_edit_projects(acting_user, project.district_id), _("只有本区的系统管理员或统筹协调人员可以修改项目"))
    clean, reductions = check_project(project.district_id, data, project)
    before_reductions = _reduction_state(project)
    saved = save_versioned(project, clean, acting_user=acting_user, expected_version=expected_version,
                           action="project_update", fields=PROJECT_FIELDS,
                           stale_message=_("该项目已被他人修改，您的修改未保存。请刷新页面后再提交。"))
    _set_reductions(saved, reductions)
    after_reductions = _reduction_state(saved)
    if after_reductions != before_reductions:
        audit.record(actor=acting_user, action="project_reductions", obj=saved,
                     before={REDUCTIONS_KEY: before_reductions}, after={REDUCTIONS_KEY: after_reductions})
    if refresh:
        _refresh_targets(project.district)
    return saved


@transaction.atomic
def import_projects(district, *, acting_user: User | None, rows: list[tuple[int, dict]], file_name: str,
                    is_simulated: bool = False) -> tuple[int, int]:
    """Create or update (by 项目编号) every row, or nothing: a row the action refuses raises ValidationError
    naming the row, and the transaction rolls back. Returns (created, updated)."""
    if acting_user is not None:
        require(permissions.can_import_projects(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以导入项目"))
    created = updated = 0
    for n, data in rows:
        current = Project.objects.filter(district=district, code=data["code"]).first()
        try:
            if current is None:
                create_project(district, acting_user=acting_user, data=data, is_simulated=is_simulated, refresh=False)
                created += 1
            else:
                update_project(current, acting_user=acting_user, expected_version=current.version, data=data,
                               refresh=False)
                updated += 1
        except ValidationError as exc:
            raise ValidationError(_("第 %(row)s 行：%(reason)s") % {"row": n, "reason": " ".join(exc.messages)}) from exc
    audit.record(actor=acting_user, action="project_import", obj=district,
                 after={"文件": file_name, "新增项目": created, "更新项目": updated})
    _refresh_targets(district)
    return created, updated


@transaction.atomic
def record_payment(project: Project, *, acting_user: User | None, paid_on, amount: Decimal, note: str = "",  # noqa: ANN001
                   is_simulated: bool = False) -> Payment:
    if acting_user is not None:
        require(permissions.can_record_payment(acting_user, project), _("只有本区的系统管理员或统筹协调人员可以登记支付"))
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0 or amount > MAX_BUDGET:
        raise ValidationError({"amount": [_("支付金额应为大于 0 的万元数")]})
    if amount != amount.quantize(Decimal("0.0001")):
        raise ValidationError({"amount": [_("支付金额精确到元（万元最多 4 位小数）")]})
    if paid_on is None:
        raise ValidationError({"paid_on": [_("请填写支付日期")]})
    payment = Payment.objects.create(project=project, paid_on=paid_on, amount=amount, note=(note or "").strip()[:200],
                                     recorded_by=acting_user if getattr(acting_user, "pk", None) else None,
                                     is_simulated=is_simulated)
    audit.record(actor=acting_user, action="project_payment", obj=payment,
                 after=audit.snapshot(payment, ["project", "paid_on", "amount", "note"]))
    return payment


@transaction.atomic
def create_allocation(district, *, acting_user: User | None, year: int, title: str, total_wan: object,  # noqa: ANN001
                      weights: dict, values: dict, reason: str, rule_id: str = "factor-share",
                      is_simulated: bool = False) -> FundAllocation:
    """Compute an allocation (envgov.rules.funds) and keep inputs and result. `values`: town name → factor
    key → value. ValidationError with every problem when it cannot be computed (nothing kept)."""
    if acting_user is not None:
        require(permissions.can_allocate_funds(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以分配资金"))
    problems = []
    if not (title or "").strip():
        problems.append(_("请填写名称"))
    if not (reason or "").strip():
        problems.append(_("请填写权重的依据（如本区资金管理办法的文号）"))
    try:
        rule_set = funds.rule(rule_id)
        total = funds.total_yuan(total_wan)
        clean_weights = funds.clean_weights(rule_set, weights)
        allocation = funds.allocate(rule_set, total, clean_weights, values)
    except funds.AllocationError as exc:
        problems += [_(r.template) % dict(r.values) if r.values else _(r.template) for r in exc.reasons]
    except ValueError as exc:
        problems.append(str(exc))
    if problems:
        raise ValidationError(problems)
    record = FundAllocation.objects.create(
        district=district, year=year, title=title.strip()[:200], rule=rule_set.id, rule_version=rule_set.version,
        total_yuan=total, weights={k: str(v) for k, v in clean_weights.items()},
        values={t: {k: str(v) for k, v in vs.items()} for t, vs in values.items()}, result=allocation.to_dict(),
        reason=reason.strip()[:200], created_by=acting_user if getattr(acting_user, "pk", None) else None,
        is_simulated=is_simulated)
    audit.record(actor=acting_user, action="fund_allocate", obj=record,
                 after={**audit.snapshot(record, ["year", "title", "total_yuan", "reason"]),
                        "分配规则": f"{rule_set.title}（版本 {rule_set.version}）",
                        "权重（%）": "；".join(f"{funds.FACTORS[k].label} {v}" for k, v in record.weights.items()),
                        "各街乡镇分配额（万元）": "；".join(f"{line['town']} {line['amount_wan']}"
                                                    for line in record.result["lines"])})
    return record
