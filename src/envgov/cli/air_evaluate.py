"""`envgov air evaluate`: HJ 663 period statistics for sites or a set of sites, from files or a lake."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from envgov.cli.common import fail

FORMATS = ("json", "table", "xlsx")
BACKENDS = ("duckdb", "pyspark")  # envgov.engine.backends.BACKENDS (not imported here: it imports Ibis)
TABLE_COLUMNS = (
    ("pm25", "PM2.5"), ("pm10", "PM10"), ("so2", "SO2"), ("no2", "NO2"), ("co_p95", "CO-95per"),
    ("o3_8h_p90", "O3-8h-90per"), ("valid_days", "有效天数"), ("good_days", "优良天数"), ("good_ratio", "优良率%"),
    ("heavy_days", "重污染天数"), ("composite_index", "综合指数"),
)


def check_period(date_from: str, date_to: str) -> tuple[date, date]:
    """--from / --to as dates: each a real YYYY-MM-DD within the plausible window (envgov.rules.dates),
    and the start not after the end; otherwise exit 2 with the reason."""
    from envgov.rules import dates as window

    out = []
    for option, text in (("--from", date_from), ("--to", date_to)):
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            raise fail(f"{option} 「{text}」不是有效日期，格式应为 YYYY-MM-DD") from None
        if not window.in_window(day):
            raise fail(f"{option} {day:%Y-%m-%d} 超出可接受的年份范围（{window.window_text()}）")
        out.append(day)
    if out[0] > out[1]:
        raise fail(f"时段颠倒：--from {out[0]:%Y-%m-%d} 晚于 --to {out[1]:%Y-%m-%d}")
    return out[0], out[1]


def _read_dates(path: Path) -> list[date]:
    """One ISO date per line (a CSV whose first column is the date also works); '#' starts a comment."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        cell = line.split("#", 1)[0].split(",", 1)[0].strip()
        if not cell or cell.lower() in ("date", "日期"):
            continue
        try:
            day = date.fromisoformat(cell)
        except ValueError:
            raise fail(f"{path.name} 第 {n} 行：「{cell}」不是日期（YYYY-MM-DD）") from None
        from envgov.rules import dates as window

        if not window.in_window(day):
            raise fail(f"{path.name} 第 {n} 行：{cell} 超出可接受的年份范围（{window.window_text()}）")
        out.append(day)
    return out


_KEEP: list = []


def load_inputs(inputs: list[Path], profile: str | None, sites: list[str] | None):
    """Wide hourly pyarrow table from data files and/or lake folders; exits with the located errors.

    One wide file goes to the engine as the columnar reader left it (no long form, no pivot); several
    inputs are combined in long form and pivoted, so that a site-hour present in two of them is one row.
    """
    import pyarrow as pa

    from envgov.engine.results import PARAMETERS
    from envgov.ingest.hourly import read_hourly

    longs = []
    for p in inputs:
        url = lake_url(p)
        if url is not None or p.is_dir():
            from envgov.engine.lake import Lake

            longs.append(Lake(url or p).to_arrow("air", sites=sites))
            continue
        report = read_hourly(p, profile=profile, gaps=False)  # gaps are not shown here
        if not report.ok:
            typer.echo(report.summary(), err=True)
            raise typer.Exit(code=1)
        for w in report.warnings:
            typer.echo(f"注：{w.reason}", err=True)
        if len(inputs) == 1 and report.wide is not None:
            return engine_wide(report.wide, PARAMETERS)
        if len(inputs) == 1 and report.wide_path is not None:
            import pyarrow.parquet as pq

            if set(PARAMETERS) <= set(pq.read_schema(report.wide_path).names):
                _KEEP.append(report)  # its temporary Parquet file lives as long as the report
                return report.wide_path  # the engine scans it (DuckDB, out of core)
        t = report.table
        longs.append(t.filter(pa.compute.equal(t["kind"], "air")).select(["site", "time", "parameter", "value"]))
    from envgov.engine.lake import pivot_wide

    long = pa.concat_tables([t.cast(longs[0].schema) for t in longs])
    return pivot_wide(long)


def lake_url(p: Path) -> str | None:
    """An fsspec lake location given as an input (s3://bucket/lake, hdfs://host/lake, memory://…): the
    URL, which the command line hands over as a path with one slash folded (s3:/bucket/lake)."""
    import re

    m = re.match(r"^([a-z][a-z0-9+.-]+):/+(.*)$", str(p))
    if m is None or m.group(1) == "file":
        return None
    return f"{m.group(1)}://{m.group(2)}"


def engine_wide(wide, parameters):
    """The reader's wide table with exactly the engine's columns (absent pollutants as NULL columns) and
    no site-hour without any of them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = {"site": wide["site"], "time": wide["time"]}
    present = None
    for p in parameters:
        col = wide[p] if p in wide.column_names else pa.nulls(wide.num_rows, pa.float64())
        cols[p] = col
        valid = pc.is_valid(col)
        present = valid if present is None else pc.or_(present, valid)
    out = pa.table(cols)
    if len(parameters) < len(wide.column_names) - 2:  # other parameters dropped: drop hours left empty
        out = out.filter(present)
    return out


def _flat(name: str, res: dict[str, Any]) -> dict[str, Any]:
    row = {"范围": name}
    for key, label in TABLE_COLUMNS:
        row[label] = res.get(key)
    for k, v in res.get("days_by_level", {}).items():
        row[f"{k}级天数"] = v
    return row


def render_table(results: dict[str, dict[str, Any]]) -> str:
    rows = [_flat(n, r) for n, r in results.items()]
    headers = list(rows[0]) if rows else []
    widths = {h: max(len(str(h)), *(len(str(r[h])) for r in rows)) for h in headers}
    lines = ["  ".join(str(h).ljust(widths[h]) for h in headers)]
    lines += ["  ".join(str(r[h]).ljust(widths[h]) for h in headers) for r in rows]
    return "\n".join(lines)


def write_xlsx(results: dict[str, dict[str, Any]], path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "评价结果"
    rows = [_flat(n, r) for n, r in results.items()]
    if rows:
        ws.append(list(rows[0]))
        for r in rows:
            ws.append(list(r.values()))
    prov = wb.create_sheet("来源说明")
    for name, res in results.items():
        prov.append([name, json.dumps(res.get("provenance"), ensure_ascii=False, default=str)])
    wb.save(path)


def evaluate(
    inputs: Annotated[list[Path], typer.Argument(help="小时数据文件（CSV/XLSX/Parquet）或观测数据湖目录／地址（如 s3://bucket/lake）")],
    date_from: Annotated[str, typer.Option("--from", help="起始日期 YYYY-MM-DD")],
    date_to: Annotated[str, typer.Option("--to", help="截止日期 YYYY-MM-DD（含）")],
    profile: Annotated[str | None, typer.Option("--profile", help="导入配置（如 uci-beijing）；缺省按表头识别")] = None,
    sites: Annotated[str | None, typer.Option("--sites", help="站点，逗号分隔；缺省为全部")] = None,
    scope: Annotated[str, typer.Option("--scope", help="site：逐站；all：站点集合（乡镇/区/市）")] = "site",
    standard: Annotated[str, typer.Option("--standard", help="auto|2012|2026")] = "auto",
    exclude_dates: Annotated[Path | None, typer.Option("--exclude-dates", help="例外事件（如沙尘）日期文件")] = None,
    set_name: Annotated[str, typer.Option("--name", help="scope=all 时集合的名称")] = "全部站点",
    compare_years: Annotated[int, typer.Option("--compare-years", help="与几年前同期比较综合指数（0 不比较）")] = 1,
    fmt: Annotated[str, typer.Option("--format", help="json|table|xlsx")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件（xlsx 必填）")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="未核实规则的用户设定值 KEY=VALUE，可重复（如 o3_daily_max_8h_min_windows=14）；"
                        "可设的参数见 docs/monitoring.md")] = None,
    backend: Annotated[str | None, typer.Option(
        "--backend", help="计算后端 duckdb|pyspark；缺省取环境变量 ENVGOV_ENGINE_BACKEND，再缺省为 duckdb")] = None,
) -> None:
    """按 HJ 663 评价一个时段：浓度、百分位数、优良天数、综合指数与达标情况。"""
    if len(inputs) == 1 and inputs[0].suffix.lower() == ".parquet" and inputs[0].is_file():
        from envgov.ingest import prefetch  # decode the file while the rest is imported

        prefetch.prefetch_parquet(inputs[0])
    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format 只能是 {'、'.join(FORMATS)}")
    if standard not in ("auto", "2012", "2026"):
        raise typer.BadParameter("--standard 只能是 auto、2012 或 2026")
    if scope not in ("site", "all"):
        raise typer.BadParameter("--scope 只能是 site 或 all")
    start, end = check_period(date_from, date_to)
    from envgov.standards.air import parameters

    values = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"--param 应写作 KEY=VALUE：{item}")
        values[key.strip()] = value
    try:
        values = parameters.clean(values)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if backend is not None and backend not in BACKENDS:
        raise typer.BadParameter(f"--backend 只能是 {'、'.join(BACKENDS)}")
    site_list = [s.strip() for s in sites.split(",") if s.strip()] if sites else None
    excluded = _read_dates(exclude_dates) if exclude_dates else None
    import os

    backend = backend or os.environ.get("ENVGOV_ENGINE_BACKEND", "duckdb")
    if backend == "pyspark" and len(inputs) == 1 and (lake_url(inputs[0]) is not None or inputs[0].is_dir()):
        from envgov.engine.lake import Lake

        wide = Lake(lake_url(inputs[0]) or inputs[0])  # Spark reads the lake's part files itself
    else:
        wide = load_inputs(inputs, profile, site_list)
    results = None
    with parameters.using(values):
        import pyarrow as pa

        if backend == "duckdb" and not excluded and not compare_years and isinstance(wide, pa.Table):
            # the statistics SQL compiled by an earlier run, on a plain DuckDB connection (no Ibis)
            from envgov.engine.results import evaluate_remembered

            results = evaluate_remembered(wide, start, end, sites=site_list, scope=scope, edition=standard,
                                          set_name=set_name)
        if results is None:
            from envgov.engine import air, backends

            results = air.evaluate(wide, start, end, sites=site_list, scope=scope, edition=standard,
                                   exclude_dates=excluded, compare_years=compare_years or None,
                                   set_name=set_name, con=backends.connect(backend))
    if fmt == "json":
        text = json.dumps(results, ensure_ascii=False, indent=2, default=str)
    elif fmt == "table":
        text = render_table(results)
    else:
        if output is None:
            raise typer.BadParameter("xlsx 输出须用 --output 指定文件")
        write_xlsx(results, output)
        typer.echo(f"已写入 {output}")
        return
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        typer.echo(text)


def register(air_app: typer.Typer) -> None:
    air_app.command("evaluate")(evaluate)
