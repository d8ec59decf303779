"""`envgov complaints rates`: 三率 (响应率, 解决率, 满意率) of a month from a 12345 / 12369 work-order file
(`envgov.rules.complaints`)."""
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


def rates(
    month: Annotated[str, typer.Option("--month", help="统计月份 YYYY-MM（按派单时间），如 2024-03")],
    input_file: Annotated[Path, typer.Option(
        "--input", help="12345 / 12369 工单文件（XLSX / CSV 模板，见 docs/alerts-complaints.md）。"
                        "按平台数据库统计的版本随接诉即办（complaints）应用提供")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="输出格式 json 或 csv")] = OutputFormat.json,
    categories: Annotated[Path | None, typer.Option(
        "--categories", help="本区的类别关键词规则（CSV / XLSX：类别,关键词）；缺省用平台默认规则")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件；缺省写到标准输出")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="未核实规则的用户设定值 KEY=VALUE，可重复（response_limit_hours=2、reopened=merge、"
                        "unrated=exclude、basic_satisfied=satisfied、repeat_threshold=3）")] = None,
) -> None:
    """按月统计接诉即办三率（响应率、解决率、满意率），分总体、承办单位、街乡镇；另列类别统计和同一地址的重复投诉。
    CSV 每行一个统计对象：scope,name,orders,响应率分子/分母/比率,解决率…,满意率…。"""
    from envgov.ingest.work_orders import read_category_rules, read_work_orders
    from envgov.rules import complaints
    from envgov.standards.parameter_set import parse_params

    try:
        month = complaints.parse_month(month)
        values = complaints.PARAMETERS.clean(parse_params(param))
    except ValueError as exc:
        raise fail(str(exc)) from None
    rules = complaints.DEFAULT_CATEGORIES
    if categories is not None:
        got, rep = read_category_rules(categories)
        if got is None:
            typer.echo("\n".join(rep.summary()), err=True)
            raise typer.Exit(code=1)
        rules = got
    data = read_work_orders(input_file)
    if not data.ok:
        typer.echo("\n".join(data.rows.summary()), err=True)
        raise typer.Exit(code=1)
    for line in data.rows.summary():
        typer.echo(line, err=True)
    try:
        result = complaints.month_rates(data.orders, month, values, rules)
    except ValueError as exc:
        raise fail(str(exc)) from None
    for w in result.warnings:
        typer.echo(gettext_noop("注：%(message)s") % {"message": w}, err=True)
    text = render(result, output_format)
    emit(text, output)


def render(result, output_format: OutputFormat) -> str:
    import csv
    import io

    if output_format is OutputFormat.json:
        return json.dumps(result.to_dict(), ensure_ascii=False, indent=1) + "\n"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["month", "scope", "name", "orders",
                "responded", "dispatched", "response_rate",
                "resolved", "resolution_rated", "resolution_rate",
                "satisfied", "satisfaction_rated", "satisfaction_rate"])

    def cell(v: float | None) -> str:
        return "" if v is None else f"{v:.4f}"

    groups = [("total", {"": result.total}), ("unit", result.by_unit), ("town", result.by_town)]
    for scope, items in groups:
        for name, r in items.items():
            w.writerow([result.month, scope, name, r.orders,
                        r.response.numerator, r.response.denominator, cell(r.response.value),
                        r.resolution.numerator, r.resolution.denominator, cell(r.resolution.value),
                        r.satisfaction.numerator, r.satisfaction.denominator, cell(r.satisfaction.value)])
    return buf.getvalue()


def register(complaints_app: typer.Typer) -> None:
    complaints_app.command("rates")(rates)
