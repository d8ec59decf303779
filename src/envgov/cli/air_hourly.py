"""`envgov air hourly-aqi`: real-time AQI of every station-hour of hourly input files."""
from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer


class OutputFormat(str, Enum):
    csv = "csv"
    json = "json"


RULE_HELP = (
    "实时 AQI 规则：auto（按日期：2015-05-31 及以前 bjmemc-2014，至 2026-02-28 hj633-2012-hourly，"
    "2026-03-01 起 hj633-2026-hourly）、bjmemc-2014、hj633-2012-hourly、hj633-2012-realtime（HJ 633-2012 原文）、"
    "hj633-2026-hourly"
)


def hourly_aqi(
    inputs: list[Path] = typer.Argument(..., help="小时数据文件（CSV / CSV.GZ，可多个）", exists=False),
    profile: str = typer.Option("bjmemc-hourly", "--profile", "-p",
                                help="导入配置：bjmemc-hourly（北京市环境监测中心小时发布格式）或 envgov 导入配置名/YAML"),
    rule: str = typer.Option("auto", "--rule", "-r", help=RULE_HELP),
    output_format: OutputFormat = typer.Option(OutputFormat.csv, "--format", "-f", help="输出格式 csv 或 json"),
    output: Path | None = typer.Option(None, "--output", "-o", help="输出文件；缺省写到标准输出"),
) -> None:
    """逐站逐时计算实时 AQI。CSV 列：site,time,aqi,primary_pollutant（time 为本地时间 ISO 8601；
    首要污染物用参数代码 so2/no2/pm10/co/o3/pm25，并列时以分号分隔，AQI ≤ 50 时为空）。"""
    import csv
    import io
    import json
    import sys

    import numpy as np

    from envgov.engine.aqi_numpy import station_hour_aqi
    from envgov.standards.air_realtime import RULES

    if rule != "auto" and rule not in RULES:
        typer.echo(f"错误：未知的实时 AQI 规则「{rule}」。{RULE_HELP}", err=True)
        raise typer.Exit(2)
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        typer.echo(f"错误：文件不存在：{'，'.join(missing)}", err=True)
        raise typer.Exit(2)
    try:
        times, sites, matrices = _read_inputs(inputs, profile)
    except ValueError as exc:
        typer.echo(f"错误：{exc}", err=True)
        raise typer.Exit(1) from None
    result = station_hour_aqi(times, sites, matrices, rule=rule)

    # rows: every station-hour with an AQI or at least one concentration in the input
    from envgov.engine.aqi_numpy import full_hour_grid

    present = ~np.isnan(result.aqi)
    for code in ("so2", "no2", "co", "o3", "pm10", "pm25"):
        if code in matrices:
            present |= ~np.isnan(full_hour_grid(times, matrices[code])[1])
    ti, si = np.nonzero(present)
    time_text = np.datetime_as_string(result.times.astype("datetime64[m]"), unit="m")
    aqi = result.aqi[ti, si]
    aqi_text = np.where(np.isnan(aqi), "", np.char.mod("%d", np.nan_to_num(aqi).astype(int)))
    site_arr = np.array(sites, dtype=object)

    if output_format is OutputFormat.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["site", "time", "aqi", "primary_pollutant"])
        w.writerows(zip(site_arr[si], time_text[ti], aqi_text, result.primary[ti, si]))
        text = buf.getvalue()
    else:
        rows = [
            {"site": s, "time": t, "aqi": (None if a == "" else int(a)), "primary_pollutant": p, "rule": r}
            for s, t, a, p, r in zip(site_arr[si], time_text[ti], aqi_text, result.primary[ti, si], result.rule[ti])
        ]
        text = json.dumps(rows, ensure_ascii=False) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    used = ", ".join(f"{k}: {int((result.rule == k).sum())} 小时" for k in dict.fromkeys(result.rule.tolist()))
    note = f"；由小时值计算的滑动平均：{', '.join(result.derived)}" if result.derived else ""
    typer.echo(f"{len(ti)} 个站点小时，规则 {used}{note}", err=True)


def _read_inputs(inputs: list[Path], profile: str):
    """(times, sites, {code: (T, S) matrix}) from release files or any envgov import profile."""
    import numpy as np

    if profile == "bjmemc-hourly":
        from envgov.ingest.bjmemc import read_bjmemc

        release = read_bjmemc(inputs)
        return release.times, release.sites, dict(release.values)

    from envgov.ingest.hourly import read_hourly

    tables = []
    for path in inputs:
        report = read_hourly(path, profile=profile)
        if not report.ok:
            shown = "\n".join(str(e) for e in report.errors[:20])
            raise ValueError(f"{path.name} 有 {report.error_count} 处错误：\n{shown}")
        tables.append(report.table)
    import pyarrow as pa

    table = pa.concat_tables(tables)
    table = table.filter(pa.compute.equal(table["kind"], "air"))
    t = table["time"].to_numpy().astype("datetime64[h]")
    sites_all = table["site"].to_numpy(zero_copy_only=False)
    params = table["parameter"].to_numpy(zero_copy_only=False)
    values = table["value"].to_numpy()
    times = np.unique(t)
    sites = tuple(dict.fromkeys(sites_all.tolist()))
    site_index = {s: i for i, s in enumerate(sites)}
    si = np.array([site_index[s] for s in sites_all], dtype=int)
    ti = np.searchsorted(times, t)
    matrices = {}
    for code in np.unique(params):
        rows = params == code
        m = np.full((len(times), len(sites)), np.nan)
        m[ti[rows], si[rows]] = values[rows]
        matrices[str(code)] = m
    return times, sites, matrices
