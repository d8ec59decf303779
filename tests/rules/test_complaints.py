"""接诉即办 三率 on hand-computed cases (sources.md §4 working definitions):

  响应率 = orders signed/contacted within the limit ÷ orders dispatched;
  解决率 = orders rated "已解决" ÷ orders rated;   满意率 = orders rated "满意" ÷ orders rated.

Orders of March 2024 (limit 2 h each):
  O1 甲 张家湾镇  09:00 → signed 10:00 (in time)  已解决  满意
  O2 甲 张家湾镇  09:00 → signed 12:00 (late)     未解决  不满意
  O3 甲 张家湾镇  09:00 → never signed            no answer (neither resolution nor satisfaction)
  O4 乙 宋庄镇    09:00 → 09:30 (in time)         已解决  no satisfaction answer
  O5 乙 宋庄镇    reopens O4, 03-10 09:00 → 09:20 已解决  满意
  O6 甲           dispatched 2024-02-28 (February: not in March)
Every expected fraction below is worked out in the comment above it, not taken from the code.
"""
from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from envgov.cli import app
from envgov.ingest.work_orders import read_category_rules, read_work_orders
from envgov.rules import complaints as c
from envgov.rules.complaints import WorkOrder


def t(day: str, hm: str = "09:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day} {hm}")


ORDERS = [
    WorkOrder("O1", t("2024-03-01"), "甲", "张家湾镇", "12345", "张家湾镇 某小区3号楼", "楼下饭店油烟扰民",
              responded=t("2024-03-01", "10:00"), limit_hours=2, resolved=True, satisfaction=c.SATISFIED),
    WorkOrder("O2", t("2024-03-02"), "甲", "张家湾镇", "12345", "张家湾镇某小区３号楼", "夜间施工噪音",
              responded=t("2024-03-02", "12:00"), limit_hours=2, resolved=False, satisfaction=c.UNSATISFIED),
    WorkOrder("O3", t("2024-03-03"), "甲", "张家湾镇", "12369", "张家湾镇工地", "工地扬尘", limit_hours=2),
    WorkOrder("O4", t("2024-03-04"), "乙", "宋庄镇", "12345", "宋庄镇小堡村", "河道有黑臭",
              responded=t("2024-03-04", "09:30"), limit_hours=2, resolved=True),
    WorkOrder("O5", t("2024-03-10"), "乙", "宋庄镇", "12345", "宋庄镇小堡村", "河道有黑臭，仍未处理",
              responded=t("2024-03-10", "09:20"), limit_hours=2, resolved=True, satisfaction=c.SATISFIED,
              reopen_of="O4"),
    WorkOrder("O6", t("2024-02-28"), "甲", "张家湾镇", "12345", "张家湾镇 某小区3号楼", "油烟", limit_hours=2),
]


def frac(r: c.Rate) -> tuple[int, int]:
    return (r.numerator, r.denominator)


def test_reopened_counted_separately():
    # March orders O1–O5 = 5; in time O1, O4, O5 → 3/5.
    # resolution answered: O1 ✓, O2 ✗, O4 ✓, O5 ✓ → 3/4 (O3 has no answer, not in the denominator).
    # satisfaction answered: O1 满意, O2 不满意, O5 满意 → 2/3 (O3, O4 no answer).
    r = c.month_rates(ORDERS, "2024-03", {"reopened": "separate"})
    assert r.total.orders == 5
    assert frac(r.total.response) == (3, 5) and frac(r.total.resolution) == (3, 4)
    assert frac(r.total.satisfaction) == (2, 3)


def test_reopened_merged_with_its_original():
    # O4+O5 one order (March, unit 乙): orders O1, O2, O3, O4/5 = 4; in time O1 and O4/5 (both dispatches in time) → 2/4;
    # resolution from the last answer (O5 ✓): O1 ✓, O2 ✗, O4/5 ✓ → 2/3; satisfaction O1 满意, O2 不满意, O4/5 满意 (O5) → 2/3.
    r = c.month_rates(ORDERS, "2024-03", {"reopened": "merge"})
    assert r.total.orders == 4
    assert frac(r.total.response) == (2, 4) and frac(r.total.resolution) == (2, 3)
    assert frac(r.total.satisfaction) == (2, 3)
    # per unit: 甲 O1–O3: response 1/3, resolution 1/2, satisfaction 1/2; 乙: 1/1 each
    a, b = r.by_unit["甲"], r.by_unit["乙"]
    assert (frac(a.response), frac(a.resolution), frac(a.satisfaction)) == ((1, 3), (1, 2), (1, 2))
    assert (frac(b.response), frac(b.resolution), frac(b.satisfaction)) == ((1, 1), (1, 1), (1, 1))
    assert set(r.by_town) == {"张家湾镇", "宋庄镇"} and r.by_town["张家湾镇"].orders == 3


def test_unanswered_orders_counted_as_no():
    # unrated = count_as_no, merged: denominators are the 4 orders; resolution 2/4, satisfaction 2/4
    r = c.month_rates(ORDERS, "2024-03", {"reopened": "merge", "unrated": "count_as_no"})
    assert frac(r.total.resolution) == (2, 4) and frac(r.total.satisfaction) == (2, 4)
    assert r.total.resolution.value == 0.5


def test_late_reopen_breaks_the_merged_response():
    # O5 signed 3 h after dispatch (limit 2 h): merged O4/5 is then not in time → 1/4
    late = [o if o.id != "O5" else WorkOrder(**{**o.__dict__, "responded": t("2024-03-10", "12:00")}) for o in ORDERS]
    r = c.month_rates(late, "2024-03", {"reopened": "merge"})
    assert frac(r.total.response) == (1, 4)


def test_february_has_its_own_order():
    r = c.month_rates(ORDERS, "2024-02", {"reopened": "merge"})
    assert r.total.orders == 1 and frac(r.total.response) == (0, 1) and r.total.resolution.value is None


def test_reopened_needs_a_user_setting():
    with pytest.raises(c.MissingParameter) as exc:
        c.month_rates(ORDERS, "2024-03")
    assert list(exc.value.needs) == ["reopened"] and "O5" in str(exc.value)


def test_response_limit_and_basic_satisfied_are_asked_for():
    orders = [WorkOrder("A", t("2024-03-01"), "甲", responded=t("2024-03-01", "09:30"), satisfaction=c.BASIC)]
    with pytest.raises(c.MissingParameter) as exc:
        c.month_rates(orders, "2024-03")
    assert set(exc.value.needs) == {"response_limit_hours", "basic_satisfied"}
    r = c.month_rates(orders, "2024-03", {"response_limit_hours": 1, "basic_satisfied": "unsatisfied"})
    assert frac(r.total.response) == (1, 1) and frac(r.total.satisfaction) == (0, 1)
    r = c.month_rates(orders, "2024-03", {"response_limit_hours": 1, "basic_satisfied": "satisfied"})
    assert frac(r.total.satisfaction) == (1, 1)


def test_categories_and_repeats():
    r = c.month_rates(ORDERS, "2024-03", {"reopened": "merge", "repeat_threshold": 2})
    # O1 "饭店油烟扰民": 油烟 comes before 噪声 in the rule order; O2 噪音 → 噪声; O3 扬尘; O4/5 黑臭 → 污水
    assert {k: v[0] for k, v in r.categories.items()} == {"O1": "油烟", "O2": "噪声", "O3": "扬尘", "O4": "污水"}
    assert r.categories["O1"] == ("油烟", "油烟")
    # O1 and O2 at the same address written differently (space, full-width digit); O6 is February
    assert [(x.orders, x.categories) for x in r.repeats] == [(("O1", "O2"), ("油烟", "噪声"))]
    r = c.month_rates(ORDERS, "2024-03", {"reopened": "merge"})
    assert r.repeats == () and c.MSG_REPEAT_OFF in r.warnings


def test_entered_category_wins_and_user_rules():
    orders = [WorkOrder("A", t("2024-03-01"), "甲", content="烧烤油烟", category="露天焚烧", limit_hours=2),
              WorkOrder("B", t("2024-03-01"), "甲", content="烧烤油烟", limit_hours=2)]
    rules = c.CategoryRules("mine", "1", (c.CategoryRule("露天焚烧", ("烧烤",)),))
    r = c.month_rates(orders, "2024-03", {}, rules)
    assert r.categories == {"A": ("露天焚烧", "entered"), "B": ("露天焚烧", "烧烤")}


def test_month_format():
    with pytest.raises(ValueError, match="YYYY-MM"):
        c.parse_month("2024/3")


# ---------------------------------------------------------------- the template reader and the CLI

HEADER = "工单编号,来源渠道,派单时间,承办单位,街乡镇,诉求地址,诉求内容,签收时间,响应时限（小时）,是否解决,满意度,原工单编号\n"
GOOD = HEADER + (
    "O1,12345,2024-03-01 09:00,甲,张家湾镇,某小区3号楼,饭店油烟,2024-03-01 10:00,2,已解决,满意,\n"
    "O2,12345,2024-03-02 09:00,甲,张家湾镇,某小区3号楼,施工噪音,2024-03-02 12:00,2,未解决,不满意,\n"
    "O3,12369,2024-03-03 09:00,甲,张家湾镇,工地,扬尘,,2,,,\n"
    "O4,12345,2024-03-04 09:00,乙,宋庄镇,小堡村,黑臭,2024-03-04 09:30,2,已解决,,\n"
    "O5,12345,2024-03-10 09:00,乙,宋庄镇,小堡村,黑臭,2024-03-10 09:20,2,已解决,满意,O4\n"
)


def test_reader_and_cli(tmp_path):
    f = tmp_path / "工单.csv"
    f.write_text(GOOD, encoding="utf-8")
    data = read_work_orders(f)
    assert data.ok and [o.id for o in data.orders] == ["O1", "O2", "O3", "O4", "O5"]
    assert data.orders[4].reopen_of == "O4" and data.orders[2].resolved is None
    out = CliRunner().invoke(app, ["complaints", "rates", "--month", "2024-03", "--input", str(f),
                                   "--param", "reopened=merge", "--format", "csv"])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    # merged: response 2/4, resolution 2/3, satisfaction 2/3 (test_reopened_merged_with_its_original)
    assert lines[1] == "2024-03,total,,4,2,4,0.5000,2,3,0.6667,2,3,0.6667"
    assert lines[2].startswith("2024-03,unit,乙,1,1,1,1.0000")
    out = CliRunner().invoke(app, ["complaints", "rates", "--month", "2024-03", "--input", str(f)])
    assert out.exit_code == 2 and "reopened" in out.output


def test_reader_xlsx(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["工单编号", "派单时间", "承办单位", "签收时间", "响应时限（小时）", "是否解决", "满意度"])
    ws.append(["X1", dt.datetime(2024, 3, 5, 8, 0), "丙", dt.datetime(2024, 3, 5, 9, 0), 2, "已解决", "满意"])
    f = tmp_path / "w.xlsx"
    wb.save(f)
    out = CliRunner().invoke(app, ["complaints", "rates", "--month", "2024-03", "--input", str(f)])
    assert out.exit_code == 0, out.output
    assert '"numerator": 1' in out.stdout and "（未填写街乡镇）" in out.stdout


def test_reader_refuses_whole_file_with_located_errors(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(HEADER + (
        "O1,12345,2024-03-01 09:00,甲,张家湾镇,某处,油烟,2024-03-01 08:00,2,已解决,满意,\n"
        "O1,12345,2024-03-01 09:00,甲,张家湾镇,某处,油烟,,2,,,\n"
        "O3,110,2024-03-01 09:00,甲,张家湾镇,某处,油烟,,0,办结,还行,\n"
        "O4,12345,2024-03-01 09:00,,张家湾镇,某处,油烟,,2,,,O4\n"
    ), encoding="utf-8")
    data = read_work_orders(f)
    assert not data.ok and data.orders == []
    msgs = data.rows.messages()
    assert "bad.csv，第 2 行，列「签收时间」：签收时间 2024-03-01 08:00 早于派单时间 2024-03-01 09:00" in msgs
    assert "bad.csv，第 3 行，列「工单编号」：工单编号「O1」已在第 2 行" in msgs
    assert "bad.csv，第 4 行，列「来源渠道」：「110」不是受理渠道（应为 12345 或 12369）" in msgs
    assert any(m.startswith("bad.csv，第 4 行，列「响应时限（小时）」") for m in msgs)
    assert any("第 4 行，列「是否解决」：「办结」" in m for m in msgs)
    assert any("第 4 行，列「满意度」：「还行」" in m for m in msgs)
    assert "bad.csv，第 5 行，列「承办单位」：为空" in msgs
    out = CliRunner().invoke(app, ["complaints", "rates", "--month", "2024-03", "--input", str(f)])
    assert out.exit_code == 1 and "导入失败（未使用任何数据）" in out.output


def test_missing_required_column(tmp_path):
    f = tmp_path / "nohead.csv"
    f.write_text("工单编号,承办单位\nA,甲\n", encoding="utf-8")
    data = read_work_orders(f)
    assert not data.ok and any("缺少列「派单时间」" in m for m in data.rows.messages())


def test_category_rules_file(tmp_path):
    f = tmp_path / "rules.csv"
    f.write_text("类别,关键词\n露天焚烧,烧烤、焚烧\n油烟,油烟 餐饮\n", encoding="utf-8")
    rules, rows = read_category_rules(f)
    assert rules is not None and rules.categorise("有人焚烧垃圾") == ("露天焚烧", "焚烧")
    assert rules.categories == ("露天焚烧", "油烟", "其他")
    bad = tmp_path / "bad.csv"
    bad.write_text("类别,关键词\n油烟,油烟\n油烟,餐饮\n噪声,\n", encoding="utf-8")
    rules, rows = read_category_rules(bad)
    assert rules is None and len(rows.errors) == 2


def test_times_outside_the_window_are_refused(tmp_path):
    f = tmp_path / "w.csv"
    f.write_text("工单编号,派单时间,承办单位\nA,9999-01-01 09:00,甲\n", encoding="utf-8")
    assert read_work_orders(f).rows.messages() == ["w.csv，第 2 行，列「派单时间」：时间「9999-01-01 09:00」不在 1990–2100 年之内"]
    with pytest.raises(ValueError):
        c.parse_month("0000-01")
