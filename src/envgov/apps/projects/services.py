"""Figures of the projects app, computed where they are shown: reduction sums against the plans' targets
(envgov.rules.reductions, provider of target_figures), spending against budget, factor values of the towns
for a fund allocation, and the Excel template, import reader and export of the project library."""
from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from envgov.apps.projects.models import Payment, Project, Reduction
from envgov.catalogue import gettext_noop
from envgov.ingest import rows as R
from envgov.rules import reductions as red

REDUCTION_TARGET_CODES = tuple(red.INDICATOR_OF.values())
STAGE_OF = {Project.Status.COMPLETED: red.COUNTED, Project.Status.BUILDING: red.PENDING,
            Project.Status.APPROVED: red.PENDING}


# ------------------------------------------------------------------------------------------ reductions

def counted_projects(target) -> Any:  # noqa: ANN001 - plans.Target → QuerySet[Project]
    """Projects that count for a reduction target: the district's projects linked to a task of the target's
    plan, and its projects without a task whose 实施年度 is the plan's year; a town target only its town's."""
    from django.db.models import Q

    plan = target.plan
    qs = Project.objects.filter(district_id=plan.district_id).filter(
        Q(task__plan=plan) | Q(task__isnull=True, year=plan.year))
    if target.scope == "town" and target.town_id:
        qs = qs.filter(town_id=target.town_id)
    return qs


def contributions(target) -> list[red.Contribution]:  # noqa: ANN001
    pollutant = red.POLLUTANT_OF[target.indicator.code]
    out = []
    for r in (Reduction.objects.filter(project__in=counted_projects(target), pollutant=pollutant)
              .select_related("project").order_by("project__code")):
        out.append(red.Contribution(r.project.code, r.project.name, STAGE_OF.get(r.project.status, red.NOT_COUNTED),
                                    r.tonnes, r.method, r.basis))
    return out


@dataclass
class TargetCheck:
    target: Any
    pollutant: str
    judgement: red.Judgement | None
    contributions: list[red.Contribution] = field(default_factory=list)


def check_target(target) -> TargetCheck:  # noqa: ANN001
    pollutant = red.POLLUTANT_OF[target.indicator.code]
    items = contributions(target)
    judgement = red.judge(Decimal(target.value), items) if target.comparator == ">=" else None
    return TargetCheck(target, pollutant, judgement, items)


def _source(j: red.Judgement) -> str:
    codes = "、".join(c.project_code for c in j.counted[:8]) + (" 等" if len(j.counted) > 8 else "")
    return (f"项目库工程减排：{len(j.counted)} 个完工项目合计" + (f"（{codes}）" if codes else "")) if j.counted \
        else "项目库工程减排：尚无完工项目"


def reduction_target_figures(district, targets: list[Any]) -> dict[int, Any]:  # noqa: ANN001
    """Provider (decision 0033) of nox/vocs/cod/nh3n_reduction: Σ completed projects, 达标/预警/未达标, which
    projects were summed (basis: every project with tonnes, method and basis)."""
    from envgov.apps.audit import clock
    from envgov.apps.plans.target_figures import TargetFigure

    out = {}
    for target in targets:
        check = check_target(target)
        j = check.judgement
        if j is None:  # only "≥ N 吨" targets are reductions to sum; others are left to the comparator
            continue
        basis = {"pollutant": check.pollutant, "achieved": str(j.achieved), "pending": str(j.pending),
                 "projects": [{"code": c.project_code, "name": c.project_name, "stage": c.stage,
                               "tonnes": str(c.tonnes), "method": c.method, "basis": c.basis}
                              for c in check.contributions]}
        out[target.pk] = TargetFigure(value=j.achieved, as_of=clock.today(), source=_source(j), status=j.status,
                                      reason=j.reason, basis=basis)
    return out


def refresh_reduction_targets(district) -> int:  # noqa: ANN001
    from envgov.apps.plans import target_figures

    return target_figures.refresh(district, REDUCTION_TARGET_CODES)


def reduction_targets(district) -> list[Any]:  # noqa: ANN001
    from envgov.apps.plans.models import Target

    return list(Target.objects.filter(plan__district=district, indicator__code__in=REDUCTION_TARGET_CODES)
                .select_related("plan", "indicator", "town").order_by("-plan__year", "plan_id", "id"))


def totals_by_pollutant(projects) -> dict[str, dict[str, Decimal]]:  # noqa: ANN001
    """Σ tonnes per pollutant and stage over the given projects (for the library page)."""
    out = {p: {red.COUNTED: Decimal(0), red.PENDING: Decimal(0), red.NOT_COUNTED: Decimal(0)} for p in red.POLLUTANTS}
    for r in Reduction.objects.filter(project__in=projects).select_related("project"):
        out[r.pollutant][STAGE_OF.get(r.project.status, red.NOT_COUNTED)] += r.tonnes
    return out


# ------------------------------------------------------------------------------------------ spending

@dataclass(frozen=True)
class Spending:
    budget: Decimal
    paid: Decimal
    remaining: Decimal
    rate: Decimal | None  # percent of budget paid; None when the budget is 0
    over: bool


def spending(project: Project, payments: list[Payment] | None = None) -> Spending:
    paid = sum((p.amount for p in (payments if payments is not None else project.payments.all())), Decimal(0))
    budget = project.budget
    rate = (paid / budget * 100).quantize(Decimal("0.1")) if budget > 0 else None
    return Spending(budget, paid, budget - paid, rate, paid > budget)


# ------------------------------------------------------------------------------------------ funds

def town_project_reductions(district, year: int | None = None) -> dict[str, dict[str, Decimal]]:  # noqa: ANN001
    """Σ VOCs and NOx of completed projects per town name (the allocation's project factors)."""
    qs = Reduction.objects.filter(project__district=district, project__status=Project.Status.COMPLETED,
                                  project__town__isnull=False, pollutant__in=("vocs", "nox"))
    if year is not None:
        qs = qs.filter(project__year=year)
    out: dict[str, dict[str, Decimal]] = {}
    for r in qs.select_related("project__town"):
        key = {"vocs": "vocs_reduction", "nox": "nox_reduction"}[r.pollutant]
        town = out.setdefault(r.project.town.name, {})
        town[key] = town.get(key, Decimal(0)) + r.tonnes
    return out


# ------------------------------------------------------------------------------------------ Excel

def _c(key: str, *names: str, required: bool = True) -> R.Column:
    return R.Column(key, names, required)


COLUMNS: tuple[R.Column, ...] = (
    _c("code", "项目编号"), _c("name", "项目名称"), _c("area", "领域"), _c("town", "街乡镇", required=False),
    _c("lead_unit", "牵头单位", required=False), _c("year", "实施年度"), _c("budget", "预算（万元）", "预算(万元)", "预算"),
    _c("fund_source", "资金来源"), _c("status", "状态"), _c("task", "关联任务编号", "关联任务", required=False),
    *[col for p, label in red.POLLUTANTS.items() for col in (
        _c(f"{p}_t", f"{label}减排量（吨）", f"{label}减排量(吨)", f"{label}减排量", required=False),
        _c(f"{p}_method", f"{label}核算方法", required=False),
        _c(f"{p}_basis", f"{label}核算依据", required=False))],
    _c("note", "备注", required=False),
)
HEADERS = [c.names[0] for c in COLUMNS]
MSG_CHOICE = gettext_noop("「%(value)s」不是可选值（可选：%(choices)s）")
MSG_TOWN = gettext_noop("街乡镇「%(value)s」不在本区")
MSG_UNIT = gettext_noop("单位「%(value)s」不在本区单位名录中（可用名称或别名）")
MSG_TASK = gettext_noop("%(year)s 年计划中没有编号为「%(value)s」的任务")
MSG_TASK_PLANS = gettext_noop("%(year)s 年有 %(n)s 个计划，无法按编号确定任务；请在页面上关联")
MSG_NO_PLAN = gettext_noop("本区没有 %(year)s 年的计划，无法关联任务")
MSG_DUP_CODE = gettext_noop("项目编号「%(value)s」与第 %(first)s 行重复")
MSG_NEEDS_METHOD = gettext_noop("填写了减排量，须同时填写核算方法和核算依据")
MSG_NEEDS_VALUE = gettext_noop("填写了核算方法或依据，但没有减排量")
MSG_PRECISION = gettext_noop("「%(value)s」最多 %(digits)s 位小数")
MSG_TOO_LONG = gettext_noop("不超过 %(n)s 个字")
WHAT_BUDGET = gettext_noop("预算")
WHAT_TONNES = gettext_noop("减排量")


def _labels(choices) -> dict[str, str]:  # noqa: ANN001
    return {str(label): value for value, label in choices}


@dataclass
class ImportOutcome:
    rows: R.Rows
    records: list[tuple[int, dict]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    refused: str = ""  # the action's refusal (a concurrent change), located by row

    @property
    def ok(self) -> bool:
        return self.rows.ok and not self.refused

    def messages(self) -> list[str]:
        return self.rows.messages() + ([self.refused] if self.refused else [])


def read_projects(path: Path | str, district) -> ImportOutcome:  # noqa: ANN001
    """Every row of a project file as the action's data, or located errors (and no records). The file's
    words (领域, 状态 …) are the Chinese ones whatever the page language."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return _read_projects(path, district)


def _read_projects(path: Path | str, district) -> ImportOutcome:  # noqa: ANN001
    from envgov.apps.accounts.models import Unit, UnitAlias
    from envgov.apps.geo.models import Town
    from envgov.apps.plans.models import Plan, Task

    rows = R.read_rows(path, COLUMNS)
    outcome = ImportOutcome(rows)
    if not rows.ok:
        return outcome
    areas, statuses = _labels(Project.Area.choices), _labels(Project.Status.choices)
    sources, methods = _labels(Project.FundSource.choices), {str(v): k for k, v in red.METHODS.items()}
    towns = {t.name: t for t in Town.objects.filter(district=district)}
    towns |= {t.official_name: t for t in Town.objects.filter(district=district) if t.official_name}
    units = {u.name: u for u in Unit.objects.filter(district=district)}
    for a in UnitAlias.objects.filter(unit__district=district).select_related("unit"):
        units.setdefault(a.alias, a.unit)
    plans_by_year: dict[int, list[Plan]] = {}
    for plan in Plan.objects.filter(district=district):
        plans_by_year.setdefault(plan.year, []).append(plan)
    seen: dict[str, int] = {}

    def choice(mapping: dict[str, str]):  # noqa: ANN202
        def convert(cell: Any) -> str:
            text = R.text(cell)
            if text in mapping:
                return mapping[text]
            raise R.CellProblem(MSG_CHOICE, value=text, choices="、".join(mapping))
        return convert

    def decimal(digits: int, what: str):  # noqa: ANN202
        def convert(cell: Any) -> Decimal:
            R.number(cell, what)  # finite and not negative, else CellProblem
            d = Decimal(R.text(cell)) if not isinstance(cell, (int, float)) else Decimal(str(cell))
            if d != d.quantize(Decimal(1).scaleb(-digits)):
                raise R.CellProblem(MSG_PRECISION, value=R.text(cell), digits=digits)
            return d
        return convert

    def limited(n: int):  # noqa: ANN202
        def convert(cell: Any) -> str:
            text = R.text(cell)
            if len(text) > n:
                raise R.CellProblem(MSG_TOO_LONG, n=n)
            return text
        return convert

    for n, rec in rows.rows:
        before = len(rows.errors)
        code, _ok = R.take(rows, n, rec, "code", limited(40))
        if code:
            if code in seen:
                rows.error(n, "code", MSG_DUP_CODE, value=code, first=seen[code])
            seen.setdefault(code, n)
        name, _ok = R.take(rows, n, rec, "name", limited(200))
        area, _ok = R.take(rows, n, rec, "area", choice(areas))
        year, _ok = R.take(rows, n, rec, "year", R.year)
        budget, _ok = R.take(rows, n, rec, "budget", decimal(4, WHAT_BUDGET))
        source, _ok = R.take(rows, n, rec, "fund_source", choice(sources))
        status, _ok = R.take(rows, n, rec, "status", choice(statuses))
        town = unit = task = None
        town_name, _ok = R.take(rows, n, rec, "town", R.text, required=False)
        if town_name:
            town = towns.get(town_name)
            if town is None:
                rows.error(n, "town", MSG_TOWN, value=town_name)
        unit_name, _ok = R.take(rows, n, rec, "lead_unit", R.text, required=False)
        if unit_name:
            unit = units.get(unit_name) or units.get(unit_name.removeprefix("区"))
            if unit is None:
                rows.error(n, "lead_unit", MSG_UNIT, value=unit_name)
        task_code, _ok = R.take(rows, n, rec, "task", R.text, required=False)
        if task_code and year:
            plans = plans_by_year.get(year, [])
            if not plans:
                rows.error(n, "task", MSG_NO_PLAN, year=year)
            elif len(plans) > 1:
                rows.error(n, "task", MSG_TASK_PLANS, year=year, n=len(plans))
            else:
                task = Task.objects.filter(plan=plans[0], code=task_code).select_related("plan").first()
                if task is None:
                    rows.error(n, "task", MSG_TASK, year=year, value=task_code)
        reductions = {}
        for p in red.POLLUTANTS:
            tonnes, ok_t = R.take(rows, n, rec, f"{p}_t", decimal(3, WHAT_TONNES), required=False)
            method, ok_m = R.take(rows, n, rec, f"{p}_method", choice(methods), required=False)
            basis, _ok = R.take(rows, n, rec, f"{p}_basis", limited(300), required=False)
            if tonnes is not None and (method is None or not basis):
                if ok_m:
                    rows.error(n, f"{p}_method" if method is None else f"{p}_basis", MSG_NEEDS_METHOD)
            elif tonnes is None and ok_t and (method is not None or basis):
                rows.error(n, f"{p}_t", MSG_NEEDS_VALUE)
            if tonnes is not None and method is not None and basis:
                reductions[p] = (tonnes, method, basis)
        note, _ok = R.take(rows, n, rec, "note", limited(2000), required=False)
        if len(rows.errors) == before:
            outcome.records.append((n, {"code": code, "name": name, "area": area, "town": town, "lead_unit": unit,
                                        "year": year, "budget": budget, "fund_source": source, "status": status,
                                        "task": task, "note": note or "", "reductions": reductions}))
    if not rows.ok:
        outcome.records = []
    return outcome


def import_upload(upload, *, district, acting_user) -> ImportOutcome:  # noqa: ANN001
    """Read an uploaded file (kept under its own name, so messages name it) and apply it all or nothing."""
    from django.core.exceptions import ValidationError

    from envgov.apps.projects import actions

    name = Path(getattr(upload, "name", "") or "projects.xlsx").name
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        outcome = read_projects(path, district)
    if outcome.ok:
        try:
            outcome.created, outcome.updated = actions.import_projects(
                district, acting_user=acting_user, rows=outcome.records, file_name=name)
        except ValidationError as exc:
            outcome.refused = f"{name}，" + " ".join(exc.messages)
    return outcome


def _workbook(rows: list[list[object]], *, example: bool) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from envgov.reports.xlsx import BOX

    wb = Workbook()
    ws = wb.active
    ws.title = "项目库"
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, name in enumerate(HEADERS, start=1):
        cell = ws.cell(row=1, column=col, value=name)
        cell.font, cell.fill, cell.border = Font(name="宋体", bold=True), fill, BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = 24 if "依据" in name or name == "项目名称" else 14
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            ws.cell(row=r, column=col, value=value).border = BOX
    ws.freeze_panes = "A2"
    help_ws = wb.create_sheet("填写说明")
    help_ws.column_dimensions["A"].width = 22
    help_ws.column_dimensions["B"].width = 90
    notes = [
        ("填写说明", "第一个工作表第 1 行为表头，第 2 行起每行一个项目；按项目编号新增或更新；任何一处错误则整个文件不导入。"),
        ("领域", "、".join(str(v) for _k, v in Project.Area.choices)),
        ("资金来源", "、".join(str(v) for _k, v in Project.FundSource.choices)),
        ("状态", "、".join(str(v) for _k, v in Project.Status.choices) + "；只有“完工”的减排量计入目标实际值，在建、已立项计入预计"),
        ("街乡镇、牵头单位", "填本区名录中的名称（单位可填别名）；可空"),
        ("关联任务编号", "实施年度计划中的任务编号（如 三.(一).7）；可空"),
        ("减排量（吨）", "NOx、VOCs、COD、NH3-N 各一列，最多 3 位小数；填写减排量时须同时填写核算方法和核算依据"),
        ("核算方法", "、".join(str(v) for v in red.METHODS.values())),
        ("预算（万元）", "最多 4 位小数（精确到元）"),
    ]
    if example:
        notes.append(("示例行", "模板第 2 行为示例（模拟数据），导入前请删除或改写"))
    for r, (a, b) in enumerate(notes, start=1):
        help_ws.cell(row=r, column=1, value=a).font = Font(name="宋体", bold=True)
        help_ws.cell(row=r, column=2, value=b).alignment = Alignment(wrap_text=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_xlsx() -> bytes:
    example = ["XM-示例-01", "（示例）某企业 VOCs 治理设施升级", "蓝天", "", "", 2024, 120, "市级专项转移支付", "在建", "",
               "", "", "", 3.5, "排放系数法", "治理前后排放系数×产量（示例）"]
    return _workbook([example + [""] * (len(HEADERS) - len(example))], example=True)


def export_xlsx(projects) -> bytes:  # noqa: ANN001
    """The library in the template's layout (it imports back unchanged), Chinese words whatever the page language."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return _export(projects)


def _export(projects) -> bytes:  # noqa: ANN001
    out = []
    for p in projects:
        by = {r.pollutant: r for r in p.reductions.all()}
        row: list[object] = [p.code, p.name, p.get_area_display(), p.town.name if p.town_id else "",
                             p.lead_unit.name if p.lead_unit_id else "", p.year, float(p.budget),
                             p.get_fund_source_display(), p.get_status_display(), p.task.code if p.task_id else ""]
        for pollutant in red.POLLUTANTS:
            r = by.get(pollutant)
            row += [float(r.tonnes), r.get_method_display(), r.basis] if r else ["", "", ""]
        row.append(p.note)
        out.append(row)
    return _workbook(out, example=False)
