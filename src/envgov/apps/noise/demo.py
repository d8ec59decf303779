"""Demo district noise (模拟数据): 12 functional-area monitoring points in 通州's towns (classes 0–4b), three
quarterly monitoring rounds in 2024 (a day and a night Leq per point and round), three noise-sensitive building
zones around class-1 points, and a night-attainment target in the demo plan. Every value is simulated here
with a fixed seed; names are 示意 and describe no real point. One file, one import through the path everyone
uses (`actions.import_file`), and the zones through the GeoJSON import.

Designed so the pages have something to show: the night rate of the year so far meets the target (85 %, the
national 2025 figure of the 十四五 noise action plan, other.md §1.4) while the latest round (August) falls
below it → 预警."""
from __future__ import annotations

import csv
import datetime as dt
import json
import random
import tempfile
from decimal import Decimal
from pathlib import Path

from envgov.apps.geo.models import District, Town

IMPORT_NAME = "演示功能区噪声2024（模拟数据）.csv"
ZONES_NAME = "演示噪声敏感建筑物集中区域（模拟数据）.geojson"
CLASSES = ("1", "1", "1", "2", "2", "2", "3", "3", "4a", "4a", "4b", "0")
ROUNDS = (("2024Q1", dt.date(2024, 2, 20)), ("2024Q2", dt.date(2024, 5, 14)), ("2024Q3", dt.date(2024, 8, 20)))
# (point index, round index, period): simulated exceedances (dB(A) above the limit)
OVER = {(8, 1, "night"): 2.3, (3, 2, "night"): 1.6, (8, 2, "night"): 3.1, (10, 2, "night"): 0.8,
        (9, 2, "day"): 1.2, (6, 1, "night"): 1.1}
ZONES = ((0, "居住区", "（模拟数据）示意居住小区集中区域"), (1, "学校", "（模拟数据）示意中小学集中区域"),
         (11, "医院", "（模拟数据）示意医疗康复集中区域"))
LIMITS = {"0": (50, 40), "1": (55, 45), "2": (60, 50), "3": (65, 55), "4a": (70, 55), "4b": (70, 60)}
TARGET_TEXT = "（模拟数据）声环境功能区夜间达标率不低于85%（演示目标，参照“十四五”噪声污染防治行动计划2025年全国目标）"


def _positions(district: District) -> list[tuple[Town, float, float]]:
    from envgov.geo.towns import as_area

    towns = list(Town.objects.filter(district=district).exclude(boundary=None).order_by("code"))
    out = []
    for town in towns[:len(CLASSES)]:
        p = as_area(town.boundary).representative_point()
        out.append((town, round(p.x, 6), round(p.y, 6)))
    return out


def _rows(places) -> list[list[str]]:
    rng = random.Random(20240820)
    rows = []
    for i, (town, lon, lat) in enumerate(places):
        cls = CLASSES[i]
        code, name = f"TZ-N{i + 1:02d}", f"{town.name}功能区点位（示意）"
        day_limit, night_limit = LIMITS[cls]
        for r, (rnd, day) in enumerate(ROUNDS):
            for period, clock, limit in (("昼间", dt.time(10, 0), day_limit), ("夜间", dt.time(23, 0), night_limit)):
                key = (i, r, "day" if period == "昼间" else "night")
                level = limit + OVER[key] if key in OVER else limit - rng.uniform(0.8, 6.0)
                lmax = level + rng.uniform(6, 12)
                rows.append([code, name, cls, f"{lon}", f"{lat}", f"{dt.datetime.combine(day, clock):%Y-%m-%d %H:%M}",
                             period, f"{level:.1f}", f"{lmax:.1f}", rnd])
    return rows


def _zones(places) -> bytes:
    feats = []
    for i, kind, note in ZONES:
        town, lon, lat = places[i]
        d = 0.006
        ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]
        feats.append({"type": "Feature", "properties": {"name": f"{town.name}{kind}集中区（示意）", "kind": kind, "note": note},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False).encode("utf-8")


def _target(plan) -> None:  # noqa: ANN001
    from envgov.apps.audit import log as audit
    from envgov.apps.plans.models import Area, Indicator, Target

    indicator = Indicator.objects.filter(code="noise_night_compliance").first()
    if indicator is None or Target.objects.filter(plan=plan, indicator=indicator).exists():
        return
    area = plan.areas.filter(code="noise").first()
    if area is None:
        order = (plan.areas.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        area = Area.objects.create(plan=plan, code="noise", name="静音", order=order)
    target = Target.objects.create(plan=plan, area=area, indicator=indicator, comparator=">=", value=Decimal("85"),
                                   unit="%", period_label="全年", text=TARGET_TEXT)
    audit.record(actor=None, action="create", obj=target, plan=plan,
                 after=audit.snapshot(target, ["indicator", "comparator", "value", "unit", "text"]),
                 note="模拟数据：演示噪声目标")


def load(district: District, plan=None, acting_user=None) -> int:  # noqa: ANN001
    """Create the demo points, zones and target and import the simulated measurements; returns their number."""
    from envgov.apps.noise import actions
    from envgov.apps.noise.models import NoisePoint

    if NoisePoint.objects.filter(district=district).exists():
        return 0
    places = _positions(district)
    if not places:
        return 0
    if plan is not None:
        _target(plan)
    rows = _rows(places)
    for i, (town, lon, lat) in enumerate(places):  # registered first, marked as simulated
        actions.create_point(district, acting_user=None, is_simulated=True, data={
            "code": f"TZ-N{i + 1:02d}", "name": f"{town.name}功能区点位（示意）", "cls": CLASSES[i], "lon": lon,
            "lat": lat, "town": None})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / IMPORT_NAME
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["点位编码", "点位名称", "功能区类别", "经度", "纬度", "监测时间", "时段", "等效声级", "最大声级", "监测轮次"])
            w.writerows(rows)
        outcome = actions.import_file(path, district=district, acting_user=acting_user)
    if outcome.record.state != outcome.record.State.ACCEPTED:
        raise RuntimeError(f"演示噪声数据未通过校验：{outcome.record.report.get('errors', [])[:3]}")
    zones = actions.import_zones(district, _zones(places), file_name=ZONES_NAME, acting_user=acting_user,
                                 is_simulated=True)
    if zones.errors:
        raise RuntimeError(f"演示噪声敏感区域未通过校验：{zones.errors[:3]}")
    return outcome.record.measurements
