"""Demo district online monitoring (模拟数据): three 示意 points — a wastewater outfall, a boiler stack and a
construction-site dust monitor — with 示意 permit limits, and a SIMULATED day (2024-09-15, the day before the
demo date) of hourly packets (CN 2061) built with the HJ 212 core's `build` and run through its real receiver
(parser, lake, alert function): the outfall's COD is above its hourly limit four hours in a row (the demo
rule, 3 hours, opens a 督办 by itself), the stack's NOx one hour (left for one click), and data flags C 校准,
D 故障 and F 停运 give flag alerts. Names, credit codes, MNs and limits are 示意, fixed seed; no value
describes a real enterprise or permit."""
from __future__ import annotations

import datetime as dt
import random

from envgov.apps.geo.models import District, Town
from envgov.ingest.hj212 import build

DAY = dt.date(2024, 9, 15)
SOURCE = "演示在线监控数据（模拟数据）"
LIMIT_SOURCE = "示意许可限值（模拟数据）"

# MN, name, ST, enterprise, credit code (示意: not a valid check digit), town, {code: (hourly max, unit, level)}
POINTS = [
    ("110112000000000000000001", "示意化工企业废水总排口", "32", "示意化工有限公司（模拟数据）", "", "马驹桥镇",
     {"w01018": (50.0, "mg/L", 31.0), "w21003": (5.0, "mg/L", 1.8)}),
    ("110112000000000000000002", "示意热电厂1号锅炉烟囱", "31", "示意热电有限公司（模拟数据）", "", "台湖镇",
     {"a21026": (35.0, "mg/m³", 14.0), "a21002": (50.0, "mg/m³", 31.0), "a34013": (10.0, "mg/m³", 3.2)}),
    ("110112000000000000000003", "示意建筑工地扬尘监测点", "39", "示意建设工程项目部（模拟数据）", "", "宋庄镇",
     {"a34001": (None, "µg/m³", 160.0)}),
]
# (MN suffix, code) → {hour: value} simulated above the limit
HIGH = {("1", "w01018"): {10: 62.4, 11: 71.9, 12: 68.3, 13: 55.1}, ("2", "a21002"): {20: 57.6}}
# (MN suffix, code) → {hour: flag}
FLAGS = {("2", "a21026"): {3: "C"}, ("1", "w21003"): {16: "D", 17: "D"}, ("3", "a34001"): {8: "F"}}
RULE_HOURS = 3  # the demo district's own setting (a user-set parameter, no platform default)


def packets(points=POINTS, day: dt.date = DAY) -> list[bytes]:
    rng = random.Random(20240915)
    out = []
    for mn, _name, st, _ent, _credit, _town, codes in points:
        for hour in range(24):
            start = dt.datetime.combine(day, dt.time(hour))
            items = []
            for code, (_limit, _unit, level) in codes.items():
                key = (mn[-1], code)
                value = HIGH.get(key, {}).get(hour, round(level * rng.uniform(0.8, 1.15), 2))
                flag = FLAGS.get(key, {}).get(hour, "N")
                items.append(f"{code}-Avg={value},{code}-Flag={flag}")
            qn = f"{start + dt.timedelta(hours=1, minutes=5):%Y%m%d%H%M%S}000"
            out.append(build(st=st, cn="2061", mn=mn, qn=qn, flag=5,
                             cp=f"DataTime={start:%Y%m%d%H%M%S};" + ";".join(items)))
    return out


def load(district: District, acting_user=None) -> int:
    """Create the demo points and limits, set the demo rule, receive the simulated day; returns the number of
    alerts recorded."""
    from envgov.apps.online import actions, services
    from envgov.apps.online.models import MonitoringPoint

    if MonitoringPoint.objects.filter(district=district).exists():
        return 0
    towns = {t.name: t for t in Town.objects.filter(district=district)}
    for mn, name, st, enterprise, credit, town, codes in POINTS:
        point = actions.create_point(district, acting_user=None, is_simulated=True, data={
            "mn": mn, "name": name, "kind": st, "enterprise_name": enterprise, "credit_code": credit,
            "town": towns.get(town)})
        for code, (limit, unit, _level) in codes.items():
            if limit is not None:
                actions.save_limit(point, acting_user=None, data={
                    "code": code, "averaging": "hourly", "max_value": limit, "min_value": None, "unit": unit,
                    "source": LIMIT_SOURCE})
    actions.set_rule(district, acting_user=None, consecutive_hours=RULE_HOURS, reason="演示设定（模拟数据）")
    received = services.receive(district, packets(), source=SOURCE)
    if received.invalid or received.problems:
        raise RuntimeError(f"演示在线监控数据未通过校验：{received.problems[:3]}")
    outcome = actions.record_alerts(district, received.alerts, acting_user=None, is_simulated=True,
                                    note="演示在线监控报警（模拟数据）")
    return len(outcome.created)
