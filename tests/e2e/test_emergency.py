"""重污染应急 in the browser (issue 17 acceptance): the coordinator enters a forecast and starts the warning;
the action sheet lists the right measures for an A, a B and a C enterprise; a town reporter checks in at an
enterprise on a phone; the coordinator downloads the after-action report (.docx)."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from envgov.standards.codes import check_character

pytestmark = pytest.mark.e2e
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def _code(n: int) -> str:
    body = f"91110112MA{n:07d}"
    return body + check_character(body)


@pytest.fixture
def emergency_list(world, tmp_path):
    from envgov.apps.emergency import actions

    f = tmp_path / "清单.csv"
    f.write_text("名称,统一社会信用代码,街乡镇,行业,绩效分级,行业主管部门\n"
                 f"甲级家具厂,{_code(1)},宋庄镇,家具制造,A,市场监管局\n"
                 f"乙级印刷厂,{_code(2)},宋庄镇,包装印刷,B,市场监管局\n"
                 f"丙级汽修厂,{_code(3)},张家湾镇,汽车维修,C,发展改革委\n", encoding="utf-8")
    assert actions.import_list(f, district=world["district"], acting_user=world["coordinator"]).state == "accepted"
    for grade, text, cut in (("A", "自主减排，错峰运输", ""), ("B", "涉 VOCs 工序限产", "20"), ("C", "停止喷涂烘干工序", "")):
        actions.set_measure(world["district"], acting_user=world["coordinator"], industry="", grade=grade,
                            level="orange", text=text, cut=cut)
    return world


def _row(page, name: str) -> str:
    return page.locator("tr[data-entry]", has_text=name).first.inner_text()


def test_start_warning_sheet_checkin_and_report(emergency_list, e2e_settings, open_session, tmp_path):
    from docx import Document

    boss = open_session("coordinator")
    page = boss.page
    boss.goto("/emergency/")
    page.get_by_role("link", name="预报与启动预警").first.click()
    page.wait_for_url(re.compile(r".*/emergency/forecast/$"))
    page.locator("#id_typed").fill("2024-09-15,120\n2024-09-16,210\n2024-09-17,230\n2024-09-18,160\n2024-09-19,80")
    page.get_by_role("button", name="判定预警级别").click()
    result = page.locator("#forecast-result")
    assert "橙色预警" in result.inner_text() and "2024-09-16" in result.inner_text()
    page.locator("#start-1").click()
    page.wait_for_url(re.compile(r".*/emergency/episodes/\d+/$"))
    assert "已启动橙色预警" in page.content()
    a, b, c = _row(page, "甲级家具厂"), _row(page, "乙级印刷厂"), _row(page, "丙级汽修厂")
    assert "自主采取减排措施" in a and "自主减排，错峰运输" in a and "限产" not in a
    assert "涉 VOCs 工序限产" in b and "20%" in b and "停止喷涂" not in b
    assert "停止喷涂烘干工序" in c and "自主" not in c
    episode_url = page.url

    inspector = open_session("town_a", **PHONE)  # 宋庄镇: sees its two enterprises, not 张家湾镇's
    inspector.goto(episode_url.removeprefix(inspector.base_url))
    sheet = inspector.page.locator("#sheet").inner_text()
    assert "甲级家具厂" in sheet and "丙级汽修厂" not in sheet
    inspector.page.locator("tr[data-entry]", has_text="乙级印刷厂").get_by_role("link", name="打卡").click()
    inspector.page.wait_for_url(re.compile(r".*/checkin/\?entry=\d+$"))
    assert "涉 VOCs 工序限产" in inspector.page.locator("#chosen-measures").inner_text()
    inspector.page.locator("input[name=complied][value=no]").check()
    inspector.page.locator("#id_note").fill("印刷线满负荷运行，已要求立即限产")
    inspector.page.get_by_role("button", name="提交打卡").click()
    inspector.page.wait_for_url(re.compile(r".*/emergency/episodes/\d+/$"))
    assert inspector.page.evaluate("document.documentElement.scrollWidth") <= 390
    records = inspector.page.locator("#checkins").inner_text()
    assert "乙级印刷厂" in records and "未落实" in records

    boss.goto(episode_url.removeprefix(boss.base_url))
    assert "印刷线满负荷运行" in page.locator("#checkins").inner_text()
    with page.expect_download() as info:
        page.locator("#report-link").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    saved = Path(tmp_path) / "report.docx"
    download.save_as(saved)
    text = "\n".join(p.text for p in Document(io.BytesIO(saved.read_bytes())).paragraphs)
    assert "重污染天气应急响应的总结报告" in text and "橙色预警" in text and "未落实 1 次" in text
