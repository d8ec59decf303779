"""Compensation input (section table, monthly values: CSV/XLSX, located errors, all-or-nothing) and the
CLI `envgov water compensation`."""
from __future__ import annotations

import json

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from envgov.cli import app
from envgov.ingest import compensation as reader

SECTIONS = """code,name,river,kind,target,payer,receiver,inflow
IN,甲入境,凉水河,river,Ⅲ,上游区,甲区,
OUT,甲出境,凉水河,河流,3,甲区,乙区,IN
"""
VALUES = """site,time,parameter,value,unit
IN,2024-03,nh3n,0.9,mg/L
IN,2024-03,cod,17,mg/L
IN,2024-03,tp,0.1,mg/L
OUT,2024-03-05,nh3n,1.4,mg/L
OUT,2024-03-20 10:00,nh3n,1.7,mg/L
OUT,2024-03,cod,18,mg/L
OUT,2024-03,tp,0.15,mg/l
OUT,2024-04,nh3n,0.5,mg/L
"""


def _write(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _sections(tmp_path, text: str = SECTIONS):
    return reader.read_sections(_write(tmp_path, "sections.csv", text))


def test_reads_sections_and_monthly_means(tmp_path):
    secs, rep = _sections(tmp_path)
    assert rep.ok and set(secs) == {"IN", "OUT"}
    assert (secs["OUT"].target, secs["OUT"].inflow, secs["OUT"].kind, secs["OUT"].row) == (3, "IN", "river", 3)
    values, rep = reader.read_values(_write(tmp_path, "v.csv", VALUES), secs)
    assert rep.ok, rep.summary()
    # March NH3-N at OUT: mean of 1.4 and 1.7 = 1.55 (two samples); April kept apart
    assert values["2024-03"]["OUT"]["nh3n"].mean == pytest.approx(1.55)
    assert values["2024-03"]["OUT"]["nh3n"].samples == 2
    assert values["2024-03"]["OUT"]["tp"].mean == 0.15  # "mg/l" is the registry's alias of mg/L
    assert values["2024-04"]["OUT"]["nh3n"].mean == 0.5


def test_reads_xlsx_with_chinese_headers(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["断面编码", "断面名称", "目标类别", "补偿方", "受偿方", "水体类型"])
    ws.append(["R1", "水库出口", "Ⅱ", "甲镇", "乙镇", "水库"])
    wb.save(tmp_path / "s.xlsx")
    secs, rep = reader.read_sections(tmp_path / "s.xlsx")
    assert rep.ok and secs["R1"].kind == "lake" and secs["R1"].target == 2 and secs["R1"].inflow is None


@pytest.mark.parametrize("row,column,reason", [
    ("X,名,河,river,,甲区,乙区,", "target", "没有目标类别"),
    ("X,名,河,river,劣Ⅴ,甲区,乙区,", "target", "不是目标水质类别"),
    ("X,名,河,sea,3,甲区,乙区,", "kind", "不是水体类型"),
    ("X,名,河,river,3,,乙区,", "payer", "补偿方"),
    ("X,名,河,river,3,甲区,甲区,", "receiver", "相同"),
    ("X,名,河,river,3,甲区,乙区,NOPE", "inflow", "不在断面表中"),
    ("OUT,名,河,river,3,甲区,乙区,", "code", "重复"),
])
def test_section_errors_are_located_and_nothing_is_kept(tmp_path, row, column, reason):
    secs, rep = _sections(tmp_path, SECTIONS + row + "\n")
    assert secs is None and not rep.ok
    [e] = rep.errors
    assert (e.file, e.row, e.column) == ("sections.csv", 4, column) and reason in e.reason


def test_section_header_errors(tmp_path):
    secs, rep = _sections(tmp_path, "code,name,colour\nA,b,c\n")
    assert secs is None
    reasons = {(e.column, e.reason.split("（")[0]) for e in rep.errors}
    assert ("colour", "未知列") in reasons and ("target", "缺少必填列 target") in reasons


@pytest.mark.parametrize("row,column,reason", [
    ("OUT,2024-03,nh3n,1200,µg/L", "unit", "单位“µg/L”不适用于氨氮"),
    ("OUT,2024-03,nh3n,-0.1,mg/L", "value", "负值"),
    ("OUT,2024-03,nh3n,abc,mg/L", "value", "不是数值"),
    ("OUT,2024-03,nh3n,20000,mg/L", "value", "超出氨氮的可能范围"),
    ("ZZ,2024-03,nh3n,1,mg/L", "site", "不在断面表中"),
    ("OUT,2024-13,nh3n,1,mg/L", "time", "不是时间"),
    ("OUT,2024-03,ammonia,1,mg/L", "parameter", "不是水质项目代码"),
    ("OUT,2024-03,cod,19,mg/L", "value", "与第 7 行同一断面、时间、项目但数值不同"),
])
def test_value_errors_are_located_and_nothing_is_kept(tmp_path, row, column, reason):
    secs, _ = _sections(tmp_path)
    values, rep = reader.read_values(_write(tmp_path, "v.csv", VALUES + row + "\n"), secs)
    assert values is None and not rep.ok
    [e] = rep.errors
    assert (e.row, e.column) == (10, column) and reason in e.reason, e


def test_identical_repeats_are_counted_once_and_empty_values_are_missing(tmp_path):
    secs, _ = _sections(tmp_path)
    values, rep = reader.read_values(_write(tmp_path, "v.csv", VALUES + "OUT,2024-03,cod,18,mg/L\nIN,2024-03-02,cod,,mg/L\n"), secs)
    assert rep.ok and rep.duplicates_dropped == 1 and rep.missing_values == 1
    assert values["2024-03"]["OUT"]["cod"].samples == 1 and values["2024-03"]["IN"]["cod"].samples == 1


# ------------------------------------------------------------------ CLI

def _cli(tmp_path, *args: str):
    s = _write(tmp_path, "sections.csv", SECTIONS)
    v = _write(tmp_path, "values.csv", VALUES)
    return CliRunner().invoke(app, ["water", "compensation", "--month", "2024-03", "--sections", str(s),
                                    "--values", str(v), *args])


def test_cli_json_ledger(tmp_path):
    r = _cli(tmp_path)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    # OUT NH3-N mean 1.55 (Ⅴ: 1.5 < 1.55 ≤ 2.0) vs target Ⅲ, inflow 0.9 (Ⅲ, meets): case 1, 2 × 30 万元 = 60 万元
    assert doc["total_yuan"] == 600_000 and doc["complete"] is True
    assert doc["transfers"] == [
        {"payer": "上游区", "receiver": "甲区", "amount_yuan": 0, "amount_wan": "0", "sections": 1, "incomplete": False},
        {"payer": "甲区", "receiver": "乙区", "amount_yuan": 600_000, "amount_wan": "60", "sections": 1,
         "incomplete": False}]
    line = next(x for x in doc["lines"] if x["section"] == "OUT" and x["pollutant"] == "nh3n")
    assert "1.55 mg/L（2 次监测的月均值），Ⅴ类，目标 Ⅲ类" in line["reasoning"]
    assert doc["rule_set"]["document"] == "京政办发〔2014〕57号"
    assert "京政办发〔2022〕31号" in r.stderr  # 2024 data under the 2014 measures: warned


def test_cli_what_if_and_xlsx(tmp_path):
    r = _cli(tmp_path, "--what-if", "nh3n=-10%")
    assert r.exit_code == 0, r.output
    w = json.loads(r.stdout)["what_if"]
    # 1.55 × 0.9 = 1.395 ≤ 1.5 → Ⅳ: 1 × 30 万元; saves 30 万元
    assert (w["baseline_yuan"], w["scenario_yuan"], w["saving_yuan"]) == (600_000, 300_000, 300_000)
    out = tmp_path / "ledger.xlsx"
    r = _cli(tmp_path, "--what-if", "nh3n=-10%", "--format", "xlsx", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert load_workbook(out).sheetnames[-1] == "假设分析"


def test_cli_refusals(tmp_path):
    # a 劣Ⅴ month without the user-set extra: exit 2, parameter named, nothing written
    s = _write(tmp_path, "s.csv", "code,target,payer,receiver\nA,4,甲区,乙区\n")
    v = _write(tmp_path, "v.csv", "site,time,parameter,value,unit\nA,2024-03,nh3n,2.5,mg/L\n")
    r = CliRunner().invoke(app, ["water", "compensation", "--month", "2024-03", "--sections", str(s), "--values", str(v)])
    assert r.exit_code == 2 and "worse_than_v_extra" in r.stderr and r.stdout == ""
    r = CliRunner().invoke(app, ["water", "compensation", "--month", "2024-03", "--sections", str(s), "--values", str(v),
                                 "--param", "worse_than_v_extra=10", "--param", "worse_than_v_gap=to_v"])
    # Ⅴ − Ⅳ = 1 × 30 万元 + 10 万元 (user-set) = 40 万元
    assert r.exit_code == 0 and json.loads(r.stdout)["total_wan"] == "40"
    assert _cli(tmp_path, "--param", "rate_case1=1").exit_code == 2
    assert _cli(tmp_path, "--what-if", "nh3n=10").exit_code == 2
    assert _cli(tmp_path, "--rules", "nope").exit_code == 2
    assert _cli(tmp_path, "--format", "xlsx").exit_code == 2  # xlsx needs -o
    bad = _write(tmp_path, "bad.csv", "code,target,payer,receiver\nA,,甲区,乙区\n")
    r = CliRunner().invoke(app, ["water", "compensation", "--month", "2024-03", "--sections", str(bad), "--values", str(v)])
    assert r.exit_code == 1 and "第 2 行" in r.stderr and "没有目标类别" in r.stderr


def test_cli_demo_data(tmp_path):
    # The demo district sections (模拟数据), March 2024, all targets Ⅳ, worked by hand:
    #   TZ-W01 顺义→通州: COD 22, NH3-N 1.2, TP 0.26 all Ⅳ → 0
    #   TZ-W02 大兴→通州: NH3-N 1.6 (1.5 < 1.6 ≤ 2.0 → Ⅴ), no inflow → case 1, 1 × 30 = 30 万元
    #   TZ-W03 通州→市级统筹: NH3-N (1.58 + 1.66)/2 = 1.62 → Ⅴ, inflow TZ-W01 1.2 (Ⅳ, meets) → case 1: 30 万元
    #   TZ-W04 朝阳→通州: COD 32 (Ⅴ) 30 + TP 0.35 (Ⅴ) 30 = 60 万元            total 120 万元
    # NH3-N 10 % lower: 1.6 × 0.9 = 1.44 and 1.62 × 0.9 = 1.458, both ≤ 1.5 (Ⅳ) → saves 30 + 30 = 60 万元
    r = CliRunner().invoke(app, ["water", "compensation", "--month", "2024-03", "--what-if", "nh3n=-10%"])
    assert r.exit_code == 0, r.output
    assert "模拟数据" in r.stderr
    doc = json.loads(r.stdout)
    assert doc["total_wan"] == "120" and doc["what_if"]["saving_wan"] == "60"
    # 通州区 receives 30 (大兴区) + 60 (朝阳区) and pays 30 for its outflow section: balance +60 万元
    tz = next(p for p in doc["parties"] if p["party"] == "通州区")
    assert (tz["pays_wan"], tz["receives_wan"], tz["balance_wan"]) == ("30", "90", "60")
