"""On a phone (390 × 844): a town reporter opens the due-date notice, reaches each of the two owed reports' form
in at most three taps from it, and reports each with a photo from the file picker; no page scrolls sideways."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
PHOTO = {"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0 phone photo"}


def test_town_reporter_reports_two_owed_items_from_a_notice(world, e2e_settings, open_session):
    from envgov.apps.notices import ledger
    from envgov.apps.plans.models import ProgressReport, Task

    e2e_settings.ENVGOV_TODAY = "2024-10-03"  # September's reports are due on 5 October
    plan, town = world["plan"], world["t_songzhuang"]
    second = Task.objects.create(plan=plan, area=world["task_town_a"].area, code="三.(一).10", order=3,
                                 title="秸秆禁烧巡查", due_date=dt.date(2024, 12, 31))
    second.towns.add(town)
    assert ledger.remind_reports_due(plan, dt.date(2024, 10, 3)) >= 1

    reporter = open_session("town_a", **PHONE)
    page = reporter.page

    def fits() -> None:
        page.wait_for_load_state("load")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{page.url} is {width}px wide on a 390px screen"

    for title in ("扬尘管控", "秸秆禁烧巡查"):
        reporter.goto("/my/")
        fits()
        taps = 0
        page.locator("a.notices-link").tap()  # 1: the notice centre
        taps += 1
        page.wait_for_url("**/notices/")
        fits()
        notice = page.locator("li.notice", has_text="进展还有")
        expect(notice).to_contain_text(title)
        notice.get_by_role("button", name=re.compile(title)).tap()  # 2: the owed item's own form
        taps += 1
        page.wait_for_url(re.compile(r".*/tasks/\d+/"))
        form = page.locator("#report-form")
        expect(form).to_be_visible()
        assert taps <= 3
        fits()
        form.get_by_label("进展情况").fill(f"手机填报：{title}已完成本月巡查。")
        form.get_by_label("附件（照片、文件）").set_input_files(files=[PHOTO])
        form.get_by_role("button", name="提交进展").tap()
        expect(page.locator(".msg.success")).to_contain_text("进展已提交，等待审核")
        expect(page.locator(".report").first).to_contain_text("现场照片.jpg")
        fits()
    reports = ProgressReport.objects.filter(town=town, period="2024-09")
    assert reports.count() == 2 and all(r.attachments.count() == 1 for r in reports)
    reporter.goto("/my/")
    expect(page.locator("#owed-count")).to_contain_text("0")
