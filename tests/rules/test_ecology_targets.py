"""Status rules of the ecology, carbon and soil targets (envgov.rules.ecology_targets, decision 0036)."""
from __future__ import annotations

import datetime as dt

from envgov.engine.ecology import Change
from envgov.rules import ecology_targets as r


def test_carbon_wording():
    assert r.carbon_base_year("全区碳排放强度同比持续下降,较2020年累计下降15%左右") == 2020
    assert r.carbon_base_year("单位地区生产总值二氧化碳排放下降率达到1%") is None
    assert r.carbon_is_cumulative("累计", "")
    assert r.carbon_is_cumulative("全年", "较2020年下降15%")
    assert not r.carbon_is_cumulative("全年", "较上年下降1%")
    assert r.carbon_target_year(2024, "到2025年较2020年累计下降15%") == 2025
    assert r.carbon_target_year(2024, "较2020年累计下降15%") == 2024


def test_ei_status():
    worse = Change("", 2024, 2023, -1.2, "略微变化", "变差")
    better = Change("", 2024, 2023, 3.2, "明显变化", "变好")
    assert r.ei_status(2024, 57.7, "良", 55, better)[0] == r.MET
    assert r.ei_status(2024, 57.7, "良", 55, worse)[0] == r.WARN
    assert r.ei_status(2024, 54.9, "一般", 55, better)[0] == r.NOT_MET
    status, reason = r.ei_status(2024, 75, "优", 55, None)
    assert status == r.MET and "已达“优”" in reason and "无上年数据" in reason


def test_soil_status():
    end = dt.date(2024, 12, 31)
    assert r.soil_status(92.0, 92, "x", dt.date(2024, 6, 30), end)[0] == r.MET
    assert r.soil_status(91.0, 92, "x", dt.date(2024, 6, 30), end)[0] == r.WARN
    assert r.soil_status(91.0, 92, "x", end, end)[0] == r.NOT_MET


def test_carbon_status():
    assert r.carbon_status("达标", 3.0, "x", 2024)[0] == r.MET
    assert r.carbon_status("达标", -0.5, "x", 2024)[0] == r.WARN
    assert r.carbon_status("未达标", 3.0, "x", 2024)[0] == r.NOT_MET
    assert r.carbon_status("", 3.0, "x", 2024)[0] == r.UNKNOWN
    assert r.single_year_status(2024, 1.0, 1)[0] == r.MET
