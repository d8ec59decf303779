"""`envgov air evaluate` end to end on a small wide file (JSON keys, table, xlsx, located errors)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

from envgov.cli import app

KEYS = {"pm25", "pm10", "so2", "no2", "co_p95", "o3_8h_p90", "valid_days", "good_days", "good_ratio",
        "heavy_days", "days_by_level", "composite_index", "provenance"}


def _file(tmp_path, bad=False):
    lines = ["site,time,pm25,pm10,so2,no2,co,o3"]
    t0 = datetime(2015, 1, 1)
    for s, base in (("A", 30), ("B", 50)):
        for h in range(24 * 3):
            t = t0 + timedelta(hours=h)
            lines.append(f"{s},{t:%Y-%m-%dT%H:%M},{base},{base + 20},5,30,0.8,{40 + h % 24}")
    if bad:
        lines.append("A,2015-01-04T25:00,1,1,1,1,1,1")
    p = tmp_path / "w.csv"
    p.write_text("\n".join(lines) + "\n")
    return p


def test_evaluate_json_table_xlsx(tmp_path):
    p = _file(tmp_path)
    r = CliRunner().invoke(app, ["air", "evaluate", str(p), "--from", "2015-01-01", "--to", "2015-01-03",
                                 "--scope", "all", "--format", "json", "--compare-years", "0"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.output)["全部站点"]
    assert KEYS <= set(res)
    # set daily PM2.5 = mean of the two sites (30, 50) → 40 every day; IAQI(40) = 57 (air.md §1.5) → 良
    assert res["pm25"] == 40 and res["valid_days"] == 3 and res["good_days"] == 3
    assert res["days_by_level"]["2"] == 3
    r = CliRunner().invoke(app, ["air", "evaluate", str(p), "--from", "2015-01-01", "--to", "2015-01-03",
                                 "--format", "table", "--compare-years", "0"])
    assert r.exit_code == 0 and "A" in r.output and "优良天数" in r.output
    out = tmp_path / "r.xlsx"
    r = CliRunner().invoke(app, ["air", "evaluate", str(p), "--from", "2015-01-01", "--to", "2015-01-03",
                                 "--format", "xlsx", "-o", str(out), "--compare-years", "0"])
    assert r.exit_code == 0 and out.exists()


def test_evaluate_bad_file_gives_located_error(tmp_path):
    r = CliRunner().invoke(app, ["air", "evaluate", str(_file(tmp_path, bad=True)), "--from", "2015-01-01",
                                 "--to", "2015-01-03"])
    assert r.exit_code == 1
    assert "第 146 行" in r.output and "25" in r.output


def test_evaluate_param_sets_an_unconfirmed_rule_and_says_so(tmp_path):
    p = _file(tmp_path)
    args = ["air", "evaluate", str(p), "--from", "2015-01-01", "--to", "2015-01-03", "--compare-years", "0",
            "--sites", "A"]
    plain = json.loads(CliRunner().invoke(app, args).output)["A"]
    r = CliRunner().invoke(app, args + ["--param", "report_digits_co=2", "--param", "o3_daily_max_8h_min_windows=17"])
    assert r.exit_code == 0, r.output
    tuned = json.loads(r.output)["A"]
    # CO 0.8 every hour → 95th percentile 0.8; with 2 digits still 0.8 — the O3 rule is what changes:
    # all 17 windows are valid here, so O3 stays; the provenance names both user-set values.
    assert tuned["o3_8h_p90"] == plain["o3_8h_p90"] is not None
    set_by_user = {x["key"]: x["value"] for x in tuned["provenance"]["user_parameters"] if x["user_set"]}
    assert set_by_user == {"report_digits_co": 2, "o3_daily_max_8h_min_windows": 17}
    r = CliRunner().invoke(app, args + ["--param", "o3_daily_max_8h_min_windows=30"])
    assert r.exit_code == 2 and "1–17" in r.output
    r = CliRunner().invoke(app, args + ["--param", "report_digits"])
    assert r.exit_code == 2 and "KEY=VALUE" in r.output


def test_evaluate_backend_option_is_checked(tmp_path):
    r = CliRunner().invoke(app, ["air", "evaluate", str(_file(tmp_path)), "--from", "2015-01-01", "--to", "2015-01-03",
                                 "--backend", "oracle"])
    assert r.exit_code != 0 and "duckdb" in r.output


@pytest.mark.spark
def test_spark_gives_the_duckdb_results_on_a_lake(tmp_path, monkeypatch):
    """The same evaluation over the observation lake on PySpark (local mode) and on DuckDB; Spark reads
    the lake's part files itself (nothing goes through DuckDB or the driver's Arrow tables), with the
    comparison year, a site subset and the set scope too."""
    from envgov.engine.lake import Lake
    from envgov.ingest.hourly import ingest_file

    lake = tmp_path / "lake"
    assert ingest_file(_file(tmp_path), lake=Lake(lake)).ok
    base = ["air", "evaluate", str(lake), "--from", "2015-01-01", "--to", "2015-01-03"]
    cases = [["--compare-years", "0"], ["--compare-years", "1", "--sites", "B"], ["--scope", "all", "--compare-years", "0"]]
    out = {}
    for backend in ("duckdb", "pyspark"):
        if backend == "pyspark":
            def no_duckdb(*a, **k):
                raise AssertionError("the lake was read through DuckDB for Spark")
            monkeypatch.setattr(Lake, "to_wide", no_duckdb)
            monkeypatch.setattr(Lake, "to_arrow", no_duckdb)
        for i, extra in enumerate(cases):
            r = CliRunner().invoke(app, base + extra + ["--backend", backend])
            assert r.exit_code == 0, r.output
            out[backend, i] = json.loads(r.output)
    for i in range(len(cases)):
        d, s = out["duckdb", i], out["pyspark", i]
        assert set(d) == set(s) and d
        for name in d:
            assert {k: d[name][k] for k in KEYS - {"provenance"}} == {k: s[name][k] for k in KEYS - {"provenance"}}
            assert d[name].get("comparison") == s[name].get("comparison")
            assert d[name]["unrounded"] == pytest.approx(s[name]["unrounded"], rel=1e-9)


def test_evaluate_a_lake_at_an_fsspec_url_equals_the_folder(tmp_path):
    """A lake on an fsspec location (memory://, as s3:// or hdfs:// would be) imported into and evaluated
    by URL gives what the same lake in a folder gives."""
    import uuid

    import fsspec

    from envgov.engine.lake import Lake
    from envgov.ingest.hourly import ingest_file

    url = f"memory://envgov-cli-{uuid.uuid4().hex[:8]}/lake"
    folder = tmp_path / "lake"
    try:
        for root in (folder, url):
            assert ingest_file(_file(tmp_path), lake=Lake(root)).ok
        out = []
        for root in (str(folder), url):
            r = CliRunner().invoke(app, ["air", "evaluate", root, "--from", "2015-01-01", "--to", "2015-01-03",
                                         "--compare-years", "0"])
            assert r.exit_code == 0, r.output
            out.append(json.loads(r.output))
        assert set(out[0]) == {"A", "B"}
        for name in ("A", "B"):
            assert {k: out[0][name][k] for k in KEYS - {"provenance"}} == \
                   {k: out[1][name][k] for k in KEYS - {"provenance"}}
    finally:
        fsspec.filesystem("memory").rm(url[len("memory://"):].split("/")[0], recursive=True)
