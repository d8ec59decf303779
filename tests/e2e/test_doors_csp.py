"""The pages whose inline script moved to static files (issue 12, item 6) still behave, under the
Content-Security-Policy; the session fixture fails on any refusal Chromium logs."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_overview_charts_confirm_and_language_switch_work_under_the_policy(world, e2e_settings, open_session):
    from envgov.apps.plans.models import Plan

    s = open_session("coordinator")
    page = s.page
    s.goto(f"/plans/{world['plan'].pk}/")
    page.wait_for_selector("#chart-unit canvas")
    height = page.eval_on_selector("#chart-unit", "el => el.style.height")
    assert height.endswith("0px") and int(height[:-2]) >= 40  # one row per unit, set by overview.js
    # the close button asks first (data-confirm in forms.js); dismissing sends nothing
    page.once("dialog", lambda d: d.dismiss())
    page.get_by_role("button", name="年度结束，关闭计划").click()
    page.wait_for_timeout(300)
    world["plan"].refresh_from_db()
    assert world["plan"].status == Plan.Status.ISSUED
    # the language switch submits on change (data-autosubmit)
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.get_attribute("html", "lang") == "en"
    s.goto("/monitoring/air/")
    assert page.locator("#aqi-calendar").count() == 1


def test_login_shows_the_wait_when_throttled(world, e2e_settings, browser, live_server):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    try:
        for _ in range(6):
            page.goto(live_server.url + "/login/")
            page.get_by_label("用户名").fill("unit_a")
            page.get_by_label("密码").fill("wrong-password")
            page.get_by_role("button", name="登录").click()
        assert "秒后再试" in page.locator("#login-throttled").inner_text()
        assert not refused, refused
    finally:
        context.close()
