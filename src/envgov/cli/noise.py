"""`envgov noise evaluate`: functional-area points against GB 3096-2008, and the day/night attainment rates."""
from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from envgov.cli.common import emit, fail


class OutputFormat(str, Enum):
    csv = "csv"
    json = "json"


def evaluate(
    input_file: Annotated[Path, typer.Argument(help="功能区监测数据（CSV / XLSX）：点位编码、功能区类别、监测时间、时段、等效声级等")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="输出格式 csv 或 json")] = OutputFormat.csv,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件；缺省写到标准输出")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="未核实规则或区里设定的值 KEY=VALUE，可重复（如 night_start=23:00）；见 docs/noise-ecology.md")] = None,
) -> None:
    """按 GB 3096-2008 评价声环境功能区监测点位：每个点次的等效声级（能量平均）与达标情况，昼间、夜间达标率
    （总体和分类别）。CSV 每行一个点次；JSON 另含点位（含经纬度）、各点汇总、达标率和依据。"""
    from envgov.standards.noise.parameters import PARAMETERS
    from envgov.standards.parameter_set import parse_params

    try:
        values = PARAMETERS.clean(parse_params(param))
    except ValueError as exc:
        raise fail(str(exc)) from None
    from envgov.engine import noise
    from envgov.ingest.noise_points import read_measurements

    with PARAMETERS.using(values):
        data = read_measurements(input_file)
        if not data.ok:
            typer.echo("\n".join(data.rows.summary()), err=True)
            raise typer.Exit(code=1)
        for line in data.rows.summary():
            typer.echo(line, err=True)
        result = noise.evaluate(data.points, data.measurements)
        text = render(result, output_format, data.rows.file)
    emit(text, output)


def render(result, output_format: OutputFormat, file: str = "") -> str:
    import csv
    import io

    from envgov.engine.noise import ATTAINED, EXCEEDED
    from envgov.standards.noise.tables import CLASS_CODES, PERIODS

    word = {True: ATTAINED, False: EXCEEDED, None: ""}
    if output_format is OutputFormat.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["point", "name", "class", "unit", "period", "values", "leq", "limit", "result", "exceedance",
                    "lmax", "lmax_limit", "lmax_result"])
        for t in result.point_times:
            w.writerow([t.point, result.points[t.point].name, t.cls, t.unit, PERIODS[t.period], t.values,
                        f"{t.leq:.1f}", f"{t.limit:g}", word[t.attained], f"{t.exceedance:.1f}",
                        "" if t.lmax is None else f"{t.lmax:.1f}",
                        "" if t.lmax_limit is None or t.lmax is None else f"{t.lmax_limit:g}", word[t.lmax_ok]])
        return buf.getvalue()

    def rate(r) -> dict:
        return {"monitored": r.monitored, "attained": r.attained, "rate": r.rate}

    summaries = {(s.point, s.period): s for s in result.summaries}
    points = []
    for code, p in result.points.items():
        rec: dict[str, object] = {"code": code, "name": p.name, "class": p.cls, "lon": p.lon, "lat": p.lat}
        for period in ("day", "night"):
            s = summaries.get((code, period))
            rec[period] = None if s is None else {
                "leq": s.leq, "limit": s.limit, "values": s.values, "point_times": s.point_times,
                "attained": s.attained, "rate": s.rate, "all_attained": s.attained == s.point_times}
        points.append(rec)
    doc = {
        "file": file,
        "provenance": result.provenance,
        "rates": {period: {"overall": rate(result.rate(period)),
                           "by_class": {c: rate(result.rate(period, c)) for c in CLASS_CODES}}
                  for period in ("day", "night")},
        "points": points,
        "point_times": [
            {"point": t.point, "class": t.cls, "unit": t.unit, "period": t.period, "values": t.values, "leq": t.leq,
             "limit": t.limit, "attained": t.attained, "exceedance": t.exceedance,
             "first": t.first.isoformat(sep=" ", timespec="minutes"),
             "last": t.last.isoformat(sep=" ", timespec="minutes"), "rows": list(t.rows),
             "lmax": t.lmax, "lmax_limit": t.lmax_limit, "lmax_ok": t.lmax_ok, "explanation": t.explanation()}
            for t in result.point_times],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def register(noise_app: typer.Typer) -> None:
    noise_app.command("evaluate")(evaluate)
