"""噪声地图 in a browser: the page draws the town boundaries, the sensitive-building zones and every point with
a position; the day/night switch recolours the points by their night attainment. Runs under the
Content-Security-Policy (the session fixture fails on any refusal or JavaScript error)."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.e2e

# the fill of each point's symbol as drawn (SVG renderer), keyed by point code, read from the chart itself
POINT_COLOURS = """el => {
  const chart = echarts.getInstanceByDom(el);
  const series = chart.getOption().series[0];
  return Object.fromEntries(series.data.map(d => [d.name, d.itemStyle.color]));
}"""


def _square(x: float, y: float, d: float = 0.05) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


@pytest.fixture
def noise_world(world, e2e_settings):  # noqa: ANN001
    import tempfile
    from pathlib import Path

    from envgov.apps.noise import actions

    from envgov.apps.geo.models import Town

    for i, town in enumerate(Town.objects.filter(district=world["district"]).order_by("code")):
        town.boundary = _square(116.60 + 0.05 * i, 39.85)
        town.boundary_source = "imported"
        town.save()
    body = ("点位编码,点位名称,功能区类别,经度,纬度,监测时间,时段,等效声级,监测轮次\n"
            "N1,宋庄居民区,1,116.62,39.87,2024-05-14 10:00,昼间,52.0,2024Q2\n"
            "N1,宋庄居民区,1,116.62,39.87,2024-05-14 23:00,夜间,47.5,2024Q2\n"  # night 47.5 > 45 → exceeded
            "N2,张家湾干线,4a,116.67,39.88,2024-05-14 10:00,昼间,71.0,2024Q2\n"  # day 71 > 70 → exceeded
            "N2,张家湾干线,4a,116.67,39.88,2024-05-14 23:00,夜间,54.0,2024Q2\n")
    path = Path(tempfile.mkdtemp()) / "噪声.csv"
    path.write_text(body, encoding="utf-8")
    outcome = actions.import_file(path, district=world["district"], acting_user=world["coordinator"])
    assert outcome.record.state == "accepted", outcome.record.report
    zone = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "宋庄小区", "kind": "居住区"},
                                                       "geometry": _square(116.615, 39.865, 0.01)}]}
    assert not actions.import_zones(world["district"], json.dumps(zone).encode(), file_name="z.geojson",
                                    acting_user=world["coordinator"]).errors
    return world


def test_noise_map_draws_points_and_switches_day_and_night(noise_world, open_session):
    from envgov.apps.noise.services import COLOURS

    s = open_session("coordinator", viewport={"width": 1280, "height": 1000})
    page = s.page
    s.goto("/noise/map/")
    page.wait_for_selector("#noise-map[data-ready='2']")
    assert page.get_attribute("#noise-map", "data-zones") == "1"
    assert page.get_attribute("#noise-map", "data-period") == "day"
    assert page.locator("#noise-map svg path").count() >= 3  # two towns and the zone drawn
    day = page.eval_on_selector("#noise-map", POINT_COLOURS)
    assert day == {"N1": COLOURS[True], "N2": COLOURS[False]}
    assert page.locator("#noise-point-table tr[data-point]").count() == 2
    assert "宋庄小区" in page.text_content("#noise-zone-list")
    page.click("#noise-period button[data-period='night']")
    page.wait_for_selector("#noise-map[data-period='night']")
    night = page.eval_on_selector("#noise-map", POINT_COLOURS)
    assert night == {"N1": COLOURS[False], "N2": COLOURS[True]}
    assert page.get_attribute("#noise-period button[data-period='night']", "aria-pressed") == "true"
    page.click("#noise-period button[data-period='day']")
    page.wait_for_selector("#noise-map[data-period='day']")
    assert page.eval_on_selector("#noise-map", POINT_COLOURS) == day
