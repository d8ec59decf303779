"""`envgov air …` commands: evaluate (period statistics) and hourly-aqi (real-time AQI per station-hour)."""
from __future__ import annotations

import typer

from envgov.cli.air_evaluate import evaluate


def register(air_app: typer.Typer) -> None:
    """Attach the air commands to the `air` group."""
    air_app.command("evaluate")(evaluate)
