"""管理 on a phone (390×844): every management page fits the width; the admin creates a town reporter,
reads the one-time password, and that person is made to choose their own password at first sign-in."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px screen: {page.url}"


def test_manage_pages_fit_a_phone_and_a_new_user_changes_the_one_time_password(world, e2e_settings, open_session):
    from envgov.apps.air.models import Station

    station = Station.objects.create(code="TZ-01", name="永顺国控站", kind=Station.Kind.NATIONAL,
                                     district=world["district"], town=world["t_songzhuang"], lon=116.66, lat=39.91)
    admin = open_session("admin", **PHONE)
    page = admin.page
    admin.goto("/")
    page.get_by_role("link", name="管理").first.click()
    page.wait_for_url(re.compile(r".*/manage/$"))
    for path in ("/manage/", "/manage/users/", "/manage/users/new/", f"/manage/users/{world['unit_a'].pk}/",
                 "/manage/units/", f"/manage/units/{world['u_market'].pk}/",
                 f"/manage/units/{world['u_market'].pk}/merge/?into={world['u_dev'].pk}",
                 "/manage/towns/", "/manage/towns/boundaries/", f"/manage/towns/{world['t_songzhuang'].pk}/",
                 "/manage/stations/",
                 f"/manage/stations/{station.pk}/"):
        admin.goto(path)
        _fits(page)

    admin.goto("/manage/users/new/")
    page.get_by_label("登录名").fill("zhaoliu")
    page.get_by_label("姓名").fill("赵六")
    page.get_by_label("角色").select_option("town_reporter")
    page.get_by_label("所属街乡镇（街乡镇填报员必选）").select_option(label="宋庄镇")
    page.get_by_role("button", name="创建").click()
    otp = page.locator("#one-time-password").inner_text().strip()
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", otp)
    _fits(page)

    person = admin.__class__(admin.page.context.browser, admin.base_url, **PHONE)
    try:
        person.goto("/login/")
        person.page.get_by_label("用户名").fill("zhaoliu")
        person.page.get_by_label("密码").fill(otp)
        person.page.get_by_role("button", name="登录").click()
        person.page.wait_for_url(re.compile(r".*/account/password/$"))
        _fits(person.page)
        person.page.locator("#id_old_password").fill(otp)
        person.page.locator("#id_new_password1").fill("Zhaoliu-own-2024")
        person.page.locator("#id_new_password2").fill("Zhaoliu-own-2024")
        person.page.get_by_role("button", name="修改密码").click()
        person.page.wait_for_url(re.compile(r".*/my/$"))
        assert "扬尘管控" in person.page.content()  # 宋庄镇's task
        assert not person.errors
    finally:
        person.close()
