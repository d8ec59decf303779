"""Demo project library (模拟数据): 15 simulated projects of 通州 in 2024, linked to tasks of the 2024 plan, with
engineering reductions (the method and basis of each figure), payments, and one allocation of special
transfer funds whose weights and factor values are simulated (no measure sets them: decision 0034).

The completed water projects add up to 3 820 t COD (plan target 累计减排 4 260 t: 预警, a project under way
brings 600 t more) and 331 t NH3-N (target 325 t: 达标). Names and figures are 示意; none describes a real
project. The library comes in as one file through the import everyone uses (all or nothing)."""
from __future__ import annotations

import csv
import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from envgov.apps.geo.models import District

IMPORT_NAME = "演示项目库2024（模拟数据）.csv"
B = "（模拟数据）"
# code, name, 领域, 街乡镇, 牵头单位, 预算(万元), 资金来源, 状态, 任务编号, {pollutant: (t, 方法, 依据)}
PROJECTS = [
    ("XM-2024-01", "宋庄镇污水处理厂提标改造（示意）", "碧水", "宋庄镇", "水务局", 2600, "市级专项转移支付", "完工", "三.(二).4",
     {"cod": (1250, "监测数据法", "改造前后进出水在线监测年均浓度×处理水量" + B),
      "nh3n": (118, "监测数据法", "改造前后进出水在线监测年均浓度×处理水量" + B)}),
    ("XM-2024-02", "张家湾镇再生水厂扩建（示意）", "碧水", "张家湾镇", "水务局", 3800, "区级财政", "完工", "三.(二).15",
     {"cod": (1480, "监测数据法", "新增处理规模×进出水浓度差（监测报告）" + B),
      "nh3n": (121, "监测数据法", "新增处理规模×进出水浓度差（监测报告）" + B)}),
    ("XM-2024-03", "台湖镇农村生活污水收集管网（示意）", "碧水", "台湖镇", "水务局", 1500, "市级专项转移支付", "完工", "三.(二).4",
     {"cod": (520, "排放系数法", "农村生活污水产排污系数×受益人口" + B),
      "nh3n": (47, "排放系数法", "农村生活污水产排污系数×受益人口" + B)}),
    ("XM-2024-04", "马驹桥镇工业园区污水处理站升级（示意）", "碧水", "马驹桥镇", "生态环境局", 900, "社会资本", "完工", "三.(二).6",
     {"cod": (570, "监测数据法", "排污许可执行报告年度排放量对比" + B),
      "nh3n": (45, "监测数据法", "排污许可执行报告年度排放量对比" + B)}),
    ("XM-2024-05", "西集镇截污治污工程（示意）", "碧水", "西集镇", "水务局", 2100, "市级专项转移支付", "在建", "三.(二).15",
     {"cod": (600, "排放系数法", "截流污水量×生活污水排放系数（设计值）" + B),
      "nh3n": (40, "排放系数法", "截流污水量×生活污水排放系数（设计值）" + B)}),
    ("XM-2024-06", "永乐店镇畜禽养殖粪污资源化利用（示意）", "碧水", "永乐店镇", "农业农村局", 600, "中央资金", "储备", "",
     {"cod": (180, "排放系数法", "畜禽养殖产排污系数×存栏量（可研估算）" + B),
      "nh3n": (16, "排放系数法", "畜禽养殖产排污系数×存栏量（可研估算）" + B)}),
    ("XM-2024-07", "印刷企业低 VOCs 含量原辅材料替代（示意）", "蓝天", "马驹桥镇", "经济和信息化局", 320, "市级专项转移支付", "完工",
     "三.(一).2", {"vocs": (46, "物料衡算法", "替代前后原辅材料用量×VOCs 含量" + B)}),
    ("XM-2024-08", "汽修行业 VOCs 综合整治（示意）", "蓝天", "台湖镇", "生态环境局", 260, "市级专项转移支付", "完工", "三.(一).3",
     {"vocs": (38, "排放系数法", "喷漆工位数×行业排放系数×治理效率" + B)}),
    ("XM-2024-09", "工业园区 VOCs 深度治理示范（示意）", "蓝天", "马驹桥镇", "生态环境局", 1200, "市级专项转移支付", "在建",
     "三.(一).23", {"vocs": (85, "排放系数法", "治理设施设计处理风量×浓度削减（设计值）" + B)}),
    ("XM-2024-10", "燃气锅炉低氮燃烧改造（示意）", "蓝天", "宋庄镇", "生态环境局", 680, "市级专项转移支付", "完工", "三.(一).7",
     {"nox": (62, "监测数据法", "改造前后烟气监测报告×年燃气量" + B)}),
    ("XM-2024-11", "非道路移动机械电动化替代（示意）", "蓝天", "张家湾镇", "生态环境局", 540, "区级财政", "完工", "三.(一).9",
     {"nox": (41, "排放系数法", "机械功率×排放系数×年工作小时" + B)}),
    ("XM-2024-12", "公交场站“油换电”示范（示意）", "蓝天", "潞城镇", "发展改革委", 1800, "中央资金", "在建", "三.(一).22",
     {"nox": (35, "排放系数法", "替换车辆数×单车年排放量" + B)}),
    ("XM-2024-13", "加油站油气回收在线监控（示意）", "蓝天", "永乐店镇", "商务局", 150, "街乡镇自筹", "完工", "三.(一).5",
     {"vocs": (12, "监测数据法", "油气回收在线监控气液比与销售量" + B)}),
    ("XM-2024-14", "餐饮油烟净化设施升级（示意）", "蓝天", "于家务回族乡", "城市管理委", 90, "街乡镇自筹", "完工", "三.(一).14",
     {"vocs": (3.5, "排放系数法", "灶头数×餐饮油烟 VOCs 排放系数×去除效率" + B)}),
    ("XM-2024-15", "潞城镇河道生态修复（示意）", "生态保护", "潞城镇", "园林绿化局", 1100, "区级财政", "储备", "", {}),
]
# share of the budget paid (模拟数据), paid in two instalments
PAID = {"XM-2024-01": 0.95, "XM-2024-02": 0.8, "XM-2024-03": 1.0, "XM-2024-04": 0.6, "XM-2024-05": 0.35,
        "XM-2024-07": 1.0, "XM-2024-08": 0.9, "XM-2024-09": 0.4, "XM-2024-10": 1.0, "XM-2024-11": 0.7,
        "XM-2024-12": 0.25, "XM-2024-13": 1.05, "XM-2024-14": 1.0}
# 模拟数据: PM2.5 improvement (μg/m³) and good-day ratio rise (百分点) of each town
AIR_FACTORS = {"宋庄镇": ("3.2", "4.1"), "张家湾镇": ("2.5", "3.0"), "台湖镇": ("1.8", "2.2"), "马驹桥镇": ("2.9", "1.5"),
               "西集镇": ("4.0", "5.2"), "潞城镇": ("-0.6", "0.8"), "永乐店镇": ("3.5", "2.7"), "于家务回族乡": ("2.0", "3.3")}
SIMULATED_WEIGHTS = {"pm25_improvement": "40", "good_day_improvement": "20", "vocs_reduction": "20", "nox_reduction": "20"}


def load(district: District, acting_user=None) -> int:  # noqa: ANN001
    """Import the demo library, record payments and one allocation; returns the number of projects."""
    from envgov.apps.projects import actions, services
    from envgov.apps.projects.models import Project

    if Project.objects.filter(district=district).exists():
        return 0
    methods_col = {p: (f"{label}减排量（吨）", f"{label}核算方法", f"{label}核算依据")
                   for p, label in (("nox", "NOx"), ("vocs", "VOCs"), ("cod", "COD"), ("nh3n", "NH3-N"))}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / IMPORT_NAME
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(services.HEADERS)
            for code, name, area, town, unit, budget, source, status, task, reds in PROJECTS:
                row = {"项目编号": code, "项目名称": name, "领域": area, "街乡镇": town, "牵头单位": unit, "实施年度": 2024,
                       "预算（万元）": budget, "资金来源": source, "状态": status, "关联任务编号": task,
                       "备注": "模拟数据：演示项目"}
                for p, (t, method, basis) in reds.items():
                    cols = methods_col[p]
                    row |= {cols[0]: t, cols[1]: method, cols[2]: basis}
                w.writerow([row.get(h, "") for h in services.HEADERS])
        outcome = services.read_projects(path, district)
        if not outcome.ok:
            raise RuntimeError(f"演示项目库未通过校验：{outcome.messages()[:3]}")
        actions.import_projects(district, acting_user=acting_user, rows=outcome.records, file_name=IMPORT_NAME,
                                is_simulated=True)
    for code, share in PAID.items():
        project = Project.objects.get(district=district, code=code)
        total = (project.budget * Decimal(str(share))).quantize(Decimal("0.0001"))
        first = (total * Decimal("0.6")).quantize(Decimal("0.0001"))
        for day, amount, note in ((dt.date(2024, 4, 15), first, "（模拟数据）首笔拨付"),
                                  (dt.date(2024, 8, 20), total - first, "（模拟数据）进度款")):
            if amount > 0:
                actions.record_payment(project, acting_user=acting_user, paid_on=day, amount=amount, note=note,
                                       is_simulated=True)
    reductions = services.town_project_reductions(district, 2024)
    values = {}
    for town, (pm25, good) in AIR_FACTORS.items():
        got = reductions.get(town, {})
        values[town] = {"pm25_improvement": pm25, "good_day_improvement": good,
                        "vocs_reduction": str(got.get("vocs_reduction", 0)), "nox_reduction": str(got.get("nox_reduction", 0))}
    actions.create_allocation(district, acting_user=acting_user, year=2024,
                              title="2024 年污染防治专项转移支付资金分配（模拟数据）", total_wan="2000",
                              weights=SIMULATED_WEIGHTS, values=values,
                              reason="模拟数据：演示权重，不是任何办法的规定", is_simulated=True)
    return len(PROJECTS)
