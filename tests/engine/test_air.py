"""Engine vs the standards: Ibis results must equal envgov.standards.air's exact scalar functions.

The same tests run on DuckDB and, marked `spark`, on PySpark local mode (one code path, two backends).
Expected values come from the standards' tables and worked examples (air.md §1.5, §3.2; air-2026.md
§3.9) or from the scalar reference functions of envgov.standards.air — never from the engine itself.
"""
from __future__ import annotations

import json
import math
import random
from datetime import date, datetime, timedelta

import ibis
import pyarrow as pa
import pytest

from envgov.engine import air, backends
from envgov.standards import air as std

BACKEND_PARAMS = ["duckdb", pytest.param("pyspark", marks=pytest.mark.spark)]


# Small test tables: Spark's whole-stage code generation costs more than it saves here.
SPARK_TEST_CONF = {"spark.sql.codegen.wholeStage": "false"}


@pytest.fixture(scope="module", params=BACKEND_PARAMS)
def con(request):
    return backends.connect(request.param, **(SPARK_TEST_CONF if request.param == "pyspark" else {}))


def _columns():
    out = []
    for (ed, pollutant, averaging), bp in std.BREAKPOINTS.items():
        out.append((ed, pollutant, averaging, bp))
    return out


def _probe_values(bp, pollutant):
    vals = set()
    for c in bp.conc:
        for d in (-1, -0.5, 0, 0.5, 1):
            if c + d >= 0:
                vals.add(round(c + d, 1))
    vals.update([bp.conc[-1] + 100, 0.0])
    if pollutant == "co":
        vals.update([0.05, 0.15, 1.25, 1.35, 2.05, 3.95, 4.05, 4.1, 13.95])
    else:
        vals.update([35.5, 40.0, 60.5, 61.5, 74.5, 75.5, 150.5, 800.0, 800.4, 800.5, 801.0])
    rng = random.Random(hash((pollutant, bp.averaging, bp.edition)) & 0xFFFF)
    top = bp.conc[-1] * 1.1
    vals.update(round(rng.uniform(0, top), rng.choice([0, 1, 2])) for _ in range(60))
    return sorted(vals)


def test_iaqi_case_expressions_equal_scalar_functions(con):
    values = sorted({v for ed, pollutant, averaging, bp in _columns() for v in _probe_values(bp, pollutant)})
    t = backends.table(con, pa.table({"v": [float(v) for v in values]}))
    keys = sorted({(ed, pollutant, averaging) for ed, pollutant, averaging, _ in _columns()})
    # one IAQI column per breakpoint column of either edition, all probe values through each
    res = t.select(t.v, **{f"c{i}": air.iaqi_expr(t.v, *k) for i, k in enumerate(keys)}).to_pyarrow().to_pylist()
    bad = []
    n = 0
    for row in res:
        for i, (ed, pollutant, averaging) in enumerate(keys):
            if pollutant == "co" and row["v"] > 200:
                continue  # keep CO probes in a plausible range
            n += 1
            expected = std.iaqi(ed, pollutant, averaging, row["v"])
            if row[f"c{i}"] != expected:
                bad.append((ed, pollutant, averaging, row["v"], row[f"c{i}"], expected))
    assert not bad, bad[:10]
    assert n > 5000


@pytest.mark.parametrize("edition,pollutant,conc,expected", [
    # air.md §1.5 test vectors (HJ 633-2012 Table 1 + ceiling)
    ("2012", "pm25", 35, 50), ("2012", "pm25", 35.5, 51), ("2012", "pm25", 40, 57), ("2012", "pm25", 75, 100),
    ("2012", "pm25", 76, 102), ("2012", "pm10", 151, 101), ("2012", "so2", 151, 101), ("2012", "co", 4.1, 101),
    # air-2026.md §3.9
    ("2026", "pm25", 60, 100), ("2026", "pm25", 61, 101), ("2026", "pm25", 75, 114), ("2026", "pm10", 120, 100),
    ("2026", "pm10", 150, 112), ("2012", "pm25", 60, 82), ("2012", "pm10", 120, 85), ("2026", "so2", 150, 100),
])
def test_iaqi_worked_examples(pollutant, edition, conc, expected):
    t = ibis.memtable({"v": [float(conc)]})
    assert air.iaqi_expr(t.v, edition, pollutant, "24h").to_pyarrow().to_pylist() == [expected]


def _hourly(seed: int, sites=("A", "B", "C"), days=40, start=date(2015, 12, 20), holes=0.08):
    """Synthetic wide hourly data with holes, spikes and tie values."""
    rng = random.Random(seed)
    rows = {k: [] for k in ("site", "time", *air.PARAMETERS)}
    for s in sites:
        for d in range(days):
            day_hole = rng.random() < 0.1  # some days lose many hours
            for h in range(24):
                t = datetime.combine(start + timedelta(days=d), datetime.min.time()) + timedelta(hours=h)
                rows["site"].append(s)
                rows["time"].append(t)
                for p in air.PARAMETERS:
                    miss = rng.random() < (0.45 if day_hole else holes)
                    if miss:
                        rows[p].append(None)
                        continue
                    base = {"pm25": 70, "pm10": 120, "so2": 20, "no2": 50, "co": 1.2, "o3": 90}[p]
                    v = rng.lognormvariate(math.log(base), 0.7)
                    rows[p].append(round(v, 1) if p == "co" else float(round(v)))
    return pa.table(rows)


def _py_daily(hourly: pa.Table):
    """Independent plain-Python statement of GB 3095 Table 4 / HJ 663 §6.1.2 for the daily values."""
    rules = std.validity_rules("2012")
    by = {}
    for r in hourly.to_pylist():
        by.setdefault((r["site"], r["time"].date()), {})[r["time"].hour] = r
    out = {}
    for key, hours in by.items():
        d = {}
        for p in air.MEAN_POLLUTANTS:
            vals = [hours[h][p] for h in hours if hours[h][p] is not None]
            d[p] = sum(vals) / len(vals) if len(vals) >= rules.daily_min_hours else None
        o3 = [hours.get(h, {}).get("o3") for h in range(24)]
        o3v = [v for v in o3 if v is not None]
        d["o3_1h"] = max(o3v) if len(o3v) >= rules.daily_min_hours else None
        means = []
        for end in range(7, 24):
            w = [v for v in o3[end - 7:end + 1] if v is not None]
            if len(w) >= rules.o3_8h_min_hours:
                means.append(sum(w) / len(w))
        top = max(means) if means else None
        limit = std.limits("2012", "o3", "8h", 2).value
        d["o3_8h"] = top if means and (len(means) >= rules.o3_daily_max_8h_min_windows or top > limit) else None
        out[key] = d
    return out


def test_daily_pipeline_equals_scalar_functions(con):
    hourly = _hourly(7, start=date(2026, 2, 20), days=20)  # crosses the 2026-03-01 edition switch
    t = backends.table(con, hourly)
    got = air.daily_results(t, date(2026, 2, 20), date(2026, 3, 11), con=con).to_pylist()
    expected_conc = _py_daily(hourly)
    assert len(got) == len(expected_conc) == 60
    for r in got:
        exp = expected_conc[(r["site"], r["day"])]
        for k in air.DAILY_COLUMNS:
            if exp[k] is None:
                assert r[k] is None, (r["site"], r["day"], k)
            else:
                assert r[k] == pytest.approx(exp[k], rel=1e-12), (r["site"], r["day"], k)
        ed = std.edition_for(r["day"]).key
        assert r["edition"] == ed
        keys = [i.key for i in std.DAILY_INDICATORS[ed]]
        ref = std.daily_aqi(ed, {k: r[k] for k in keys})
        assert r["aqi"] == ref.aqi, (r, ref)
        for k in keys:
            assert r[f"iaqi_{k}"] == ref.iaqi[k]
        assert (r["level"] if r["aqi"] is not None else None) == (ref.level.number if ref.level else None)
        assert tuple((r["primary"] or "").split(",")) if r["primary"] else () == ref.primary_pollutants
        if ed == "2012":
            assert tuple(r["exceeding"].split(",")) if r["exceeding"] else () == ref.exceeding_pollutants
        else:
            assert r["exceeding"] is None
    assert {r["edition"] for r in got} == {"2012", "2026"}
    assert any(not r["complete"] for r in got) and any(r["complete"] for r in got)


def test_hourly_aqi_2026_equals_scalar(con):
    hourly = _hourly(3, sites=("A",), days=3, start=date(2026, 3, 2))
    t = backends.table(con, hourly)
    got = air.hourly_aqi(t, "2026").order_by("time").to_pyarrow().to_pylist()
    src = hourly.to_pylist()
    for r, h in zip(got, src):
        ref = {i.key: std.iaqi("2026", i.pollutant, i.averaging, h[i.key]) for i in std.REALTIME_INDICATORS["2026"]}
        vals = [v for v in ref.values() if v is not None]
        assert r["aqi"] == (max(vals) if vals else None)
        for k, v in ref.items():
            assert r[f"iaqi_{k}"] == v


def test_percentile_worked_example_and_period_counts(con):
    # HJ 663 Annex A worked example (air.md §3.2): {3,4,8,2,5,4}, p90 → 6.5
    days = [date(2015, 1, d) for d in range(1, 7)]
    daily = pa.table({
        "site": ["X"] * 6, "day": days, "o3_8h": [3.0, 4.0, 8.0, 2.0, 5.0, 4.0],
        "pm25": [10.0, 20.0, 30.0, 40.0, 50.0, None], "pm10": [1.0] * 6, "so2": [1.0] * 6, "no2": [1.0] * 6,
        "co": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], "o3_1h": [1.0] * 6,
        "aqi": [30, 60, 120, 210, 320, 150], "level": [1, 2, 3, 5, 6, 4],
        "valid": [True, True, True, True, True, False],
    })
    t = backends.table(con, daily)
    r = air.period_aggregate(t, "2012").to_pyarrow().to_pylist()[0]
    assert r["p90_o3_8h"] == pytest.approx(6.5)
    assert r["p95_co"] == pytest.approx(std.percentile([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], 95))
    assert r["p95_pm25"] == pytest.approx(std.percentile([10, 20, 30, 40, 50], 95))
    assert r["mean_pm25"] == pytest.approx(30.0)
    assert (r["valid_days"], r["good_days"], r["heavy_days"]) == (5, 2, 2)
    assert [r[f"level_{k}"] for k in range(1, 7)] == [1, 1, 1, 0, 1, 1]


def test_evaluate_set_and_exclusions():
    hourly = _hourly(11, days=366, start=date(2016, 1, 1), holes=0.03)
    res = air.evaluate(hourly, date(2016, 1, 1), date(2016, 12, 31), scope="all", exclude_dates=["2016-03-05"],
                       compare_years=None)
    r = res[air.ALL_SITES]
    daily = air.daily_results(hourly, date(2016, 1, 1), date(2016, 12, 31), scope="all").to_pylist()
    valid = [d for d in daily if d["valid"]]
    assert r["valid_days"] == len(valid)
    assert r["good_days"] == sum(d["aqi"] <= 100 for d in valid)
    assert r["heavy_days"] == sum(d["aqi"] > 200 for d in valid)
    assert sum(r["days_by_level"].values()) == r["valid_days"]
    pm = [d["pm25"] for d in daily if d["pm25"] is not None]
    assert r["unrounded"]["pm25"] == pytest.approx(sum(pm) / len(pm))
    assert r["pm25"] == float(std.round_concentration("2012", "pm25", sum(pm) / len(pm), "report"))
    assert r["co_p95"] == float(std.round_concentration("2012", "co", std.percentile([d["co"] for d in daily], 95), "report"))
    ex = r["excluding_events"]
    dropped = [d for d in daily if d["day"] == date(2016, 3, 5)]
    assert ex["valid_days"] == r["valid_days"] - sum(d["valid"] for d in dropped)
    # set daily value = mean of the sites' valid daily values (HJ 663)
    site_daily = air.daily_results(hourly, date(2016, 3, 5), date(2016, 3, 5)).to_pylist()
    vals = [d["pm25"] for d in site_daily if d["pm25"] is not None]
    assert dropped[0]["pm25"] == pytest.approx(sum(vals) / len(vals))
    # composite index: Σ C/S with the grade-2 limits of GB 3095-2012
    s = (r["so2"] / 60 + r["no2"] / 40 + r["pm10"] / 70 + r["pm25"] / 35 + r["co_p95"] / 4 + r["o3_8h_p90"] / 160)
    assert r["composite_index"] == pytest.approx(round(s, 2))
    assert r["provenance"]["standards"]["aqi"] == "HJ 633-2012"
    assert r["annual_validity"]["pm25"]["valid"] in (True, False)


def test_hourly_aqi_2012_letter_equals_scalar(con):
    """HJ 633-2012 Table 4 real-time report: PM from 24-h moving means, O3 8-h moving mean, SO2 > 800 rule."""
    from envgov.standards.air_realtime import hourly_aqi as ref_hourly

    hourly = _hourly(5, sites=("A",), days=3, start=date(2015, 6, 1))
    rows = hourly.to_pylist()
    rows[40]["so2"] = 850.0  # above the SO2 1-h table: falls back to the 24-h moving mean
    hourly = pa.Table.from_pylist(rows, schema=hourly.schema)
    rules = std.validity_rules("2012")
    got = air.hourly_aqi(backends.table(con, hourly), "2012").order_by("time").to_pyarrow().to_pylist()

    def trailing(i, p, n, n_min):
        vals = [r[p] for r in rows[max(0, i - n + 1):i + 1] if r[p] is not None]
        return sum(vals) / len(vals) if len(vals) >= n_min else None

    for i, (r, h) in enumerate(zip(got, rows)):
        values = {"so2": h["so2"], "no2": h["no2"], "co": h["co"], "o3": h["o3"],
                  "o3_8h": trailing(i, "o3", 8, rules.o3_8h_min_hours),
                  "pm10_24h": trailing(i, "pm10", 24, rules.daily_min_hours),
                  "pm25_24h": trailing(i, "pm25", 24, rules.daily_min_hours),
                  "so2_24h": trailing(i, "so2", 24, rules.daily_min_hours)}
        ref = ref_hourly("hj633-2012-realtime", values)
        assert r["aqi"] == ref.aqi, (i, values, r, ref)
        assert tuple(r["primary"].split(",")) if r["primary"] else () == ref.primary_pollutants


def test_exceptional_event_flag_column_and_sets():
    hourly = _hourly(13, days=30, start=date(2015, 4, 1), holes=0.0)
    flag = [t.date() == date(2015, 4, 10) for t in hourly.column("time").to_pylist()]
    hourly = hourly.append_column("dust", pa.array(flag))
    res = air.evaluate(hourly, date(2015, 4, 1), date(2015, 4, 30), scope="all", exclude_flag="dust",
                       compare_years=None)[air.ALL_SITES]
    assert res["excluding_events_dates"] == ["2015-04-10"]
    assert res["excluding_events"]["valid_days"] == res["valid_days"] - 1
    sets = air.evaluate_sets(hourly, date(2015, 4, 1), date(2015, 4, 30), {"甲镇": ["A"], "乙区": ["B", "C"]},
                             compare_years=None)
    single = air.evaluate(hourly, date(2015, 4, 1), date(2015, 4, 30), sites=["A"], compare_years=None)["A"]
    assert set(sets) == {"甲镇", "乙区"}
    # a set of one site is that site
    assert sets["甲镇"]["pm25"] == single["pm25"] and sets["甲镇"]["good_days"] == single["good_days"]


def test_evaluate_sets_same_on_every_backend(con):
    """The whole evaluation (sets in one query) gives the same figures on this backend as the set-by-set path."""
    hourly = _hourly(17, days=31, start=date(2016, 1, 1), holes=0.05)
    sets = {"甲镇": ["A"], "乙区": ["B", "C"], "全市": ["A", "B", "C"]}
    t = backends.table(con, hourly)
    got = air.evaluate_sets(t, date(2016, 1, 1), date(2016, 1, 31), sets, compare_years=None, con=con)
    for name, members in sets.items():
        one = air.evaluate(hourly, date(2016, 1, 1), date(2016, 1, 31), sites=members, scope="all", set_name=name,
                           compare_years=None)[name]
        for k in ("pm25", "pm10", "so2", "no2", "co_p95", "o3_8h_p90", "valid_days", "good_days", "heavy_days",
                  "days_by_level", "composite_index"):
            assert got[name][k] == one[k], (name, k)
        assert got[name]["provenance"]["sites"] == members


def test_hourly_results_switch_editions_by_date():
    hourly = _hourly(21, sites=("A",), days=4, start=date(2026, 2, 27))
    got = air.hourly_results(hourly, date(2026, 2, 28), date(2026, 3, 1)).to_pylist()
    assert len(got) == 48
    assert {r["edition"] for r in got if r["time"].date() == date(2026, 2, 28)} == {"2012"}
    assert {r["edition"] for r in got if r["time"].date() == date(2026, 3, 1)} == {"2026"}
    src = {r["time"]: r for r in hourly.to_pylist()}
    for r in got:
        if r["edition"] == "2026":
            ref = std.iaqi("2026", "pm25", "24h", src[r["time"]]["pm25"])
            assert ref is None or r["aqi"] >= ref


def test_edition_override_2026_on_2016_data():
    """--standard 2026 on older data: the 2026 PM breakpoints give fewer good days than 2012."""
    hourly = _hourly(23, days=60, start=date(2016, 1, 1), holes=0.0)
    r12 = air.evaluate(hourly, date(2016, 1, 1), date(2016, 2, 29), scope="all", edition="2012", compare_years=None)
    r26 = air.evaluate(hourly, date(2016, 1, 1), date(2016, 2, 29), scope="all", edition="2026", compare_years=None)
    a, b = r12[air.ALL_SITES], r26[air.ALL_SITES]
    assert b["provenance"]["standards"]["aqi"] == "HJ 633-2026"
    assert b["provenance"]["standards"]["phase"] == "transition"
    assert b["good_days"] <= a["good_days"]
    assert b["attainment"]["pm25"]["items"][0]["limit"] == 30.0  # GB 3095-2026 transition, grade 2


def test_remembered_sql_runs_on_the_new_table():
    """Same shape, different data, same connection: the remembered SQL must read the new table."""
    con = backends.connect()
    h1 = _hourly(31, sites=("A", "B"), days=10, start=date(2015, 5, 1))
    h2 = _hourly(32, sites=("A", "B"), days=10, start=date(2015, 5, 1))
    t1, t2 = backends.table(con, h1), backends.table(con, h2)
    r1 = air.evaluate(t1, date(2015, 5, 1), date(2015, 5, 10), compare_years=None, con=con)
    r2 = air.evaluate(t2, date(2015, 5, 1), date(2015, 5, 10), compare_years=None, con=con)
    fresh = air.evaluate(h2, date(2015, 5, 1), date(2015, 5, 10), compare_years=None)  # own connection
    assert r2["A"]["unrounded"] == fresh["A"]["unrounded"]
    assert r1["A"]["unrounded"] != r2["A"]["unrounded"]
    assert r2["B"]["days_by_level"] == fresh["B"]["days_by_level"]


def _same(a, b, path="") -> None:
    """Equal, floats to 1e-9 relative (parallel sums may differ in the last bit from run to run)."""
    if isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-9), path
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            _same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    else:
        assert a == b, path


def test_remembered_sql_across_periods_equals_the_ibis_path():
    """Arrow input on DuckDB is cut to the period in Arrow and runs SQL remembered by shape only; results
    for different periods (and a site subset, and across the 2026 switch) must equal the plain Ibis path."""
    air._SQL_MEMO.clear()
    hourly = _hourly(41, sites=("A", "B", "C"), days=30, start=date(2026, 2, 15))
    con = backends.connect()
    as_ibis = backends.table(con, hourly)  # an Ibis table: filtered inside the expression, nothing remembered
    cases = [(date(2026, 2, 15), date(2026, 2, 20), None), (date(2026, 2, 21), date(2026, 2, 27), ["A", "C"]),
             (date(2026, 2, 25), date(2026, 3, 5), None), (date(2026, 3, 2), date(2026, 3, 10), ["B"])]
    for start, end, sites in cases:
        for scope in ("site", "all"):
            got = air.daily_results(hourly, start, end, sites=sites, scope=scope)
            want = air.daily_results(as_ibis, start, end, sites=sites, scope=scope, con=con)
            _same(got.to_pylist(), want.to_pylist(), f"{start} {end} {sites} {scope}")
        got = air.evaluate(hourly, start, end, sites=sites, compare_years=None)
        want = air.evaluate(as_ibis, start, end, sites=sites, compare_years=None, con=con)
        _same(got, want, f"{start} {end} {sites}")
    shapes = {k[2] for k in air._SQL_MEMO}  # ("daily_results" | "statistics", …) after schema, parameters
    assert shapes == {"daily_results", "statistics"}
    # 4 periods × 2 scopes of daily results fall into few shapes: edition 2012, 2026 and both (auto)
    assert len([k for k in air._SQL_MEMO if k[2] == "daily_results"]) == 6


def test_remembered_statistics_run_without_ibis_give_the_same_results():
    """`results.evaluate_remembered` (the CLI's path when the query is remembered) runs the SQL Ibis
    compiled on a plain DuckDB connection: same results as `air.evaluate` for sites, a subset and a set;
    nothing (None) when the query shape was never compiled."""
    from envgov.engine import results

    air._SQL_MEMO.clear()
    hourly = _hourly(61, sites=("A", "B", "C"), days=366, start=date(2015, 1, 1))
    start, end = date(2015, 1, 1), date(2015, 12, 31)
    assert results.evaluate_remembered(hourly, start, end) is None
    for sites, scope in ((None, "site"), (["A", "C"], "site"), (None, "all")):
        want = air.evaluate(hourly, start, end, sites=sites, scope=scope, compare_years=None)
        got = results.evaluate_remembered(hourly, start, end, sites=sites, scope=scope)
        _same(got, want, f"{sites} {scope}")
    assert results.evaluate_remembered(hourly, start, end, scope="sets") is None


def test_a_cli_run_with_its_query_on_disk_does_not_import_ibis(tmp_path):
    """A later CLI run of the same query shape reads the compiled SQL and never imports Ibis (the
    speed of `envgov air evaluate`, decision 0023); its output is the first run's."""
    import os
    import subprocess
    import sys

    src = tmp_path / "w.csv"
    lines = ["site,time,pm25,pm10,so2,no2,co,o3"]
    for s, base in (("A", 30), ("B", 50)):
        for h in range(24 * 5):
            t = datetime(2015, 3, 1) + timedelta(hours=h)
            lines.append(f"{s},{t:%Y-%m-%dT%H:%M},{base + h % 7},{base + 20},5,30,0.8,{40 + h % 24}")
    src.write_text("\n".join(lines) + "\n")
    code = ("import sys, json; from typer.testing import CliRunner; from envgov.cli import app; "
            f"r = CliRunner().invoke(app, ['air', 'evaluate', {str(src)!r}, '--from', '2015-03-01', '--to', "
            "'2015-03-05', '--compare-years', '0']); assert r.exit_code == 0, r.output; "
            "print(json.dumps({'ibis': 'ibis' in sys.modules, 'out': json.loads(r.output)}))")
    env = dict(os.environ, ENVGOV_SQL_CACHE=str(tmp_path / "sql"))
    runs = [json.loads(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                      check=True).stdout) for _ in range(2)]
    assert runs[0]["ibis"] and not runs[1]["ibis"]
    _same(runs[1]["out"], runs[0]["out"])


def test_compiled_sql_on_disk_is_read_by_a_later_process(tmp_path, monkeypatch):
    """The CLI is a new process each run: the statistics SQL compiled by one run is read from the cache
    folder by the next (no Ibis compilation), gives the same results, and a damaged or foreign file in
    the folder is ignored (compiled again), never used."""
    monkeypatch.setenv("ENVGOV_SQL_CACHE", str(tmp_path))
    hourly = _hourly(51, sites=("A", "B"), days=20, start=date(2015, 7, 1))
    air._SQL_MEMO.clear()
    first = air.evaluate(hourly, date(2015, 7, 1), date(2015, 7, 20), compare_years=None)
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == 1
    air._SQL_MEMO.clear()  # "a new process"
    real_to_sql = ibis.to_sql

    def no_compiling(*a, **k):
        raise AssertionError("compiled again although the SQL was on disk")
    monkeypatch.setattr(ibis, "to_sql", no_compiling)
    again = air.evaluate(hourly, date(2015, 7, 1), date(2015, 7, 20), compare_years=None)
    _same(again, first)
    other = _hourly(52, sites=("A", "B"), days=20, start=date(2015, 7, 1))  # same shape, other data
    air._SQL_MEMO.clear()
    monkeypatch.setattr(ibis, "to_sql", real_to_sql)
    fresh = air.evaluate(other, date(2015, 7, 1), date(2015, 7, 20), compare_years=None, con=backends.connect())
    monkeypatch.setenv("ENVGOV_SQL_CACHE", "off")
    air._SQL_MEMO.clear()
    _same(fresh, air.evaluate(other, date(2015, 7, 1), date(2015, 7, 20), compare_years=None))
    monkeypatch.setenv("ENVGOV_SQL_CACHE", str(tmp_path))
    files[0].write_text("{not json", encoding="utf-8")  # damaged: compiled again and rewritten
    air._SQL_MEMO.clear()
    _same(air.evaluate(hourly, date(2015, 7, 1), date(2015, 7, 20), compare_years=None), first)
    assert files[0].read_text(encoding="utf-8").startswith("{\"key\"")
    rec = __import__("json").loads(files[0].read_text(encoding="utf-8"))
    rec["key"] = "another query"  # a file whose key is not this query's is not used
    rec["sql"] = "SELECT 1"
    files[0].write_text(__import__("json").dumps(rec), encoding="utf-8")
    air._SQL_MEMO.clear()
    _same(air.evaluate(hourly, date(2015, 7, 1), date(2015, 7, 20), compare_years=None), first)
