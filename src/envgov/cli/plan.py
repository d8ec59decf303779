"""`envgov plan …` commands: import a plan document into the structured JSON/XLSX form."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(plan_app: typer.Typer) -> None:
    """Attach the plan commands to the `plan` group."""

    @plan_app.command("import")
    def import_cmd(
        file: Annotated[
            Path, typer.Argument(help="计划文件：.txt（UTF-8/GB18030/Big5）、.docx 或带文字层的 .pdf")
        ],
        district: Annotated[
            str | None, typer.Option("--district", help="区名，如 通州区（默认从标题推断）")
        ] = None,
        year: Annotated[
            int | None, typer.Option("--year", help="计划年度，如 2024（默认从标题推断）")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="输出格式：json 或 xlsx")] = "json",
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="输出文件（json 默认打印到屏幕）")
        ] = None,
        units: Annotated[
            Path | None, typer.Option("--units", help="补充的单位词典（YAML，合并到内置词典之上）")
        ] = None,
    ) -> None:
        """读取计划文本，提出任务台账与目标指标（供人工审核）。"""
        from envgov.planio import PlanImportError, import_plan

        fmt = fmt.lower()
        if fmt not in ("json", "xlsx"):
            typer.echo(f"错误：不支持的输出格式“{fmt}”，请用 json 或 xlsx", err=True)
            raise typer.Exit(2)
        if fmt == "xlsx" and output is None:
            typer.echo("错误：xlsx 格式需要用 --output 指定输出文件", err=True)
            raise typer.Exit(2)
        from envgov.rules import dates as window

        if year is not None and not window.year_in_window(year):
            typer.echo(f"错误：--year {year} 超出可接受的年份范围（{window.window_text()}）", err=True)
            raise typer.Exit(2)
        try:
            plan = import_plan(file, district=district, year=year, units_file=units)
        except PlanImportError as exc:
            typer.echo(f"导入失败：{exc}", err=True)
            raise typer.Exit(1)
        for w in plan.warnings:
            typer.echo(f"提示：{w}", err=True)
        if fmt == "json":
            text = plan.to_json()
            if output is None:
                typer.echo(text)
            else:
                tmp = output.with_name(output.name + ".tmp")
                tmp.write_text(text + "\n", encoding="utf-8")
                tmp.replace(output)
        else:
            from envgov.planio.export import write_xlsx

            write_xlsx(plan, output)
        if output is not None:
            typer.echo(
                f"已导入 {len(plan.tasks)} 项任务、{len(plan.targets)} 项目标（{plan.district or '区未识别'}，"
                f"{plan.year or '年度未识别'}）→ {output}",
                err=True,
            )
