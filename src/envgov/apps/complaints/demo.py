"""Demo 接诉即办 (模拟数据): about 400 SIMULATED 12345 / 12369 work orders of 通州 from January to August
2024, imported through the import path everyone uses (`services.import_file`), plus the orders' life after
the import (signing, replies, the complainants' answers) as the file carries them.

Addresses are 示意 (a town name, a made-up village or community and a number); a few addresses recur so that
the repeated-complaint flag shows; some addresses name no town (left for the user to set). Most orders carry
their own response limit; some carry none (the 三率 then use the district's `response_limit_hours`). July has
reopened orders: the `reopened` parameter is left unset so that the rates page shows what it asks for. The
demo sets `basic_satisfied`, `repeat_threshold` and `response_limit_hours` as 演示设定 values (reason says so).
No value describes a real complaint.
"""
from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
from pathlib import Path

from envgov.apps.accounts.models import Unit, User
from envgov.apps.geo.models import District, Town

IMPORT_NAME = "演示接诉即办工单2024（模拟数据）.csv"
HEADER = ("工单编号", "来源渠道", "派单时间", "承办单位", "街乡镇", "诉求地址", "诉求内容", "诉求类别",
          "签收时间", "响应时限（小时）", "是否解决", "满意度", "原工单编号")
UNITS = {"油烟": "城管执法局", "噪声": "城管执法局", "扬尘": "住房城乡建设委", "异味": "生态环境局",
         "污水": "水务局", "其他": "生态环境局"}
CONTENT = {
    "油烟": ("楼下饭店油烟很大，影响开窗", "烧烤摊夜间排烟扰民", "餐饮店排烟管道直排居民楼"),
    "噪声": ("夜间施工噪音扰民", "广场舞音响声音太吵", "商铺门口喇叭噪声"),
    "扬尘": ("工地裸土未苫盖，扬尘严重", "渣土车遗撒，道路尘土大", "拆迁工地灰尘大"),
    "异味": ("工厂排放刺鼻气味", "垃圾站恶臭", "夜间有化工异味"),
    "污水": ("河道有污水直排", "小区旁沟渠黑臭", "企业偷排废水"),
    "其他": ("露天焚烧树叶", "建筑垃圾乱堆", "反映环境问题，请相关部门处理"),
}
PLACES = ("村", "社区", "小区", "路")


def load(district: District) -> int:
    """Import the demo orders (once: a district that already has simulated orders is left alone)."""
    from envgov.apps.complaints import actions, services
    from envgov.apps.complaints.models import WorkOrder

    if WorkOrder.objects.filter(district=district, is_simulated=True).exists():
        return 0
    rng = random.Random(20240917)
    towns = list(Town.objects.filter(district=district, active=True).order_by("code"))
    known = set(Unit.objects.filter(district=district).values_list("name", flat=True))
    if not towns:
        return 0
    repeated = [f"{towns[i % len(towns)].name}{'东西'[i]}关{i + 1}号院" for i in range(2)]
    rows: list[list[str]] = []
    n = 0
    for month in range(1, 9):
        for _ in range(rng.randint(40, 60)):
            n += 1
            cat = rng.choices(list(CONTENT), weights=(30, 30, 15, 10, 8, 7))[0]
            day = rng.randint(1, 28)
            when = dt.datetime(2024, month, day, rng.randint(7, 21), rng.choice((0, 15, 30, 45)))
            town = rng.choice(towns)
            if rng.random() < 0.14:
                address = f"{rng.choice(repeated)}"
            elif rng.random() < 0.06:
                address = f"某{rng.choice(PLACES)}{rng.randint(1, 99)}号（未写街乡镇）"
            else:
                address = f"{town.name}{rng.choice('甲乙丙丁戊')}{rng.choice(PLACES)}{rng.randint(1, 200)}号"
            unit = UNITS[cat] if UNITS[cat] in known else (min(known) if known else "生态环境局")
            limit = "" if rng.random() < 0.15 else rng.choice(("2", "24"))
            late = rng.random() < 0.1
            responded = "" if rng.random() < 0.03 else (
                when + (dt.timedelta(hours=rng.choice((30, 50))) if late else dt.timedelta(minutes=rng.randint(10, 100))))
            answered = rng.random() < 0.85
            resolved = ("已解决" if rng.random() < 0.8 else "未解决") if answered else ""
            satisfaction = rng.choices(("满意", "基本满意", "不满意"), weights=(70, 15, 15))[0] if answered else ""
            content = rng.choice(CONTENT[cat])
            rows.append([f"TZ2024{month:02d}{n:04d}", rng.choice(("12345", "12345", "12345", "12369")),
                         when.strftime("%Y-%m-%d %H:%M"), unit, "", address, content,
                         "" if rng.random() < 0.9 else cat, responded.strftime("%Y-%m-%d %H:%M") if responded else "",
                         limit, resolved, satisfaction, ""])
    # July: three orders reopened (the complainant was not satisfied), dispatched again a week later
    july = [r for r in rows if "2024-07-01" <= r[2] < "2024-07-20" and r[11] == "不满意"][:3]
    for i, r in enumerate(july, start=1):
        first = dt.datetime.strptime(r[2], "%Y-%m-%d %H:%M") + dt.timedelta(days=7)
        rows.append([f"{r[0]}-R1", r[1], first.strftime("%Y-%m-%d %H:%M"), r[3], "", r[5], r[6] + "（重启）", r[7],
                     (first + dt.timedelta(minutes=40)).strftime("%Y-%m-%d %H:%M"), "2", "已解决",
                     "满意" if i != 3 else "", r[0]])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / IMPORT_NAME
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(HEADER)
            w.writerows(rows)
        outcome = services.import_file(path, district=district, acting_user=None, is_simulated=True)
    coordinator = User.objects.filter(district=district, role=User.Role.COORDINATOR, is_active=True).order_by("pk").first()
    if coordinator is not None:
        actions.set_parameters(district, acting_user=coordinator, reason="演示设定（模拟数据，非本区正式口径）",
                               values={"basic_satisfied": "satisfied", "repeat_threshold": "3",
                                       "response_limit_hours": "24"})
    return outcome.record.created
