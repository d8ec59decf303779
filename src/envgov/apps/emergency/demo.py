"""Demo district emergency response (模拟数据, decision 0031): an emergency-reduction list with A, B, C, D and
民生保障 enterprises and one construction site, a district measure table (some cells deliberately left
未设置), and a past orange warning (January 2024) with its check-ins, ended. Names are 示意 and the credit
codes are made with the GB 32100 check character: no row describes a real enterprise. Every write goes
through the actions everyone uses (one import file for the list, one for the table)."""
from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

from django.utils import timezone

from envgov.apps.geo.models import District
from envgov.standards.codes import check_character


def _code(body17: str) -> str:
    return body17 + check_character(body17)


# (类型, 名称, 信用代码前 17 位, 街乡镇, 行业, 绩效分级, 行业主管部门, 黄色, 橙色, 红色 — the list's own measures)
LIST = [
    ("企业", "示意家具制造有限公司（模拟）", "91110112MA0000001", "宋庄镇", "家具制造", "A", "经济和信息化局", "", "", ""),
    ("企业", "示意包装印刷有限公司（模拟）", "91110112MA0000002", "张家湾镇", "包装印刷", "B", "经济和信息化局", "", "", ""),
    ("企业", "示意汽车维修有限公司（模拟）", "91110112MA0000003", "台湖镇", "汽车维修", "C", "交通局", "", "", ""),
    ("企业", "示意建材加工厂（模拟）", "91110112MA0000004", "马驹桥镇", "建材", "D", "经济和信息化局", "", "", ""),
    ("企业", "示意热力供应站（模拟）", "91110112MA0000005", "宋庄镇", "热力供应", "民生保障", "城市管理委", "", "", ""),
    ("工地", "示意安置房项目工地（模拟）", "", "张家湾镇", "建筑施工", "B", "住房城乡建设委",
     "工地出入口冲洗车辆，裸土全部覆盖", "停止土石方、拆除、沥青摊铺作业", "停止室外施工作业"),
]
# (行业, 绩效分级, 预警级别, 措施, 减排比例) — simulated district settings; 民生保障 and a few cells left unset
MEASURES = [
    ("", "A", "yellow", "自主减排，落实错峰运输", ""),
    ("", "A", "orange", "自主减排，停止使用国四及以下柴油货车运输", ""),
    ("", "A", "red", "自主减排，停止使用国四及以下柴油货车运输", ""),
    ("", "B", "yellow", "限产，涉 VOCs 工序减少生产负荷", "10"),
    ("", "B", "orange", "限产，涉 VOCs 工序减少生产负荷", "20"),
    ("", "B", "red", "停止涉 VOCs 工序", "30"),
    ("", "C", "yellow", "停止喷涂、烘干等涉 VOCs 工序", ""),
    ("", "C", "orange", "停止喷涂、烘干等涉 VOCs 工序，停止部分生产线", "40"),
    ("", "C", "red", "停产", ""),
    ("", "D", "yellow", "停产", ""),
    ("", "D", "orange", "停产", ""),
    ("", "D", "red", "停产", ""),
]
# the past episode's forecast (模拟数据): 2024-01-10…12 three days of level ≥ 4, two of them level 5 → orange
FORECAST = [("2024-01-09", 120), ("2024-01-10", 210), ("2024-01-11", 230), ("2024-01-12", 160), ("2024-01-13", 90)]


def _write(path: Path, header: list[str], rows: list[tuple]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def load(district: District, acting_user=None) -> int:  # noqa: ANN001
    """Load the demo list, table and past episode; returns the number of list entries."""
    from envgov.apps.accounts.models import User
    from envgov.apps.emergency import actions, services
    from envgov.apps.emergency.models import ListEntry
    from envgov.rules import alerts

    coordinator = acting_user or User.objects.filter(district=district, role=User.Role.COORDINATOR).order_by("pk").first()
    with tempfile.TemporaryDirectory() as tmp:
        lst = _write(Path(tmp) / "应急减排清单2024（模拟数据）.csv",
                     ["类型", "名称", "统一社会信用代码", "街乡镇", "行业", "绩效分级", "行业主管部门",
                      "黄色预警措施", "橙色预警措施", "红色预警措施"],
                     [(k, n, _code(c) if c else "", t, i, g, u, y, o, r) for k, n, c, t, i, g, u, y, o, r in LIST])
        record = actions.import_list(lst, district=district, acting_user=coordinator, is_simulated=True)
        if record.state != record.State.ACCEPTED:
            raise RuntimeError(f"demo list refused: {record.report}")
        table = _write(Path(tmp) / "减排措施表（模拟数据）.csv", ["行业", "绩效分级", "预警级别", "措施", "减排比例（%）"],
                       MEASURES)
        rec = actions.import_measures(table, district=district, acting_user=coordinator)
        if rec.state != rec.State.ACCEPTED:
            raise RuntimeError(f"demo measures refused: {rec.report}")
    result = alerts.evaluate(services.plan(), alerts.forecast(FORECAST))
    tz = timezone.get_current_timezone()
    episode = actions.start_warning(district, acting_user=coordinator, result=result, is_simulated=True, notify=False,
                                    at=dt.datetime(2024, 1, 9, 17, 0, tzinfo=tz))
    inspector = User.objects.filter(district=district, role=User.Role.TOWN_REPORTER, town__name="宋庄镇").first()
    entries = {e.grade: e for e in ListEntry.objects.filter(district=district, kind=ListEntry.Kind.ENTERPRISE)}
    for grade, when, ok, note, who in (
        ("A", dt.datetime(2024, 1, 10, 9, 30), True, "错峰运输台账齐全", inspector),
        ("B", dt.datetime(2024, 1, 10, 10, 40), True, "印刷线按要求降负荷运行", coordinator),
        ("C", dt.datetime(2024, 1, 10, 14, 10), False, "喷漆房仍在作业，已责令立即停止", coordinator),
        ("C", dt.datetime(2024, 1, 11, 9, 0), True, "复查：喷漆房已停用", coordinator),
        ("D", dt.datetime(2024, 1, 11, 10, 20), True, "已停产", coordinator),
    ):
        actor = who if who is not None else coordinator
        actions.record_checkin(episode, acting_user=actor, entry=entries[grade], at=when.replace(tzinfo=tz),
                               complied=ok, note=note)
    actions.end_warning(episode, acting_user=coordinator, expected_version=episode.version,
                        ended_on=dt.date(2024, 1, 12), note="空气质量好转，按预报解除（模拟数据）",
                        at=dt.datetime(2024, 1, 12, 20, 0, tzinfo=tz))
    return record.rows
