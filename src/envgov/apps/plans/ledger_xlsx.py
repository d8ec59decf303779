"""Excel in and out for the task ledger: export the plan's tasks in the office layout; import the same
template back as task changes (deadline, units, title, status), previewed first, then applied through
`actions.update_task` so the audit log records exactly what moved. All-or-nothing: any bad row, unknown
unit or concurrent edit refuses the whole file and every problem is listed with its row and column.

The workbook itself is built and parsed in envgov.reports.xlsx (no Django there).
"""
from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext

from envgov.apps.accounts.models import Unit, UnitAlias, User
from envgov.apps.accounts.scope import plans_for, scoped, tasks_for
from envgov.apps.audit import clock
from envgov.apps.plans import actions, progress, queries
from envgov.apps.plans.models import Plan, ProgressReport, Task
from envgov.reports import xlsx

STATUS_LABELS = {str(label): code for code, label in Task.Status.choices}  # 未开始 → not_started
FIELD_COLUMNS = {"title": "任务", "due_date": "完成时限", "status": "状态", "completed_on": "状态",
                 "lead_units": "牵头单位", "cooperating_units": "配合单位"}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SESSION_KEY = "ledger_import:{plan_id}"
ERRORS_KEY = "ledger_import_errors:{plan_id}"  # the last upload's full error list, for download
ERRORS_SHOWN = 20  # a long list shows a summary by kind and the first rows; the rest is downloaded
MAX_ERRORS_KEPT = 20000


# ---------------------------------------------------------------- export

def _latest_accepted(tasks: list[Task]) -> dict[int, str]:
    """进展情况: the narrative of each task's most recently accepted report, with its period and reporter."""
    out: dict[int, str] = {}
    reports = (
        ProgressReport.objects.filter(task__in=tasks, status=ProgressReport.Status.ACCEPTED)
        .select_related("unit", "town").order_by("task_id", "-period", "-reviewed_at", "-id")
    )
    for r in reports:
        if r.task_id not in out:
            who = r.unit.name if r.unit else (r.town.name if r.town else "")
            out[r.task_id] = f"【{r.period}{' ' + who if who else ''}】{r.narrative}"
    return out


def ledger_rows(tasks: list[Task]) -> list[xlsx.LedgerRow]:
    narratives = _latest_accepted(tasks)
    return [
        xlsx.LedgerRow(
            task_id=t.pk, version=t.version, number=i, code=t.code, title=t.title,
            lead_units=[u.name for u in t.lead_units.all()],
            cooperating_units=[u.name for u in t.cooperating_units.all()],
            due_date=t.due_date, progress=narratives.get(t.pk, ""), status=str(t.get_status_display()),
        )
        for i, t in enumerate(tasks, start=1)
    ]


def party_rows(tasks: list[Task]) -> list[xlsx.PartyRow]:
    """The second sheet: every responsible party's own line (status, 销号, quantities)."""
    out = []
    for t in tasks:
        for row in progress.completion_by_party(t):
            figures = "；".join(
                f"{x['quantity'].name}：{progress.figure(x['achieved_value'])}"
                f"{'/' + progress.figure(x['share_value']) if x['share_value'] else ''}{x['quantity'].unit}"
                for x in row["quantities"])
            out.append(xlsx.PartyRow(
                code=t.code, title=t.title, party=row["name"], kind="街乡镇" if row["kind"] == "town" else "单位",
                status=str(row["party"].get_status_display()), completed_on=row["completed_on"], quantities=figures))
    return out


def _plan_tasks(user: User, plan: Plan, params: dict | None = None) -> list[Task]:
    tasks = tasks_for(user).filter(plan=plan)
    if params:
        tasks = queries.filter_tasks(tasks, params, clock.today())
    return list(tasks.prefetch_related("lead_units", "cooperating_units", "parties__unit", "parties__town",
                                       "parties__quantities__quantity").order_by("order", "id"))


def export_bytes(user: User, plan: Plan, params: dict | None = None) -> bytes:
    note = f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}　灰色隐藏列为系统编号，修改后可按本模板导入"
    tasks = _plan_tasks(user, plan, params)
    return xlsx.build_ledger(f"{plan.title}任务台账", ledger_rows(tasks), note=note,
                             status_labels=list(STATUS_LABELS), party_rows=party_rows(tasks))


@scoped("oversight")
def ledger_export(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(plans_for(request.user), pk=plan_id)
    data = export_bytes(request.user, plan, request.GET)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"{plan.title}任务台账_{clock.today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response


# ---------------------------------------------------------------- import

class CellMessage(xlsx.CellError):
    """A located error or warning as the import page shows it: `reason` is already in the page language
    (built while the request is handled) and str() words the row and column in it too. The column stays
    the Chinese header of the template, which is what the user looks for in their file."""

    def __str__(self) -> str:
        if self.column == "文件":
            text = gettext("第%(row)s行「文件」列：%(reason)s")
        elif self.column == "表头":
            text = gettext("第%(row)s行「表头」列：%(reason)s")
        else:
            text = gettext("第%(row)s行「%(column)s」列：%(reason)s")
        return text % {"row": self.row, "column": self.column, "reason": self.reason}


def _translated(error: xlsx.CellError) -> CellMessage:
    """A parser error in the page language: the parser keeps its message template and values (its
    templates are in the catalogue); an error without a template is shown as written."""
    reason = gettext(error.template) % dict(error.values) if error.template else error.reason
    return CellMessage(error.row, error.column, reason, error.template, error.values)


def _cell(row: int, column: str, template: str, **values: object) -> CellMessage:
    """A located message built here: translated now, its template kept (it names the kind of error)."""
    texts = tuple(sorted((k, str(v)) for k, v in values.items()))
    return CellMessage(row, column, gettext(template) % dict(texts) if texts else gettext(template), template, texts)


QUOTED = re.compile(r"“[^”]*”|「[^」]*」|\"[^\"]*\"")


def error_kind(error: xlsx.CellError) -> str:
    """What kind of problem a located message is, worded without its particular values: the template with
    every value shown as “…” when the message has one, else the message with quoted values masked."""
    if error.template:
        return gettext(error.template) % {k: "…" for k, _v in error.values} if error.values else gettext(error.template)
    return QUOTED.sub("“…”", error.reason)


@dataclass
class ErrorKind:
    column: str
    label: str
    count: int = 0
    rows: list[int] = field(default_factory=list)  # the first few rows where it occurs


def error_summary(errors: list[xlsx.CellError], *, rows_per_kind: int = 5) -> list[ErrorKind]:
    """Errors grouped by (column, kind), most frequent first."""
    kinds: OrderedDict[tuple[str, str], ErrorKind] = OrderedDict()
    for e in errors:
        label = error_kind(e)
        k = kinds.setdefault((e.column, label), ErrorKind(e.column, label))
        k.count += 1
        if len(k.rows) < rows_per_kind and e.row not in k.rows:
            k.rows.append(e.row)
    return sorted(kinds.values(), key=lambda k: -k.count)


@dataclass
class TaskChange:
    row: int
    task: Task
    expected_version: int
    changes: dict = field(default_factory=dict)
    lead_units: list[Unit] | None = None
    cooperating_units: list[Unit] | None = None
    close: bool = False
    shown: list[tuple[str, str, str]] = field(default_factory=list)  # (column, before, after) for the preview


@dataclass
class ImportPlan:
    changes: list[TaskChange] = field(default_factory=list)
    errors: list[CellMessage] = field(default_factory=list)
    warnings: list[CellMessage] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class _UnitNames:
    """Unit names of the district: canonical, alias, and the same with the 区 prefix dropped."""

    def __init__(self, plan: Plan) -> None:
        self.by_name: dict[str, Unit] = {}
        for unit in Unit.objects.filter(district=plan.district_id):
            self.by_name[unit.name] = unit
        for alias in UnitAlias.objects.filter(unit__district=plan.district_id).select_related("unit"):
            self.by_name.setdefault(alias.alias, alias.unit)

    def get(self, name: str) -> Unit | None:
        found = self.by_name.get(name)
        if found is None and len(name) > 2 and name[0] in "区市":
            found = self.by_name.get(name[1:])
        return found


def _fmt(value) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def plan_import(user: User, plan: Plan, data: bytes) -> ImportPlan:
    """Read the file and work out, row by row, what would change — nothing is written here."""
    parsed = xlsx.parse_ledger(data, status_labels=STATUS_LABELS)
    result = ImportPlan(errors=[_translated(e) for e in parsed.errors],
                        rows=len(parsed.rows) + len({e.row for e in parsed.errors}))
    ids = [r.task_id for r in parsed.rows]
    tasks = {
        t.pk: t for t in tasks_for(user).filter(plan=plan, pk__in=ids)
        .prefetch_related("lead_units", "cooperating_units")
    }
    narratives = _latest_accepted(list(tasks.values()))
    units = _UnitNames(plan)
    labels = dict(Task.Status.choices)
    for row in parsed.rows:
        task = tasks.get(row.task_id)
        if task is None:
            result.errors.append(_cell(row.row, xlsx.ID_HEADER, gettext_noop("编号 %(id)s 不是本计划中的任务"),
                                       id=row.task_id))
            continue
        change = TaskChange(row=row.row, task=task, expected_version=row.version or task.version)
        errors: list[CellMessage] = []
        # 任务: "<code> <title>"; the code identifies the task to people and stays as it is
        expected = f"{task.code} {task.title}".strip()
        if row.task_text != expected:
            if not row.task_text.startswith(task.code):
                errors.append(_cell(row.row, "任务", gettext_noop("编号“%(code)s”不可修改，本列须以原编号开头"),
                                    code=task.code))
            else:
                title = row.task_text[len(task.code):].strip()
                if not title:
                    errors.append(CellMessage(row.row, "任务", gettext("任务名称不能为空")))
                elif title != task.title:
                    change.changes["title"] = title
                    change.shown.append(("任务", task.title, title))
        for column, attr in (("牵头单位", "lead_units"), ("配合单位", "cooperating_units")):
            found, unknown = [], []
            for name in getattr(row, attr):
                unit = units.get(name)
                (found.append(unit) if unit else unknown.append(name))
            for name in unknown:
                errors.append(_cell(row.row, column, gettext_noop(
                    "单位“%(name)s”不在本区单位名录中（可在“管理 › 责任单位”添加单位或别名）"), name=name))
            current = list(getattr(task, attr).all())
            if not unknown and {u.pk for u in found} != {u.pk for u in current}:
                setattr(change, attr, list({u.pk: u for u in found}.values()))
                change.shown.append((column, "、".join(u.name for u in current) or "（空）",
                                     "、".join(u.name for u in found) or "（空）"))
        if row.due_date != task.due_date:
            change.changes["due_date"] = row.due_date
            change.shown.append(("完成时限", _fmt(task.due_date), _fmt(row.due_date)))
        if row.status and row.status != task.status:
            if row.status == Task.Status.COMPLETED:
                change.close = True  # the coordinator closes the task; the import's reason is the reason
                change.shown.append(("状态", str(labels[task.status]), str(labels[row.status])))
            else:
                errors.append(CellMessage(row.row, "状态", gettext(
                    "状态由各责任方的进展和销号决定，表格中只能把任务改为“已完成”（统筹关闭）")))
        if row.progress != narratives.get(task.pk, ""):
            result.warnings.append(CellMessage(
                row.row, "进展情况", gettext("进展由责任单位在平台填报并经审核，此列的修改不会导入")))
        has_change = bool(change.changes or change.lead_units is not None or change.cooperating_units is not None
                          or change.close)
        if has_change and row.version is not None and row.version != task.version:
            errors.append(CellMessage(row.row, xlsx.VERSION_HEADER,
                                      gettext("该任务在导出后已在平台上被修改，请重新导出后再编辑此行")))
        if errors:
            result.errors.extend(errors)
        elif has_change:
            result.changes.append(change)
    result.errors.sort(key=lambda e: e.row)
    return result


class _Refused(Exception):
    pass


def apply_import(user: User, plan: Plan, data: bytes, *, reason: str = "") -> ImportPlan:
    """Apply every change of the file in one transaction, or none of them."""
    result = plan_import(user, plan, data)
    if not result.ok or not result.changes:
        return result
    try:
        with transaction.atomic():
            # one plan snapshot for the whole file, not one per row
            actions.keep_plan_revision(plan, user, reason or f"Excel 台账导入（{len(result.changes)} 项修改）")
            for change in result.changes:
                try:
                    task = actions.update_task(
                        change.task, change.changes, expected_version=change.expected_version, acting_user=user,
                        reason=reason or "Excel 台账导入", lead_units=change.lead_units,
                        cooperating_units=change.cooperating_units, keep_revision=False,
                    )
                    if change.close:
                        actions.close_task(task, acting_user=user, reason=reason or "Excel 台账导入：标记为已完成",
                                           expected_version=task.version)
                except actions.StaleEdit as exc:
                    result.errors.append(CellMessage(change.row, xlsx.VERSION_HEADER, str(exc)))
                except ValidationError as exc:
                    for name, msgs in getattr(exc, "message_dict", {"": exc.messages}).items():
                        column = FIELD_COLUMNS.get(name, "任务")
                        result.errors.extend(CellMessage(change.row, column, m) for m in msgs)
            if result.errors:
                raise _Refused
    except _Refused:
        pass
    return result


@scoped("reviewer")
def ledger_import(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Upload → preview of the changes and the error list → confirm (applied all-or-nothing)."""
    plan = get_object_or_404(plans_for(request.user), pk=plan_id)
    key = SESSION_KEY.format(plan_id=plan.pk)
    result, stored = None, key in request.session
    if request.method == "POST":
        if request.POST.get("op") == "apply" and key in request.session:
            data = base64.b64decode(request.session[key])
            result = apply_import(request.user, plan, data, reason=(request.POST.get("reason") or "").strip()[:200])
            if result.ok:
                del request.session[key]
                n = len(result.changes)
                messages.success(request, ngettext("导入完成：修改了 %(n)s 项任务", "导入完成：修改了 %(n)s 项任务", n)
                                 % {"n": n})
                return redirect("task_list", plan_id=plan.pk)
        else:
            upload = request.FILES.get("file")
            if upload is None:
                messages.error(request, gettext("请选择要导入的 Excel 文件"))
            elif (refusal := _refusal(upload)) is not None:
                messages.error(request, refusal)
            else:
                data = upload.read()
                result = plan_import(request.user, plan, data)
                if result.ok and result.changes:
                    request.session[key] = base64.b64encode(data).decode()
                else:
                    request.session.pop(key, None)
        stored = key in request.session
        _keep_errors(request, plan, result)
    ctx = {"plan": plan, "result": result, "stored": stored}
    if result is not None and result.errors:
        ctx.update(summary=error_summary(result.errors), first_errors=result.errors[:ERRORS_SHOWN],
                   more_errors=max(0, len(result.errors) - ERRORS_SHOWN))
    return render(request, "plans/ledger_import.html", ctx)


def _refusal(upload) -> str | None:  # noqa: ANN001
    """The shared upload check (content is .xlsx, at most MAX_UPLOAD_BYTES): its message, or None."""
    from django.core.exceptions import ValidationError

    from envgov.web import uploads

    try:
        uploads.check_upload(upload, kinds=uploads.LEDGER, max_bytes=MAX_UPLOAD_BYTES)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def _keep_errors(request: HttpRequest, plan: Plan, result: ImportPlan | None) -> None:
    key = ERRORS_KEY.format(plan_id=plan.pk)
    if result is not None and result.errors:
        request.session[key] = [[e.row, e.column, e.reason] for e in result.errors[:MAX_ERRORS_KEPT]]
    else:
        request.session.pop(key, None)


@scoped("reviewer")
def ledger_import_errors(request: HttpRequest, plan_id: int, fmt: str) -> HttpResponse:
    """The full error list of the last upload (this session), as .xlsx or .csv."""
    plan = get_object_or_404(plans_for(request.user), pk=plan_id)
    rows = request.session.get(ERRORS_KEY.format(plan_id=plan.pk))
    if not rows:
        messages.error(request, gettext("没有可下载的错误清单，请重新上传文件"))
        return redirect("ledger_import", plan_id=plan.pk)
    headers = [gettext("行"), gettext("列"), gettext("错误")]
    name = gettext("台账导入错误清单") + f"-{plan.year}.{fmt}"
    if fmt == "xlsx":
        body = xlsx.build_table(gettext("错误清单"), [(h, w) for h, w in zip(headers, (8, 14, 60))], rows)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(headers)
        writer.writerows(rows)
        body = ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 CSV correctly
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (f"attachment; filename=\"ledger-import-errors.{fmt}\"; "
                                       f"filename*=UTF-8''{quote(name)}")
    return response
