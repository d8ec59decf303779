"""General rules of the importer, each checked on short sentences written for the test (issue 13)."""

from __future__ import annotations

import json

from envgov.planio import extract, import_text
from envgov.planio.units import UnitDictionary, as_written, match_registry


def _task(body: str, year: int = 2020):
    text = f"某县{year}年水污染防治工作方案\n一、工作任务\n1.整治河道。{body}\n二、保障措施\n加强领导。\n"
    return import_text(text, "t.txt", year=year).tasks[0]


# ---------------------------------------------------------------- units as written
def test_units_keep_the_plans_own_names() -> None:
    t = _task("清理垃圾。（县环保局牵头，县经信委、县住建局配合）")
    assert t.units == ["环保局", "经信委", "住建局"]  # never rewritten to another body's name
    assert (t.lead_units, t.cooperating_units) == (["环保局"], ["经信委", "住建局"])


def test_as_written_drops_only_the_owning_place() -> None:
    assert as_written("十堰市生态环境局丹江口分局") == "生态环境局丹江口分局"
    assert as_written("县水利局") == "水利局"
    assert as_written("各县（区） 政府") == "县（区）政府"
    assert as_written("县（市、区）人民政府") == "县（市、区）人民政府"
    assert as_written("市场监管局") == "市场监管局"
    assert as_written("区城市管理委") == "城市管理委"


def test_a_body_outside_the_dictionary_in_a_duty_note_is_a_unit() -> None:
    t = _task("开展巡查。（牵头单位：青山湖管理处；责任单位：县林业站，东坪镇、西坪镇）")
    assert t.units == ["青山湖管理处", "林业站", "东坪镇", "西坪镇"]
    assert t.towns == ["东坪镇", "西坪镇"]  # towns acting are also listed as towns


def test_labelled_duty_lines_and_the_list_line_under_them() -> None:
    t = _task("建立台账。\n牵头单位：县农业局\n配合单位：县财政局、县林业局\n各乡镇、城南管委会")
    assert t.lead_units == ["农业局"]
    assert t.cooperating_units == ["财政局", "林业局", "乡镇", "城南管委会"]


def test_a_note_for_the_following_tasks_is_not_this_tasks_unit() -> None:
    t = _task("推进整治。（县水利局负责。以下均需各乡镇政府落实，不再列出）")
    assert t.units == ["水利局"]


def test_a_name_cut_by_the_end_of_the_page_is_dropped() -> None:
    names = [d.name for d in extract.find_duty_names("（责任单位：县水利局，配合单位：县交通建")]
    assert names == ["县水利局"]


def test_a_short_name_inside_a_longer_one_is_not_a_second_unit() -> None:
    t = _task("由市生态环境局东城分局开展排查。（牵头单位：市生态环境局东城分局）")
    assert t.units == ["生态环境局东城分局"]


def test_an_abbreviated_list_of_departments_is_read_as_those_bodies() -> None:
    t = _task("严格执法。发改、住建、交通等部门共同开展联合检查。")
    assert t.units == ["发改", "住建", "交通"]
    basis = _task("在水利、农业等部门现有调查基础上开展排查。")
    assert basis.units == []  # departments named only as a basis do not act


def test_unit_matches_name_the_registry_unit_or_say_why_not() -> None:
    units = UnitDictionary.load()
    assert match_registry("发改委", units)["unit"] == "发展改革委"
    m = match_registry("黎阳建管办", units)
    assert m["unit"] is None and "没有" in m["reason"]
    plan = import_text(
        "某县2020年水污染防治方案\n一、工作任务\n1.推进河道治理。开展污染排查，落实整治。（县环保局牵头，黎阳建管办配合）\n",
        "t.txt",
    )
    d = json.loads(plan.to_json())
    assert d["unit_matches"]["环保局"]["unit"] == "生态环境局"
    assert d["unit_matches"]["黎阳建管办"]["unit"] is None
    assert any(w["code"] == "unknown_unit" and "黎阳建管办" in w["message"] for w in d["warnings"])


# ---------------------------------------------------------------- targets
def _targets(goal: str, year: int = 2020):
    text = f"某市{year}年大气污染防治方案\n一、工作目标\n{goal}\n二、主要任务\n1.推进治理。开展检查。\n"
    return [(t.value, t.comparator) for t in import_text(text, "t.txt", year=year).targets]


def test_comparators_come_from_the_words() -> None:
    assert _targets("优良天数比例不低于80.5%，PM2.5浓度不高于40微克/立方米。") == [(80.5, ">="), (40, "<=")]
    assert _targets("优良天数达到300天以上。") == [(300, ">=")]
    assert _targets("重污染天数控制在5天以内。") == [(5, "<=")]


def test_values_listed_after_one_verb_keep_its_direction() -> None:
    got = _targets("二氧化硫、氮氧化物排放总量分别比2015年下降12%、9%以上。")
    assert got == [(12, ">="), (9, ">=")]


def test_a_list_of_values_shares_the_unit_written_after_the_last() -> None:
    got = _targets("甲县、乙县PM10浓度分别为61、63微克/立方米。")
    assert got == [(61, "<="), (63, "<=")]


def test_a_scope_count_is_not_a_target() -> None:
    assert _targets("12个考核断面水质优良率达到90%。") == [(90, ">=")]


def test_an_unclosed_bracket_far_before_does_not_hide_targets() -> None:
    got = _targets("进一步降低细颗粒物（PM2.5浓度，改善空气质量。到2020年，优良率达到85%。")
    assert got == [(85, ">=")]


# ---------------------------------------------------------------- segmentation of real copies
def _tasks(text: str, year: int = 2021):
    return [(t.code, t.title) for t in import_text(text, "t.txt", year=year).tasks]


def test_a_whole_plan_on_one_line() -> None:
    text = (
        "某县2021年大气污染治理方案为改善空气质量，制定本方案。一、工作目标全县优良天数比例达到80%。"
        "二、工作任务（一）治理扬尘1.清扫道路。每日清扫主干道。2.覆盖裸土。完成裸土覆盖。（二）管控车辆。推进车辆治理。"
    )
    assert _tasks(text) == [
        ("二.(一).1", "清扫道路"),
        ("二.(一).2", "覆盖裸土"),
        ("二.(二)", "管控车辆"),
    ]
    plan = import_text(text, "t.txt", year=2021)
    assert [(t.value, t.comparator) for t in plan.targets] == [(80, ">=")]


def test_numbers_inside_sentences_do_not_start_items() -> None:
    text = "某区2021年水污染治理方案\n二、工作任务\n1.建设管网。新建3.5公里管网，改造1、2号泵站。\n2.治理河道。完成治理。\n"
    assert _tasks(text) == [("二.1", "建设管网"), ("二.2", "治理河道")]


def test_an_item_after_a_closing_note_starts_where_its_number_follows() -> None:
    text = "某县2021年水污染治理方案\n二、工作任务 1、整治水源。设置标牌。（责任单位：县水利局）2、整治河道。清理垃圾。\n"
    assert _tasks(text) == [("二.1", "整治水源"), ("二.2", "整治河道")]


def test_a_marker_that_lost_its_opening_bracket() -> None:
    text = "某市2021年扬尘治理方案\n一、工作任务\n（一）治理工地\n开展治理。\n二）清运渣土\n规范清运。\n"
    assert [t for _, t in _tasks(text)] == ["治理工地", "清运渣土"]


def test_a_task_heading_that_names_the_status_is_still_a_task() -> None:
    text = "某县2021年土壤污染治理方案\n一、摸清污染现状，建立档案\n（一）开展详查。推进土壤污染详查。\n（二）建立台账。完成台账建设。\n"
    assert [t for _, t in _tasks(text)] == ["开展详查", "建立台账"]


def test_unnumbered_goal_paragraphs_give_targets() -> None:
    text = "某县2021年土壤污染治理方案\n主要指标：到2021年，受污染耕地安全利用率达到91%。\n一、加强治理\n（一）开展详查。推进详查。\n"
    plan = import_text(text, "t.txt", year=2021)
    assert [(t.value, t.comparator) for t in plan.targets] == [(91, ">=")]


# ---------------------------------------------------------------- task tables
def _table_tasks(text: str, name: str = "t.txt", year: int = 2022):
    plan = import_text(text, name, year=year)
    return [(t.code, t.title, t.units, t.deadlines, [(q.value, q.unit) for q in t.quantities]) for t in plan.tasks]


def test_a_table_copied_one_cell_a_line() -> None:
    text = "\n\n".join(
        ["某县2022年治污重点工作分工表", "序号", "工作任务", "责任单位", "完成时限",
         "1", "清理河道垃圾，完成12公里河道保洁。", "县水利局", "6月底前",
         "2", "关停砖窑3家。", "县环保局、县经信委", "全年"]
    )
    assert _table_tasks(text) == [
        ("1", "清理河道垃圾，完成12公里河道保洁", ["水利局"], ["2022-06-30"], [(12, "公里")]),
        ("2", "关停砖窑3家", ["环保局", "经信委"], [], [(3, "家")]),  # 全年 is no date
    ]


def test_a_table_with_bars_and_rows_broken_over_lines() -> None:
    text = (
        "某县2022年治污任务清单\n序号 | 工作任务 |\n牵头单位 | 配合单位 | 完成时限 |\n"
        "1 | 新建污水管网5公里 |\n县住建局 |  | 2022年9月 |\n"
        "2 | 改造锅炉2台 |\n县市场监管局 | 各乡镇 | 年底前 |\n"
    )
    assert _table_tasks(text) == [
        ("1", "新建污水管网5公里", ["住建局"], ["2022-09-30"], [(5, "公里")]),
        ("2", "改造锅炉2台", ["市场监管局", "乡镇"], ["2022-12-31"], [(2, "台")]),
    ]


def test_a_row_that_lost_its_first_cell_to_a_merged_cell_above() -> None:
    text = "\n".join(
        ["某区2022年整治工作进展表", "序号", "工作措施", "2022年任务计划", "进展情况",
         "1", "推进截污纳管", "完成8个小区截污纳管", "已完成5个小区，进度60%。",
         "2", "完成3个园区雨污分流", "已完成设计，正在施工，进度40%。"]
    )
    got = _table_tasks(text)
    # progress cells are not the plan: their figures are no quantities
    assert got == [
        ("1", "推进截污纳管", [], [], [(8, "个")]),
        ("2", "完成3个园区雨污分流", [], [], [(3, "个")]),
    ]


def test_a_generic_measure_cell_gives_way_to_the_problem_it_answers() -> None:
    text = (
        "某县水源地问题整治清单\n序号 | 问题具体情况 | 整治措施 | 计划完成时间 |\n"
        "1 | 水源地一级保护区内有餐馆排污 | 立即整改 | 2022年8月 |\n"
    )
    assert _table_tasks(text) == [("1", "水源地一级保护区内有餐馆排污", [], ["2022-08-31"], [])]


def test_an_xlsx_duty_table_carries_merged_cells_down_and_joins_cell_lines() -> None:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["领域", "序号", "重点任务", "牵头单位", "完成时限"])
    ws.append(["大气", 1, "淘汰燃煤锅炉\n10蒸吨以下锅炉清零", "县发改局", "2022年10月底前"])
    ws.append([None, 2, "治理餐饮油烟20家", "县城管局", None])
    ws.merge_cells("A2:A3")
    ws.merge_cells("E2:E3")  # one deadline cell for both rows
    buf = io.BytesIO()
    wb.save(buf)
    from envgov.planio import import_plan

    plan = import_plan(buf.getvalue(), "分工表.xlsx", year=2022)
    got = [(t.code, t.title, t.units, t.deadlines) for t in plan.tasks]
    assert got == [
        ("1", "淘汰燃煤锅炉10蒸吨以下锅炉清零", ["发改局"], ["2022-10-31"]),
        ("2", "治理餐饮油烟20家", ["城管局"], ["2022-10-31"]),
    ]


def test_a_table_whose_cells_are_separated_by_spaces_and_rows_run_together() -> None:
    text = (
        "某县2022年大气污染治理工作方案\n附件 重点任务分工表\n序号 工作任务 责任单位 配合单位 完成时间 "
        "1 淘汰燃煤锅炉10台 县发改局 县环保局 2022年6月底前 2 治理工地扬尘 县住建局 各乡镇 长期坚持 "
        "3 治理 餐饮油烟 县城管局 县市场监管局 2022年10月底前\n"
    )
    assert _table_tasks(text) == [
        ("1", "淘汰燃煤锅炉10台", ["发改局", "环保局"], ["2022-06-30"], [(10, "台")]),
        ("2", "治理工地扬尘", ["住建局", "乡镇"], [], []),
        ("3", "治理餐饮油烟", ["城管局", "市场监管局"], ["2022-10-31"], []),  # a space inside a cell
    ]


def test_a_city_body_acting_is_a_unit_but_not_when_its_document_is_followed() -> None:
    assert _task("市生态环境局牵头开展联合执法检查。").units == ["生态环境局"]
    assert _task("落实市生态环境局关于危废管理的要求，开展检查。").units == []


def test_duties_written_in_the_text_not_in_a_note() -> None:
    t = _task("开展排查。县林业站牵头，县农机中心、县畜牧局等配合。")
    assert t.units == ["林业站", "农机中心", "畜牧局"]
    assert (t.lead_units, t.cooperating_units) == (["林业站"], ["农机中心", "畜牧局"])


def test_a_mirror_with_scrambled_punctuation() -> None:
    # a copy whose marks were replaced at random: 一，  1。  92.以上  and list commas turned into 。
    text = (
        "某市土壤污染防治工作方案为改善土壤环境质量.制定本方案。一，工作目标到2020年.受污染耕地安全利用率达到91.以上、"
        "污染地块安全利用率达到90，左右。二，主要任务，一，摸清底数，1。建立监测网络，统一规划.整合监测点位。"
        "2020年年底前完成、市环保局牵头。市农业局。市林水局等配合。2。开展详查.查明污染面积。"
    )
    plan = import_text(text, "t.txt", year=2020)
    assert [t.title for t in plan.tasks] == ["建立监测网络", "开展详查"]
    t1 = plan.tasks[0]
    assert t1.deadlines == ["2020-12-31"]
    assert set(t1.units) == {"环保局", "农业局", "林水局"}
    assert [(t.value, t.comparator) for t in plan.targets] == [(91, ">="), (90, ">=")]


def test_a_scrambled_mirror_that_writes_a_space_for_a_mark() -> None:
    # the same kind of mirror, where a heading's full stop became a space: the title ends there
    text = (
        "某县水污染防治工作方案为改善水环境质量.制定本方案。一，工作目标到2020年.水质优良比例达到80.以上、"
        "二，主要任务，一，治理河道，1。清理河道垃圾 对县内主要河道开展集中清理.按季度巡查，2。建设污水管网 "
        "新建管网20公里.完成验收。"
    )
    plan = import_text(text, "t.txt", year=2020)
    assert [t.title for t in plan.tasks] == ["清理河道垃圾", "建设污水管网"]


def test_spaces_between_words_of_an_ordinary_copy_are_only_dropped() -> None:
    text = "某县2021年水污染治理方案\n一、主要任务\n1.清理河道 垃圾。对主要河道开展清理。\n"
    assert [t for _, t in _tasks(text)] == ["清理河道垃圾"]


def test_a_two_phrase_heading_run_into_its_first_item() -> None:
    text = "某县2021年土壤污染治理方案\n一、工作任务\n（一）开展调查，掌握状况1.开展详查。查明面积。2.建立台账。完成台账。\n"
    assert [t for _, t in _tasks(text)] == ["开展详查", "建立台账"]


# ---------------------------------------------------------------- deadlines and periods
def test_a_recurring_date_is_a_recurrence_over_the_plans_years_not_one_date() -> None:
    text = (
        "某市大气污染防治三年行动计划（2018-2020年）\n一、主要任务\n"
        "1.更新排放清单。每年3月底前完成上年度排放清单更新。\n2.淘汰锅炉。2019年6月底前完成淘汰。\n"
    )
    plan = import_text(text, "t.txt")
    assert plan.year is None and plan.period == (2018, 2020)
    t1, t2 = plan.tasks
    assert t1.deadlines == []
    assert t1.recurrences == [
        {"rule": "yearly", "text": "每年3月底前", "dates": ["2018-03-31", "2019-03-31", "2020-03-31"]}
    ]
    assert t2.deadlines == ["2019-06-30"]
    d = json.loads(plan.to_json())
    assert d["period"] == {"start": 2018, "end": 2020} and d["year"] is None


def test_a_year_opening_a_sentence_is_context_unless_a_result_is_due() -> None:
    assert _task("2020年，是攻坚之年，开展河道整治。").deadlines == []
    assert _task("2021年，全县污水处理率达到95%。", year=2020).deadlines == ["2021-12-31"]


def test_a_task_part_nested_under_the_general_requirements() -> None:
    text = (
        "某县2021年水污染防治工作方案\n一、总体要求\n（一）指导思想。坚持绿色发展。\n（二）工作目标。水质达标率达到90%。\n"
        "（三）主要任务\n1.整治排污口。完成排污口整治。\n2.建设管网。新建管网3公里。\n二、保障措施\n（一）加强领导。落实责任。\n"
    )
    plan = import_text(text, "t.txt")
    assert [t.title for t in plan.tasks] == ["整治排污口", "建设管网"]
    assert [(t.value, t.comparator) for t in plan.targets] == [(90, ">=")]


def test_a_plan_without_a_task_part_yields_no_tasks_and_says_so() -> None:
    text = (
        "某县2021年大气污染防治工作方案\n一、指导思想\n以改善环境空气质量为核心，推进污染治理，加强生态环境保护工作。\n"
        "二、基本原则\n坚持问题导向，推进精准治污，落实各方责任，强化监管执法。\n三、工作目标\n全县优良天数比例达到80%以上。\n"
    )
    plan = import_text(text, "t.txt")
    assert plan.tasks == []
    assert any(w.code == "no_task_part" for w in plan.warnings)
    assert [(t.value, t.comparator) for t in plan.targets] == [(80, ">=")]


def test_articles_circled_items_and_a_reading_inside_a_chapter_marker() -> None:
    text = (
        "某区2021年扬尘治理方案\n第(dì)一(yī)章 主要任务\n第一条 加强工地管理。\n①落实围挡。完成工地围挡。\n②落实冲洗。设置冲洗设施。\n"
        "第二条 加强道路保洁。开展机扫作业。\n第二章 保障措施\n加强领导。\n"
    )
    got = [(c, t) for c, t in _tasks(text)]
    assert got == [("第一章.第一条.①", "落实围挡"), ("第一章.第一条.②", "落实冲洗"), ("第一章.第二条", "加强道路保洁")]


def test_a_plan_of_another_district_warns() -> None:
    text = "门头沟区2021年生态环境保护工作计划\n一、主要任务\n1.推进治理。开展污染治理。\n"
    plan = import_text(text, "t.txt", district="通州区")
    assert plan.district == "通州区" and plan.named_district == "门头沟区"
    assert [w.code for w in plan.warnings if w.code == "district_mismatch"] == ["district_mismatch"]
    same = import_text(text.replace("门头沟区", "通州区"), "t.txt", district="通州区")
    assert not [w for w in same.warnings if w.code == "district_mismatch"]
    county = import_text(text.replace("门头沟区", "浚县"), "t.txt", district="通州区")
    assert county.named_district == "浚县" and any(w.code == "district_mismatch" for w in county.warnings)


def test_a_role_mark_after_a_name_is_its_role() -> None:
    t = _task("开展治理。（责任单位：县发改局（牵头）、县环保局）")
    assert (t.units, t.lead_units) == (["发改局", "环保局"], ["发改局"])


def test_compound_rate_units_stay_whole() -> None:
    assert [(q.value, q.unit) for q in extract.find_quantities("淘汰10蒸吨/小时以下燃煤锅炉，处理能力5万吨/年")] == [
        (10, "蒸吨/小时"),
        (5, "万吨/年"),
    ]


def test_a_table_with_a_task_name_and_a_work_content_column() -> None:
    text = "\n".join(
        ["某县2022年水污染防治任务表", "序号", "任务名称", "工作内容", "责任单位", "完成时限",
         "1.", "河道清淤", "完成清淤8公里。", "县水利局", "2022年5月底前",
         "2.", "管网建设", "新建管网3公里。", "县住建局", "2022年11月底前"]
    )
    assert _table_tasks(text) == [
        ("1", "河道清淤", ["水利局"], ["2022-05-31"], [(8, "公里")]),
        ("2", "管网建设", ["住建局"], ["2022-11-30"], [(3, "公里")]),
    ]


def test_bodies_acting_by_their_duties() -> None:
    t = _task("加强执法。县农牧局、县林草局按职责分工负责。")
    assert t.units == ["农牧局", "林草局"]


def test_a_copy_with_ascii_full_stops() -> None:
    text = (
        "某县2021年水污染治理方案\n一.工作任务\n1.整治排污口.完成排污口整治,年底前完成.县环保局牵头.\n"
        "2.建设管网.新建管网3.5公里.县住建局负责.3.治理河道.清理河道垃圾.\n"
    )
    plan = import_text(text, "t.txt", year=2021)
    got = [(t.title, t.units, t.deadlines, [(q.value, q.unit) for q in t.quantities]) for t in plan.tasks]
    assert got == [
        ("整治排污口", ["环保局"], ["2021-12-31"], []),
        ("建设管网", ["住建局"], [], [(3.5, "公里")]),
        ("治理河道", [], [], []),
    ]


def test_a_stray_ascii_full_stop_in_an_ordinary_copy() -> None:
    text = "某省2014年大气污染防治方案\n一、主要任务\n1.提升脱硝效率.2014年6月底前，燃煤机组安装脱硝设施。\n"
    (t,) = import_text(text, "t.txt").tasks
    assert (t.title, t.deadlines) == ("提升脱硝效率", ["2014-06-30"])
