"""Demo source inventory (模拟数据, decision 0030): a few dozen SIMULATED sources of every kind spread over the
demo district's towns — enterprises with permits of each class and annual reports (some late, some not yet
submitted), construction sites, catering units with cleaning records, diesel fleets on and off the ledger,
machinery, outfalls chained to receiving waters and dischargers, soil plots (two on the priority list),
radiation and hazardous-chemical risk sources — plus one pair of suspected duplicates (same address).
Names end in （示意）; credit codes are made up with a correct GB 32100 check character; nothing describes
a real unit. Written through the actions everyone uses (`actions.create_source`, `save_report`)."""
from __future__ import annotations

import datetime as dt

from envgov.apps.geo.models import District, Town
from envgov.standards.codes import check_character


def credit_code(n: int) -> str:
    """A made-up code of region 110112 (通州) with the right check character."""
    body = f"91110112MA{n:07d}"  # 91: 工商 + 企业; 110112; 9-char body MA + 7 digits
    return body + check_character(body)


ENTERPRISES = [
    # name, industry, class, valid_from, key industry, grade, MN
    ("金桥印刷厂（示意）", "包装装潢印刷", "key", dt.date(2022, 3, 1), True, "B", "A1101120001"),
    ("潞河家具制造（示意）", "木质家具制造", "simplified", dt.date(2019, 11, 5), False, "C", ""),
    ("运河汽车维修（示意）", "汽车修理与维护", "registration", None, False, "", ""),
    ("通达混凝土（示意）", "商品混凝土", "key", dt.date(2020, 6, 18), True, "A", "A1101120002"),
    ("宋庄涂料（示意）", "涂料制造", "simplified", dt.date(2023, 1, 10), False, "C", ""),
    ("张湾污水处理厂（示意）", "污水处理及其再生利用", "key", dt.date(2018, 12, 20), False, "", "W1101120003"),
    ("台湖电子（示意）", "电子元件制造", "simplified", dt.date(2019, 7, 1), False, "B", ""),
    ("马驹桥食品（示意）", "肉制品加工", "simplified", dt.date(2019, 9, 9), False, "D", ""),
    ("西集金属制品（示意）", "金属表面处理", "simplified", dt.date(2020, 4, 2), False, "C", ""),
    ("永乐店化工（示意）", "专用化学产品制造", "key", dt.date(2019, 5, 6), True, "B", "A1101120004"),
]


def load(district: District, acting_user=None) -> int:  # noqa: ANN001
    """Create the demo sources (once); returns how many were created."""
    from envgov.apps.sources import actions
    from envgov.apps.sources.models import Enterprise

    if Enterprise.objects.filter(district=district).exists():
        return 0
    towns = list(Town.objects.filter(district=district).order_by("code"))
    if not towns:
        return 0

    def town(i: int) -> Town:
        return towns[i % len(towns)]

    def point(t: Town, i: int) -> dict:
        if t.lon is None:
            return {"lon": None, "lat": None}
        return {"lon": round(t.lon + 0.004 * ((i % 5) - 2), 6), "lat": round(t.lat + 0.003 * ((i % 3) - 1), 6)}

    n = 0

    def make(kind: str, i: int, name: str, address: str, **values) -> object:  # noqa: ANN003
        nonlocal n
        t = town(i)
        data = {"name": name, "town": t, "address": f"{t.name}{address}", "notes": "模拟数据", **point(t, i), **values}
        obj = actions.create_source(kind, district, acting_user=acting_user, data=data, is_simulated=True)
        n += 1
        return obj

    firms = []
    for i, (name, industry, cls, since, key, grade, mn) in enumerate(ENTERPRISES):
        code = credit_code(1000 + i)
        number = f"{code}001{'P' if cls == 'key' else 'Q'}" if cls in ("key", "simplified") else f"{code}001W"
        firms.append(make("enterprise", i, name, f"工业园{i + 1}号", credit_code=code, industry=industry,
                          permit_class=cls, permit_number=number, permit_valid_from=since,
                          permit_valid_to=since.replace(year=since.year + 5) if since else None,
                          key_industry=key, emergency_grade=grade, monitoring_points=mn))
    # annual reports of 2023 (due 2024-02-29, the MEE's moved national deadline): most on time, two late, one missing
    for i, firm in enumerate(firms):
        if not firm.holds_permit:
            continue
        submitted = None if i == 8 else dt.date(2024, 3, 12) if i in (1, 7) else dt.date(2024, 2, 20) - dt.timedelta(days=i)
        actions.save_report(firm, acting_user=acting_user, data={"year": 2023, "due_date": dt.date(2024, 2, 29),
                                                                 "submitted_on": submitted})
    stages = ["earthwork", "foundation", "structure", "finishing", "demolition", "structure"]
    for i, stage in enumerate(stages):
        make("site", i + 2, f"副中心{i + 1}号地块项目（示意）", f"规划路{i + 1}号", builder="示意开发公司",
             contractor="示意建工集团", area_m2=12000.0 + 3500 * i, stage=stage, dust_monitor=i != 4,
             dust_monitor_mn=f"Y11011200{i:02d}" if i != 4 else "", video=i not in (3, 4),
             start_date=dt.date(2024, 1 + i, 1))
    for i in range(6):
        unit = make("catering", i + 1, f"运河{['火锅', '烤肉', '快餐', '面馆', '川菜', '食堂'][i]}（示意）",
                    f"商业街{i + 1}号", credit_code=credit_code(2000 + i) if i % 2 == 0 else "",
                    fume_cleaner=i != 3, cleaner_model="静电式（示意）" if i != 3 else "",
                    last_cleaned=dt.date(2024, 6 + (i % 3), 10) if i != 3 else None)
        if i == 0:
            actions.add_cleaning(unit, acting_user=acting_user, cleaned_on=dt.date(2024, 3, 10), note="模拟数据")
    # the same address as 运河火锅: a suspected duplicate the duplicates page shows
    make("catering", 1, "运河火锅二店（示意）", "商业街1号", fume_cleaner=True)
    for i, (own, trips) in enumerate([(35, 60), (12, 15), (8, 24), (6, 10), (10, 20)]):
        make("fleet", i + 3, f"通畅物流{i + 1}（示意）", f"物流园{i + 1}号", credit_code=credit_code(3000 + i),
             own_vehicles=own, daily_trips=trips, contact="示意联系人")
    for i, (mtype, stage) in enumerate([("挖掘机", "3"), ("装载机", "2"), ("叉车", "4"), ("压路机", "3")]):
        make("machinery", i + 2, f"{mtype}{i + 1}号（示意）", f"规划路{i + 1}号", owner="示意建工集团", machine_type=mtype,
             registration_code=f"BJ0112{i:05d}", emission_stage=stage, fuel="柴油", power_kw=90.0 + 20 * i,
             made_year=2016 + i)
    for i, (water, discharger) in enumerate([("北运河", 5), ("凉水河", 3), ("萧太后河", None)]):
        make("outfall", i + 4, f"{water}入河排污口（示意）", f"{water}右岸", code=f"TZ-RH{i + 1:03d}",
             outfall_type="工业排污口" if discharger is not None else "雨洪排口", receiving_water=water,
             channel=f"{water}排污管道{i + 1}" if discharger is not None else "",
             channel_kind="管道", discharger_code=firms[discharger].credit_code if discharger is not None else "")
    for i, (status, priority, reviewed) in enumerate([("ledger", False, None), ("suspected", True, dt.date(2024, 8, 20)),
                                                      ("polluted", True, dt.date(2024, 2, 10)), ("investigated", False, None)]):
        make("soil", i + 5, f"原化工厂地块{i + 1}（示意）", f"旧厂路{i + 1}号", plot_code=f"TZ-DK{i + 1:03d}",
             land_use="工业用地", area_m2=8000.0 + 1000 * i, former_industry="化学原料制造", status=status,
             priority=priority, listed_on=dt.date(2023, 8, 30) if priority else None, reviewed_on=reviewed)
    for i, (cls, what) in enumerate([("source_5", "Cs-137 料位计"), ("device_3", "工业 X 射线探伤机"), ("device_3", "医用 DR")]):
        make("radiation", i + 6, f"辐射使用单位{i + 1}（示意）", f"医院路{i + 1}号", licence_number=f"京环辐证[F{i:04d}]",
             source_class=cls, nuclide_or_device=what, quantity=1 + i)
    for i, (chem, level) in enumerate([("液氨", "larger"), ("盐酸、硫酸", "general")]):
        make("hazchem", i + 7, f"危化品仓储{i + 1}（示意）", f"仓储路{i + 1}号", credit_code=credit_code(4000 + i),
             chemicals=chem, max_storage_t=20.0 + 30 * i, risk_level=level, plan_filed=i == 0)
    return n
