"""`envgov rank towns` on the demo district (load_demo in the test database): JSON exactly as the issue
says, sports ranks, .xlsx, and exit code 2 with a Chinese message on bad input."""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

import pytest
from django.core.management import call_command
from typer.testing import CliRunner

from envgov.cli import app


@pytest.fixture
def demo(db, settings):  # noqa: ANN001
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", quiet=True)
    settings.ENVGOV_TODAY = "2024-09-16"
    from envgov.apps.geo.models import Town
    from envgov.apps.air.models import Station

    # until the demo's simulated micro-stations exist in every town, place its three simulated sites in two
    # towns (two in 宋庄镇, one in 张家湾镇), as a person would by hand
    songzhuang, zhangjiawan = Town.objects.get(name="宋庄镇"), Town.objects.get(name="张家湾镇")
    if not Station.objects.filter(town__isnull=False).exists():
        Station.objects.filter(code__in=["TZ-SIM-01", "TZ-SIM-03"]).update(town=songzhuang, town_manual=True)
        Station.objects.filter(code="TZ-SIM-02").update(town=zhangjiawan, town_manual=True)


def _run(*args: str):  # noqa: ANN202
    return CliRunner().invoke(app, ["rank", "towns", *args])


def _expected_march_means() -> dict[str, float]:
    """The town means computed here, plainly: per town and day the mean of its sites' valid daily PM2.5,
    then the mean over the days (every weight is 1 in the demo: the plain mean of sites)."""
    from envgov.apps.air.models import AirDaily

    per_day: dict[tuple[str, dt.date], list[float]] = defaultdict(list)
    for town, day, v in AirDaily.objects.filter(station__town__isnull=False, day__range=("2024-03-01", "2024-03-31"),
                                                pm25__isnull=False).values_list("station__town__name", "day", "pm25"):
        per_day[(town, day)].append(v)
    by_town: dict[str, list[float]] = defaultdict(list)
    for (town, _day), values in per_day.items():
        by_town[town].append(sum(values) / len(values))
    return {t: sum(v) / len(v) for t, v in by_town.items() if len(v) >= 27}


def test_on_the_demo(demo, tmp_path):
    """One demo load (it takes a while): JSON, improvement and .xlsx."""
    _json_on_the_demo()
    _improvement_and_xlsx_on_the_demo(tmp_path)


def _json_on_the_demo():
    r = _run("--period", "2024-03", "--indicator", "pm25", "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows and all(set(x) == {"town", "value", "rank", "valid_days"} for x in rows)
    from envgov.apps.geo.models import Town

    assert len(rows) == Town.objects.filter(district__adcode="110112", active=True).count()
    expected = _expected_march_means()
    ranked = [x for x in rows if x["rank"] is not None]
    assert {x["town"] for x in ranked} == set(expected)
    for x in ranked:  # reported values: GB/T 8170 to integers
        assert abs(x["value"] - expected[x["town"]]) <= 0.5 and x["value"] == round(x["value"])
        assert x["valid_days"] >= 27
    # sports ranks: 1 + the number of towns with a smaller value
    for x in ranked:
        assert x["rank"] == 1 + sum(1 for y in ranked if y["value"] < x["value"])
    assert all(x["value"] is None and x["rank"] is None for x in rows if x not in ranked)
    assert rows[: len(ranked)] == sorted(ranked, key=lambda x: x["rank"])


def _improvement_and_xlsx_on_the_demo(tmp_path):
    r = _run("--period", "2024-03", "--indicator", "pm25", "--by", "improvement", "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    # value = the change rate (%) against March 2023 where both years are valid; otherwise no rank
    ranked = [x for x in rows if x["rank"] is not None]
    for x in ranked:
        assert x["rank"] == 1 + sum(1 for y in ranked if y["value"] < x["value"])
    assert all(x["value"] is None for x in rows if x["rank"] is None)
    out = tmp_path / "排名.xlsx"
    r = _run("--period", "2024-Q1", "--indicator", "pm25", "--format", "xlsx", "--out", str(out))
    assert r.exit_code == 0, r.output
    from openpyxl import load_workbook

    ws = load_workbook(out).active
    assert "通州区2024年第1季度街乡镇PM2.5排名" in ws["A1"].value
    assert ws.cell(row=3, column=1).value == "名次"


@pytest.mark.parametrize("args, says", [
    (["--period", "2024-13"], "月份应为 1–12"),
    (["--period", "三月"], "无法识别的时段"),
    (["--period", "2024-10"], "尚未开始"),
    (["--period", "2024-03", "--indicator", "no2"], "未知指标"),
    (["--period", "2024-03", "--by", "best"], "未知排名方式"),
    (["--period", "2024-03", "--format", "pdf"], "不支持的输出格式"),
    (["--period", "2024-03", "--format", "xlsx"], "--out"),
    (["--period", "2024-03", "--district", "海淀区"], "库中没有区"),
])
def test_bad_input_exits_2_in_chinese(world, settings, args, says):
    settings.ENVGOV_TODAY = "2024-09-16"
    r = _run(*args)
    assert r.exit_code == 2 and says in r.output and "Traceback" not in r.output, r.output
