"""The CLI answers bad input with a message and exit code 2, never a traceback (issue 12, item 2):
reversed periods, dates outside the plausible window 1990–2100 (envgov.rules.dates), impossible dates."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from envgov.cli import app


def _file(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("site,time,pm25,pm10,so2,no2,co,o3\n"
                 + "".join(f"S1,2024-01-01T{h:02d}:00,30,20,5,10,0.3,30\n" for h in range(24)), encoding="utf-8")
    return p


def _run(args):
    return CliRunner().invoke(app, args)


@pytest.mark.parametrize(("date_from", "date_to", "says"), [
    ("2024-01-02", "2024-01-01", "时段颠倒"),
    ("9999-12-31", "9999-12-31", "1990–2100"),
    ("0001-01-01", "2024-01-01", "1990–2100"),
    ("2024-01-01", "2101-01-01", "1990–2100"),
    ("2024-02-30", "2024-03-01", "不是有效日期"),
    ("2024/01/01", "2024-01-02", "不是有效日期"),
])
def test_evaluate_bad_period_exits_2_without_traceback(tmp_path, date_from, date_to, says):
    r = _run(["air", "evaluate", str(_file(tmp_path)), "--from", date_from, "--to", date_to])
    assert r.exit_code == 2, r.output
    assert says in r.output
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)  # an Exit, not a crash


def test_evaluate_good_period_still_runs(tmp_path):
    r = _run(["air", "evaluate", str(_file(tmp_path)), "--from", "2024-01-01", "--to", "2024-01-01"])
    assert r.exit_code == 0, r.output


def test_exclude_dates_out_of_window_exits_2(tmp_path):
    dates = tmp_path / "dust.txt"
    dates.write_text("2024-01-01\n9999-01-01\n", encoding="utf-8")
    r = _run(["air", "evaluate", str(_file(tmp_path)), "--from", "2024-01-01", "--to", "2024-01-01",
              "--exclude-dates", str(dates)])
    assert r.exit_code == 2 and "第 2 行" in r.output and "Traceback" not in r.output


def test_plan_import_year_out_of_window_exits_2(tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text("通州区2024年工作计划\n一、大气\n1. 推广新能源汽车\n", encoding="utf-8")
    r = _run(["plan", "import", str(plan), "--year", "20244"])
    assert r.exit_code == 2 and "1990–2100" in r.output and "Traceback" not in r.output
