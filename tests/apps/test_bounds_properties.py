"""Every form and import meets extreme numbers, dates and text (hypothesis): it answers with a page or a
located refusal, never a 500, and whatever it stored fits its database column (numeric(14, 4): at most 10
digits before the point and 4 after; dates within 1990–2100). A handful of properties, one per door."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from envgov.apps.accounts.models import ApiToken
from envgov.apps.plans import review
from envgov.apps.plans.loader import load_structured_plan
from envgov.apps.plans.models import Indicator, Quantity, QuantityProgress, Target, Task

from test_excel import edit, export, ledger_state, row_of, upload

PROPERTY = settings(max_examples=25, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
LARGEST = Decimal("9999999999.9999")

# what people and files type into a number field
NUMBER_TEXT = st.one_of(
    st.sampled_from(["1e20", "12345678901234567890", "NaN", "inf", "-Infinity", "-1", "0.00001", "9999999999.9999",
                     "10000000000", "１２", "٣", "1,000", "1_0", " 8 ", "", "0", "-0", "1e-9999", "9" * 400]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
# what can be posted as a form field (a browser cannot send a lone surrogate)
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
DATE_TEXT = st.one_of(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
                      st.sampled_from(["9999-12-31", "0001-01-01", "1989-12-31", "2101-01-01", "2024-02-30", ""]),
                      TEXT)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def assert_stored_figures_fit() -> None:
    for model, fields in ((QuantityProgress, ["value"]), (Quantity, ["target_value", "achieved_value"]),
                          (Target, ["value", "actual_value", "entered_value"])):
        for row in model.objects.values_list(*fields):
            for v in row:
                assert v is None or (v.is_finite() and abs(v) <= LARGEST and v == v.quantize(Decimal("0.0001"))), v


def assert_dates_fit() -> None:
    for due in Task.objects.exclude(due_date=None).values_list("due_date", flat=True):
        assert dt.date(1990, 1, 1) <= due <= dt.date(2100, 12, 31), due


def rolled_back(fn):  # noqa: ANN001, ANN201 - each example starts from the same ledger
    with transaction.atomic():
        try:
            return fn()
        finally:
            transaction.set_rollback(True)


def test_progress_form_property(world):
    task, q = world["task_unit_a"], world["quantity"]
    c = login(world["unit_a"])

    @PROPERTY
    @given(narrative=TEXT, value=NUMBER_TEXT)
    def prop(narrative, value):
        def attempt():
            r = c.post(reverse("task_detail", args=[task.pk]), {"narrative": narrative, f"q_{q.pk}": value})
            assert r.status_code in (200, 302)
            assert_stored_figures_fit()
            assert c.get(reverse("task_detail", args=[task.pk])).status_code == 200
        rolled_back(attempt)

    prop()


def test_task_edit_form_property(world):
    task, q = world["task_unit_a"], world["quantity"]
    c = login(world["coordinator"])

    @PROPERTY
    @given(title=TEXT, due=DATE_TEXT, value=NUMBER_TEXT)
    def prop(title, due, value):
        def attempt():
            r = c.post(reverse("task_edit", args=[task.pk]), {
                "title": title, "due_date": due, "version": task.version,
                f"q{q.pk}_name": q.name, f"q{q.pk}_value": value, f"q{q.pk}_unit": q.unit})
            assert r.status_code in (200, 302)
            assert_stored_figures_fit()
            assert_dates_fit()
            assert c.get(reverse("task_detail", args=[task.pk])).status_code == 200
        rolled_back(attempt)

    prop()


def test_target_actual_form_property(world):
    indicator = Indicator.objects.get_or_create(code="cod_reduction", defaults={"name": "化学需氧量减排量", "unit": "吨"})[0]
    target = Target.objects.create(plan=world["plan"], area=world["task_unit_a"].area, indicator=indicator,
                                   comparator=">=", value=Decimal(120))
    c = login(world["coordinator"])

    @PROPERTY
    @given(value=NUMBER_TEXT, as_of=DATE_TEXT, source=TEXT)
    def prop(value, as_of, source):
        def attempt():
            r = c.post(reverse("target_actual", args=[target.pk]),
                       {"value": value, "as_of": as_of, "source": source, "version": target.version})
            assert r.status_code in (200, 302)
            assert_stored_figures_fit()
            t = Target.objects.get(pk=target.pk)
            assert t.entered_as_of is None or dt.date(1990, 1, 1) <= t.entered_as_of <= dt.date(2100, 12, 31)
            assert c.get(reverse("plan_overview", args=[world["plan"].pk])).status_code == 200
        rolled_back(attempt)

    prop()


JSON_NUMBERS = st.one_of(
    st.sampled_from(["1e20", "NaN", "Infinity", "-Infinity", "1e400", "-1", "0.00001", "9999999999.9999",
                     "12345678901234567890", '"1e20"', '"NaN"', '"七"', "true", "null", "[]", "{}"]),
    st.floats().map(lambda f: json.dumps(f)),  # NaN / Infinity as the bare tokens Python's json reads
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


def test_api_progress_property(world):
    task, q = world["task_unit_a"], world["quantity"]
    _, key = ApiToken.issue(world["unit_a"], "prop")
    c = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    @PROPERTY
    @given(value=JSON_NUMBERS, narrative=st.text(max_size=40), qid=st.sampled_from([str(q.pk), "0", "9" * 30, "-1"]))
    def prop(value, narrative, qid):
        def attempt():
            body = '{"narrative": %s, "quantities": {"%s": %s}}' % (json.dumps(narrative), qid, value)
            r = c.post(f"/api/tasks/{task.pk}/progress", data=body, content_type="application/json")
            assert r.status_code in (201, 422), (r.status_code, body, r.content[:300])
            if r.status_code == 422:
                assert r.json()["detail"]
            assert_stored_figures_fit()
            assert c.get(f"/api/tasks/{task.pk}/progress").status_code == 200
        rolled_back(attempt)

    prop()


def test_excel_import_property(world):
    coord, plan = login(world["coordinator"]), world["plan"]
    data = export(coord, plan)
    r = row_of(data, world["task_unit_a"])
    cells = st.one_of(NUMBER_TEXT, DATE_TEXT, st.floats(allow_nan=False), st.integers(min_value=-(10**20), max_value=10**20),
                      st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)))
    state = ledger_state()

    @PROPERTY
    @given(due=cells, task_id=cells, version=cells, text=TEXT)
    def prop(due, task_id, version, text):
        try:
            sheet = edit(data, **{f"E{r}": due, f"H{r}": task_id, f"I{r}": version, f"B{r}": text})
        except (ValueError, TypeError, IllegalCharacterError):  # what openpyxl itself cannot write into a cell
            return
        page = upload(coord, plan, sheet)
        assert page.status_code == 200
        result = page.context["result"]
        for e in result.errors:
            assert e.row >= 1 and e.column and str(e)
        for change in result.changes:
            due_date = change.changes.get("due_date")
            assert due_date is None or dt.date(1990, 1, 1) <= due_date <= dt.date(2100, 12, 31)
        assert ledger_state() == state  # a preview writes nothing

    prop()


def test_plan_draft_property(world):
    base = {"title": "通州区2025年工作计划", "year": 2025, "targets": [
        {"indicator": "pm25_mean", "comparator": "<=", "value": 30, "unit": "μg/m³", "period": "全年", "area": "蓝天",
         "include": True}],
        "tasks": [{"code": "一.1", "title": "抽检", "text": "抽检", "area": "蓝天", "lead_units": ["市场监管局"],
                   "cooperating_units": [], "towns": [], "deadlines": [], "quantities": [], "include": True}]}

    @PROPERTY
    @given(year=st.one_of(NUMBER_TEXT, TEXT), deadline=DATE_TEXT, quantity=NUMBER_TEXT, target=NUMBER_TEXT,
           code=TEXT, unit=TEXT)
    def prop(year, deadline, quantity, target, code, unit):
        post = {"title": base["title"], "year": year, "task-0-include": "on", "task-0-code": code or "一.1",
                "task-0-title": "抽检", "task-0-area": "蓝天", "task-0-lead_units": "市场监管局",
                "task-0-deadlines": deadline, "task-0-quantities": f"{quantity} {unit}｜抽检",
                "target-0-include": "on", "target-0-indicator": "pm25_mean", "target-0-comparator": "<=",
                "target-0-value": target, "target-0-unit": "μg/m³", "target-0-period": "全年", "target-0-area": "蓝天"}
        data, errors = review.read_review_form(post, base)
        json.dumps(data, allow_nan=False)  # the draft is stored as JSON: no NaN / Infinity in it
        if errors:
            return

        def commit():
            try:
                load_structured_plan(review.committed_data(data), district=world["district"],
                                     acting_user=world["coordinator"])
            except ValidationError as exc:
                assert exc.messages
                return
            assert_stored_figures_fit()
            assert_dates_fit()
        rolled_back(commit)

    prop()
