"""A task shared by two towns, in a real browser: each town reports its own line; the task completes only
after both have been signed off; their quantities add up; one town's 销号 leaves the other's line open."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _report(session, task_id: int, text: str, vehicles: str) -> None:
    session.goto("/my/")
    row = session.page.locator("tr", has_text="扬尘管控")
    expect(row).to_contain_text("待填报")
    row.get_by_role("link", name="填报").click()
    form = session.page.locator("#report-form")
    form.get_by_label("进展情况").fill(text)
    form.get_by_label(re.compile("渣土车辆苫盖检查不少于100辆")).fill(vehicles)
    form.get_by_label("任务已全部完成，申请销号").check()
    form.get_by_role("button", name="提交进展").click()
    expect(session.page.locator(".msg.success")).to_contain_text("进展已提交，等待审核")
    expect(session.page.locator("#report-form")).to_contain_text("正在审核中")  # no second form while waiting


def _accept(coordinator, task_id: int, text: str) -> None:
    coordinator.goto(f"/tasks/{task_id}/")
    coordinator.page.locator(".report", has_text=text).get_by_role("button", name="采纳").click()
    expect(coordinator.page.locator(".msg.success")).to_contain_text("已采纳")


def test_two_towns_report_on_one_shared_task(world, e2e_settings, open_session):
    from envgov.apps.plans.models import Quantity, Task

    task = world["task_town_a"]  # 扬尘管控, 宋庄镇 — and now 张家湾镇 too
    task.towns.add(world["town_b"].town)
    Quantity.objects.create(task=task, name="渣土车辆苫盖检查不少于100辆", unit="辆", target_value=Decimal(100))

    a = open_session("town_a")
    _report(a, task.pk, "宋庄镇：检查渣土车60辆，全部苫盖。", "60")
    coordinator = open_session("coordinator")
    _accept(coordinator, task.pk, "宋庄镇：检查渣土车60辆")
    page = coordinator.page
    parties = page.locator("#parties")
    expect(parties.locator("tr.party", has_text="宋庄镇")).to_contain_text("已完成")
    expect(parties.locator("tr.party", has_text="张家湾镇")).to_contain_text("未开始")  # still open
    expect(page.locator("#task-status")).to_have_text("推进中")  # one town's 销号 is not the task's
    assert Task.objects.get(pk=task.pk).status == Task.Status.IN_PROGRESS

    b = open_session("town_b")
    _report(b, task.pk, "张家湾镇：检查渣土车45辆。", "45")
    _accept(coordinator, task.pk, "张家湾镇：检查渣土车45辆")
    expect(page.locator("#task-status")).to_have_text("已完成")
    expect(page.locator("table").first).to_contain_text("105")  # 60 + 45, added, not overwritten
    assert Quantity.objects.get(task=task).achieved_value == Decimal(105)
    expect(parties.locator("tr.party", has_text="张家湾镇")).to_contain_text("已完成")

    # both towns owe nothing more on it
    for s in (a, b):
        s.goto("/my/")
        expect(s.page.locator("tr", has_text="扬尘管控")).not_to_contain_text("待填报")
