"""Bounds at every door (issue 12, item 1): a value that does not fit its database column is refused with a
message naming the field before anything is written — by the API, the web forms, the plan-draft commit and
the Excel ledger import alike — and a value already stored never makes a page or the API fail.

Expected limits come from the database columns (numeric(14, 4) in the migrations: at most 10 digits
before the point and 4 after) and from the issue's window (dates within 1990–2100)."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import reverse

from envgov.apps.accounts.models import ApiToken
from envgov.apps.audit.models import AuditLog
from envgov.apps.plans import actions
from envgov.apps.plans.loader import load_structured_plan
from envgov.apps.plans.models import (
    PartyQuantity,
    Plan,
    PlanDraft,
    ProgressReport,
    Quantity,
    QuantityProgress,
    Target,
    Task,
)
from envgov.rules import bounds

from test_excel import edit, export, ledger_state, row_of, upload


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def bearer(user) -> Client:
    _, key = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def written() -> tuple:
    """Everything a refused progress report or plan could have written."""
    return (ProgressReport.objects.count(), QuantityProgress.objects.count(), AuditLog.objects.count(),
            Plan.objects.count(), Task.objects.count(), Quantity.objects.count())


def task_pages_answer_200(world, report: ProgressReport | None = None) -> None:
    """Every page and API of the task, for each role that sees it."""
    task, plan = world["task_unit_a"], world["plan"]
    coord, reporter = login(world["coordinator"]), login(world["unit_a"])
    pages = [
        (coord, reverse("task_detail", args=[task.pk])), (reporter, reverse("task_detail", args=[task.pk])),
        (coord, reverse("task_list", args=[plan.pk])), (reporter, reverse("task_list", args=[plan.pk])),
        (coord, reverse("plan_overview", args=[plan.pk])), (reporter, reverse("my_tasks")),
        (coord, reverse("review_queue", args=[plan.pk])), (coord, reverse("ledger_export", args=[plan.pk])),
        (coord, reverse("task_edit", args=[task.pk])), (coord, reverse("assessment", args=[plan.pk])),
        (coord, reverse("plan_reporting", args=[plan.pk])),
    ]
    for c, url in pages:
        assert c.get(url).status_code == 200, url
    api = bearer(world["unit_a"])
    for url in (f"/api/tasks/{task.pk}", f"/api/tasks/{task.pk}/progress", f"/api/plans/{plan.pk}/tasks",
                f"/api/plans/{plan.pk}", f"/api/plans/{plan.pk}/targets", "/api/me/owed"):
        assert api.get(url).status_code == 200, url
    if report is not None:  # the review of that report (a POST from the task page) answers, never 500
        r = coord.post(reverse("review_report", args=[report.pk]),
                       {"decision": "return", "reason": "请核实数字", "version": report.version})
        assert r.status_code == 302
        assert coord.get(r.url).status_code == 200


def test_bounds_are_those_of_the_database_columns():
    """Every ledger figure is numeric(14, 4) as the migrations create it; the bounds say the same."""
    assert (bounds.FIGURE.max_digits, bounds.FIGURE.decimal_places) == (14, 4)
    assert bounds.FIGURE.largest == Decimal("9999999999.9999")
    state = MigrationLoader(None, ignore_no_migrations=True).project_state()
    decimals = [(m.name, f.name, f.max_digits, f.decimal_places)
                for (app, _), m in state.models.items() if app == "plans"
                for f in m.fields.values() if f.get_internal_type() == "DecimalField"]
    assert len(decimals) == 8
    assert {(d, p) for *_, d, p in decimals} == {(14, 4)}, decimals
    for model in (Quantity, QuantityProgress, PartyQuantity, Target):
        for f in model._meta.get_fields():
            if getattr(f, "get_internal_type", lambda: "")() == "DecimalField":
                assert (f.max_digits, f.decimal_places) == (14, 4), (model, f.name)


@pytest.mark.parametrize("value, words", [
    (1e20, "超出范围"), ("12345678901.5", "超出范围"), ("NaN", "有限"), ("Infinity", "有限"),
    ("0.12345", "4 位小数"), (-1, "不能小于 0"),
])
def test_api_progress_out_of_range_is_422_writes_nothing_and_the_task_still_answers(world, value, words):
    """The case of the issue: {"quantities": {"5": 1e20}} saved the report and then 500ed forever."""
    task, q = world["task_unit_a"], world["quantity"]
    before = written()
    r = bearer(world["unit_a"]).post(f"/api/tasks/{task.pk}/progress", content_type="application/json",
                                     data=json.dumps({"narrative": "完成抽检", "quantities": {str(q.pk): value}}))
    assert r.status_code == 422, r.content
    detail = r.json()["detail"]
    assert f"quantities.{q.pk}" in detail and words in detail
    assert written() == before
    task_pages_answer_200(world)


def test_api_largest_figure_that_fits_is_accepted(world):
    task, q = world["task_unit_a"], world["quantity"]
    r = bearer(world["unit_a"]).post(f"/api/tasks/{task.pk}/progress", content_type="application/json",
                                     data=json.dumps({"narrative": "完成", "quantities": {str(q.pk): "9999999999.9999"}}))
    assert r.status_code == 201, r.content
    assert QuantityProgress.objects.get().value == Decimal("9999999999.9999")
    task_pages_answer_200(world, ProgressReport.objects.get())


def test_api_text_that_no_database_keeps_is_422(world):
    task = world["task_unit_a"]
    before = written()
    api = bearer(world["unit_a"])
    for narrative in ("完成\x00抽检", "完成\ud800"):
        r = api.post(f"/api/tasks/{task.pk}/progress", content_type="application/json",
                     data=json.dumps({"narrative": narrative}))
        assert r.status_code == 422 and "narrative" in r.json()["detail"], r.content
    assert written() == before


def test_api_review_version_beyond_its_column_is_422(world):
    report = actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"], narrative="完成")
    r = bearer(world["coordinator"]).post(f"/api/progress/{report.pk}/review", content_type="application/json",
                                          data=json.dumps({"decision": "accept", "version": 2**40}))
    assert r.status_code == 422 and "version" in r.json()["detail"]
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.SUBMITTED


def test_web_form_still_refuses_and_names_the_quantity(world):
    task, q = world["task_unit_a"], world["quantity"]
    before = written()
    r = login(world["unit_a"]).post(reverse("task_detail", args=[task.pk]),
                                    {"narrative": "完成", f"q_{q.pk}": "100000000000000000000"})
    assert r.status_code == 200
    page = r.content.decode()
    assert "超出范围" in page and q.name in page
    assert written() == before
    task_pages_answer_200(world)


def test_actions_refuse_what_a_door_might_forget(world):
    """The actions check the same bounds: a caller that skips the form or schema is refused too."""
    from django.core.exceptions import ValidationError

    task, q = world["task_unit_a"], world["quantity"]
    before = written()
    with pytest.raises(ValidationError, match="超出范围"):
        actions.submit_progress(task, acting_user=world["unit_a"], narrative="x", quantities={q.pk: Decimal("1e20")})
    with pytest.raises(ValidationError, match="1990-01-01 至 2100-12-31"):
        actions.update_task(task, {"due_date": dt.date(9999, 12, 31)}, expected_version=task.version,
                            acting_user=world["coordinator"])
    assert written() == before
    target = Target.objects.create(plan=world["plan"], area=task.area, indicator_id=_indicator().pk,
                                   comparator="<=", value=Decimal(30))
    with pytest.raises(ValidationError, match="超出范围"):
        actions.enter_target_actual(target, acting_user=world["coordinator"], value=Decimal("1e15"),
                                    as_of=dt.date(2024, 9, 1), source="月报", expected_version=target.version)
    target.refresh_from_db()
    assert target.entered_value is None and target.version == 1


def _indicator():
    from envgov.apps.plans.models import Indicator

    return Indicator.objects.get_or_create(code="pm25_mean", defaults={"name": "PM2.5年均浓度", "unit": "μg/m³"})[0]


def test_task_edit_form_refuses_a_deadline_in_year_9999(world):
    task = world["task_unit_a"]
    r = login(world["coordinator"]).post(reverse("task_edit", args=[task.pk]), {
        "title": task.title, "due_date": "9999-12-31", "version": task.version,
        f"q{world['quantity'].pk}_name": world["quantity"].name, f"q{world['quantity'].pk}_value": "8",
        f"q{world['quantity'].pk}_unit": "组"})
    assert r.status_code == 200 and "2100-12-31" in r.content.decode()
    task.refresh_from_db()
    assert task.due_date == dt.date(2024, 12, 31) and task.version == 1


# ---------------------------------------------------------------- plan drafts

def _draft(world, value) -> PlanDraft:
    data = {"title": "通州区2025年工作计划", "year": 2025, "warnings": [], "targets": [], "tasks": [{
        "code": "一.1", "title": "抽检含VOCs产品", "text": "全年抽检不少于8组", "area": "蓝天",
        "lead_units": ["市场监管局"], "cooperating_units": [], "units": ["市场监管局"], "towns": [],
        "deadlines": ["2025-12-31"], "quantities": [{"value": value, "unit": "组", "text": "抽检"}],
        "source_span": [0, 9], "include": True}]}
    return PlanDraft.objects.create(district=world["district"], filename="计划.docx", uploaded_by=world["coordinator"],
                                    original_text="全年抽检不少于8组", data=data)


def _post_of(draft: PlanDraft, quantities: str) -> dict:
    t = draft.data["tasks"][0]
    p = "task-0-"
    return {"title": draft.data["title"], "year": "2025", "version": str(draft.version), "op": "commit",
            p + "include": "on", p + "code": t["code"], p + "title": t["title"], p + "area": t["area"],
            p + "lead_units": "市场监管局", p + "cooperating_units": "", p + "towns": "",
            p + "deadlines": "2025-12-31", p + "quantities": quantities}


def test_plan_draft_with_a_20_digit_quantity_is_refused_at_commit(world):
    """The issue's second case: such a draft committed and broke its tasks."""
    draft = _draft(world, 12345678901234567890)
    before = written()
    r = login(world["coordinator"]).post(reverse("plan_draft", args=[draft.pk]),
                                         _post_of(draft, "12345678901234567890 组｜全年抽检"), follow=True)
    assert r.status_code == 422
    page = r.content.decode()
    assert "任务 一.1" in page and "「工作量」" in page and "超出范围" in page
    draft.refresh_from_db()
    assert draft.status == PlanDraft.Status.OPEN and draft.plan is None
    assert written() == before


def test_plan_draft_committed_unchanged_is_refused_by_the_loader(world):
    """A structured plan (CLI, fixture, or a draft whose form was bypassed) meets the same bound."""
    from django.core.exceptions import ValidationError

    draft = _draft(world, 12345678901234567890)
    before = written()
    from envgov.apps.plans import review

    with pytest.raises(ValidationError, match="任务 一.1：“工作量1”超出范围"):
        load_structured_plan(review.committed_data(draft.data), district=world["district"],
                             acting_user=world["coordinator"])
    with pytest.raises(ValidationError, match="“年度”须在 1990 至 2100 之间"):
        load_structured_plan({**draft.data, "year": 99999, "tasks": []}, district=world["district"],
                             acting_user=world["coordinator"])
    with pytest.raises(ValidationError, match="“完成时限”须在"):
        load_structured_plan({**draft.data, "tasks": [{**draft.data["tasks"][0], "quantities": [],
                                                       "deadlines": ["9999-01-01"]}]},
                             district=world["district"], acting_user=world["coordinator"])
    assert written() == before


def test_plan_draft_that_fits_commits(world):
    draft = _draft(world, 8)
    r = login(world["coordinator"]).post(reverse("plan_draft", args=[draft.pk]), _post_of(draft, "8 组｜全年抽检"))
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.status == PlanDraft.Status.COMMITTED
    assert Quantity.objects.get(task__plan=draft.plan).target_value == 8


# ---------------------------------------------------------------- Excel ledger import

def test_excel_import_refuses_out_of_range_dates_ids_and_versions(world):
    coord, plan = login(world["coordinator"]), world["plan"]
    data = export(coord, plan)
    r1, r2 = row_of(data, world["task_unit_a"]), row_of(data, world["task_unit_b"])
    bad = edit(data, **{f"E{r1}": "9999-12-31", f"I{r2}": 2**40})
    state = ledger_state()
    r = upload(coord, plan, bad)
    errors = [str(e) for e in r.context["result"].errors]
    assert f"第{r1}行「完成时限」列：“完成时限”须在 1990-01-01 至 2100-12-31 之间" in errors
    assert any(e.startswith(f"第{r2}行「版本（勿改）」列") for e in errors), errors
    huge = edit(data, **{f"H{r1}": str(10**30)})
    errors = [str(e) for e in upload(coord, plan, huge).context["result"].errors]
    assert any(e.startswith(f"第{r1}行「系统编号（勿改）」列") and "超出范围" in e for e in errors), errors
    assert ledger_state() == state


# ---------------------------------------------------------------- values already stored

def test_pages_never_fail_on_values_already_stored(world):
    """Values no door lets in any more, put behind the actions' back (ORM update; raw SQL where the database
    keeps what Django refuses to write): every page and API of the task still answers 200."""
    task, q = world["task_unit_a"], world["quantity"]
    report = actions.submit_progress(task, acting_user=world["unit_a"], narrative="完成", quantities={q.pk: Decimal(3)})
    target = Target.objects.create(plan=world["plan"], area=task.area, indicator_id=_indicator().pk,
                                   comparator="<=", value=Decimal(30))
    if connection.vendor == "sqlite":  # SQLite stores a figure beyond its column (PostgreSQL refuses to)
        huge = Decimal("1E+20")
        QuantityProgress.objects.filter(report=report).update(value=huge)
        Quantity.objects.filter(pk=q.pk).update(achieved_value=huge, target_value=Decimal("-5E+18"))
        PartyQuantity.objects.filter(quantity=q).update(achieved_value=huge, share_value=Decimal("1E+25"))
        Target.objects.filter(pk=target.pk).update(value=huge, actual_value=Decimal("-1E+30"), entered_value=huge)
        assert QuantityProgress.objects.get(report=report).value == huge  # read back as stored
        task_pages_answer_200(world, report)

    if connection.vendor == "sqlite":  # SQLite keeps an infinite REAL, which is read back as NaN
        with connection.cursor() as cur:
            cur.execute("UPDATE plans_quantity SET achieved_value = 9e999, target_value = 9e999 WHERE id = %s", [q.pk])
            cur.execute("UPDATE plans_target SET actual_value = -9e999 WHERE id = %s", [target.pk])
        assert not Quantity.objects.get(pk=q.pk).achieved_value.is_finite()
    elif connection.vendor == "postgresql":  # PostgreSQL's numeric keeps NaN
        with connection.cursor() as cur:
            cur.execute("UPDATE plans_quantity SET achieved_value = 'NaN', target_value = 'NaN' WHERE id = %s", [q.pk])
            cur.execute("UPDATE plans_target SET actual_value = 'NaN' WHERE id = %s", [target.pk])
    report.refresh_from_db()
    task_pages_answer_200(world, ProgressReport.objects.get(pk=report.pk))


def test_task_filters_with_ids_no_row_can_have_match_nothing(world):
    """Found by the fuzzer: ?town=2**63 answered 500 (SQLite refuses to compare a related column with it)."""
    plan = world["plan"]
    api = bearer(world["coordinator"])
    for query in ("town=9223372036854775808", "unit=9223372036854775808", "unit=-1"):
        r = api.get(f"/api/plans/{plan.pk}/tasks?{query}")
        assert r.status_code == 200 and r.json() == [], query
    page = login(world["coordinator"])
    for query in ("unit=abc", "town=99999999999999999999999", "q=%00", "unit=１"):
        assert page.get(f"{reverse('task_list', args=[plan.pk])}?{query}").status_code == 200, query
    assert [t["code"] for t in api.get(f"/api/plans/{plan.pk}/tasks?unit={world['u_market'].pk}").json()] == ["三.(一).2"]
