"""The ledger in a real browser, as its users live it: a unit reporter submits progress with an
attachment, the coordinator returns it with a reason, the reporter resubmits, the coordinator accepts and
the overview's figures move; then the daily check opens 督办 for overdue tasks, the addressed unit answers
and the coordinator closes the item (销号). A second test checks the reporter's pages on a phone."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _kpi(session, name: str) -> int:
    return int(session.page.locator(f"#kpi-{name}").inner_text().strip())


def _overview(session, plan_id: int) -> dict[str, int]:
    session.goto(f"/plans/{plan_id}/")
    expect(session.page.locator("#chart-area canvas")).to_have_count(1)  # ECharts (served locally) drew
    return {k: _kpi(session, k) for k in ("total", "completed", "overdue", "pending", "supervision")}


def test_report_review_supervision_cycle(world, e2e_settings, open_session):
    from envgov.apps.plans.models import Task

    plan, task = world["plan"], world["task_unit_a"]
    # a second task of 市场监管局 whose deadline (2024-08-31) has passed by the pinned date 2024-09-16
    late = Task.objects.create(plan=plan, area=task.area, code="三.(一).3", order=3, title="餐饮油烟治理",
                               due_date=dt.date(2024, 8, 31))
    late.lead_units.add(world["u_market"])

    coordinator = open_session("coordinator")
    assert coordinator.page.url.endswith(f"/plans/{plan.pk}/")
    expect(coordinator.page.locator(".sim").first).to_contain_text("2024-09-16")  # the pinned clock is shown
    before = _overview(coordinator, plan.pk)
    # world: 4 tasks incl. ours, none completed; overdue = 推广新能源汽车 (06-30) + 餐饮油烟治理 (08-31)
    assert before == {"total": 4, "completed": 0, "overdue": 2, "pending": 0, "supervision": 0}
    overdue_rows = coordinator.page.locator("#overdue-table tr", has_text="2024-")
    expect(overdue_rows).to_have_count(2)  # oldest deadline first, with its lead unit
    expect(overdue_rows.first).to_contain_text("推广新能源汽车")
    expect(overdue_rows.first).to_contain_text("发展改革委")
    expect(overdue_rows.first).to_contain_text("2024-06-30")

    # --- the unit reporter submits progress with an attachment from "我的任务"
    reporter = open_session("unit_a")
    page = reporter.page
    expect(page.get_by_role("heading", name="我的任务")).to_be_visible()
    row = page.locator("tr", has_text="抽检含VOCs产品")
    expect(row).to_contain_text("待填报")
    expect(page.locator("tr", has_text="餐饮油烟治理")).to_contain_text("逾期")
    row.get_by_role("link", name="填报").click()  # the owed row's own button goes straight to the form
    expect(page.get_by_role("heading", name=re.compile("抽检含VOCs产品"))).to_be_visible()
    form = page.locator("#report-form")
    form.get_by_label("进展情况").fill("已完成抽检8组，检测报告见附件。")
    form.get_by_label(re.compile("全年抽检数量不少于8组")).fill("8")
    form.get_by_label("任务已全部完成，申请销号").check()
    form.get_by_label("附件（照片、文件）").set_input_files(
        files=[{"name": "抽检报告.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 e2e demo"}]
    )
    form.get_by_role("button", name="提交进展").click()
    expect(page.locator(".msg.success")).to_contain_text("进展已提交，等待审核")
    report_card = page.locator(".report").first
    expect(report_card).to_contain_text("待审核")
    expect(report_card.get_by_role("link", name="抽检报告.pdf")).to_be_visible()
    expect(report_card).to_contain_text("申请销号")

    # --- the coordinator finds it in the review queue and returns it with a reason
    assert _overview(coordinator, plan.pk)["pending"] == 1
    cpage = coordinator.page
    cpage.get_by_role("link", name="待审核", exact=True).click()
    cpage.get_by_role("link", name=re.compile("抽检含VOCs产品")).click()
    card = cpage.locator(".report", has_text="已完成抽检8组")
    card.get_by_label("退回原因").fill("请补充检测机构盖章页")
    card.get_by_role("button", name="退回").click()
    expect(cpage.locator(".msg.success")).to_contain_text("已退回")
    expect(cpage.locator(".report").first).to_contain_text("已退回")

    # --- the reporter sees the reason and resubmits
    reporter.goto("/my/")
    expect(page.locator("tr", has_text="抽检含VOCs产品")).to_contain_text("已退回")
    page.locator("tr", has_text="抽检含VOCs产品").get_by_role("link", name=re.compile("抽检含VOCs产品")).click()
    expect(page.locator(".report").first).to_contain_text("退回原因：请补充检测机构盖章页")
    form = page.locator("#report-form")
    form.get_by_label("进展情况").fill("已完成抽检8组，已补充检测机构盖章页。")
    form.get_by_label(re.compile("全年抽检数量不少于8组")).fill("8")
    form.get_by_label("任务已全部完成，申请销号").check()
    form.get_by_role("button", name="提交进展").click()
    expect(page.locator(".msg.success")).to_contain_text("进展已提交，等待审核")
    expect(page.locator(".report").first).to_contain_text("待审核")

    # --- the coordinator accepts; the task is completed and the overview's figures move
    coordinator.goto(f"/tasks/{task.pk}/")
    card = cpage.locator(".report", has_text="已补充检测机构盖章页")
    card.get_by_role("button", name="采纳").click()
    expect(cpage.locator(".msg.success")).to_contain_text("已采纳")
    expect(cpage.locator("#task-status")).to_have_text("已完成")
    expect(cpage.locator("table").first).to_contain_text("100%")  # 8 of 8 组
    after = _overview(coordinator, plan.pk)
    assert after == {**before, "completed": 1, "pending": 0}
    expect(cpage.locator(".kpi", has_text="已完成")).to_contain_text("1")

    # --- the daily check, pressed by hand, opens 督办 for the two overdue tasks
    cpage.get_by_role("link", name="督办", exact=True).click()
    cpage.get_by_role("button", name="立即检查逾期和滞后任务").click()
    expect(cpage.locator(".msg.success")).to_contain_text("新增逾期督办 2 项，进度滞后督办 0 项")
    expect(cpage.locator("#col-open h2")).to_contain_text("（2）")
    # pressing again opens nothing new (idempotent)
    cpage.get_by_role("button", name="立即检查逾期和滞后任务").click()
    expect(cpage.locator(".msg.success")).to_contain_text("新增逾期督办 0 项")
    assert _overview(coordinator, plan.pk)["supervision"] == 2

    # --- the addressed unit answers from its task page
    reporter.goto("/my/")
    todo = page.locator("section", has_text="待反馈的督办")
    expect(todo).to_contain_text("餐饮油烟治理")
    expect(todo).not_to_contain_text("推广新能源汽车")  # another unit's item stays with that unit
    todo.get_by_role("link", name=re.compile("餐饮油烟治理")).click()
    expect(page.locator("#item-status")).to_have_text("督办中")
    page.get_by_label("整改反馈").fill("已完成全部餐饮单位油烟净化设施检查，整改清单见附件。")
    page.get_by_role("button", name="提交反馈").click()
    expect(page.locator(".msg.success")).to_contain_text("反馈已提交")
    expect(page.locator("#item-status")).to_have_text("已反馈")
    item_url = page.url

    # --- the coordinator closes it (销号) with a note and evidence
    coordinator.page.goto(item_url)
    expect(cpage.locator("section", has_text="整改反馈")).to_contain_text("油烟净化设施检查")
    cpage.get_by_label("销号说明").fill("经现场核查属实，同意销号。")
    cpage.get_by_label("佐证材料").set_input_files(
        files=[{"name": "核查记录.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0 e2e"}]
    )
    cpage.get_by_role("button", name="销号").click()
    expect(cpage.locator(".msg.success")).to_contain_text("已销号")
    expect(cpage.locator("#item-status")).to_have_text("已销号")
    expect(cpage.get_by_role("link", name="佐证材料")).to_be_visible()
    coordinator.goto(f"/plans/{plan.pk}/supervision/")
    expect(cpage.locator("#col-closed h2")).to_contain_text("（1）")
    expect(cpage.locator("#col-open h2")).to_contain_text("（1）")
    assert _overview(coordinator, plan.pk)["supervision"] == 1

    # the reporter's list no longer shows the closed item
    reporter.goto("/my/")
    expect(page.get_by_text("餐饮油烟治理").first).to_be_visible()
    expect(page.locator("section", has_text="待反馈的督办")).to_have_count(0)


def test_reporter_pages_fit_a_phone(world, e2e_settings, open_session):
    """390×844 (a common phone): my tasks and the report form fit the width and the form can be sent."""
    from decimal import Decimal

    from envgov.apps.plans.models import PartyQuantity

    # accepted earlier: the form starts from the unit's own line
    PartyQuantity.objects.filter(quantity=world["quantity"], party__unit=world["u_market"]).update(
        achieved_value=Decimal(2))
    phone = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
    reporter = open_session("unit_a", **phone)
    page = reporter.page

    def no_horizontal_overflow() -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"page is {width}px wide on a 390px screen: {page.url}"

    expect(page.get_by_role("heading", name="我的任务")).to_be_visible()
    no_horizontal_overflow()
    page.locator("tr", has_text="抽检含VOCs产品").get_by_role("link", name="填报").tap()
    form = page.locator("#report-form")
    expect(form).to_be_visible()
    no_horizontal_overflow()
    submit = form.get_by_role("button", name="提交进展")
    box = submit.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert box["height"] >= 32, "the submit button is too small to tap"
    form.get_by_label("进展情况").fill("手机填报：已抽检3组。")
    quantity = form.get_by_label(re.compile("全年抽检数量不少于8组"))
    expect(quantity).to_have_value("2")  # as people write it, not the stored "2.0000"
    quantity.fill("3")
    form.get_by_label("附件（照片、文件）").set_input_files(
        files=[{"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0 phone"}]
    )
    submit.tap()
    expect(page.locator(".msg.success")).to_contain_text("进展已提交，等待审核")
    expect(page.locator(".report").first).to_contain_text("现场照片.jpg")
    no_horizontal_overflow()


def test_reporter_overview_counts_each_task_once(world, e2e_settings, open_session):
    """A reporter's overview counts their own tasks, each once, in the figures and in both charts — also
    when a task has several cooperating units (the scope joins them; grouped counts once multiplied it)."""
    import json

    from envgov.apps.accounts.models import Unit

    plan, task = world["plan"], world["task_unit_a"]
    task.cooperating_units.add(Unit.objects.create(district=world["district"], name="城市管理委"))
    reporter = open_session("unit_a")  # 市场监管局: lead of 抽检含VOCs产品 only
    reporter.page.get_by_role("link", name="行动计划").click()
    reporter.page.get_by_role("link", name=re.compile(plan.title)).click()
    expect(reporter.page.locator("#kpi-total")).to_have_text("1")
    data = json.loads(reporter.page.locator("#chart-data").text_content())
    assert [(a["name"], a["total"]) for a in data["areas"]] == [("蓝天", 1)]
    assert [(u["name"], u["total"]) for u in data["units"]] == [("市场监管局", 1)]


def test_slow_form_is_sent_once_and_parameters_are_saved(world, e2e_settings, open_session):
    """标准参数: once the form is sent its button is disabled (a second click would queue the recomputation
    again); the saved value and its basis are then shown, and the change is in the audit log."""
    from envgov.apps.audit.models import AuditLog
    from envgov.apps.air.models import AirParameter

    coordinator = open_session("coordinator")
    page = coordinator.page
    save = "**/monitoring/air/parameters/save/"
    # First send answered "204 No Content": the browser keeps the page, so we can look at its button.
    page.route(save, lambda route: route.fulfill(status=204))
    coordinator.goto("/monitoring/air/parameters/")
    page.locator('input[name="p_o3_daily_max_8h_min_windows"]').fill("15")
    page.locator('input[name="reason"]').fill("市站口径（测试）")
    page.get_by_role("button", name="保存并重新计算").click(no_wait_after=True)
    page.wait_for_function("document.querySelector('#air-parameters').closest('form').querySelector('button').disabled")
    assert AirParameter.objects.count() == 0
    # Then for real.
    page.unroute(save)
    coordinator.goto("/monitoring/air/parameters/")
    page.locator('input[name="p_o3_daily_max_8h_min_windows"]').fill("15")
    page.locator('input[name="reason"]').fill("市站口径（测试）")
    page.get_by_role("button", name="保存并重新计算").click()
    expect(page.locator("body")).to_contain_text("已保存 1 项参数")
    expect(page.get_by_role("button", name="保存并重新计算")).to_be_enabled()
    expect(page.locator("#air-parameters")).to_contain_text("市站口径（测试）")
    assert AirParameter.objects.get(key="o3_daily_max_8h_min_windows").value == 15
    assert AuditLog.objects.filter(action="set_parameter").count() == 1
