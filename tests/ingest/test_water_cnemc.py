"""Profile cnemc-auto: located errors (file, row, column, reason), nothing half-read, the section table's
kind rule and user corrections, and `envgov water classify`."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from envgov.cli import app
from envgov.ingest.water_cnemc import HEADER, read_release, read_sections

BEIJING = Path("/work/shared/data/water/cnemc_surface_water_auto_2021-04_beijing.csv")
HEAD = ",".join(HEADER)
GOOD = "2021-04,北京市,海河流域,东店,04-01 08:00,Ⅲ,14.6,7.75,5.70,731.2,36.4,5.54,0.139,0.084,4.46,*,*,正常"
LAKE = "2021-04,北京市,海河流域,某湖心,04-01 08:00,Ⅲ,14.6,7.75,8.70,731.2,36.4,3.00,0.139,0.040,4.46,0.012,--,正常"


def _file(tmp_path: Path, *lines: str, header: str = HEAD) -> Path:
    p = tmp_path / "release.csv"
    p.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return p


def test_good_rows_and_kind_rule(tmp_path):
    r = read_release(_file(tmp_path, GOOD, LAKE))
    assert r.report.ok, r.report.summary()
    assert r.samples.num_rows == 2
    assert r.samples["site"].to_pylist() == ["北京市/东店", "北京市/某湖心"]
    assert str(r.samples["time"][0].as_py()) == "2021-04-01 08:00:00"
    kinds = r.sections.kinds()
    assert kinds == {"北京市/东店": "river", "北京市/某湖心": "lake"}  # chlorophyll-a entry → lake
    assert "叶绿素a" in r.sections.sections["北京市/某湖心"].kind_rule


@pytest.mark.parametrize("bad, column, words", [
    (GOOD.replace(",5.54,", ",5,54x,").replace("5,54x", "5.54x"), "高锰酸盐指数(mg/L)", "不是数值"),
    (GOOD.replace(",0.139,", ",-0.139,"), "氨氮(mg/L)", "负值"),
    (GOOD.replace(",7.75,", ",17.5,"), "pH(无量纲)", "0–14"),
    (GOOD.replace("04-01 08:00", "04-31 08:00"), "监测时间", "不是有效的日期时间"),
    (GOOD.replace("04-01 08:00", "4/1 8:00"), "监测时间", "不是时间"),
    (GOOD.replace(",Ⅲ,", ",III,"), "水质类别", "不是水质类别"),
    (GOOD.replace(",东店,", ",,"), "断面名称", "为空"),
    (GOOD.replace("2021-04,", "2021-4,", 1), "年月", "不是年月"),
])
def test_bad_rows_are_located_and_nothing_is_read(tmp_path, bad, column, words):
    r = read_release(_file(tmp_path, GOOD, bad))
    assert not r.report.ok
    assert r.samples is None  # all-or-nothing
    e = r.report.errors[0]
    assert (e.file, e.row, e.column) == ("release.csv", 3, column)
    assert words in e.reason
    assert "第 3 行" in r.report.summary()


def test_unit_mix_up_in_the_header(tmp_path):
    header = HEAD.replace("氨氮(mg/L)", "氨氮(μg/L)")
    r = read_release(_file(tmp_path, GOOD, header=header))
    assert not r.report.ok and r.samples is None
    e = r.report.errors[0]
    assert (e.row, e.column) == (1, "氨氮(μg/L)") and "单位" in e.reason


def test_repeats_and_records_without_time(tmp_path):
    no_time = GOOD.replace("04-01 08:00", "--")
    other = GOOD.replace(",5.54,", ",5.60,")
    r = read_release(_file(tmp_path, GOOD, GOOD, other, no_time))
    assert r.report.ok
    assert r.report.duplicates_dropped == 1
    assert r.samples.num_rows == 3  # identical repeat dropped; different record at the same time kept
    assert r.samples["time"].null_count == 1
    assert r.samples["row"].to_pylist() == [2, 4, 5]
    texts = " ".join(w.reason for w in r.report.warnings)
    assert "完全相同" in texts and "多条不同记录" in texts and "没有监测时间" in texts


def test_sections_file_corrects_kind(tmp_path):
    p = tmp_path / "sections.csv"
    p.write_text("code,kind,target\n北京市/东店,湖库,Ⅲ\n", encoding="utf-8")
    fixes, rep = read_sections(p)
    assert rep.ok and fixes == {"北京市/东店": {"kind": "lake", "target": 3}}
    r = read_release(_file(tmp_path, GOOD))
    r.sections.apply(fixes)
    s = r.sections.sections["北京市/东店"]
    assert (s.kind, s.kind_rule, s.target) == ("lake", "用户更正", 3)
    p.write_text("code,kind\n北京市/东店,海\n", encoding="utf-8")
    fixes, rep = read_sections(p)
    assert not rep.ok and fixes == {}
    assert (rep.errors[0].row, rep.errors[0].column) == (2, "kind")


def test_cli_classify_csv_columns_exactly(tmp_path):
    r = CliRunner().invoke(app, ["water", "classify", str(_file(tmp_path, GOOD, LAKE.replace("04-01", "04-02"))),
                                 "--profile", "cnemc-auto", "--format", "csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["site", "time", "class"]
    # 东店: DO 5.70 → Ⅲ, CODMn 5.54 → Ⅲ, NH3-N 0.139 → Ⅰ, TP 0.084 → Ⅱ (river) → Ⅲ
    # 某湖心: CODMn 3.00 → Ⅱ, TP 0.040 → Ⅲ (lake limits) → Ⅲ
    assert rows[1:] == [["北京市/东店", "2021-04-01T08:00", "Ⅲ"], ["北京市/某湖心", "2021-04-02T08:00", "Ⅲ"]]


def test_cli_sections_correction_changes_the_class(tmp_path):
    src = _file(tmp_path, GOOD.replace(",5.70,", ",8.00,").replace(",5.54,", ",3.00,"))  # Ⅱ by TP 0.084 river
    fix = tmp_path / "fix.csv"
    fix.write_text("code,kind\n北京市/东店,lake\n", encoding="utf-8")
    out = tmp_path / "sections_out.csv"
    a = CliRunner().invoke(app, ["water", "classify", str(src), "--sections-out", str(out)])
    b = CliRunner().invoke(app, ["water", "classify", str(src), "--sections", str(fix)])
    assert a.stdout.splitlines()[1].endswith(",Ⅱ") and b.stdout.splitlines()[1].endswith(",Ⅳ")  # 0.084 lake → Ⅳ
    assert "河流" in out.read_text(encoding="utf-8")


def test_cli_not_assessable_is_empty_and_json(tmp_path):
    maint = "2021-04,北京市,海河流域,东店,*,*,--,--,--,--,--,--,--,--,--,*,*,维护"
    r = CliRunner().invoke(app, ["water", "classify", str(_file(tmp_path, maint, GOOD)), "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["samples"][0]["class"] is None and doc["samples"][0]["time"] is None
    assert doc["samples"][1] | {} == doc["samples"][1]
    assert doc["samples"][1]["class"] == "Ⅲ" and doc["samples"][1]["status"] == "良好"
    assert doc["samples"][1]["published_class"] == "Ⅲ"
    assert doc["provenance"]["standard"] == "GB 3838-2002"
    c = CliRunner().invoke(app, ["water", "classify", str(tmp_path / "release.csv")])
    assert c.stdout.splitlines()[1] == "北京市/东店,,"


def test_cli_bad_file_exit_code_and_message(tmp_path):
    r = CliRunner().invoke(app, ["water", "classify", str(_file(tmp_path, GOOD.replace(",0.139,", ",-1,")))])
    assert r.exit_code == 1
    assert "第 2 行" in r.stderr and "氨氮(mg/L)" in r.stderr and "负值" in r.stderr
    r = CliRunner().invoke(app, ["water", "classify", str(tmp_path / "release.csv"), "--profile", "x"])
    assert r.exit_code == 2 and "未知导入配置" in r.stderr


@pytest.mark.skipif(not BEIJING.exists(), reason="shared water data not present")
def test_beijing_release_reads():
    r = read_release(BEIJING)
    assert r.report.ok
    assert len(r.sections.sections) == 20


def test_year_from_the_month_column(tmp_path):
    dec = GOOD.replace("2021-04,", "2021-01,", 1).replace("04-01 08:00", "12-31 20:00")
    mar = GOOD.replace("04-01 08:00", "03-31 20:00")
    r = read_release(_file(tmp_path, dec, mar))
    assert r.report.ok
    assert [str(t) for t in r.samples["time"].to_pylist()] == ["2020-12-31 20:00:00", "2021-03-31 20:00:00"]
    assert any("不在「年月」所示月份内" in w.reason for w in r.report.warnings)


def test_cli_period_means(tmp_path):
    # 东店 two records: CODMn 5.54 and 7.00 → mean 6.27 (Ⅳ); DO 5.70 (Ⅲ); TP 0.084 (Ⅱ) → Ⅳ
    second = GOOD.replace("04-01 08:00", "04-02 08:00").replace(",5.54,", ",7.00,")
    r = CliRunner().invoke(app, ["water", "classify", str(_file(tmp_path, GOOD, second)), "--period", "month"])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == ["site,time,class", "北京市/东店,2021-04,Ⅳ"]
    j = CliRunner().invoke(app, ["water", "classify", str(tmp_path / "release.csv"), "--period", "month",
                                 "--format", "json"])
    rec = json.loads(j.stdout)["periods"][0]
    assert (rec["samples"], rec["class"], rec["status"]) == (2, "Ⅳ", "轻度污染")
    assert rec["primary_pollutants"] == ["高锰酸盐指数(0.0)"]  # (6.27 − 6) / 6 = 0.045 → 0.0
    bad = CliRunner().invoke(app, ["water", "classify", str(tmp_path / "release.csv"), "--period", "week"])
    assert bad.exit_code == 2 and "--period" in bad.stderr


def test_row_with_wrong_number_of_fields_is_located(tmp_path):
    r = read_release(_file(tmp_path, GOOD, GOOD.rsplit(",", 1)[0]))
    assert not r.report.ok and r.samples is None
    assert r.report.errors[0].row == 3 and "字段" in r.report.errors[0].reason


def test_not_utf8_or_not_this_release(tmp_path):
    p = tmp_path / "gbk.csv"
    p.write_bytes(HEAD.encode("gbk") + b"\n")
    r = read_release(p)
    assert not r.report.ok and "UTF-8" in r.report.errors[0].reason
    r = read_release(_file(tmp_path, "1,2", header="site,time"))
    assert not r.report.ok and "表头" in r.report.errors[0].reason
    assert read_release(tmp_path / "none.csv").report.errors[0].reason == "文件不存在"


@pytest.mark.parametrize("cell", ["nan", "inf", " 5.5 x", "5,5"])
def test_not_a_number_variants(tmp_path, cell):
    r = read_release(_file(tmp_path, GOOD.replace(",5.54,", f",{cell},") if cell != "5,5" else
                           GOOD.replace(",5.54,", ',"5,5",')))
    assert not r.report.ok
    e = r.report.errors[0]
    assert (e.row, e.column) == (2, "高锰酸盐指数(mg/L)") and "不是数值" in e.reason


def test_spaces_around_a_number_are_accepted(tmp_path):
    r = read_release(_file(tmp_path, GOOD.replace(",5.54,", ", 5.54 ,")))
    assert r.report.ok and r.samples["codmn"].to_pylist() == [5.54]


def test_cli_targets_from_the_sections_file(tmp_path):
    fix = tmp_path / "fix.csv"
    fix.write_text("code,target\n北京市/东店,Ⅱ\n", encoding="utf-8")
    src = _file(tmp_path, GOOD)
    r = CliRunner().invoke(app, ["water", "classify", str(src), "--sections", str(fix), "--format", "json"])
    rec = json.loads(r.stdout)["samples"][0]
    assert (rec["class"], rec["target"], rec["attained"]) == ("Ⅲ", "Ⅱ", False)
    m = CliRunner().invoke(app, ["water", "classify", str(src), "--sections", str(fix), "--format", "json",
                                 "--period", "month"])
    doc = json.loads(m.stdout)
    assert doc["periods"][0]["attained"] is False
    assert doc["summary"]["class_i_to_iii"] == 1 and doc["summary"]["share_i_to_iii"] == 100.0


def test_cli_user_parameters(tmp_path):
    src = _file(tmp_path, LAKE)  # TN 4.46 in a lake: reference item unless the user counts it
    a = CliRunner().invoke(app, ["water", "classify", str(src)])
    b = CliRunner().invoke(app, ["water", "classify", str(src), "--param", "lake_tn_counts=是", "--format", "json"])
    assert a.stdout.splitlines()[1].endswith(",Ⅲ")
    doc = json.loads(b.stdout)
    assert doc["samples"][0]["class"] == "劣Ⅴ"
    assert {p["key"]: p["user_set"] for p in doc["provenance"]["parameters"]}["lake_tn_counts"] is True
    c = CliRunner().invoke(app, ["water", "classify", str(src), "--param", "nope=1"])
    assert c.exit_code == 2 and "未知参数" in c.stderr
