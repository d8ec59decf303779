"""`envgov alerts …`: heavy-pollution warning level from a daily AQI forecast (`envgov.rules.alerts`), and the
measures of a warning level per performance grade."""
from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from envgov.catalogue import gettext_noop
from envgov.cli.common import emit, fail


class OutputFormat(str, Enum):
    csv = "csv"
    json = "json"


def level(
    forecast: Annotated[Path, typer.Option("--forecast", help="逐日 AQI 预报（CSV / XLSX）：日期、AQI，可选 级别")],
    plan: Annotated[str, typer.Option(
        "--plan", help="预案版本：beijing-2023（黄橙红三级）；回测用 beijing-2017、beijing-2013（蓝黄橙红四级）")] = "beijing-2023",
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="输出格式 json 或 csv")] = OutputFormat.json,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件；缺省写到标准输出")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="预案未规定之处的用户设定值 KEY=VALUE，可重复（merge_gap_days=1、level_changes=highest）；"
                        "见 docs/alerts-complaints.md")] = None,
) -> None:
    """按北京市空气重污染应急预案的预警启动条件，由逐日 AQI 预报确定预警级别及起止日期（过程、升级、降级）。
    CSV 每行一个级别阶段：episode,level,level_name,start,end,days,change；JSON 另含逐日结果、依据和用户设定参数。"""
    from envgov.ingest.forecast import read_forecast
    from envgov.rules import alerts
    from envgov.standards.parameter_set import parse_params

    try:
        p = alerts.plan(plan)
        values = alerts.PARAMETERS.clean(parse_params(param))
    except ValueError as exc:
        raise fail(str(exc)) from None
    data = read_forecast(forecast)
    if not data.ok:
        typer.echo("\n".join(data.rows.summary()), err=True)
        raise typer.Exit(code=1)
    for line in data.rows.summary():
        typer.echo(line, err=True)
    try:
        result = alerts.evaluate(p, data.days, values)
    except ValueError as exc:
        raise fail(str(exc)) from None
    for w in result.warnings:
        typer.echo(gettext_noop("注：%(message)s") % {"message": w}, err=True)
    text = render(result, output_format)
    emit(text, output)


def render(result, output_format: OutputFormat) -> str:
    import csv
    import io

    from envgov.rules.alerts import LEVEL_NAMES

    if output_format is OutputFormat.json:
        return json.dumps(result.to_dict(), ensure_ascii=False, indent=1) + "\n"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["episode", "level", "level_name", "start", "end", "days", "change"])
    for e in result.episodes:
        for ph in e.phases:
            w.writerow([e.number, ph.level, LEVEL_NAMES[ph.level], ph.start.isoformat(), ph.end.isoformat(),
                        ph.days, ph.change])
    return buf.getvalue()


def measures(
    level_code: Annotated[str, typer.Option("--level", help="预警级别：yellow、orange、red（旧版另有 blue）")],
    plan: Annotated[str, typer.Option("--plan", help="预案版本")] = "beijing-2023",
    grade: Annotated[str | None, typer.Option("--grade", help="绩效分级：A+、A、引领性、B、C、D、民生保障；缺省只列公共措施")] = None,
    industry: Annotated[str, typer.Option("--industry", help="行业（与 --table 中的行业一致）；缺省为通用行")] = "",
    table: Annotated[Path | None, typer.Option(
        "--table", help="本区减排清单规则表（CSV / XLSX：行业,绩效分级,预警级别,措施,减排比例（%））")] = None,
) -> None:
    """列出某一预警级别的措施（逐级叠加）；给出 --grade 时另列该绩效分级的减排要求。未核实的内容标为由本区设定。"""
    from envgov.rules import alerts

    rules = None
    if table is not None:
        from envgov.ingest.emergency_measures import read_measure_table

        rules, rep = read_measure_table(table)
        if rules is None:
            typer.echo("\n".join(rep.summary()), err=True)
            raise typer.Exit(code=1)
    try:
        p = alerts.plan(plan)
        if level_code not in p.codes:
            raise ValueError(gettext_noop("预案 %(plan)s 没有级别“%(level)s”（可用：%(levels)s）")
                             % {"plan": p.id, "level": level_code, "levels": "、".join(p.codes)})
        g = alerts.parse_grade(grade) if grade else None
        items = alerts.measures(p, level_code, g, industry, rules)
    except ValueError as exc:
        raise fail(str(exc)) from None
    doc = {"plan": p.id, "level": level_code, "level_name": alerts.LEVEL_NAMES[level_code], "grade": g,
           "measures": [{"text": m.text, "source": m.source, "confidence": m.confidence, "cut_percent": m.cut_percent}
                        for m in items]}
    if level_code in alerts.LIST_TARGET_PERCENT and p.has_grades:
        doc["list_target_percent"] = alerts.LIST_TARGET_PERCENT[level_code]
        doc["list_target_citation"] = alerts.LIST_TARGET_CITATION
    typer.echo(json.dumps(doc, ensure_ascii=False, indent=1))


def register(alerts_app: typer.Typer) -> None:
    alerts_app.command("level")(level)
    alerts_app.command("measures")(measures)
