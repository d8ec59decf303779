"""Water engine: classes per sample and per period, attainment, 劣Ⅴ, main pollutants, shares, rating a
river from its sections. Expected values worked by hand from GB 3838-2002 Table 1 (water.md §1.2)."""
from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pyarrow as pa

from envgov.engine import water
from envgov.standards.water import parameters


def _wide(rows):
    cols = ["site", "time", "ph", "do", "codmn", "nh3n", "tp"]
    data = {c: [r.get(c) for r in rows] for c in cols}
    return pa.table({"site": pa.array(data["site"], pa.string()),
                     "time": pa.array(data["time"], pa.timestamp("s")),
                     **{c: pa.array(data[c], pa.float64()) for c in cols[2:]}})


T = [datetime(2024, 3, d, 8) for d in (1, 2, 3)] + [datetime(2024, 4, 1, 8)]


def test_sample_classes_and_lake_kind():
    wide = _wide([
        {"site": "A", "time": T[0], "ph": 7.5, "do": 8, "codmn": 3, "nh3n": 0.2, "tp": 0.05},  # Ⅱ river
        {"site": "L", "time": T[0], "ph": 7.5, "do": 8, "codmn": 3, "nh3n": 0.2, "tp": 0.05},  # Ⅲ lake (TP)
        {"site": "A", "time": T[1], "do": 1.5},  # DO < 2 → 劣Ⅴ
        {"site": "A", "time": T[2]},  # nothing → not assessable
    ])
    lake = water.lake_mask(wide["site"], {"A": "river", "L": "lake"})
    assert list(lake) == [False, True, False, False]
    res = water.classify(wide, lake)
    assert list(res.cls) == [2, 3, 6, 0]
    assert list(res.labels) == ["Ⅱ", "Ⅲ", "劣Ⅴ", ""]


def test_period_means_then_class():
    # March: CODMn 5, 7, 9 → mean 7 (Ⅳ); NH3-N 0.1 ×3 → 0.1 (binary noise must not make it > 0.1)
    wide = _wide([
        {"site": "A", "time": T[0], "codmn": 5, "tp": 0.1},
        {"site": "A", "time": T[1], "codmn": 7, "tp": 0.1},
        {"site": "A", "time": T[2], "codmn": 9, "tp": 0.1},
        {"site": "A", "time": T[3], "codmn": 3},
    ])
    m = water.period_means(wide, "month")
    assert m["period"].to_pylist() == ["2024-03", "2024-04"]
    assert m["samples"].to_pylist() == [3, 1]
    assert m["codmn"].to_pylist() == [7.0, 3.0]
    assert m["tp"].to_pylist()[0] == 0.1
    res = water.classify(m, np.zeros(2, bool))
    assert list(res.cls) == [4, 2]  # TP 0.1 → Ⅱ exactly at the limit
    with parameters.using({"period_min_samples": 2}):
        m2 = water.period_means(wide, "month")
        assert m2["codmn"].to_pylist() == [7.0, None]
    q = water.period_means(wide, "quarter")
    assert q["period"].to_pylist() == ["2024-Q1", "2024-Q2"]


def test_attainment_and_target_exceedances():
    wide = _wide([{"site": "A", "time": T[0], "codmn": 8, "nh3n": 1.8, "do": 4},  # Ⅴ (NH3-N)
                  {"site": "B", "time": T[0], "codmn": 5}])  # Ⅲ
    lake = np.zeros(2, bool)
    res = water.classify(wide, lake)
    assert list(water.attainment(res.cls, np.array([4, 3]))) == [0, 1]
    assert list(water.attainment(res.cls, np.array([4, 0]))) == [0, -1]  # no target
    ex = water.target_exceedances(wide, lake, np.array([3, 3]), res)
    # against class Ⅲ: CODMn (8 − 6)/6 = 0.333…, NH3-N (1.8 − 1.0)/1.0 = 0.8, DO exceeds without a multiple
    assert set(ex[0]) == {"codmn", "nh3n", "do"}
    assert math.isclose(ex[0]["codmn"], 1 / 3) and math.isclose(ex[0]["nh3n"], 0.8)
    assert math.isnan(ex[0]["do"]) and ex[1] == {}
    # NH3-N is Ⅴ; CODMn and DO are both Ⅳ: the one with a multiple first (DO has none; envgov choice)
    assert res.primary_text() == [["氨氮(0.8)", "高锰酸盐指数(0.3)", "溶解氧"], []]


def test_shares_and_river_rating():
    s = water.shares(np.array([1, 2, 3, 4, 6, 0]))
    assert (s.sections, s.good, s.worse_than_v) == (5, 3, 1)
    assert math.isclose(s.share_good, 60.0) and math.isclose(s.share_worse_than_v, 20.0)
    # 4 sections (< 5): mean of each indicator, then single factor: CODMn (2+4+6+8)/4 = 5 → Ⅲ
    four = _wide([{"site": x, "time": T[0], "codmn": v} for x, v in zip("ABCD", (2, 4, 6, 8))])
    r = water.rate_sections(four, np.zeros(4, bool), "甲河")
    assert (r["method"], r["class"], r["status"]) == ("mean", "Ⅲ", "良好")
    assert r["primary_pollutants_by_section"] == {"A": [], "B": [], "C": [], "D": ["高锰酸盐指数(0.3)"]}
    # 5 sections: proportion method, 3 of 5 ≤ Ⅲ (60 %), 劣Ⅴ 1 of 5 (20 %) → 中度污染
    five = _wide([{"site": x, "time": T[0], "codmn": v} for x, v in zip("ABCDE", (2, 4, 6, 8, 16))])
    r = water.rate_sections(five, np.zeros(5, bool), "乙河")
    assert (r["method"], r["status"]) == ("proportion", "中度污染")
    # river main pollutants: items worse than Ⅲ by share of sections — CODMn in 2 of 5 (8 → Ⅳ, 16 → 劣Ⅴ)
    assert r["primary_pollutants"] == [{"item": "codmn", "label": "高锰酸盐指数", "exceeding_sections": 2,
                                        "exceeding_share": 40.0}]
    with parameters.using({"proportion_min_sections": 6}):
        assert water.rate_sections(five, np.zeros(5, bool))["method"] == "mean"


def test_targets_per_row():
    sites = pa.array(["A", "B", "C", "A"])
    assert list(water.targets_of(sites, {"A": 3, "B": None})) == [3, 0, 0, 3]
    assert list(water.targets_of(sites, {})) == [0, 0, 0, 0]
