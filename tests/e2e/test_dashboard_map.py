"""驾驶舱 in a browser, on the demo district: the map draws every town in its colour (checked at a point
inside each town), clicking a town opens its page; the public page needs no login and shows nothing
internal. Runs under the Content-Security-Policy (the session fixture fails on any refusal)."""
from __future__ import annotations

import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.e2e
DEMO_PASSWORD = "envgov-demo"

# the colour the map drew at a point inside each town (the topmost SVG path there), as #rrggbb, and
# whether that path is the topmost element there (in the crowded centre a neighbour's label may cover it)
FILLS_AT_TOWN_POINTS = """el => {
  const chart = echarts.getInstanceByDom(el);
  const data = JSON.parse(document.getElementById("map-data").textContent);
  const box = el.getBoundingClientRect();
  const hex = c => { const m = (c || "").match(/\\d+/g); return m && c.startsWith("rgb")
    ? "#" + m.slice(0, 3).map(x => (+x).toString(16).padStart(2, "0")).join("") : (c || "").toLowerCase(); };
  return data.geo.features.map(f => {
    const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, f.properties.point);
    const under = document.elementsFromPoint(box.left + x, box.top + y);
    const path = under.find(n => n.tagName === "path");
    return { id: f.properties.id, x: box.left + x, y: box.top + y, fill: path ? hex(path.getAttribute("fill")) : null,
             bare: under[0] === path };  // no other town's label drawn over the point
  });
}"""


@pytest.fixture
def demo(db, e2e_settings):  # noqa: ANN001
    call_command("load_demo", quiet=True)


def test_the_map_colours_every_demo_town_and_a_click_opens_its_page(demo, open_session, live_server):
    from envgov.apps.geo.models import Town

    s = open_session("admin", DEMO_PASSWORD, viewport={"width": 1280, "height": 1100})
    page = s.page
    s.goto("/dashboard/")
    page.wait_for_selector("#town-map[data-ready]")
    data = json.loads(page.text_content("#map-data"))
    towns = {t["id"]: t for t in data["towns"]}
    assert set(towns) == set(Town.objects.filter(district__adcode="110112").values_list("pk", flat=True))
    assert len(towns) == 15
    page.locator("#town-map").scroll_into_view_if_needed()  # points are looked up in the viewport
    drawn = page.eval_on_selector("#town-map", FILLS_AT_TOWN_POINTS)
    wrong = [(towns[d["id"]]["name"], d["fill"], towns[d["id"]]["colour"]) for d in drawn
             if d["fill"] != towns[d["id"]]["colour"].lower()]
    assert not wrong, wrong
    assert len({t["colour"] for t in towns.values() if t["value"] is not None}) >= 3  # the towns differ
    assert page.locator("#derived-note").is_visible()  # 示意边界 said on the map
    target = next(d for d in drawn if towns[d["id"]]["url"] and d["bare"])
    with page.expect_navigation():
        page.mouse.click(target["x"], target["y"])
    assert page.url == live_server.url + towns[target["id"]]["url"]


def test_the_public_page_needs_no_login_and_shows_nothing_internal(demo, browser, live_server):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    try:
        response = page.goto(live_server.url + "/public/110112/")
        assert response.ok and page.url == live_server.url + "/public/110112/"  # no login redirect
        page.wait_for_selector("#town-map[data-ready]")
        assert page.get_attribute("#town-map", "data-ready") == "15"
        text = page.inner_text("body")
        assert "宋庄镇" in text and "示意边界" in text
        for word in ("王协调", "填报员", "督办", "任务", "微站", "模拟站", "生态环境局", "退出", "coordinator"):
            assert word not in text, word
        assert context.cookies() == []
        assert not errors, errors
    finally:
        context.close()
