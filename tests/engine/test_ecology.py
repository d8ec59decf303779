"""EI (HJ 192-2015) from component indices: hand-worked sums, restriction caps, parameters, reader, CLI."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from envgov.cli import app
from envgov.engine import ecology
from envgov.ingest.ecology_indices import read_indices
from envgov.standards.ecology.parameters import PARAMETERS

KEYS = ("biological_abundance", "vegetation_cover", "water_network_density", "land_stress", "pollution_load")


def comps(*values):
    return dict(zip(KEYS, values))


def test_ei_hand_worked():
    # 0.35·60 + 0.25·80 + 0.15·30 + 0.15·(100 − 20) + 0.10·(100 − 10) = 21 + 20 + 4.5 + 12 + 9 = 66.5 → 良
    r = ecology.compute(comps(60, 80, 30, 20, 10))
    assert (r.ei, r.grade) == (66.5, "良")
    assert r.formula == "EI = 0.35×60 + 0.25×80 + 0.15×30 + 0.15×(100−20) + 0.10×(100−10) = 66.5"


def test_ei_exactly_at_75_is_excellent():
    # 0.35·80 + 0.25·80 + 0.15·50 + 0.15·(100 − 40) + 0.10·(100 − 25) = 28 + 20 + 7.5 + 9 + 7.5 = 72 → 良
    assert ecology.compute(comps(80, 80, 50, 40, 25)).ei == 72.0
    # 0.35·80 + 0.25·90 + 0.15·50 + 0.15·(100 − 40) + 0.10·(100 − 20) = 28 + 22.5 + 7.5 + 9 + 8 = 75 → 优
    r = ecology.compute(comps(80, 90, 50, 40, 20))
    assert (r.ei, r.grade) == (75.0, "优")


def test_restriction_caps():
    # computed 75 (优); 降一级 → 74.9 (良); 不能为优、良 → 54.9 (一般)
    r = ecology.compute(comps(80, 90, 50, 40, 20), "downgrade_one")
    assert (r.ei_computed, r.ei, r.grade) == (75.0, 74.9, "良")
    r = ecology.compute(comps(80, 90, 50, 40, 20), "not_excellent_or_good")
    assert (r.ei, r.grade) == (54.9, "一般")
    # 66.5 (良) 降一级 → 54.9 (一般); 差 cannot go lower: unchanged, with a note
    assert ecology.compute(comps(60, 80, 30, 20, 10), "downgrade_one").ei == 54.9
    low = ecology.compute(comps(0, 0, 0, 100, 100), "downgrade_one")
    assert (low.ei, low.grade) == (0.0, "差") and low.notes


def test_sub_index_rounding_and_clipping_parameters():
    # round_sub_indices (default): 60.04 → 60.0, so EI = 66.5; without it 66.5 + 0.35·0.04 = 66.514
    assert ecology.compute(comps(60.04, 80, 30, 20, 10)).ei == 66.5
    with PARAMETERS.using({"round_sub_indices": False}):
        assert ecology.compute(comps(60.04, 80, 30, 20, 10)).ei == pytest.approx(66.514)
        with PARAMETERS.using({"round_sub_indices": False, "ei_rounding": "1"}):
            assert ecology.compute(comps(60.04, 80, 30, 20, 10)).ei == 66.5
    # an index above 100 is used as given (noted) unless clip_sub_indices
    r = ecology.compute(comps(110, 80, 30, 20, 10))
    assert r.ei == 84.0 and "按给出的值计算" in r.notes[0]  # 66.5 + 0.35·(110 − 60) = 66.5 + 17.5


def test_clipping_hand_worked():
    with PARAMETERS.using({"clip_sub_indices": True}):
        r = ecology.compute(comps(110, 80, 30, 20, 10))
    # 0.35·100 + 20 + 4.5 + 12 + 9 = 80.5 (35 + 45.5)
    assert r.ei == 80.5 and r.components["biological_abundance"] == 100.0


def test_changes_previous_year_and_base_year():
    rs = [ecology.compute(comps(60, 80, 30, 20, 10), area="通州区", year=2020),   # 66.5
          ecology.compute(comps(62, 81, 30, 20, 10), area="通州区", year=2021),   # 66.5 + 0.7 + 0.25 = 67.45
          ecology.compute(comps(70, 81, 30, 20, 10), area="通州区", year=2022)]   # 67.45 + 2.8 = 70.25
    prev = ecology.changes(rs)
    assert [(c.year, c.base_year, c.delta, c.text) for c in prev] == [
        (2021, 2020, 0.95, "无明显变化"), (2022, 2021, 2.8, "略微变化（变好）")]
    base = ecology.changes(rs, base_year=2020)
    assert [(c.year, c.delta, c.text) for c in base] == [(2021, 0.95, "无明显变化"), (2022, 3.75, "明显变化（变好）")]


def write(tmp_path, text):
    p = tmp_path / "ei.csv"
    p.write_text(text, encoding="utf-8")
    return p


HEAD = "区域,年份,生物丰度指数,植被覆盖指数,水网密度指数,土地胁迫指数,污染负荷指数,环境限制\n"


def test_reader_errors_are_located(tmp_path):
    p = write(tmp_path, HEAD + "通州区,2023,60,80,30,20,10,\n"
                               "通州区,2023,60,80,30,20,10,\n"
                               "通州区,23,abc,80,30,-1,,降两级\n")
    data = read_indices(p)
    assert not data.ok and data.records == []
    got = {(e.row, e.column): e.reason for e in data.rows.errors}
    assert got == {(3, "年份"): "通州区 2023 年已在第 2 行", (4, "年份"): "「23」不是年份（应为 4 位数字，如 2023）",
                   (4, "生物丰度指数"): "「abc」不是数值", (4, "土地胁迫指数"): "负值 -1：指数不能为负",
                   (4, "污染负荷指数"): "为空",
                   (4, "环境限制"): "「降两级」不是环境限制（应为 无、降一级 或 不能为优、良）"}


def test_cli_json_and_csv(tmp_path):
    p = write(tmp_path, HEAD + "通州区,2022,60,80,30,20,10,\n通州区,2023,62,81,30,20,10,无\n"
                               "通州区,2024,70,90,40,10,5,降一级\n")
    res = CliRunner().invoke(app, ["ecology", "ei", "--input", str(p), "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    # 2024: 24.5 + 22.5 + 6 + 13.5 + 9.5 = 76 (优) → 降一级 74.9 (良); ΔEI vs 2023 (67.45) = 7.45 明显变化（变好）
    y = doc["years"][2]
    assert (y["ei_computed"], y["ei"], y["grade"]) == (76.0, 74.9, "良")
    assert y["change"] == {"base_year": 2023, "delta_ei": 7.45, "band": "明显变化", "direction": "变好",
                           "text": "明显变化（变好）"}
    assert doc["years"][0]["change"] is None
    res = CliRunner().invoke(app, ["ecology", "ei", "--input", str(p), "--format", "csv", "--base", "2022"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[3] == "通州区,2024,70,90,40,10,5,74.9,良,2022,8.4,显著变化（变好）"
    res = CliRunner().invoke(app, ["ecology", "ei", "--input", str(p), "--base", "2019"])
    assert res.exit_code == 2 and "没有基准年 2019" in res.output


def test_land_stress_index_hand_worked():
    # A_ero = 236.04356779: 236.04356779 × (0.4·10 + 0.2·20 + 0.2·50 + 0.2·0) / 1000 = 236.04356779 × 18 / 1000
    assert ecology.land_stress_index(1000, 10, 20, 50, 0) == pytest.approx(4.24878422022)
    with pytest.raises(ValueError, match="区域面积应大于 0"):
        ecology.land_stress_index(0, 1, 1, 1, 1)


def test_pollution_load_index_hand_worked():
    # area 1000, precipitation 500 → Q = 500 000; COD 2000 t and NH3-N 200 t over Q, SO2 100, dust 300, NOx 2000,
    # solid waste 5000 over S = 1000:
    # 0.2·4.3937397289·2000/5e5 = 0.00351499178; 0.2·40.1764754986·200/5e5 = 0.00321411804
    # 0.2·0.0648660287·100/1000 = 0.00129732057; 0.1·4.0904459321·300/1000 = 0.12271337796
    # 0.2·0.5103049278·2000/1000 = 0.20412197112; 0.1·0.0749894283·5000/1000 = 0.03749471415
    expected = 0.00351499178 + 0.00321411804 + 0.00129732057 + 0.12271337796 + 0.20412197112 + 0.03749471415
    assert ecology.pollution_load_index(1000, 500, 2000, 200, 100, 300, 2000, 5000) == pytest.approx(expected, abs=1e-9)
    with pytest.raises(ValueError, match="年降水量"):
        ecology.pollution_load_index(1000, 0, 1, 1, 1, 1, 1, 1)
