"""The audit log's move from plans to its own app keeps every existing row: ids, times, actor, values;
the subject becomes a content type and the district is filled in from the plan (or the subject, or the
actor)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("audit", None), ("plans", "0003_plan_draft"), ("monitoring", "0003_air_parameters"),
          ("accounts", "0001_initial")]
AFTER = [("plans", "0004_move_auditlog_to_audit_app")]


@pytest.mark.django_db(transaction=True)
def test_old_rows_survive_the_move():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE[1:]).apps
    District = old.get_model("geo", "District")
    User = old.get_model("accounts", "User")
    Plan = old.get_model("plans", "Plan")
    AirParameter = old.get_model("monitoring", "AirParameter")
    OldLog = old.get_model("plans", "AuditLog")
    d = District.objects.create(adcode="110112", name="通州区")
    other = District.objects.create(adcode="110109", name="门头沟区")
    coordinator = User.objects.create(username="c", role="coordinator", district=d)
    plan = Plan.objects.create(district=d, year=2024, title="计划", status="issued")
    param = AirParameter.objects.create(district=other, key="report_digits", value=0, reason="r",
                                        set_by=coordinator)
    at = dt.datetime(2024, 5, 10, 1, 2, 3, 456789, tzinfo=dt.timezone.utc)
    OldLog.objects.create(id=7, actor=coordinator, plan=plan, action="issue", object_type="plan",
                          object_id=str(plan.pk), object_repr="计划", before={"status": "draft"},
                          after={"status": "issued"}, note="印发")
    OldLog.objects.filter(id=7).update(at=at)  # auto_now_add on the old model
    OldLog.objects.create(id=9, actor=None, plan=None, action="set_parameter", object_type="airparameter",
                          object_id=str(param.pk), object_repr="p", before={"value": 1}, after={"value": 0})

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    NewLog = new.get_model("audit", "AuditLog")
    rows = {r.id: r for r in NewLog.objects.select_related("content_type")}
    assert set(rows) == {7, 9}
    issue, param_row = rows[7], rows[9]
    assert (issue.at, issue.actor_id, issue.plan_id, issue.district_id) == (at, coordinator.pk, plan.pk, d.pk)
    assert (issue.content_type.app_label, issue.content_type.model) == ("plans", "plan")
    assert (issue.before, issue.after, issue.note, issue.object_repr) == (
        {"status": "draft"}, {"status": "issued"}, "印发", "计划")
    assert (param_row.content_type.app_label, param_row.content_type.model) == ("monitoring", "airparameter")
    assert param_row.district_id == other.pk  # from the parameter's own district
    assert "plans_auditlog" not in connection.introspection.table_names()
    # the id sequence continues after the copied ids
    fresh = NewLog.objects.create(action="x", content_type=issue.content_type, object_id="1")
    assert fresh.id > 9
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
