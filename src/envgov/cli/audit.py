"""`envgov audit …` commands: check that the audit log is as it was written."""
from __future__ import annotations

import os

import typer


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "envgov.web.settings")
    import django

    django.setup()


def register(audit_app: typer.Typer) -> None:
    """Attach the audit commands to the `audit` group."""

    @audit_app.command("verify")
    def verify_cmd() -> None:
        """核验审计日志的哈希链：报告第一处断链（记录编号、时间、不符之处）并以非零状态退出；完好则输出 OK。"""
        _django()
        from envgov.apps.audit.verify import verify

        report = verify()
        if not report.ok:
            typer.echo(f"审计日志核验未通过（已核验 {report.entries} 条完好记录）", err=True)
            typer.echo(str(report.broken), err=True)
            raise typer.Exit(1)
        typer.echo(f"OK：审计日志 {report.entries} 条，哈希链完整；链末哈希 {report.head_hash or '（空）'}")
