"""End to end: import_plan on the seeds and on made-up documents, the CLI, and refusals."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import opencc
import pytest
from typer.testing import CliRunner

from envgov.cli import app
from envgov.planio import PlanImportError, import_plan, import_text

SHARED = Path(os.environ.get("ENVGOV_SHARED", "/work/shared"))  # set by tests/conftest.py

SEEDS = SHARED / "seeds"
SEED_001 = SEEDS / "001_7d0fb48903c1bf2b.txt"
SEED_003 = SEEDS / "003_735b581d06638fbb.txt"
needs_seeds = pytest.mark.skipif(not SEED_001.exists(), reason="seed documents not available")

SMALL = """某某区2024年生态环境保护工作计划
一、目标指标
PM2.5年均浓度达到30微克/立方米，重污染天数不超过3天。
二、主要任务
（一）大气污染防治
1.加强扬尘管控
区城管委牵头，会同住建委、水务局，6月底前完成道路清扫保洁规范化，抽检不少于20个工地。
2.推进VOCs治理。生态环境局负责，年底前完成19家企业治理。
三、保障措施
加强组织领导。
"""


def structure(plan) -> list[tuple]:
    return [
        (
            t.code,
            t.title,
            tuple(t.units),
            tuple(t.towns),
            tuple(t.deadlines),
            tuple((q.value, q.unit) for q in t.quantities),
        )
        for t in plan.tasks
    ] + [(g.comparator, g.value, g.unit, g.period) for g in plan.targets]


@needs_seeds
def test_001_raw_and_cleaned_give_the_same_structure(tmp_path) -> None:
    raw_plan = import_plan(SEED_001)
    clean = tmp_path / "001_clean.txt"
    clean.write_text(raw_plan.normalized_text, encoding="utf-8")
    clean_plan = import_plan(clean)
    assert len(raw_plan.tasks) > 50
    assert structure(clean_plan) == structure(raw_plan)
    assert (clean_plan.district, clean_plan.year) == (raw_plan.district, raw_plan.year) == ("密云区", 2021)


PINYIN_READING = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)")


@needs_seeds
def test_001_raw_and_a_copy_cleaned_by_hand_give_the_same_structure(tmp_path) -> None:
    """Issue 13: the raw text (Traditional, pinyin readings after characters) and a copy cleaned the way a
    person would — converted to Simplified with OpenCC, the readings deleted, the site's page-header lines
    dropped — import to the same structure. The copy is made here, not by the importer's own normalizer."""
    raw = SEED_001.read_text(encoding="utf-8")
    conv = opencc.OpenCC("t2s")
    lines = [PINYIN_READING.sub("", conv.convert(line)) for line in raw.splitlines()]
    cleaned = "\n".join(line for line in lines if not re.search(r"_第\d+页$", line.strip()))
    assert "区(qū)" not in cleaned and "區" not in cleaned and "密云区" in cleaned
    clean = tmp_path / "001_simplified.txt"
    clean.write_text(cleaned, encoding="utf-8")
    raw_plan, clean_plan = import_plan(SEED_001), import_plan(clean)
    assert len(raw_plan.tasks) > 50
    assert structure(clean_plan) == structure(raw_plan)
    assert (clean_plan.district, clean_plan.year) == ("密云区", 2021)


@needs_seeds
def test_source_spans_show_items_in_the_original() -> None:
    plan = import_plan(SEED_001)
    conv = opencc.OpenCC("t2s")
    for t in plan.tasks:
        src = conv.convert(plan.source(t.source_span))
        # the original carries pinyin noise and line breaks: compare on Chinese characters only
        han = "".join(c for c in src if "\u4e00" <= c <= "\u9fff")
        title = "".join(c for c in t.title if "\u4e00" <= c <= "\u9fff")
        assert title[:6] in han, (t.code, t.title, src[:60])
    for q in plan.tasks[0].quantities:
        src = plan.source(q.source_span)
        assert any(ch.isdigit() for ch in src)
    task = next(t for t in plan.tasks if t.deadlines == ["2025-12-31"])
    (date, span), *_ = task.evidence["deadlines"]
    assert date == "2025-12-31" and "2025" in plan.source(span)


@needs_seeds
def test_seed_003_metadata_and_targets() -> None:
    plan = import_plan(SEED_003)
    assert plan.district == "通州区" and plan.year == 2024
    s, e = plan.targets[0].source_span
    assert "35微克/立方米" in plan.original_text[s:e]


def test_small_plan_end_to_end() -> None:
    plan = import_text(SMALL, "small.txt")
    assert (plan.district, plan.year) == (None, 2024)  # 某某区 is not a Beijing district
    assert [(t.code, t.title) for t in plan.tasks] == [
        ("二.(一).1", "加强扬尘管控"),
        ("二.(一).2", "推进VOCs治理"),
    ]
    t1, t2 = plan.tasks
    # units as the plan names them (区 dropped); the registry unit each stands for is a separate field
    assert t1.units == ["城管委", "住建委", "水务局"] and t1.lead_units == ["城管委"]
    assert t1.cooperating_units == ["住建委", "水务局"]
    assert {n: m["unit"] for n, m in plan.unit_matches.items() if n in t1.units} == {
        "城管委": "城市管理委", "住建委": "住房城乡建设委", "水务局": "水务局"}
    assert t1.deadlines == ["2024-06-30"] and [(q.value, q.unit) for q in t1.quantities] == [(20, "个")]
    assert t2.lead_units == ["生态环境局"] and t2.deadlines == ["2024-12-31"]
    assert [(n, plan.source(sp)) for n, sp in t1.evidence["units"]] == [
        ("城管委", "区城管委"),
        ("住建委", "住建委"),
        ("水务局", "水务局"),
    ]
    assert [(g.comparator, g.value, g.unit) for g in plan.targets] == [("<=", 30, "μg/m³"), ("<=", 3, "天")]


def test_json_has_exactly_the_agreed_keys() -> None:
    d = json.loads(import_text(SMALL, "small.txt", district="朝阳区", year=2023).to_json())
    # the documented keys, unchanged, then the review aids: warnings (code + message) and unit_matches
    assert list(d) == ["district", "year", "title", "targets", "tasks", "period", "warnings", "unit_matches"]
    assert all(set(w) == {"code", "message"} for w in d["warnings"])
    assert (d["district"], d["year"]) == ("朝阳区", 2023)
    assert list(d["targets"][0]) == ["indicator", "comparator", "value", "unit", "period", "text"]
    assert list(d["tasks"][0]) == [
        "code",
        "title",
        "text",
        "units",
        "lead_units",
        "towns",
        "deadlines",
        "quantities",
        "recurrences",  # added after the documented keys: 每年3月底前 over the plan's years
    ]
    # value and unit as written, then the value in the base unit (万/亿 multiplied out)
    assert list(d["tasks"][0]["quantities"][0]) == ["value", "unit", "text", "base_value", "base_unit"]
    assert d["tasks"][0]["deadlines"] == ["2023-06-30"]  # the given year, not the title's


def test_docx_bytes_import() -> None:
    import docx

    d = docx.Document()
    for line in SMALL.splitlines():
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    plan = import_plan(buf.getvalue(), "计划.docx")
    assert len(plan.tasks) == 2 and plan.filename == "计划.docx"


def test_non_plan_refused() -> None:
    with pytest.raises(PlanImportError, match="不是一份生态环境行动计划"):
        import_text("床前明月光，疑是地上霜。举头望明月，低头思故乡。" * 5, "poem.txt")
    with pytest.raises(PlanImportError, match="几乎没有文字"):
        import_text("计划", "tiny.txt")
    with pytest.raises(PlanImportError, match="文件不存在"):
        import_plan("/nonexistent/plan.txt")


@needs_seeds
def test_unnumbered_report_split_by_paragraph_with_warning() -> None:
    plan = import_plan(SEEDS / "000_ed315ba8dc1973ee.txt")
    assert len(plan.tasks) >= 4
    assert any("按段落拆分" in w for w in plan.warnings)
    assert plan.district is None and any("未能确定所属区" in w for w in plan.warnings)  # four districts
    assert all("(shi)" not in t.text and "區" not in t.text for t in plan.tasks)


def test_cli_json_and_xlsx(tmp_path) -> None:
    src = tmp_path / "plan.txt"
    src.write_text(SMALL, encoding="gb18030")
    runner = CliRunner()
    out = tmp_path / "plan.json"
    r = runner.invoke(
        app, ["plan", "import", str(src), "--district", "通州区", "--year", "2024", "--output", str(out)]
    )
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["district"] == "通州区" and len(d["tasks"]) == 2
    xlsx = tmp_path / "plan.xlsx"
    r = runner.invoke(app, ["plan", "import", str(src), "--format", "xlsx", "--output", str(xlsx)])
    assert r.exit_code == 0, r.output
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    rows = list(wb["任务台账"].iter_rows(values_only=True))
    assert rows[0][0] == "编号" and rows[1][0] == "二.(一).1" and rows[1][4] == "城管委"


def test_cli_bad_file_writes_nothing(tmp_path) -> None:
    src = tmp_path / "empty.txt"
    src.write_bytes(b"")
    out = tmp_path / "out.json"
    r = CliRunner().invoke(app, ["plan", "import", str(src), "--output", str(out)])
    assert r.exit_code == 1
    assert "文件为空" in r.output
    assert not out.exists() and list(tmp_path.iterdir()) == [src]


@needs_seeds
def test_hundred_pages_import_quickly() -> None:
    """The benchmark's document (seeds concatenated to ≈150,000 characters) in well under 5 s."""
    import importlib.util
    import time

    spec = importlib.util.spec_from_file_location(
        "plan_import_bench", Path(__file__).parents[2] / "benchmarks" / "plan_import.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    build_document = bench.build_document
    doc = build_document(SEEDS, 150_000)
    t0 = time.perf_counter()
    plan = import_plan(doc.encode("utf-8"), "big.txt", year=2024)
    assert time.perf_counter() - t0 < 5.0
    assert len(plan.tasks) > 200


def test_task_table_in_docx_read_row_by_row() -> None:
    """A 重点任务分工表 (a common layout of district plans): each row is a task, columns give the duties."""
    import docx

    d = docx.Document()
    d.add_paragraph("海淀区2024年生态环境保护工作计划")
    d.add_paragraph("一、目标指标")
    d.add_paragraph("PM2.5年均浓度控制在32微克/立方米以内。")
    d.add_paragraph("二、重点任务分工")
    table = d.add_table(rows=1, cols=6)
    for i, v in enumerate(["序号", "重点任务", "工作措施", "牵头单位", "配合单位", "完成时限"]):
        table.rows[0].cells[i].text = v
    rows = [
        [
            "1",
            "推进新能源车",
            "推广新能源出租车不少于200辆。",
            "区发展改革委",
            "区交通局、各街道（乡镇）",
            "2024年12月",
        ],
        [
            "2",
            "扬尘管控",
            "开展道路清扫保洁，抽查工地不少于30个。",
            "区城市管理委（牵头）",
            "区住房城乡建设委，区水务局",
            "6月底前",
        ],
        ["3", "VOCs治理", "完成10家企业治理。", "区生态环境局", "区经济和信息化局、清河街道", "长期坚持"],
    ]
    for r in rows:
        for cell, v in zip(table.add_row().cells, r):
            cell.text = v
    buf = io.BytesIO()
    d.save(buf)
    plan = import_plan(buf.getvalue(), "plan.docx")
    assert (plan.district, plan.year) == ("海淀区", 2024)
    got = [(t.code, t.title, t.lead_units, t.cooperating_units, t.towns, t.deadlines) for t in plan.tasks]
    assert got == [
        # towns in a duty cell are units as written and also towns
        ("1", "推进新能源车", ["发展改革委"], ["交通局", "街道（乡镇）"], ["各街道乡镇"], ["2024-12-31"]),
        ("2", "扬尘管控", ["城市管理委"], ["住房城乡建设委", "水务局"], [], ["2024-06-30"]),
        ("3", "VOCs治理", ["生态环境局"], ["经济和信息化局", "清河街道"], ["清河街道"], []),
    ]
    assert [(q.value, q.unit) for q in plan.tasks[0].quantities] == [(200, "辆")]
    s, e = plan.tasks[1].source_span
    assert "扬尘管控" in plan.original_text[s:e] and "城市管理委" in plan.original_text[s:e]
    assert [(g.comparator, g.value) for g in plan.targets] == [("<=", 32)]


DUTY_NOTES = """北京市海淀区2024年深入打好污染防治攻坚战行动计划
一、主要目标
2024年，全区PM2.5年均浓度控制在30微克/立方米左右，优良天数比率达到80%以上，重污染天数不超过2天。
二、重点任务
（一）深入打好蓝天保卫战
1．推动机动车结构优化。年底前新能源出租车比例达到65%。（牵头单位：区交通局；配合单位：区发展改革委、各街道（镇））
2．强化扬尘精细化管控。施工工地视频监控覆盖率达到100%。（责任单位：区城管委、区住房城乡建设委，完成时限：2024年12月）
（二）持续打好碧水保卫战
3．推进污水处理设施建设。新建污水管线12.5公里。（区水务局牵头，温泉镇、苏家坨镇政府配合，2024年10月底前）
三、保障措施
加强组织领导。
"""


def test_duty_notes_in_parentheses() -> None:
    """Another district's layout: duties in a note after each task (牵头单位：…；配合单位：…；完成时限：…)."""
    plan = import_text(DUTY_NOTES, "haidian.txt")
    assert (plan.district, plan.year) == ("海淀区", 2024)
    got = [(t.code, t.lead_units, t.cooperating_units, t.towns, t.deadlines) for t in plan.tasks]
    assert got == [
        # towns acting in a duty note are units as written and also listed under towns
        ("二.(一).1", ["交通局"], ["发展改革委", "街道（镇）"], ["各街道乡镇"], ["2024-12-31"]),
        ("二.(一).2", ["城管委", "住房城乡建设委"], [], [], ["2024-12-31"]),
        ("二.(二).3", ["水务局"], ["温泉镇", "苏家坨镇政府"], ["温泉镇", "苏家坨镇"], ["2024-10-31"]),
    ]
    assert [(g.comparator, g.value, g.unit) for g in plan.targets] == [
        ("<=", 30, "μg/m³"),
        (">=", 80, "%"),
        ("<=", 2, "天"),
    ]
    assert plan.unknown_units == []


PARTS_PLAN = """朝阳区2023年大气污染防治工作要点
第一部分 总体要求
坚持精准治污、科学治污、依法治污。
第二部分 主要目标
全区PM2.5年均浓度力争控制在33微克/立方米，重污染天数不超过3天。
第三部分 重点任务
一、深化移动源治理
（一）推进车辆电动化。2023年底前，新增和更新的环卫车辆中新能源车比例不低于80%。区城管委负责。
（二）加强重型柴油车监管。交通支队、区生态环境局全年完成人工检查1万辆次，区交通局配合。
二、强化扬尘管控
（一）推进施工扬尘治理。区住房城乡建设委牵头，各街乡配合，9月底前完成全部工地在线监测设备安装。
第四部分 保障措施
一、加强组织领导。
"""


def test_plan_in_parts_with_run_in_headings() -> None:
    plan = import_text(PARTS_PLAN, "chaoyang.txt")
    got = [
        (t.code, t.title, t.units, t.lead_units, t.cooperating_units, t.towns, t.deadlines)
        for t in plan.tasks
    ]
    assert got == [
        ("第三部分.一.(一)", "推进车辆电动化", ["城管委"], ["城管委"], [], [], ["2023-12-31"]),
        (
            "第三部分.一.(二)",
            "加强重型柴油车监管",
            ["交通支队", "生态环境局", "交通局"],
            [],
            ["交通局"],
            [],
            [],
        ),
        (
            "第三部分.二.(一)",
            "推进施工扬尘治理",
            ["住房城乡建设委"],
            ["住房城乡建设委"],
            [],
            ["各街道乡镇"],
            ["2023-09-30"],
        ),
    ]
    assert [(g.indicator, g.comparator, g.value, g.flags) for g in plan.targets] == [
        ("PM2.5年均浓度", "<=", 33, ["力争"]),
        ("重污染天数", "<=", 3, []),
    ]
    assert [(q.value, q.unit, q.base_value, q.base_unit) for q in plan.tasks[1].quantities] == [
        (1, "万辆次", 10000, "辆次")
    ]


ANNEXES = """北京市东城区人民政府办公室关于印发《东城区污染防治攻坚战2020年行动计划》的通知
各街道办事处，区政府各委、办、局：
现将《东城区污染防治攻坚战2020年行动计划》印发给你们，并就有关事项通知如下：
一是要切实提高政治站位。二是要全面落实责任。
附件：1.东城区打赢蓝天保卫战2020年行动计划 2.东城区打好碧水保卫战2020年行动计划
附件1
东城区打赢蓝天保卫战2020年行动计划
一、工作目标
PM2.5年均浓度控制在40微克/立方米左右。
二、主要任务
1.加强扬尘管控。区城市管理委牵头，各街道（地区）落实，年底前完成。
2.治理餐饮油烟。区生态环境局负责，6月底前完成100家餐饮单位检查。
附件2
东城区打好碧水保卫战2020年行动计划
一、工作目标
地表水国考断面水质达标率达到100%。
二、主要任务
1.推进雨污分流。区水务局牵头，完成5公里管线改造。
"""


def test_covering_notice_with_annexed_plans() -> None:
    """A notice (关于印发《…》的通知) followed by several plans as annexes: codes carry the annex."""
    plan = import_text(ANNEXES, "dongcheng.txt")
    assert (plan.title, plan.district, plan.year) == ("东城区污染防治攻坚战2020年行动计划", "东城区", 2020)
    assert [(t.code, t.lead_units, t.towns, t.deadlines) for t in plan.tasks] == [
        ("附件1.二.1", ["城市管理委"], ["各街道乡镇"], ["2020-12-31"]),
        ("附件1.二.2", ["生态环境局"], [], ["2020-06-30"]),
        ("附件2.二.1", ["水务局"], [], []),
    ]
    assert [(g.comparator, g.value, g.unit) for g in plan.targets] == [("<=", 40, "μg/m³"), (">=", 100, "%")]


def test_targets_in_an_indicator_table() -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("房山区2024年生态环境保护工作计划")
    d.add_paragraph("一、主要目标")
    table = d.add_table(rows=1, cols=4)
    for cell, v in zip(table.rows[0].cells, ["序号", "指标名称", "2024年目标", "备注"]):
        cell.text = v
    for row in [
        ["1", "PM2.5年均浓度（微克/立方米）", "≤35", ""],
        ["2", "优良天数比率", "≥78%", ""],
        ["3", "重污染天数（天）", "3", "扣除沙尘"],
        ["4", "地表水国考断面达标率", "100%", ""],
    ]:
        for cell, v in zip(table.add_row().cells, row):
            cell.text = v
    d.add_paragraph("二、主要任务")
    d.add_paragraph("1.加强扬尘管控。区城市管理委牵头，年底前完成。")
    buf = io.BytesIO()
    d.save(buf)
    plan = import_plan(buf.getvalue(), "fangshan.docx")
    assert [(g.indicator, g.comparator, g.value, g.unit, g.flags) for g in plan.targets] == [
        ("PM2.5年均浓度", "<=", 35, "μg/m³", []),
        ("优良天数比率", ">=", 78, "%", []),
        ("重污染天数", "<=", 3, "天", ["扣除沙尘"]),
        ("地表水国考断面达标率", ">=", 100, "%", []),
    ]
    assert "≤35" in plan.source(plan.targets[0].source_span)


def test_cli_bad_units_file_refused(tmp_path) -> None:
    src = tmp_path / "plan.txt"
    src.write_text(SMALL, encoding="utf-8")
    bad = tmp_path / "units.yaml"
    bad.write_text("units:\n  - aliases: [甲]\n", encoding="utf-8")  # no name
    out = tmp_path / "out.json"
    r = CliRunner().invoke(app, ["plan", "import", str(src), "--units", str(bad), "--output", str(out)])
    assert r.exit_code == 1 and "单位词典" in r.output and not out.exists()


def test_chinese_pdf_end_to_end() -> None:
    from planio_pdfgen import chinese_pdf

    lines = [
        "通州区2024年生态环境保护工作计划",
        "一、主要任务",
        "1.加强扬尘管控。区城管委牵头，6月底前完成不少于8组抽检。",
    ]
    plan = import_plan(chinese_pdf(lines), "计划.pdf")
    (t,) = plan.tasks
    assert (plan.district, plan.year, t.code, t.lead_units, t.deadlines) == (
        "通州区",
        2024,
        "一.1",
        ["城管委"],
        ["2024-06-30"],
    )
    assert [(q.value, q.unit) for q in t.quantities] == [(8, "组")]
    assert "区城管委牵头" in plan.source(t.source_span)


def test_multipage_pdf_with_wrapped_lines_headers_and_page_numbers() -> None:
    """The same plan as a laid-out PDF (lines wrapped at a fixed width, a running header and a page number on
    every page) imports to the same structure as its plain text."""
    from planio_pdfgen import chinese_pdf_pages

    wrapped = []
    for para in DUTY_NOTES.strip().split("\n"):
        wrapped += [para[i : i + 22] for i in range(0, len(para), 22)]
    pages = [
        ["北京市海淀区人民政府文件", *wrapped[i : i + 8], f"— {i // 8 + 1} —"]
        for i in range(0, len(wrapped), 8)
    ]
    assert len(pages) >= 3
    pdf_plan = import_plan(chinese_pdf_pages(pages), "haidian.pdf")
    txt_plan = import_text(DUTY_NOTES, "haidian.txt")
    assert structure(pdf_plan) == structure(txt_plan)
    assert all("海淀区人民政府文件" not in t.text for t in pdf_plan.tasks)


def test_duties_on_a_heading_line_of_its_own() -> None:
    text = "某区2024年工作计划\n一、主要任务\n1.加强扬尘管控（区城管委牵头，6月底前）\n开展道路清扫保洁，检查工地不少于20个。\n"
    (t,) = import_text(text, "a.txt").tasks
    assert (t.lead_units, t.deadlines, t.text) == (["城管委"], ["2024-06-30"], "开展道路清扫保洁，检查工地不少于20个。")
