"""Deadlines, quantities, units and targets from single sentences. Expected values follow the rules of the
brief and tests/planio/truth/README.md (ISO dates in the plan's year, 万 multiplied out, …)."""

from __future__ import annotations

import textwrap

import pytest

from envgov.planio import extract
from envgov.planio.normalize import normalize_text
from envgov.planio.units import UnitDictionary


def dates(s: str, year: int = 2024) -> list[str]:
    return sorted({d.date for d in extract.find_deadlines(normalize_text(s).text, year)})


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("年底前，纯电动车比例达到50%。", ["2024-12-31"]),
        ("6月底前，完成上年度3家单位隐患排查。", ["2024-06-30"]),
        ("列入优先监管地块清单，2月底、8月底前更新清单。", ["2024-02-29", "2024-08-31"]),
        ("一季度完成站点建设。", ["2024-03-31"]),
        ("上半年完成评估，三季度末前完成整改。", ["2024-06-30", "2024-09-30"]),
        ("汛前持续开展“清管行动”。", ["2024-05-31"]),
        ("力争到2025年城镇地区单位建筑面积供热运行能耗降至42瓦/平方米。", ["2025-12-31"]),
        ("到2024年底，新能源公交车比例达到要求。", ["2024-12-31"]),
        ("力争2024年9月底前出台相关政策。", ["2024-09-30"]),
        ("到“十四五”末，基本实现使用新能源车运输。", ["2025-12-31"]),
        ("瞄准2021年成功创建国家森林城市。", ["2021-12-31"]),
        ("2025年，可再生能源消费比重达到市级要求。", ["2025-12-31"]),
        ("3月15日前报送年度计划。", ["2024-03-15"]),
        ("2024年6月完成小流域试点工作。", ["2024-06-30"]),
        ("10月中旬前完成评估。", ["2024-10-20"]),
        ("2024年年底前，全面完成治理。", ["2024-12-31"]),
        ("年内完成清单编制。", ["2024-12-31"]),
        ("五年内完成改造。", []),
        ("于2024年12月31日完成评估。", ["2024-12-31"]),
        ("每年底前报送总结。", []),
        # not deadlines: start dates, recurring periods, year labels, comparisons
        ("7月1日起，执行国家在用汽油车排放标准b限值。", []),
        ("夏季（6-9月），督促加油站实施错峰装卸油。", []),
        ("按照国家要求每季度上报工作进展。", []),
        ("完成2024年度化学物质环境信息统计调查工作。", []),
        ("启动2024年平原重点区域造林绿化工程。", []),
        ("万元GDP用水量比2023年下降1.5%左右。", []),
        ("对2021年以来新核发的许可证进行审核。", []),
        ("对照2023年完成情况，查找差距。", []),
        ("全年抽检数量不少于8组。", []),
    ],
)
def test_deadlines(sentence: str, expected: list[str]) -> None:
    assert dates(sentence) == expected


def qty(s: str) -> list[tuple[float, str]]:
    """Quantities in their base unit (万/亿 multiplied out, as the truth README writes them)."""
    return [(q.base_value, q.base_unit) for q in extract.find_quantities(normalize_text(s).text)]


def test_quantities_keep_value_and_unit_as_written_and_add_the_base_value() -> None:
    (q,) = extract.find_quantities("年供水量达到47.38亿立方米")
    assert (q.value, q.unit, q.base_value, q.base_unit) == (47.38, "亿立方米", 4738000000, "立方米")
    spellings = ["35微克/立方米", "35μg/m3", "35ug/m3", "35µg/m³"]
    assert {extract.find_quantities(s)[0].unit for s in spellings} == {"μg/m³"}


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("全年抽检数量不少于8组", [(8, "组")]),
        ("完成19家加油站、储油库防渗漏抽查", [(19, "家")]),
        ("推广使用200辆3吨及以下纯电动叉车", [(200, "辆"), (3, "吨")]),
        ("新(改)建污水收集管线10公里", [(10, "公里")]),
        ("比例达到50%", [(50, "%")]),
        ("京津冀风沙源治理二期3万亩", [(30000, "亩")]),
        ("完成约0.2万亩规模化果园“沃土”工程", [(2000, "亩")]),
        ("生产生活用水总量控制在30亿立方米以内", [(3000000000, "立方米")]),
        ("11座农村污水处理设施（千吨以上）", [(11, "座"), (1000, "吨")]),
        ("审核总数不少于持证单位总数的三分之一", [(0.3333, "")]),
        ("一般性遗撒处置不超过30分钟，大面积遗撒处置不超过1小时", [(30, "分钟"), (1, "小时")]),
        ("PM2.5累计浓度达到35微克/立方米", [(35, "μg/m³")]),
        ("推进完成至少一个产业园区碳中和试点", [(1, "个")]),
        ("清理3000余家企业，建设100多个站点", [(3000, "家"), (100, "个")]),
        ("降幅达到2个百分点", [(2, "个百分点")]),
        # not quantities: codes, names, titles, slogans, ordinals, years, phrasing
        ("轨道交通22号线运河商务园站", []),
        ("推进国四货车、国二及以下排放标准机械淘汰", []),
        ("组织推进《通州区751平方公里环卫清扫保洁一体化工作方案》落实", []),
        ("打通基层环保“最后一公里”", []),
        ("完成第三次全国土壤普查", []),
        ("以推进“一示范一基地”两个品牌建设为重点", []),
        ("2024年是关键一年", []),
    ],
)
def test_quantities(sentence: str, expected: list[tuple[float, str]]) -> None:
    got = qty(sentence)
    assert [u for _, u in got] == [u for _, u in expected]
    assert [v for v, _ in got] == pytest.approx([v for v, _ in expected], rel=1e-3)


@pytest.fixture(scope="module")
def units() -> UnitDictionary:
    return UnitDictionary.load()


def actors(s: str, units: UnitDictionary) -> dict[str, set[str]]:
    mentions, _ = extract.find_units(normalize_text(s).text, units)
    out: dict[str, set[str]] = {"all": set(), "lead": set(), "coop": set()}
    for m in mentions:
        out["all"].add(m.name)
        if m.role in ("lead", "coop"):
            out[m.role].add(m.name)
    return out


def test_units_roles_and_aliases(units: UnitDictionary) -> None:
    a = actors("生态环境局牵头，会同经济和信息化局、区商务局、属地政府，加快推进叉车电动化。", units)
    assert a["all"] == {"生态环境局", "经济和信息化局", "商务局"}
    assert a["lead"] == {"生态环境局"}
    assert a["coop"] == {"经济和信息化局", "商务局"}
    a = actors("区城管委、区发改委共同牵头，高水平建设充电基础设施网络体系。", units)
    assert a["lead"] == {"城市管理委", "发展改革委"}
    a = actors("交通支队加大查处力度；交通局提供相关配合。", units)
    assert a["all"] == {"交通支队", "交通局"} and a["coop"] == {"交通局"}


def test_units_role_markers(units: UnitDictionary) -> None:
    a = actors("由区生态环境局牵头，区发展改革委、区经济和信息化局按职责分工负责。", units)
    assert a["lead"] == {"生态环境局", "发展改革委", "经济和信息化局"}
    a = actors("区水务局（牵头）、区园林绿化局（配合）", units)
    assert a["lead"] == {"水务局"} and a["coop"] == {"园林绿化局"}


def test_units_in_department_lists(units: UnitDictionary) -> None:
    a = actors("公安、交通、城管、生态环境、市场监管等部门建立长效执法联动机制。", units)
    assert a["all"] == {"公安分局", "交通局", "城管执法局", "生态环境局", "市场监管局"}


def test_recipients_city_bodies_and_guides_are_not_actors(units: UnitDictionary) -> None:
    assert actors("抽检不合格的产品信息向住建、城市管理、交通、生态环境等部门通报。", units)["all"] == set()
    assert actors("依据市城市管理委和市发展改革委联合印发的行动计划推进。", units)["all"] == set()
    assert actors("在区应急委的指导下，开展核查。", units)["all"] == set()
    assert actors("检查结果按季度与生态环境局共享。", units)["all"] == set()
    assert actors("市公安局通州分局牵头，依法打击违法行为。", units)["lead"] == {"公安分局"}


def test_unknown_unit_reported_for_review(units: UnitDictionary) -> None:
    mentions, unknown = extract.find_units("东区邮政局摸排快递车辆底数；南区水务集团负责管网运维。", units)
    assert "南区水务集团" in unknown
    assert {m.name for m in mentions} >= {"东区邮政局", "南区水务集团"}


def test_user_dictionary_merged_over_builtin(tmp_path) -> None:
    f = tmp_path / "units.yaml"
    f.write_text(
        textwrap.dedent(
            """
            units:
              - name: 城市运行管理中心
                aliases: [城运中心]
                short: []
            towns:
              某区: [甲乙镇]
            """
        ),
        encoding="utf-8",
    )
    u = UnitDictionary.load(f)
    assert u.canonical("区城运中心") == "城市运行管理中心"
    assert u.canonical("区发改委") == "发展改革委"  # built-in entries stay
    mentions, unknown = extract.find_units("城运中心牵头开展调度。", u)
    assert [(m.name, m.role) for m in mentions] == [("城市运行管理中心", "lead")] and unknown == []
    assert [n for n, _ in extract.find_towns("甲乙镇负责落实。", u)] == ["甲乙镇"]


def test_towns(units: UnitDictionary) -> None:
    text = normalize_text("潞邑街道牵头，会同永顺镇政府研究制定方案；各街道乡镇落实好“最后一公里”职责。").text
    assert [n for n, _ in extract.find_towns(text, units)] == ["潞邑街道", "永顺镇", "各街道乡镇"]
    text = normalize_text("推进城镇污水处理厂建设，提高城镇污水收集率。").text
    assert extract.find_towns(text, units) == []


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("PM2.5累计浓度达到35微克/立方米", [("<=", 35, "μg/m³", "全年")]),
        ("一季度重污染天数不超过3天（扣除沙尘影响）", [("<=", 3, "天", "一季度")]),
        ("全区受污染耕地安全利用率达到92%", [(">=", 92, "%", "全年")]),
        ("完成化学需氧量（COD）累计减排4260吨", [(">=", 4260, "吨", "累计")]),
        ("碳排放总量控制在223万吨", [("<=", 2230000, "吨", "全年")]),
        ("空气质量优良天数比率达到80%及以上", [(">=", 80, "%", "全年")]),
        ("PM2.5浓度同比下降5%", [(">=", 5, "%", "全年")]),
        (
            "氮氧化物、挥发性有机物减排量分别为430吨、420吨",
            [(">=", 430, "吨", "累计"), (">=", 420, "吨", "累计")],
        ),
    ],
)
def test_targets(sentence: str, expected) -> None:
    got = [
        (t.comparator, t.value, t.unit, t.period) for t in extract.find_targets(normalize_text(sentence).text)
    ]
    assert got == expected


def test_target_flags_and_indicators() -> None:
    (t,) = extract.find_targets(normalize_text("降尘量控制在5吨/平方公里·月左右(扣除沙尘影响)").text)
    assert set(t.flags) == {"扣除沙尘", "左右"} and t.indicator == "降尘量"
    ts = extract.find_targets(normalize_text("氮氧化物、挥发性有机物减排量分别为430吨、420吨").text)
    assert [t.indicator for t in ts] == ["氮氧化物", "挥发性有机物减排量"]
