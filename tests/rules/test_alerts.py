"""Beijing heavy-pollution warning rules: forecast series worked by hand from the plans' text (air.md §6).

HJ 633 levels (air.md §1.4): 4 = AQI 151–200 (中度), 5 = 201–300 (重度), 6 = > 300 (严重).
2023 (air.md §6.1): yellow = 1 day L5 or 2 days L4; orange = 2 days L5 or 3 days L4; red = 3 days L5 with ≥ 1 L6.
2016–2017 (air.md §6.2): blue = > 200 1 day; yellow = > 200 ≥ 2 days; orange = > 200 3 days and > 300 ≥ 1 day;
  red = > 200 ≥ 4 days and > 300 ≥ 2 days, or AQI 500.
2013 (air.md §6.2): blue = 1 day heavy; yellow = 1 day severe or 3 days heavy; orange = 3 days alternating
  heavy/severe; red = 3 days severe.
Every expected level below is worked out in the comment above it, not taken from the code.
"""
from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from envgov.cli import app
from envgov.ingest.forecast import read_forecast
from envgov.rules import alerts

D = dt.date(2024, 1, 1)


def _days(*aqi: int) -> list[alerts.ForecastDay]:
    return alerts.forecast([(D + dt.timedelta(days=i), v) for i, v in enumerate(aqi)])


def _episodes(plan: str, *aqi: int, **params: object) -> list[tuple[str, int, int]]:
    """(level, first day number, last day number), day 1 = the first forecast day."""
    r = alerts.evaluate(alerts.plan(plan), _days(*aqi), alerts.PARAMETERS.clean(params))
    return [(e.level, (e.start - D).days + 1, (e.end - D).days + 1) for e in r.episodes]


# ---------------------------------------------------------------- a single level-5 day: 120, 250, 120

def test_single_level5_day():
    # day 2 AQI 250 = level 5. 2023: "1 day of level 5" → yellow; 2017: "> 200 for 1 day" → blue;
    # 2013: "1 day heavy (201–300)" → blue. Days 1 and 3 (level 3) carry no warning.
    assert _episodes("beijing-2023", 120, 250, 120) == [("yellow", 2, 2)]
    assert _episodes("beijing-2017", 120, 250, 120) == [("blue", 2, 2)]
    assert _episodes("beijing-2013", 120, 250, 120) == [("blue", 2, 2)]


# ---------------------------------------------------------------- two level-4 days: 120, 170, 180, 90

def test_two_level4_days():
    # 170 and 180 are level 4. 2023: "2 days of level 4" → yellow on days 2–3.
    # The older plans start only above AQI 200 → no warning.
    assert _episodes("beijing-2023", 120, 170, 180, 90) == [("yellow", 2, 3)]
    assert _episodes("beijing-2017", 120, 170, 180, 90) == []
    assert _episodes("beijing-2013", 120, 170, 180, 90) == []


def test_one_level4_day_alone_is_no_warning():
    # a single level-4 day meets no 2023 condition (2 days of level 4 are needed)
    assert _episodes("beijing-2023", 120, 190, 120) == []


# ---------------------------------------------------------------- three level-5 days, one level 6: 230, 320, 250

def test_three_level5_days_with_one_level6():
    # 2023: 3 days ≥ level 5, one of them level 6 (320) → red, days 1–3.
    # 2017: > 200 for 3 days and > 300 on 1 day → orange (red needs 4 days and 2 days > 300).
    # 2013: 3 days alternating heavy/severe → orange (red needs 3 severe days).
    assert _episodes("beijing-2023", 230, 320, 250) == [("red", 1, 3)]
    assert _episodes("beijing-2017", 230, 320, 250) == [("orange", 1, 3)]
    assert _episodes("beijing-2013", 230, 320, 250) == [("orange", 1, 3)]


def test_three_level5_days_without_level6():
    # 2023: 2 days of level 5 → orange (red needs a level-6 day); 2013: 3 days heavy → yellow; 2017: ≥ 2 days → yellow
    assert _episodes("beijing-2023", 230, 240, 250) == [("orange", 1, 3)]
    assert _episodes("beijing-2013", 230, 240, 250) == [("yellow", 1, 3)]
    assert _episodes("beijing-2017", 230, 240, 250) == [("yellow", 1, 3)]


# ---------------------------------------------------------------- an episode split by one clean day: 220, 240, 90, 230, 210

def test_episode_split_by_one_clean_day():
    # Two runs of 2 level-5 days around a level-2 day.
    # 2023: each run "2 days of level 5" → orange; without merging: two episodes.
    # 2017: each "> 200 for 2 days" → yellow. 2013: 3 heavy days are not consecutive → blue each (1 day heavy).
    series = (220, 240, 90, 230, 210)
    assert _episodes("beijing-2023", *series) == [("orange", 1, 2), ("orange", 4, 5)]
    assert _episodes("beijing-2017", *series) == [("yellow", 1, 2), ("yellow", 4, 5)]
    assert _episodes("beijing-2013", *series) == [("blue", 1, 2), ("blue", 4, 5)]
    # user-set merge_gap_days = 1 (MEE 2017: a gap too short to clear → one episode, the stricter level):
    # one episode days 1–5; the gap day inside it at the stricter neighbouring level
    assert _episodes("beijing-2023", *series, merge_gap_days=1) == [("orange", 1, 5)]
    assert _episodes("beijing-2017", *series, merge_gap_days=1) == [("yellow", 1, 5)]
    assert _episodes("beijing-2013", *series, merge_gap_days=1) == [("blue", 1, 5)]


def test_two_clean_days_are_not_merged_by_a_one_day_gap():
    assert _episodes("beijing-2023", 220, 240, 90, 80, 230, 210, merge_gap_days=1) == \
        [("orange", 1, 2), ("orange", 5, 6)]


# ---------------------------------------------------------------- upgrades, downgrades

def test_upgrade_inside_an_episode():
    # 2023: 160,160,160 = 3 days of level 4 → orange on days 1–3 (day 3 also in window 2–4: 160,160,210, 3 days ≥ L4);
    # 210,220,310 = 3 days ≥ L5 with one L6 → red on days 4–6; 120 (level 3) ends it.
    r = alerts.evaluate(alerts.plan("beijing-2023"), _days(160, 160, 160, 210, 220, 310, 120))
    (e,) = r.episodes
    assert (e.level, e.start, e.end) == ("red", D, D + dt.timedelta(days=5))
    assert [(p.level, p.days, p.change) for p in e.phases] == [("orange", 3, "start"), ("red", 3, "upgrade")]
    assert e.phases[0].reasons == ("预测 3 天中度污染（AQI > 150）",)
    assert e.reasons == ("预测 3 天重度污染（AQI > 200），且至少 1 天严重污染（AQI > 300）",)


def test_downgrade_and_highest_parameter():
    # 310,320,330 → red days 1–3; day 4 (170) is in window 3–5 = 330,170,160: 3 days ≥ L4 → orange; day 5 likewise;
    # 100 ends it. With level_changes = highest the whole episode stays red.
    series = (310, 320, 330, 170, 160, 100)
    (e,) = alerts.evaluate(alerts.plan("beijing-2023"), _days(*series)).episodes
    assert [(p.level, p.days, p.change) for p in e.phases] == [("red", 3, "start"), ("orange", 2, "downgrade")]
    (e,) = alerts.evaluate(alerts.plan("beijing-2023"), _days(*series), {"level_changes": "highest"}).episodes
    assert [(p.level, p.days) for p in e.phases] == [("red", 5)]


def test_2017_red_conditions():
    # > 200 for 4 days with 2 days > 300 → red; one day at AQI 500 → red (even alone)
    assert _episodes("beijing-2017", 210, 310, 320, 220) == [("red", 1, 4)]
    assert _episodes("beijing-2017", 150, 500, 150) == [("red", 2, 2)]
    # 2013: 3 severe days → red
    assert _episodes("beijing-2013", 310, 320, 330) == [("red", 1, 3)]


def test_parameters_are_shown_as_user_set():
    r = alerts.evaluate(alerts.plan("beijing-2023"), _days(250), {"merge_gap_days": 1})
    shown = {p["key"]: p for p in r.parameters}
    assert shown["merge_gap_days"]["user_set"] is True and shown["merge_gap_days"]["confidence"] == "unconfirmed"
    assert shown["level_changes"]["user_set"] is False


def test_back_testing_outside_the_plans_dates_warns():
    r = alerts.evaluate(alerts.plan("beijing-2023"), _days(250))  # 2024 is inside 2023's period
    assert r.warnings == ()
    r = alerts.evaluate(alerts.plan("beijing-2023"), alerts.forecast([("2020-01-01", 250)]))
    assert "回测" in r.warnings[0]


def test_missing_date_splits_the_forecast():
    days = alerts.forecast([("2024-01-01", 170), ("2024-01-03", 170)])
    r = alerts.evaluate(alerts.plan("beijing-2023"), days)
    assert r.episodes == () and "2024-01-02" in r.warnings[0]


def test_unknown_plan():
    with pytest.raises(ValueError, match="未知预案"):
        alerts.plan("beijing-2018")


# ---------------------------------------------------------------- measures per grade and level

def test_measures_add_up_by_level_and_grade():
    p = alerts.plan("beijing-2023")
    yellow = alerts.measures(p, "yellow")
    orange = alerts.measures(p, "orange")
    assert len(yellow) == 3 and orange[:3] == yellow and len(orange) == 5  # orange adds to yellow (air.md §6.1)
    texts = {g: [m.text for m in alerts.measures(p, "orange", g)] for g in ("A", "B", "C")}
    assert "自主采取减排措施" in texts["A"]
    assert any("限产" in t for t in texts["B"]) and any("以停代限" in t for t in texts["C"])
    # per-level content is not documented: a line says the district has not set it, nothing invented
    assert all(alerts.MSG_UNSET in t for t in texts.values())


def test_measure_table_is_user_set():
    p = alerts.plan("beijing-2023")
    table = alerts.MeasureTable()
    table.add("", "C", "orange", "停产 50% 生产线", 50)
    ms = alerts.measures(p, "orange", "C", "家具制造", table)
    assert ms[-1].confidence == "user_set" and ms[-1].cut_percent == 50
    assert alerts.measures(p, "orange", "B", "", table)[-1].text == alerts.MSG_UNSET


def test_older_plans_have_no_grade_measures():
    ms = alerts.measures(alerts.plan("beijing-2013"), "red", "A")
    assert len(ms) == 1 and "不按绩效分级" in ms[0].text


def test_parse_grade():
    assert alerts.parse_grade("a级") == "A" and alerts.parse_grade("A+") == "A+" and alerts.parse_grade("引领性") == "leading"
    with pytest.raises(ValueError):
        alerts.parse_grade("E")


# ---------------------------------------------------------------- forecast file and CLI

def test_forecast_reader_and_cli(tmp_path):
    f = tmp_path / "预报.csv"
    f.write_text("日期,AQI,级别\n2024-01-01,120,\n2024-01-02,230,重度污染\n2024-01-03,320,6\n2024-01-04,250,\n2024-01-05,80,良\n",
                 encoding="utf-8")
    data = read_forecast(f)
    assert data.ok and [d.level for d in data.days] == [3, 5, 6, 5, 2]
    out = CliRunner().invoke(app, ["alerts", "level", "--forecast", str(f), "--plan", "beijing-2023", "--format", "csv"])
    assert out.exit_code == 0, out.output
    # days 2–4: 230, 320, 250 → red (3 days ≥ L5 with one L6)
    assert out.stdout.splitlines()[1] == "1,red,红色预警,2024-01-02,2024-01-04,3,start"
    out = CliRunner().invoke(app, ["alerts", "level", "--forecast", str(f), "--plan", "beijing-2013"])
    assert out.exit_code == 0 and '"level": "orange"' in out.stdout


def test_forecast_reader_refuses_with_located_errors(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("日期,AQI,级别\n2024-01-01,abc,\n2024-01-02,230,中度污染\n2024-01-02,120,\n2024-13-01,100,\n2024-01-05,,\n",
                 encoding="utf-8")
    data = read_forecast(f)
    assert not data.ok and data.days == []
    msgs = data.rows.messages()
    assert msgs[0] == "bad.csv，第 2 行，列「AQI」：「abc」不是 AQI（应为 0～500 的整数）"
    assert "第 3 行，列「级别」：级别「中度污染」与 AQI 230 不符" in msgs[1]
    assert msgs[2] == "bad.csv，第 4 行，列「日期」：日期 2024-01-02 已在第 3 行"
    assert any("第 5 行，列「日期」" in m for m in msgs)
    assert any("第 6 行，列「AQI」：AQI 和级别都为空" in m for m in msgs)
    out = CliRunner().invoke(app, ["alerts", "level", "--forecast", str(f)])
    assert out.exit_code == 1 and "导入失败" in out.output


def test_forecast_xlsx(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["date", "aqi"])
    ws.append([dt.date(2024, 1, 1), 170])
    ws.append([dt.date(2024, 1, 2), 180])
    f = tmp_path / "f.xlsx"
    wb.save(f)
    out = CliRunner().invoke(app, ["alerts", "level", "--forecast", str(f), "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines()[1] == "1,yellow,黄色预警,2024-01-01,2024-01-02,2,start"


def test_measures_cli():
    out = CliRunner().invoke(app, ["alerts", "measures", "--level", "red", "--grade", "D"])
    assert out.exit_code == 0 and "停产" in out.stdout and '"list_target_percent": 30' in out.stdout
    out = CliRunner().invoke(app, ["alerts", "measures", "--level", "blue"])
    assert out.exit_code == 2


def test_forecast_dates_outside_the_window_are_refused(tmp_path):
    f = tmp_path / "w.csv"
    f.write_text("日期,AQI\n0001-01-01,250\n2024-01-01T10:00,250\n", encoding="utf-8")
    msgs = read_forecast(f).rows.messages()
    assert msgs[0] == "w.csv，第 2 行，列「日期」：日期「0001-01-01」不在 1990–2100 年之内"
    assert "带有时刻" in msgs[1]


def test_measure_table_file(tmp_path):
    f = tmp_path / "清单规则.csv"
    f.write_text("行业,绩效分级,预警级别,措施,减排比例（%）\n,C,橙色,停产 50% 生产线,50\n家具制造,C,orange,喷涂工序停产,\n",
                 encoding="utf-8")
    out = CliRunner().invoke(app, ["alerts", "measures", "--level", "orange", "--grade", "C", "--table", str(f),
                                   "--industry", "家具制造"])
    assert out.exit_code == 0, out.output
    assert "喷涂工序停产" in out.stdout and "停产 50% 生产线" not in out.stdout and '"confidence": "user_set"' in out.stdout
    out = CliRunner().invoke(app, ["alerts", "measures", "--level", "orange", "--grade", "C", "--table", str(f)])
    assert "停产 50% 生产线" in out.stdout and '"cut_percent": 50.0' in out.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("绩效分级,预警级别,措施,减排比例\nE,橙色,x,\nB,紫色,x,120\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["alerts", "measures", "--level", "orange", "--table", str(bad)])
    assert out.exit_code == 1
    assert "bad.csv，第 2 行，列「绩效分级」：「E」不是绩效分级" in out.output
    assert "第 3 行，列「预警级别」" in out.output and "第 3 行，列「减排比例」：减排比例应在 0～100 之间" in out.output
