"""`envgov ecology ei`: ecological status index EI (HJ 192-2015), its grade and the change between years."""
from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from envgov.cli.common import emit, fail


class OutputFormat(str, Enum):
    json = "json"
    csv = "csv"


def ei(
    input_file: Annotated[Path, typer.Option("--input", "-i", help="各年分指数（CSV / XLSX）：年份、生物丰度指数、植被覆盖指数、"
                                                              "水网密度指数、土地胁迫指数、污染负荷指数[、区域、环境限制]")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="输出格式 json 或 csv")] = OutputFormat.json,
    base_year: Annotated[int | None, typer.Option(
        "--base", help="变化的基准年；缺省为与上一年（文件中前一个年份）比较")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件；缺省写到标准输出")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="未核实规则的用户设定值 KEY=VALUE，可重复（如 ei_rounding=2）；见 docs/noise-ecology.md")] = None,
) -> None:
    """按 HJ 192-2015 由分指数计算生态环境状况指数 EI、等级（优/良/一般/较差/差）和年际变化等级（ΔEI）。"""
    from envgov.standards.ecology.parameters import PARAMETERS
    from envgov.standards.parameter_set import parse_params

    try:
        values = PARAMETERS.clean(parse_params(param))
    except ValueError as exc:
        raise fail(str(exc)) from None
    from envgov.engine import ecology
    from envgov.ingest.ecology_indices import read_indices

    data = read_indices(input_file)
    if not data.ok:
        typer.echo("\n".join(data.rows.summary()), err=True)
        raise typer.Exit(code=1)
    for line in data.rows.summary():
        typer.echo(line, err=True)
    if base_year is not None and base_year not in {r["year"] for r in data.records}:
        from envgov.catalogue import gettext_noop

        raise fail(gettext_noop("文件中没有基准年 %(year)s 的数据") % {"year": base_year})
    with PARAMETERS.using(values):
        result = ecology.evaluate(data.records, base_year)
    text = render(result, output_format, data.rows.file, base_year)
    emit(text, output)


def render(result, output_format: OutputFormat, file: str = "", base_year: int | None = None) -> str:
    from envgov.standards.ecology.tables import COMPONENTS, CONSTRAINTS

    change = {(c.area, c.year): c for c in result.changes}
    if output_format is OutputFormat.csv:
        import csv
        import io

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["area", "year", *(c.key for c in COMPONENTS), "ei", "grade", "base_year", "delta_ei", "change"])
        for r in result.results:
            ch = change.get((r.area, r.year))
            w.writerow([r.area, r.year, *(f"{r.components[c.key]:g}" for c in COMPONENTS), f"{r.ei:g}", r.grade,
                        "" if ch is None else ch.base_year, "" if ch is None else f"{ch.delta:g}",
                        "" if ch is None else ch.text])
        return buf.getvalue()
    doc = {
        "file": file,
        "base_year": base_year,
        "provenance": result.provenance,
        "years": [
            {"area": r.area, "year": r.year, "components": r.components, "ei_computed": r.ei_computed, "ei": r.ei,
             "grade": r.grade, "constraint": CONSTRAINTS[r.constraint], "formula": r.formula, "notes": list(r.notes),
             "row": r.row,
             "change": None if (ch := change.get((r.area, r.year))) is None else
             {"base_year": ch.base_year, "delta_ei": ch.delta, "band": ch.band, "direction": ch.direction,
              "text": ch.text}}
            for r in result.results],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def register(ecology_app: typer.Typer) -> None:
    ecology_app.command("ei")(ei)
