"""Cross-boundary compensation: cases worked by hand from the measures' text (water.md §3.1).

Beijing 2015 (京政办发〔2014〕57号), as water.md §3.1 records it:
  case 1 — water originating in the district leaves across a section not meeting the section target, or
           inflowing water leaves worse by a class → 300,000 yuan per section per month per class worse;
  case 2 — outflow concentration ≤ inflow concentration but still not meeting the target → 150,000 yuan
           per month per class worse than the target;
  pollutants COD, NH3-N, TP add up; worse than Ⅴ: an extra (amount UNCONFIRMED → user-set).
Classes from GB 3838-2002 Table 1 (water.md §1.2), river limits:
  COD  Ⅲ 20  Ⅳ 30  Ⅴ 40;   NH3-N  Ⅲ 1.0  Ⅳ 1.5  Ⅴ 2.0;   TP  Ⅲ 0.2  Ⅳ 0.3  Ⅴ 0.4;   TP lakes Ⅲ 0.05 Ⅳ 0.1.
Every expected amount below is worked out in the comment above it, not taken from the code.
"""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from envgov.reports.compensation import ledger_xlsx
from envgov.rules import compensation as comp
from envgov.rules.compensation import MonthValue, Section

BJ = comp.rule_set("beijing-2015")
M = "2024-03"


def _values(data: dict[str, dict[str, float]], month: str = M) -> dict:
    return {month: {site: {p: MonthValue(v) for p, v in by_p.items()} for site, by_p in data.items()}}


def _one(target: int = 3, inflow: str | None = None, kind: str = "river") -> dict[str, Section]:
    secs = {"OUT": Section("OUT", target, "甲区", "乙区", name="甲出境", inflow=inflow, kind=kind)}
    if inflow:
        secs[inflow] = Section(inflow, target, "上游区", "甲区", name="甲入境")
    return secs


def _amounts(ledger: comp.Ledger, section: str = "OUT") -> dict[str, int | None]:
    return {x.pollutant: x.amount for x in ledger.lines if x.section == section}


def _params(**kw: str) -> dict[str, object]:
    return comp.clean_params(BJ, kw)


# ------------------------------------------------------------------ the measures' cases

def test_one_pollutant_one_class_worse():
    # target Ⅲ, no inflow section; NH3-N 1.2 mg/L: 1.0 < 1.2 ≤ 1.5 → Ⅳ, one class worse → case 1:
    # 1 × 300,000 = 300,000 yuan. COD 18 ≤ 20 and TP 0.15 ≤ 0.2 are Ⅲ: nothing.
    ledger = comp.evaluate(BJ, _one(), _values({"OUT": {"cod": 18, "nh3n": 1.2, "tp": 0.15}}), M)
    assert _amounts(ledger) == {"cod": 0, "nh3n": 300_000, "tp": 0}
    line = next(x for x in ledger.lines if x.pollutant == "nh3n")
    assert line.case == comp.CASE_1 and line.gap == 1
    assert "氨氮 出境 1.2 mg/L，Ⅳ类，目标 Ⅲ类" in line.reasoning
    assert "差 1 个类别 × 30 万元 = 30 万元" in line.reasoning
    assert ledger.total == 300_000
    assert [(t.payer, t.receiver, t.amount) for t in ledger.transfers] == [("甲区", "乙区", 300_000)]


def test_three_pollutants_add_up():
    # target Ⅲ, no inflow: COD 35 (30 < 35 ≤ 40 → Ⅴ, gap 2), NH3-N 1.8 (1.5 < 1.8 ≤ 2.0 → Ⅴ, gap 2),
    # TP 0.25 (0.2 < 0.25 ≤ 0.3 → Ⅳ, gap 1): (2 + 2 + 1) × 300,000 = 1,500,000 yuan.
    ledger = comp.evaluate(BJ, _one(), _values({"OUT": {"cod": 35, "nh3n": 1.8, "tp": 0.25}}), M)
    assert _amounts(ledger) == {"cod": 600_000, "nh3n": 600_000, "tp": 300_000}
    assert ledger.total == 1_500_000
    assert ledger.to_dict()["total_wan"] == "150"
    nh3n = next(x for x in ledger.lines if x.pollutant == "nh3n")
    assert "差 2 个类别 × 30 万元 = 60 万元" in nh3n.reasoning


def test_value_equal_to_the_limit_meets_the_target():
    # NH3-N 1.0 = the Ⅲ limit ("≤"): Ⅲ, meets target Ⅲ → 0
    ledger = comp.evaluate(BJ, _one(), _values({"OUT": {"cod": 20, "nh3n": 1.0, "tp": 0.2}}), M)
    assert ledger.total == 0 and all(x.case == comp.MEETS for x in ledger.lines)
    assert "达到目标，不补偿" in ledger.lines[0].reasoning


def test_worse_than_v_refuses_without_the_user_set_parameters():
    # target Ⅳ, NH3-N 2.5 > 2.0 → 劣Ⅴ; the extra and the way 劣Ⅴ counts are UNCONFIRMED → refusal naming both
    values = _values({"OUT": {"cod": 20, "nh3n": 2.5, "tp": 0.2}})
    with pytest.raises(comp.MissingParameter) as exc:
        comp.evaluate(BJ, _one(target=4), values, M)
    assert set(exc.value.needs) == {"worse_than_v_extra", "worse_than_v_gap"}
    text = str(exc.value)
    assert "worse_than_v_extra" in text and "worse_than_v_gap" in text and "甲出境（OUT） 氨氮" in text
    assert "未输出任何金额" in text


def test_worse_than_v_with_user_set_parameters():
    values = _values({"OUT": {"cod": 20, "nh3n": 2.5, "tp": 0.2}})
    # "to_v": 劣Ⅴ counts up to Ⅴ: gap Ⅴ − Ⅳ = 1 → 1 × 300,000 + extra 200,000 (user-set 20 万元) = 500,000
    ledger = comp.evaluate(BJ, _one(target=4), values, M, _params(worse_than_v_gap="to_v", worse_than_v_extra="20"))
    line = next(x for x in ledger.lines if x.pollutant == "nh3n")
    assert (line.gap, line.base, line.extra, line.amount) == (1, 300_000, 200_000, 500_000)
    assert "劣Ⅴ类追加 20 万元（用户设定）" in line.reasoning and "合计 50 万元" in line.reasoning
    # "class_6": 劣Ⅴ one more class: gap 6 − 4 = 2 → 2 × 300,000 + 200,000 = 800,000
    ledger = comp.evaluate(BJ, _one(target=4), values, M, _params(worse_than_v_gap="class_6", worse_than_v_extra="20"))
    assert _amounts(ledger)["nh3n"] == 800_000
    rows = {p["key"]: p for p in ledger.parameter_rows()}
    assert rows["worse_than_v_extra"]["value"] == "20" and rows["worse_than_v_extra"]["user_set"] is True
    assert rows["dirty_inflow_basis"]["value"] is None and rows["dirty_inflow_basis"]["confidence"] == "unconfirmed"


def test_outflow_no_worse_than_inflow_yet_failing_is_case_2():
    # inflow TP 0.28 (Ⅳ), outflow TP 0.25 (Ⅳ) ≤ 0.28, target Ⅲ → case 2: 1 class × 150,000 = 150,000 yuan
    values = _values({"OUT": {"cod": 18, "nh3n": 0.9, "tp": 0.25}, "IN": {"cod": 19, "nh3n": 0.9, "tp": 0.28}})
    ledger = comp.evaluate(BJ, _one(inflow="IN"), values, M)
    line = next(x for x in ledger.lines if x.section == "OUT" and x.pollutant == "tp")
    assert (line.case, line.gap, line.amount) == (comp.CASE_2, 1, 150_000)
    assert "出境浓度不高于入境但仍不达标，属情形二" in line.reasoning
    assert "差 1 个类别 × 15 万元 = 15 万元" in line.reasoning
    # equal concentrations are "≤" too: case 2; NH3-N 1.8 = 1.8 (Ⅴ), target Ⅲ → 2 × 150,000 = 300,000
    values = _values({"OUT": {"nh3n": 1.8}, "IN": {"nh3n": 1.8}})
    assert _amounts(comp.evaluate(BJ, _one(inflow="IN"), values, M))["nh3n"] == 300_000


def test_clean_inflow_made_dirty_by_the_district_is_case_1():
    # inflow NH3-N 0.9 (Ⅲ, meets Ⅲ), outflow 1.8 (Ⅴ): the district's own water makes it fail → case 1,
    # gap to target 2 × 300,000 = 600,000
    values = _values({"OUT": {"nh3n": 1.8}, "IN": {"nh3n": 0.9}})
    line = next(x for x in comp.evaluate(BJ, _one(inflow="IN"), values, M).lines
                if x.section == "OUT" and x.pollutant == "nh3n")
    assert (line.case, line.gap, line.amount) == (comp.CASE_1, 2, 600_000)
    assert "入境断面甲入境（IN） 0.9 mg/L，Ⅲ类" in line.reasoning


def test_upstream_inflow_already_dirty_needs_the_basis_parameter():
    # inflow NH3-N 1.2 (Ⅳ, already fails Ⅲ), outflow 1.8 (Ⅴ) higher: case 1, but the gap's basis (target or
    # inflow class) is not stated in the sources → user-set, refused without it
    values = _values({"OUT": {"nh3n": 1.8}, "IN": {"nh3n": 1.2}})
    with pytest.raises(comp.MissingParameter) as exc:
        comp.evaluate(BJ, _one(inflow="IN"), values, M)
    assert list(exc.value.needs) == ["dirty_inflow_basis"]
    # against the target: Ⅴ − Ⅲ = 2 × 300,000 = 600,000
    ledger = comp.evaluate(BJ, _one(inflow="IN"), values, M, _params(dirty_inflow_basis="target"))
    assert _amounts(ledger)["nh3n"] == 600_000
    # against the inflow class ("每变差一个类别"): Ⅴ − Ⅳ = 1 × 300,000 = 300,000
    ledger = comp.evaluate(BJ, _one(inflow="IN"), values, M, _params(dirty_inflow_basis="inflow"))
    line = next(x for x in ledger.lines if x.section == "OUT" and x.pollutant == "nh3n")
    assert (line.gap, line.amount) == (1, 300_000)
    assert "对照入境类别计差" in line.reasoning


def test_upstream_inflow_already_dirty_and_outflow_lower_needs_no_parameter():
    # inflow NH3-N 1.9 (Ⅴ), outflow 1.6 (Ⅴ) lower: case 2 against the target, 2 × 150,000 = 300,000
    values = _values({"OUT": {"nh3n": 1.6}, "IN": {"nh3n": 1.9}})
    assert _amounts(comp.evaluate(BJ, _one(inflow="IN"), values, M))["nh3n"] == 300_000


def test_lake_section_uses_lake_tp_limits():
    # TP 0.06: river Ⅱ (≤ 0.1); lake/reservoir Ⅳ (0.05 < 0.06 ≤ 0.1): target Ⅲ lake → 1 × 300,000
    values = _values({"OUT": {"tp": 0.06}})
    assert _amounts(comp.evaluate(BJ, _one(), values, M))["tp"] == 0
    assert _amounts(comp.evaluate(BJ, _one(kind="lake"), values, M))["tp"] == 300_000


def test_missing_values_are_not_zero():
    # no outflow TP; no inflow value while the outflow fails (case 1 or 2 undecidable)
    values = _values({"OUT": {"cod": 18, "nh3n": 1.8}, "IN": {"cod": 18}})
    ledger = comp.evaluate(BJ, _one(inflow="IN"), values, M)
    got = {x.pollutant: (x.case, x.amount) for x in ledger.lines if x.section == "OUT"}
    assert got == {"cod": (comp.MEETS, 0), "nh3n": (comp.MISSING, None), "tp": (comp.MISSING, None)}
    assert not ledger.complete and ledger.transfers[-1].incomplete
    assert any("未核算" in str(w) for w in ledger.warnings)


def test_a_month_without_any_value_is_refused_not_zero():
    with pytest.raises(ValueError, match="没有任何断面 2024-04 的数据（有数据的月份：2024-03）"):
        comp.evaluate(BJ, _one(), _values({"OUT": {"nh3n": 1.2}}), "2024-04")


def test_dates_of_the_rule_sets():
    values = _values({"OUT": {"nh3n": 1.2}}, "2014-12")
    with pytest.raises(ValueError, match="早于"):
        comp.evaluate(BJ, _one(), values, "2014-12")
    full = {"OUT": {"cod": 18, "nh3n": 1.2, "tp": 0.1}}
    assert comp.evaluate(BJ, _one(), _values(full, "2015-01"), "2015-01").warnings == ()
    # 2023 and later: the 2022 measures changed the accounting; the ledger says so
    ledger = comp.evaluate(BJ, _one(), _values(full), M)
    assert [str(w)[:10] for w in ledger.warnings] == ["2022-12-30"]
    assert "京政办发〔2022〕31号" in str(ledger.warnings[0])


def test_official_rates_are_not_parameters():
    with pytest.raises(ValueError, match="没有参数 rate_case1"):
        comp.clean_params(BJ, {"rate_case1": "10"})
    with pytest.raises(ValueError, match="万元"):
        comp.clean_params(BJ, {"worse_than_v_extra": "abc"})
    with pytest.raises(ValueError, match="可选"):
        comp.clean_params(BJ, {"worse_than_v_gap": "maybe"})


def test_beijing_2022_computes_nothing_until_the_user_sets_form_pollutants_and_rates():
    r = comp.rule_set("beijing-2022")
    values = _values({"OUT": {"nh3n": 1.2}})
    with pytest.raises(comp.MissingParameter) as exc:
        comp.evaluate(r, _one(), values, M)
    assert {"accounting_form", "pollutants"} <= set(exc.value.needs)
    params = comp.clean_params(r, {"accounting_form": "class_step", "pollutants": "nh3n"})
    with pytest.raises(comp.MissingParameter) as exc:  # a case-1 line needs the case-1 rate
        comp.evaluate(r, _one(), values, M, params)
    assert list(exc.value.needs) == ["rate_case1"]
    params = comp.clean_params(r, {"accounting_form": "class_step", "pollutants": "nh3n", "rate_case1": "12.5"})
    # NH3-N 1.2 → Ⅳ vs Ⅲ: 1 × 125,000 (user-set 12.5 万元)
    ledger = comp.evaluate(r, _one(), values, M, params)
    assert ledger.total == 125_000
    assert "× 12.5 万元（用户设定） = 12.5 万元" in ledger.lines[0].reasoning


def test_town_rule_set_is_configured_by_the_district():
    r = comp.rule_set("town")
    secs = {"T1": Section("T1", 4, "台湖镇", "张家湾镇", name="台湖出境")}
    values = _values({"T1": {"codmn": 12, "nh3n": 1.2}})
    params = comp.clean_params(r, {"pollutants": "codmn", "rate_case1": "2", "document": "某区办法"})
    # CODMn 12: 10 < 12 ≤ 15 → Ⅴ, target Ⅳ: 1 × 20,000; NH3-N is not a pollutant of this district's rule
    ledger = comp.evaluate(r, secs, values, M, params)
    assert [(x.pollutant, x.amount) for x in ledger.lines] == [("codmn", 20_000)]
    assert ledger.to_dict()["rule_set"]["district_document"] == "某区办法"
    assert ledger.warnings == ()


# ------------------------------------------------------------------ what-if

def test_what_if_ten_percent_lower_nh3n():
    # NH3-N 1.62 (Ⅴ) at target Ⅳ: 1 × 300,000. 10 % lower: 1.62 × 0.9 = 1.458 ≤ 1.5 → Ⅳ, meets → saves 300,000.
    # COD 32 (Ⅴ, 1 × 300,000) is unchanged.
    values = _values({"OUT": {"cod": 32, "nh3n": 1.62, "tp": 0.2}})
    key, change = comp.parse_change("nh3n=-10%")
    assert (key, change) == ("nh3n", Decimal("-0.1"))
    w = comp.what_if(BJ, _one(target=4), values, M, {}, {key: change})
    assert (w.baseline.total, w.scenario.total, w.saving) == (600_000, 300_000, 300_000)
    [(before, after)] = w.changed_lines()
    assert before.case == comp.CASE_1
    assert after.outflow == 1.458 and after.case == comp.MEETS
    assert w.summary() == "假设2024年3月 所有断面氨氮降低 10%：补偿金由 60 万元变为 30 万元，少付 30 万元"
    assert w.savings_by_payer() == [{"payer": "甲区", "baseline_yuan": 600_000, "scenario_yuan": 300_000,
                                     "saving_yuan": 300_000, "saving_wan": "30"}]


def test_what_if_for_one_payer_changes_only_its_sections():
    secs = {"A": Section("A", 4, "甲区", "乙区"), "B": Section("B", 4, "丙区", "乙区")}
    values = _values({"A": {"nh3n": 1.62}, "B": {"nh3n": 1.62}})
    w = comp.what_if(BJ, secs, values, M, {}, {"nh3n": Decimal("-0.1")}, payer="甲区")
    # only A's NH3-N drops below 1.5: saves 300,000; B still pays 300,000
    assert w.saving == 300_000
    assert {x.section: x.amount for x in w.scenario.lines if x.pollutant == "nh3n"} == {"A": 0, "B": 300_000}
    with pytest.raises(ValueError, match="不是任何断面的补偿方"):
        comp.what_if(BJ, secs, values, M, {}, {"nh3n": Decimal("-0.1")}, payer="丁区")


@pytest.mark.parametrize("bad", ["nh3n=-10", "nh3n", "xx=-10%", "nh3n=-100%", "nh3n=abc%"])
def test_bad_what_if(bad):
    with pytest.raises(ValueError, match="--what-if"):
        comp.parse_change(bad)


# ------------------------------------------------------------------ export

def test_xlsx_has_summary_lines_parameters_and_what_if():
    values = _values({"OUT": {"cod": 32, "nh3n": 1.62, "tp": 0.2}})
    w = comp.what_if(BJ, _one(target=4), values, M, {}, {"nh3n": Decimal("-0.1")})
    wb = load_workbook(io.BytesIO(ledger_xlsx(w.baseline, w)))
    assert wb.sheetnames == ["2024-03 补偿汇总", "各方收支", "核算明细", "规则与参数", "假设分析"]
    summary = list(wb["2024-03 补偿汇总"].iter_rows(min_row=4, values_only=True))
    assert summary[0][:5] == ("甲区", "乙区", 1, 60, 600_000)
    lines = list(wb["核算明细"].iter_rows(min_row=4, values_only=True))
    nh3n = next(r for r in lines if r[4] == "氨氮")
    assert nh3n[5] == 1.62 and nh3n[6] == "Ⅴ" and nh3n[11] == "情形一" and nh3n[16] == 30
    assert "差 1 个类别 × 30 万元 = 30 万元" in nh3n[17]
    meta = dict(r for r in wb["规则与参数"].iter_rows(min_row=4, values_only=True))
    assert "京政办发〔2014〕57号" in meta["规则集"]
    assert meta["worse_than_v_extra：劣Ⅴ类追加补偿金（每个断面每月每项劣Ⅴ类污染物，万元）"].startswith("未设定")
    assert "少付 30 万元" in wb["假设分析"]["A2"].value
