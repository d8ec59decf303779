"""Every party's own progress line: shared tasks, quantities that add up, rates that are reached,
supervision that stays closed, returned reports that come back whole, and one number for "owed"."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from envgov.apps.supervision import actions as supervision
from envgov.apps.plans import actions, owed, progress
from envgov.apps.plans.models import ProgressReport, Quantity, Task, TaskParty
from envgov.apps.supervision.models import SupervisionItem


@pytest.fixture
def shared(world):
    """A task shared by two towns (宋庄镇 and 张家湾镇) with 100 vehicles to replace and a 15 % rate."""
    task = world["task_town_a"]
    task.towns.add(world["users"]["town_b"].town)
    Quantity.objects.create(task=task, name="淘汰车辆不少于100辆", unit="辆", target_value=Decimal(100),
                            kind=progress.quantity_kind("辆"))
    Quantity.objects.create(task=task, name="新能源车占比不少于15%", unit="%", target_value=Decimal(15),
                            kind=progress.quantity_kind("%"))
    progress.sync_parties(task)
    return task


def _report(task, user, today, *, vehicles, rate, done=False):  # noqa: ANN001
    count, share = task.quantities.order_by("id")
    return actions.submit_progress(task, acting_user=user, narrative=f"{user} 进展", today=today,
                                   quantities={count.pk: Decimal(vehicles), share.pk: Decimal(rate)},
                                   marks_complete=done)


def test_shared_task_completes_only_when_every_party_has(world, shared):
    today = dt.date(2024, 5, 20)
    a, b, coordinator = world["town_a"], world["town_b"], world["coordinator"]
    assert {p.name for p in shared.parties.all()} == {"宋庄镇", "张家湾镇"}
    ra = _report(shared, a, today, vehicles=60, rate=20, done=True)
    actions.review_progress(ra, acting_user=coordinator, accept=True, expected_version=ra.version)
    shared.refresh_from_db()
    count, rate = shared.quantities.order_by("id")
    assert shared.status == Task.Status.IN_PROGRESS  # one town's 销号 does not complete the task
    assert TaskParty.objects.get(task=shared, town=a.town).status == TaskParty.Status.COMPLETED
    assert TaskParty.objects.get(task=shared, town=b.town).status == TaskParty.Status.NOT_STARTED
    rb = _report(shared, b, today, vehicles=45, rate=12, done=False)
    actions.review_progress(rb, acting_user=coordinator, accept=True, expected_version=rb.version)
    count.refresh_from_db(), rate.refresh_from_db()
    assert count.achieved_value == Decimal(105)  # 60 + 45: counts add up, never overwrite
    assert rate.achieved_value == Decimal(12)  # a rate is reached by each party: the lowest one stands
    shared.refresh_from_db()
    assert shared.status == Task.Status.IN_PROGRESS
    rb2 = _report(shared, b, today.replace(month=6), vehicles=50, rate=16, done=True)
    actions.review_progress(rb2, acting_user=coordinator, accept=True, expected_version=rb2.version)
    shared.refresh_from_db(), count.refresh_from_db(), rate.refresh_from_db()
    assert shared.status == Task.Status.COMPLETED
    assert count.achieved_value == Decimal(110) and rate.achieved_value == Decimal(16)


def test_closed_party_owes_nothing_and_cannot_report_again(world, shared):
    today = dt.date(2024, 5, 20)
    r = _report(shared, world["town_a"], today, vehicles=50, rate=15, done=True)
    actions.review_progress(r, acting_user=world["coordinator"], accept=True, expected_version=r.version)
    assert [o for o in owed.owed_for(world["town_a"], today) if o.task_id == shared.pk] == []
    assert [o.task_id for o in owed.owed_for(world["town_b"], today)] == [shared.pk]
    with pytest.raises(ValidationError):
        _report(shared, world["town_a"], today.replace(month=6), vehicles=60, rate=15)


def test_coordinator_closes_task_with_a_reason(world, shared):
    with pytest.raises(ValidationError):
        actions.close_task(shared, acting_user=world["coordinator"], reason=" ", expected_version=shared.version)
    actions.close_task(shared, acting_user=world["coordinator"], reason="两镇任务已由区级统一完成",
                       expected_version=shared.version)
    shared.refresh_from_db()
    assert shared.status == Task.Status.COMPLETED and shared.closure_reason
    assert owed.owed_for(world["town_a"], dt.date(2024, 5, 20)) == []


def test_split_quantity_measures_each_party_against_its_own_share(world, shared):
    count = shared.quantities.get(unit="辆")
    edits = [actions.QuantityEdit(pk=q.pk, name=q.name, unit=q.unit, target_value=q.target_value)
             for q in shared.quantities.order_by("id")]
    shares = {p.pk: Decimal(70 if p.town == world["town_a"].town else 30) for p in shared.parties.all()}
    edits[0].shares = shares
    task = actions.update_task(shared, {}, expected_version=shared.version, acting_user=world["coordinator"],
                               reason="按镇分解", quantities=edits)
    line = task.parties.get(town=world["town_b"].town).quantities.get(quantity=count)
    assert line.share_value == Decimal(30)
    r = _report(task, world["town_b"], dt.date(2024, 7, 1), vehicles=15, rate=15)
    actions.review_progress(r, acting_user=world["coordinator"], accept=True, expected_version=r.version)
    party = task.parties.get(town=world["town_b"].town)
    task_shares = {q.pk: q.share for q in task.quantities.all()}  # the rate line: 15 of 15
    assert progress.party_share(party, task_shares) == pytest.approx(0.5)  # 15 of its own 30, not of 100


def test_supervision_closed_today_is_not_reopened_today_but_is_in_a_later_period(world):
    plan, task = world["plan"], world["task_unit_b"]  # due 2024-06-30, not done
    assert supervision.flag_overdue_and_lagging(plan, dt.date(2024, 7, 10)).overdue == 1
    item = SupervisionItem.objects.get(task=task, source="overdue")
    with override_settings(ENVGOV_TODAY="2024-07-10"):
        supervision.close_supervision(item, acting_user=world["coordinator"], note="已约谈", expected_version=item.version)
        # the same day's check, and every other check of July, leaves the 销号 standing
        assert supervision.flag_overdue_and_lagging(plan, dt.date(2024, 7, 10)).overdue == 0
        assert supervision.flag_overdue_and_lagging(plan, dt.date(2024, 8, 5)).overdue == 0  # July's report window
    assert SupervisionItem.objects.filter(task=task).exclude(status="closed").count() == 0
    # August's check finds the task still overdue: a new item, which names the one it reopens and why
    result = supervision.flag_overdue_and_lagging(plan, dt.date(2024, 8, 12))
    assert result.overdue == 1 and result.reopened == 1
    again = SupervisionItem.objects.exclude(pk=item.pk).get(task=task)
    assert again.reopens_id == item.pk and again.period == "2024-08"
    assert "2024-07-10" in again.reopen_reason and "销号" in again.reopen_reason
    assert supervision.flag_overdue_and_lagging(plan, dt.date(2024, 8, 13)).overdue == 0  # one open item only


def test_a_closing_in_beijing_early_morning_is_dated_by_the_beijing_day(world):
    """01:30 on 10 July in Beijing is still 9 July in UTC: the 销号's day and period are the Beijing ones."""
    from unittest import mock

    plan, task = world["plan"], world["task_unit_b"]  # due 2024-06-30, not done
    supervision.flag_overdue_and_lagging(plan, dt.date(2024, 7, 10))
    item = SupervisionItem.objects.get(task=task, source="overdue")
    early = dt.datetime(2024, 7, 9, 17, 30, tzinfo=dt.timezone.utc)  # 2024-07-10 01:30 Asia/Shanghai
    with override_settings(ENVGOV_TODAY="2024-07-10"), mock.patch("django.utils.timezone.now", return_value=early):
        supervision.close_supervision(item, acting_user=world["coordinator"], note="已约谈", expected_version=item.version)
    supervision.flag_overdue_and_lagging(plan, dt.date(2024, 8, 12))
    again = SupervisionItem.objects.exclude(pk=item.pk).get(task=task)
    assert "2024-07-10" in again.reopen_reason


def test_each_party_gets_its_own_supervision_item(world, shared):
    shared.due_date = dt.date(2024, 6, 30)
    shared.save()
    r = _report(shared, world["town_a"], dt.date(2024, 6, 1), vehicles=50, rate=15, done=True)
    actions.review_progress(r, acting_user=world["coordinator"], accept=True, expected_version=r.version)
    supervision.flag_overdue_and_lagging(world["plan"], dt.date(2024, 7, 10))
    items = SupervisionItem.objects.filter(task=shared)
    assert [i.addressee_town for i in items] == [world["town_b"].town]  # the closed town is not chased


def test_returned_report_comes_back_with_its_text_and_figures(world):
    task, q = world["task_unit_a"], world["quantity"]
    today = dt.date(2024, 5, 20)
    r = actions.submit_progress(task, acting_user=world["unit_a"], narrative="完成抽检3组，详见附件",
                                quantities={q.pk: Decimal(3)}, today=today)
    actions.review_progress(r, acting_user=world["coordinator"], accept=False, reason="请补充抽检报告编号",
                            expected_version=r.version)
    client = Client()
    client.force_login(world["unit_a"])
    with override_settings(ENVGOV_TODAY="2024-05-20"):
        html = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "请补充抽检报告编号" in html and "完成抽检3组，详见附件</textarea>" in html
    assert f'name="q_{q.pk}"' in html and 'value="3"' in html
    kinds = [o.kind for o in owed.owed_for(world["unit_a"], today) if o.task_id == task.pk]
    assert kinds == ["correction"]
    again = actions.submit_progress(task, acting_user=world["unit_a"], narrative="完成抽检3组，编号 CJ-01～03",
                                    quantities={q.pk: Decimal(3)}, today=today)
    assert again.pk == r.pk
    assert [e.kind for e in again.events.all()] == ["submitted", "returned", "resubmitted"]


def test_no_second_form_while_a_report_waits_and_withdraw_reopens_it(world):
    task = world["task_unit_a"]
    r = actions.submit_progress(task, acting_user=world["unit_a"], narrative="本月进展", today=dt.date(2024, 5, 20))
    client = Client()
    client.force_login(world["unit_a"])
    with override_settings(ENVGOV_TODAY="2024-05-20"):
        html = client.get(f"/tasks/{task.pk}/").content.decode()
        assert 'name="narrative"' not in html and "撤回修改" in html
        assert client.post(f"/reports/{r.pk}/withdraw/", {"version": r.version}).status_code == 302
        html = client.get(f"/tasks/{task.pk}/").content.decode()
    assert ProgressReport.objects.get(pk=r.pk).status == ProgressReport.Status.WITHDRAWN
    assert "本月进展</textarea>" in html


def test_report_due_date_and_lateness_are_recorded(world):
    plan = world["plan"]
    assert actions.period_due_date(plan, "2024-05") == dt.date(2024, 6, 5)
    assert actions.current_period(plan, dt.date(2024, 6, 3)) == "2024-05"  # May's report still due
    assert actions.current_period(plan, dt.date(2024, 6, 6)) == "2024-06"
    with override_settings(ENVGOV_TODAY="2024-06-07"):
        late = actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"], narrative="五月进展",
                                       period="2024-05")
    assert late.due_on == dt.date(2024, 6, 5) and late.is_late


def test_batch_accept_accepts_each_waiting_report(world):
    today = dt.date(2024, 5, 20)
    r1 = actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"], narrative="a", today=today)
    r2 = actions.submit_progress(world["task_town_a"], acting_user=world["town_a"], narrative="b", today=today)
    client = Client()
    client.force_login(world["coordinator"])
    response = client.post(f"/plans/{world['plan'].pk}/reviews/", {"report": [r1.pk, r2.pk]})
    assert response.status_code == 302
    assert set(ProgressReport.objects.values_list("status", flat=True)) == {"accepted"}
    auditor = Client()
    auditor.force_login(world["auditor"])
    assert auditor.post(f"/plans/{world['plan'].pk}/reviews/", {"report": [r1.pk]}).status_code == 403


def test_cooperating_unit_comments_instead_of_reporting(world):
    task = world["task_unit_a"]  # 发展改革委 (unit_b) cooperates
    with pytest.raises(ValidationError):
        actions.submit_progress(task, acting_user=world["unit_b"], narrative="配合完成")
    comment = actions.comment_task(task, acting_user=world["unit_b"], body="已提供车辆名单")
    assert comment.task_id == task.pk and ProgressReport.objects.count() == 0


def test_editing_an_issued_task_moves_its_parties_and_keeps_history(world):
    task = world["task_unit_a"]
    r = actions.submit_progress(task, acting_user=world["unit_a"], narrative="进展", today=dt.date(2024, 5, 20))
    edited = actions.update_task(task, {"due_date": dt.date(2024, 11, 30)}, expected_version=task.version,
                                 acting_user=world["coordinator"], reason="改由发展改革委牵头",
                                 lead_units=[world["u_dev"]], cooperating_units=[])
    parties = {p.unit_id: p for p in TaskParty.objects.filter(task=task)}
    assert parties[world["u_market"].pk].removed_on is not None  # left the task, its report kept
    assert parties[world["u_dev"].pk].removed_on is None
    assert ProgressReport.objects.get(pk=r.pk).party_id == parties[world["u_market"].pk].pk
    assert edited.plan.revisions.count() == 1
    assert [p.name for p in edited.edit_effect["added"]] == ["发展改革委"]
