"""`envgov sources check`: a filled source-inventory template checked offline (decision 0030) — the same
column, credit-code (GB 32100), permit and in-file duplicate checks as the platform's import, without a
database (towns are checked only when given with --town)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from envgov.cli.common import fail


class _AnyTown(dict):
    """Every non-empty town name is accepted (no district given)."""

    def __contains__(self, key: object) -> bool:
        return bool(key)

    def __getitem__(self, key: str) -> str:
        return key


def check(
    input_file: Annotated[Path, typer.Argument(help="填好的导入模板（XLSX / CSV）")],
    kind: Annotated[str, typer.Option("--kind", "-k", help="类别：enterprise site catering fleet machinery outfall soil radiation hazchem")] = "enterprise",
    town: Annotated[list[str] | None, typer.Option("--town", help="本区街乡镇名称，可重复；缺省不核对街乡镇")] = None,
    district: Annotated[str, typer.Option("--district", help="区名（地址比较时去掉开头的区名）")] = "",
) -> None:
    """按平台导入的规则核对一份污染源模板：任何错误按“文件、行、列、原因”列出并以状态 1 退出；全部通过时打印行数。"""
    from envgov.ingest import rows as R
    from envgov.ingest import sources as spec

    if kind not in spec.KINDS:
        raise fail(f"未知类别 {kind}；可用：{'、'.join(spec.KINDS)}")
    k = spec.KINDS[kind]
    rows = R.read_rows(input_file, spec.columns(k))
    towns = {t: t for t in town} if town else _AnyTown()
    records = spec.parse(k, rows, towns, spec.Existing({}), district) if rows.ok else []
    for line in rows.summary():
        typer.echo(line, err=True)
    if not rows.ok:
        raise typer.Exit(code=1)
    typer.echo(f"通过：{input_file.name} 共 {len(records)} 行")


def register(app: typer.Typer) -> None:
    app.command("check")(check)
