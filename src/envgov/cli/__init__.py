"""`envgov` command line. Each sub-module registers its commands; heavy imports stay inside commands."""
from __future__ import annotations

import typer

from envgov.cli import air, audit, plan

app = typer.Typer(help="envgov — 区级污染防治行动计划平台命令行", no_args_is_help=True, add_completion=False)
air_app = typer.Typer(help="空气质量：按 HJ 633 / HJ 663 / GB 3095 计算指标", no_args_is_help=True)
plan_app = typer.Typer(help="行动计划文本导入", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志：核验哈希链", no_args_is_help=True)
air.register(air_app)
plan.register(plan_app)
audit.register(audit_app)
app.add_typer(air_app, name="air")
app.add_typer(plan_app, name="plan")
app.add_typer(audit_app, name="audit")


def main() -> None:  # pragma: no cover - console entry
    app()
