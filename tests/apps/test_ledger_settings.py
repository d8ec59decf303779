"""A plan's reporting requirement, and target actuals entered where the platform cannot compute them yet."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from envgov.apps.plans import actions
from envgov.apps.plans.models import Indicator, Target


@pytest.fixture
def cod(world):
    indicator = Indicator.objects.create(code="cod_reduction_t", name="化学需氧量减排量", unit="吨", area_code="water",
                                         default_comparator=">=")
    return Target.objects.create(plan=world["plan"], area=world["task_unit_a"].area, indicator=indicator,
                                 comparator=">=", value=Decimal(120), unit="吨")


def test_entered_actual_judges_the_target_until_a_computed_one_exists(world, cod):
    assert cod.status == "unknown"
    with pytest.raises(ValidationError):
        actions.enter_target_actual(cod, acting_user=world["coordinator"], value=Decimal(130),
                                    as_of=dt.date(2024, 8, 31), source=" ", expected_version=cod.version)
    with pytest.raises(PermissionDenied):
        actions.enter_target_actual(cod, acting_user=world["unit_a"], value=Decimal(130),
                                    as_of=dt.date(2024, 8, 31), source="区统计局", expected_version=cod.version)
    actions.enter_target_actual(cod, acting_user=world["coordinator"], value=Decimal(110),
                                as_of=dt.date(2024, 8, 31), source="市生态环境局减排核算", expected_version=cod.version)
    cod.refresh_from_db()
    assert cod.status == "not_met" and cod.uses_entered_value and cod.entered_by == world["coordinator"]
    # a computed value takes over; the entered one stays beside it
    Target.objects.filter(pk=cod.pk).update(actual_value=Decimal(125), actual_source="平台计算")
    cod.refresh_from_db()
    assert cod.status == "met" and cod.entered_value == Decimal(110) and not cod.uses_entered_value
    page = _client(world["coordinator"]).get(f"/plans/{world['plan'].pk}/").content.decode()
    assert "125" in page and "110" in page


def test_reporting_due_day_moves_what_is_owed(world):
    plan = world["plan"]
    assert actions.current_period(plan, dt.date(2024, 6, 8)) == "2024-06"  # May was due 06-05
    response = _client(world["coordinator"]).post(f"/plans/{plan.pk}/reporting/", {
        "report_frequency": "monthly", "report_due_day": "10", "report_due_next_month": "on",
        "version": plan.version})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.report_due_day == 10
    assert actions.current_period(plan, dt.date(2024, 6, 8)) == "2024-05"  # now due 06-10: still May
    bad = _client(world["coordinator"]).post(f"/plans/{plan.pk}/reporting/", {
        "report_frequency": "monthly", "report_due_day": "40", "version": plan.version})
    assert bad.status_code == 200 and _due_day(plan) == 10
    assert _client(world["unit_a"]).get(f"/plans/{plan.pk}/reporting/").status_code == 403


def _due_day(plan) -> int:  # noqa: N802, ANN001
    plan.refresh_from_db()
    return plan.report_due_day


def _client(user) -> Client:  # noqa: ANN001
    c = Client()
    c.force_login(user)
    return c
