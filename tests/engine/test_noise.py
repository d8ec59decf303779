"""Functional-area noise: point-time Leq (energetic mean), attainment against GB 3096-2008, day/night rates.

Expected values are hand-computed (shown beside each case) or typed from the standard's table."""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from typer.testing import CliRunner

from envgov.cli import app
from envgov.engine import noise
from envgov.engine.noise import Measurement, Point
from envgov.ingest.noise_points import read_measurements
from envgov.standards.noise.parameters import PARAMETERS

HEADER = "点位编码,点位名称,功能区类别,经度,纬度,监测时间,时段,等效声级,最大声级\n"


def write(tmp_path, body: str, name: str = "points.csv"):
    p = tmp_path / name
    p.write_text(HEADER + body, encoding="utf-8")
    return p


def m(point, when, period, leq, lmax=None, rnd="", row=0):
    return Measurement(point, datetime.fromisoformat(when), True, period, leq, lmax, rnd, row)


def test_energy_mean_hand_worked():
    # 10·lg((10^5.4 + 10^5.6)/2) = 10·lg(324 647.9) = 55.114…
    assert noise.energy_mean([54.0, 56.0]) == pytest.approx(55.11412607, abs=1e-8)
    # three 60s and one 50: 10·lg((3·10^6 + 10^5)/4) = 10·lg(775 000) = 58.893…, not the arithmetic 57.5
    assert noise.energy_mean([60, 60, 60, 50]) == pytest.approx(58.89301703, abs=1e-8)
    assert noise.energy_mean([55.0, 55.0, 55.0]) == pytest.approx(55.0, abs=1e-12)


@pytest.mark.parametrize(("cls", "day", "night"), [("0", 50, 40), ("1", 55, 45), ("2", 60, 50), ("3", 65, 55),
                                                  ("4a", 70, 55), ("4b", 70, 60)])
def test_a_point_exactly_at_the_limit_attains_and_0_1_above_does_not(cls, day, night):
    pts = {"A": Point("A", "", cls), "B": Point("B", "", cls)}
    ms = [m("A", "2024-05-03 10:00", "day", day), m("A", "2024-05-03 23:00", "night", night),
          m("B", "2024-05-03 10:00", "day", day + 0.1), m("B", "2024-05-03 23:00", "night", night + 0.1)]
    r = noise.evaluate(pts, ms)
    got = {(t.point, t.period): (t.limit, t.attained) for t in r.point_times}
    assert got == {("A", "day"): (day, True), ("A", "night"): (night, True),
                   ("B", "day"): (day, False), ("B", "night"): (night, False)}
    assert r.rate("day", cls).rate == 50.0 and r.rate("night", cls).rate == 50.0


def test_two_values_averaged_energetically_then_rounded_before_the_comparison():
    # class 1 day limit 55: 54 and 56 average 55.114 → 55.1 → 超标 (the arithmetic mean 55.0 would attain)
    r = noise.evaluate({"P": Point("P", "", "1")}, [m("P", "2024-05-03 10:00", "day", 54.0),
                                                   m("P", "2024-05-03 11:00", "day", 56.0)])
    (t,) = r.point_times
    assert (t.values, t.leq, t.attained, t.exceedance) == (2, 55.1, False, 0.1)
    assert t.explanation() == "昼间 2 个测量值的能量平均 55.1 dB(A)，1类区限值 55 dB(A)，超标"


def test_rounding_rule_is_a_parameter():
    ms = [m("P", "2024-05-03 10:00", "day", 55.05)]
    pts = {"P": Point("P", "", "1")}
    assert noise.evaluate(pts, ms).point_times[0].leq == 55.0  # half-even: 55.05 → 55.0, attains
    with PARAMETERS.using({"rounding": "half_up"}):
        t = noise.evaluate(pts, ms).point_times[0]
    assert (t.leq, t.attained) == (55.1, False)


def test_rates_overall_and_per_class_hand_worked():
    pts = {"a": Point("a", "", "1"), "b": Point("b", "", "1"), "c": Point("c", "", "2"), "d": Point("d", "", "4a")}
    ms = [m("a", "2024-05-03 10:00", "day", 54), m("a", "2024-05-03 23:00", "night", 46),   # day ok, night 46 > 45
          m("b", "2024-05-03 10:00", "day", 56), m("b", "2024-05-03 23:00", "night", 44),   # day 56 > 55, night ok
          m("c", "2024-05-03 10:00", "day", 59.9), m("c", "2024-05-03 23:00", "night", 50),  # both ok (50 = limit)
          m("d", "2024-05-03 10:00", "day", 69), m("d", "2024-05-04 01:00", "night", 56)]    # day ok, night 56 > 55
    r = noise.evaluate(pts, ms)
    assert (r.rate("day").monitored, r.rate("day").attained, r.rate("day").rate) == (4, 3, 75.0)
    assert (r.rate("night").monitored, r.rate("night").attained, r.rate("night").rate) == (4, 2, 50.0)
    assert (r.rate("day", "1").attained, r.rate("day", "1").monitored) == (1, 2)
    assert r.rate("night", "2").rate == 100.0 and r.rate("night", "4a").rate == 0.0
    assert r.rate("day", "0").monitored == 0 and r.rate("day", "0").rate is None


def test_attainment_unit_round_day_hour():
    pts = {"P": Point("P", "", "1")}
    # night of 3 May: 23:00 (47) and 01:00 on 4 May (40) belong to the same night; night of 4 May: 23:00 (44)
    ms = [m("P", "2024-05-03 23:00", "night", 47), m("P", "2024-05-04 01:00", "night", 40),
          m("P", "2024-05-04 23:00", "night", 44)]
    whole = noise.evaluate(pts, ms).point_times  # default: point_round, no round column → one round
    assert [(t.unit, t.values) for t in whole] == [("全部数据（一轮）", 3)]
    with PARAMETERS.using({"attainment_unit": "point_day"}):
        days = noise.evaluate(pts, ms).point_times
    # 10·lg((10^4.7 + 10^4.0)/2) = 10·lg(30 059.4) = 44.78… → 44.8 ≤ 45 attained; 44 attained
    assert [(t.unit, t.values, t.leq, t.attained) for t in days] == [("2024-05-03", 2, 44.8, True),
                                                                     ("2024-05-04", 1, 44.0, True)]
    with PARAMETERS.using({"attainment_unit": "point_hour"}):
        hours = noise.evaluate(pts, ms)
    assert [t.attained for t in hours.point_times] == [False, True, True]
    assert hours.rate("night").rate == 66.7  # 2/3 = 66.666… → 66.7


def test_rounds_from_the_round_column():
    pts = {"P": Point("P", "", "2")}
    ms = [m("P", "2024-02-01 10:00", "day", 61, rnd="2024Q1"), m("P", "2024-05-01 10:00", "day", 58, rnd="2024Q2")]
    r = noise.evaluate(pts, ms)
    assert [(t.unit, t.attained) for t in r.point_times] == [("2024Q1", False), ("2024Q2", True)]
    (s,) = r.summaries
    assert (s.point_times, s.attained, s.rate) == (2, 1, 50.0)
    assert s.leq == 59.8  # 10·lg((10^6.1 + 10^5.8)/2) = 59.76… → 59.8


def test_night_lmax_rule():
    pts = {"P": Point("P", "", "1")}
    ok = noise.evaluate(pts, [m("P", "2024-05-03 23:00", "night", 44, lmax=60)]).point_times[0]
    bad = noise.evaluate(pts, [m("P", "2024-05-03 23:00", "night", 44, lmax=60.1)]).point_times[0]
    assert (ok.lmax_limit, ok.lmax_ok, ok.attained) == (60, True, True)  # 45 + 15
    assert (bad.lmax_ok, bad.attained) == (False, True)  # Lmax is reported, not part of the rate


def test_night_window_parameter():
    assert noise.period_of(datetime(2024, 5, 3, 22, 0)) == "night"
    assert noise.period_of(datetime(2024, 5, 3, 5, 59)) == "night"
    assert noise.period_of(datetime(2024, 5, 3, 6, 0)) == "day"
    assert noise.period_of(datetime(2024, 5, 3, 21, 59)) == "day"
    with PARAMETERS.using({"night_start": "23:00", "night_end": "07:00"}):
        assert noise.period_of(datetime(2024, 5, 3, 22, 30)) == "day"
        assert noise.period_of(datetime(2024, 5, 3, 6, 30)) == "night"


# ----------------------------------------------------------------------------------------- reader


def test_reader_reads_chinese_headers_and_classes(tmp_path):
    p = write(tmp_path, "P1,通州一中,1类,116.65,39.90,2024-05-03 10:00,昼间,54.0,\n"
                        "P2,九棵树,4A,116.66,39.91,2024-05-04 02:00,夜间,55.1,71\n")
    data = read_measurements(p)
    assert data.ok, data.rows.messages()
    assert {c: (pt.cls, pt.lon) for c, pt in data.points.items()} == {"P1": ("1", 116.65), "P2": ("4a", 116.66)}
    assert [(x.period, x.leq, x.lmax) for x in data.measurements] == [("day", 54.0, None), ("night", 55.1, 71.0)]


def test_reader_xlsx(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["point", "class", "time", "period", "leq"])
    ws.append(["P1", 2, datetime(2024, 5, 3, 10, 0), "day", 61.2])
    p = tmp_path / "points.xlsx"
    wb.save(p)
    data = read_measurements(p)
    assert data.ok, data.rows.messages()
    assert data.points["P1"].cls == "2" and data.measurements[0].leq == 61.2


def test_bad_rows_are_located_and_nothing_is_returned(tmp_path):
    p = write(tmp_path, "P1,甲,4,,,2024-05-03 10:00,昼间,54,\n"
                        "P1,甲,1,,,2024-05-03 23:00,昼间,54,\n"
                        "P2,乙,2,116.6,,2024-05-03 10:00,昼间,-3,\n"
                        "P3,丙,2,,,2024-05-03 10:00,中午,50,\n"
                        "P3,丙,3,,,2024-05-03 11:00,昼间,50,\n"
                        "P4,丁,2,,,2024-05-03 23:00,夜间,50,40\n"
                        "P5,戊,2,,,2024-05-03 23:00,夜间,50,\n"
                        "P5,戊,2,,,2024-05-03 23:00,夜间,51,\n"
                        "P6,己,2,,,3 May,夜间,51,\n")
    data = read_measurements(p)
    assert not data.ok and data.points == {} and data.measurements == []
    got = {(e.row, e.column) for e in data.rows.errors}
    assert got == {(2, "功能区类别"), (3, "时段"), (4, "等效声级"), (5, "时段"), (6, "功能区类别"), (7, "最大声级"),
                   (9, "监测时间"), (10, "监测时间")}
    text = "\n".join(data.rows.messages())
    assert "points.csv，第 2 行，列「功能区类别」：4 类须写明 4a" in text
    assert "时间 23:00 属于夜间（夜间 22:00–06:00），时段却写作昼间" in text
    assert "负值 -3：声级不能为负" in text
    assert "点位「P3」的功能区类别与第 5 行不同" in text
    assert "最大声级 40 低于同一时段的等效声级 50" in text
    assert "已在第 8 行" in text
    # every error keeps its msgid template for the web layer's translation
    assert all(e.template for e in data.rows.errors)


def test_missing_column_and_missing_file(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("点位编码,监测时间,时段,等效声级\nP1,2024-05-03 10:00,昼间,50\n", encoding="utf-8")
    data = read_measurements(p)
    assert [(e.column, e.reason.split("（")[0]) for e in data.rows.errors] == [("表头", "缺少列「功能区类别」")]
    assert read_measurements(tmp_path / "none.csv").rows.messages() == ["none.csv：文件不存在"]


# ----------------------------------------------------------------------------------------- CLI


def run(*args):
    return CliRunner().invoke(app, ["noise", "evaluate", *args])


def test_cli_csv_and_json(tmp_path):
    p = write(tmp_path, "P1,通州一中,1,116.65,39.90,2024-05-03 10:00,昼间,54.0,\n"
                        "P1,通州一中,1,116.65,39.90,2024-05-03 11:00,昼间,56.0,\n"
                        "P1,通州一中,1,116.65,39.90,2024-05-03 23:00,夜间,45.0,61\n")
    res = run(str(p))
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "point,name,class,unit,period,values,leq,limit,result,exceedance,lmax,lmax_limit,lmax_result"
    assert lines[1:] == ["P1,通州一中,1,全部数据（一轮）,昼间,2,55.1,55,超标,0.1,,,",
                         "P1,通州一中,1,全部数据（一轮）,夜间,1,45.0,45,达标,0.0,61.0,60,超标"]
    res = run(str(p), "--format", "json", "--param", "night_start=23:00")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["rates"]["day"]["overall"] == {"monitored": 1, "attained": 0, "rate": 0.0}
    assert doc["rates"]["night"]["by_class"]["1"] == {"monitored": 1, "attained": 1, "rate": 100.0}
    assert doc["points"][0]["lon"] == 116.65 and doc["points"][0]["day"]["leq"] == 55.1
    assert next(x for x in doc["provenance"]["parameters"] if x["key"] == "night_start")["user_set"] is True
    assert doc["provenance"]["periods"]["night"] == "23:00–次日06:00"


def test_cli_bad_input_and_bad_param(tmp_path):
    p = write(tmp_path, "P1,甲,5,,,2024-05-03 10:00,昼间,54,\n")
    res = run(str(p))
    assert res.exit_code == 1
    assert "第 2 行，列「功能区类别」：「5」不是声环境功能区类别" in res.output
    res = run(str(p), "--param", "rounding=up")
    assert res.exit_code == 2 and "可选" in res.output


def test_unknown_column_is_a_warning_and_a_broken_workbook_an_error(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text("point,class,time,period,leq,备注\nP1,2,2024-05-03 10:00,day,58,新点\n", encoding="utf-8")
    res = run(str(p))
    assert res.exit_code == 0 and "注：w.csv，第 1 行，列「备注」：未知列，已忽略" in res.output
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 not a workbook")
    data = read_measurements(bad)
    assert not data.ok and data.rows.messages()[0].startswith("broken.xlsx：无法读取文件（应为 CSV、CSV.GZ 或 XLSX）")


def test_same_point_time_and_period_in_two_rounds_is_a_duplicate(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("point,class,time,period,leq,round\nP1,2,2024-05-03 10:00,day,58,Q1\n"
                 "P1,2,2024-05-03 10:00,day,59,Q2\n", encoding="utf-8")
    data = read_measurements(p)
    assert [(e.row, e.column) for e in data.rows.errors] == [(3, "time")]


def test_durations_weight_the_energetic_mean(tmp_path):
    # 20 min at 60 and 40 min at 50: 10·lg((20·10^6 + 40·10^5)/60) = 10·lg(400 000) = 56.02… → 56.0
    assert noise.energy_mean([60, 50], [20, 40]) == pytest.approx(56.0205999, abs=1e-6)
    p = tmp_path / "d.csv"
    p.write_text("point,class,time,period,leq,duration\nP1,2,2024-05-03 10:00,day,60,20\n"
                 "P1,2,2024-05-03 10:20,day,50,40\n", encoding="utf-8")
    data = read_measurements(p)
    assert data.ok, data.rows.messages()
    (t,) = noise.evaluate(data.points, data.measurements).point_times
    assert (t.leq, t.attained) == (56.0, True)  # equal weights would give 57.4
    p.write_text("point,class,time,period,leq,duration\nP1,2,2024-05-03 10:00,day,60,\n"
                 "P1,2,2024-05-03 10:20,day,50,0\n", encoding="utf-8")
    assert [(e.row, e.reason) for e in read_measurements(p).rows.errors] == [
        (2, "为空"), (3, "监测时长应大于 0 分钟，收到 0")]
