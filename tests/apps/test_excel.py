"""Excel ledger round trip through the pages: export → edit a cell → import records exactly that change in
the audit log; a bad row refuses the whole file with a located Chinese error; roles are enforced."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook

from envgov.apps.accounts.models import UnitAlias
from envgov.apps.audit.models import AuditLog
from envgov.apps.plans import actions
from envgov.apps.plans.ledger_xlsx import apply_import, plan_import
from envgov.apps.plans.models import PlanRevision, Task
from envgov.reports import xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def export(client: Client, plan) -> bytes:
    r = client.get(f"/plans/{plan.pk}/tasks/export.xlsx")
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    return r.content


def edit(data: bytes, **cells) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    ws = wb["任务台账"]
    for ref, value in cells.items():
        ws[ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row_of(data: bytes, task: Task) -> int:
    ws = load_workbook(io.BytesIO(data))["任务台账"]
    return next(r for r in range(4, ws.max_row + 1) if ws[f"H{r}"].value == task.pk)


def upload(client: Client, plan, data: bytes, op: str = "preview"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if op == "apply":
        return client.post(f"/plans/{plan.pk}/tasks/import/", {"op": "apply", "reason": "区里调整时限"})
    return client.post(f"/plans/{plan.pk}/tasks/import/",
                       {"op": "preview", "file": SimpleUploadedFile("台账.xlsx", data, content_type=XLSX)})


def ledger_state() -> list[tuple]:
    """Everything an import could touch, to assert that a refused file changed nothing."""
    return [
        (t.pk, t.title, t.due_date, t.status, t.version, tuple(t.lead_units.values_list("pk", flat=True)),
         tuple(t.cooperating_units.values_list("pk", flat=True)))
        for t in Task.objects.order_by("pk")
    ] + [("audit", AuditLog.objects.count()), ("revisions", PlanRevision.objects.count())]


def test_export_layout_and_content(world):
    report = actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"], narrative="完成抽检3组",
                                     today=dt.date(2024, 5, 10))
    actions.review_progress(report, acting_user=world["coordinator"], accept=True, expected_version=report.version)
    data = export(login(world["auditor"]), world["plan"])
    ws = load_workbook(io.BytesIO(data))["任务台账"]
    assert ws["A1"].value == "通州区2024年工作计划任务台账"
    assert [ws.cell(3, c).value for c in range(1, 8)] == ["序号", "任务", "牵头单位", "配合单位", "完成时限", "进展情况", "状态"]
    assert [ws[f"B{r}"].value for r in (4, 5, 6)] == ["三.(一).1 推广新能源汽车", "三.(一).2 抽检含VOCs产品", "三.(一).9 扬尘管控"]
    r = row_of(data, world["task_unit_a"])
    assert ws[f"C{r}"].value == "市场监管局" and ws[f"D{r}"].value == "发展改革委"
    assert ws[f"E{r}"].value == dt.datetime(2024, 12, 31) and ws[f"G{r}"].value == "推进中"
    assert ws[f"F{r}"].value == "【2024-05 市场监管局】完成抽检3组"
    assert ws.column_dimensions["H"].hidden and ws.freeze_panes == "C4"


def test_export_follows_the_task_list_filters(world):
    data = login(world["coordinator"]).get(
        f"/plans/{world['plan'].pk}/tasks/export.xlsx", {"unit": world["u_market"].pk}).content
    assert [r.task_id for r in xlsx.parse_ledger(data).rows] == [world["task_unit_a"].pk]


def test_edit_one_deadline_records_exactly_that_change(world):
    coord, plan, task = login(world["coordinator"]), world["plan"], world["task_unit_a"]
    data = export(coord, plan)
    changed = edit(data, **{f"E{row_of(data, task)}": "2024-11-30"})
    before_logs = set(AuditLog.objects.values_list("pk", flat=True))
    state = ledger_state()
    r = upload(coord, plan, changed)
    assert r.status_code == 200
    assert [(c.task.pk, c.shown) for c in r.context["result"].changes] == [
        (task.pk, [("完成时限", "2024-12-31", "2024-11-30")])]
    assert ledger_state() == state  # the preview saves nothing
    r = upload(coord, plan, b"", op="apply")
    assert r.status_code == 302 and r["Location"] == f"/plans/{plan.pk}/tasks/"
    new = AuditLog.objects.exclude(pk__in=before_logs)
    assert new.count() == 1
    log = new.get()
    assert (log.action, log.object_type, log.object_id) == ("update", "task", str(task.pk))
    assert log.before == {"due_date": "2024-12-31"} and log.after == {"due_date": "2024-11-30"}
    assert log.actor == world["coordinator"] and log.note == "区里调整时限"
    task.refresh_from_db()
    assert task.due_date == dt.date(2024, 11, 30)
    # importing the unchanged export again finds nothing to do
    assert plan_import(world["coordinator"], plan, export(coord, plan)).changes == []


def _more_tasks(world, n: int = 4) -> None:
    for i in range(n):
        Task.objects.create(plan=world["plan"], area=world["task_unit_a"].area, code=f"三.(二).{i + 1}",
                            order=10 + i, title=f"补充任务{i + 1}", due_date=dt.date(2024, 9, 30))


def test_bad_date_in_row_7_refuses_the_whole_file(world):
    _more_tasks(world)
    coord, plan = login(world["coordinator"]), world["plan"]
    data = export(coord, plan)
    bad = edit(data, E4="2024-10-31", E7="2024-13-45")  # row 4 alone would be a valid change
    state = ledger_state()
    r = upload(coord, plan, bad)
    errors = [str(e) for e in r.context["result"].errors]
    assert errors == ["第7行「完成时限」列：日期“2024-13-45”无法识别（请写成 2024-12-31）"]
    assert "第7行「完成时限」列" in r.content.decode()
    assert "确认导入" not in r.content.decode()
    assert upload(coord, plan, b"", op="apply").status_code == 200  # nothing stored to apply
    assert apply_import(world["coordinator"], plan, bad).errors  # and the action refuses it too
    assert ledger_state() == state


def test_failure_while_applying_rolls_back_earlier_rows(world):
    plan = world["plan"]
    data = xlsx_export = export(login(world["coordinator"]), plan)
    t_b, t_a = world["task_unit_b"], world["task_unit_a"]
    too_long = f"{t_a.code} " + "很长的任务名称" * 60  # > 300 characters: the model refuses it
    bad = edit(xlsx_export, **{f"E{row_of(data, t_b)}": "2024-08-31", f"B{row_of(data, t_a)}": too_long})
    state = ledger_state()
    result = apply_import(world["coordinator"], plan, bad)
    assert [(e.row, e.column) for e in result.errors] == [(row_of(data, t_a), "任务")]
    assert ledger_state() == state  # the valid first row was rolled back with the bad one


def test_units_resolved_by_name_and_alias_unknown_refused(world):
    UnitAlias.objects.create(unit=world["u_market"], alias="区市场监管局")
    plan, task = world["plan"], world["task_unit_b"]
    data = export(login(world["coordinator"]), plan)
    r = row_of(data, task)
    result = apply_import(world["coordinator"], plan, edit(data, **{f"D{r}": "区市场监管局"}))
    assert result.ok and len(result.changes) == 1
    assert list(task.cooperating_units.all()) == [world["u_market"]]
    log = AuditLog.objects.filter(content_type__model="task", object_id=str(task.pk)).get()
    assert log.before == {"cooperating_units": []} and log.after == {"cooperating_units": [world["u_market"].pk]}
    state = ledger_state()
    data = export(login(world["coordinator"]), plan)
    result = apply_import(world["coordinator"], plan, edit(data, **{f"C{r}": "发展改革委、区宣传部"}))
    assert [str(e) for e in result.errors] == [
        f"第{r}行「牵头单位」列：单位“区宣传部”不在本区单位名录中（可在“管理 › 责任单位”添加单位或别名）"]
    assert ledger_state() == state


def test_edit_made_after_export_is_not_overwritten(world):
    plan, task = world["plan"], world["task_unit_a"]
    data = export(login(world["coordinator"]), plan)
    actions.update_task(task, {"title": "抽检含VOCs产品（修订）"}, expected_version=task.version,
                        acting_user=world["admin"])
    state = ledger_state()
    result = apply_import(world["coordinator"], plan, edit(data, **{f"E{row_of(data, task)}": "2024-10-31"}))
    assert [e.column for e in result.errors] == [xlsx.VERSION_HEADER]
    assert "导出后已在平台上被修改" in str(result.errors[0])
    assert ledger_state() == state


def test_progress_column_is_not_imported_but_flagged(world):
    plan, task = world["plan"], world["task_unit_a"]
    data = export(login(world["coordinator"]), plan)
    result = plan_import(world["coordinator"], plan, edit(data, **{f"F{row_of(data, task)}": "已全部完成"}))
    assert result.ok and result.changes == []
    assert [w.column for w in result.warnings] == ["进展情况"]


@pytest.mark.parametrize("who, export_status, import_status", [
    ("unit_a", 403, 403), ("town_a", 403, 403), ("auditor", 200, 403),
    ("coordinator", 200, 200), ("admin", 200, 200), ("other_coordinator", 404, 404),
])
def test_roles(world, who, export_status, import_status):
    c = login(world[who])
    plan = world["plan"]
    assert c.get(f"/plans/{plan.pk}/tasks/export.xlsx").status_code == export_status
    assert c.get(f"/plans/{plan.pk}/tasks/import/").status_code == import_status
    state = ledger_state()
    if import_status != 200:
        data = export(login(world["coordinator"]), plan)
        changed = edit(data, **{f"E{row_of(data, world['task_unit_a'])}": "2024-01-31"})
        assert upload(c, plan, changed).status_code == import_status
        assert ledger_state() == state
    page = c.get(f"/plans/{plan.pk}/tasks/").content.decode() if export_status != 404 else ""
    assert ("导出 Excel" in page) == (export_status == 200)
    assert ("导入 Excel" in page) == (import_status == 200)
    assert Client().get(f"/plans/{plan.pk}/tasks/export.xlsx").status_code == 302  # anonymous → login


def test_real_tongzhou_2024_plan_round_trips(db):
    """The hand-entered Tongzhou 2024 plan (seed 003, 96 tasks) with the district's real unit names and
    aliases: its export re-imports as no change at all, and units typed the way the plan prints them
    (区发改委…) resolve to the same units."""
    import json

    import yaml

    import envgov.demo
    from envgov.apps.accounts.models import Unit, User
    from envgov.apps.geo.models import District
    from envgov.apps.plans.loader import load_structured_plan

    data_dir = Path(envgov.demo.__file__).with_name("data")
    district = District.objects.create(adcode="110112", name="通州区")
    for row in yaml.safe_load((data_dir / "tongzhou_units.yaml").read_text(encoding="utf-8")):
        unit = Unit.objects.create(district=district, name=row["name"])
        for alias in row.get("aliases", []):
            UnitAlias.objects.create(unit=unit, alias=alias)
    coord = User.objects.create_user("coord", role=User.Role.COORDINATOR, district=district)
    plan_json = json.loads((data_dir / "tongzhou_2024_plan.json").read_text(encoding="utf-8"))
    plan = load_structured_plan(plan_json, district=district, acting_user=coord).plan
    data = export(login(coord), plan)
    parsed = xlsx.parse_ledger(data)
    assert len(parsed.rows) == len(plan_json["tasks"]) == 96
    identity = plan_import(coord, plan, data)
    assert (identity.errors, identity.warnings, identity.changes) == ([], [], [])
    dev = Unit.objects.get(district=district, name="发展改革委")
    task = Task.objects.filter(plan=plan, lead_units=dev, cooperating_units__isnull=True).order_by("order").first()
    r = row_of(data, task)
    leads = load_workbook(io.BytesIO(data))["任务台账"][f"C{r}"].value
    assert "发展改革委" in leads
    as_printed = leads.replace("发展改革委", "区发改委").replace("、", "，")
    assert plan_import(coord, plan, edit(data, **{f"C{r}": as_printed})).changes == []
    result = plan_import(coord, plan, edit(data, **{f"D{r}": "区财政局、区经信局"}))
    assert [c.shown for c in result.changes] == [[("配合单位", "（空）", "财政局、经济和信息化局")]]


def test_one_file_keeps_one_plan_revision(world):
    coord, plan = login(world["coordinator"]), world["plan"]
    data = export(coord, plan)
    changed = edit(data, **{f"E{row_of(data, world['task_unit_a'])}": "2024-11-30",
                            f"E{row_of(data, world['task_unit_b'])}": "2024-07-31"})
    upload(coord, plan, changed)
    assert upload(coord, plan, b"", op="apply").status_code == 302
    plan.refresh_from_db()
    assert plan.revision == 1 and PlanRevision.objects.filter(plan=plan).count() == 1
    snapshot = PlanRevision.objects.get(plan=plan).snapshot  # the plan as it was before the file
    assert {t["code"]: t["due_date"] for t in snapshot["tasks"]}["三.(一).1"] == "2024-06-30"
