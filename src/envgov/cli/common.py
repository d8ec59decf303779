"""What every `envgov` command does alike: refuse bad input, write its output. Light imports only."""
from __future__ import annotations

from pathlib import Path

import typer


def fail(message: str) -> typer.Exit:
    """Bad input: the message on stderr and exit code 2, never a traceback (raise the returned Exit)."""
    typer.echo(f"错误：{message}", err=True)
    return typer.Exit(code=2)


def emit(text: str, output: Path | None) -> None:
    """The command's result to the file asked for, else to stdout as it is."""
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
