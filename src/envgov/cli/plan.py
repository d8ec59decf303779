"""`envgov plan …` commands: import a plan document into the structured JSON/XLSX form."""
from __future__ import annotations

import typer


def register(plan_app: typer.Typer) -> None:
    """Attach the plan commands to the `plan` group."""
