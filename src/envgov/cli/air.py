"""`envgov air …` commands: evaluate (period statistics) and hourly-aqi (real-time AQI per station-hour)."""
from __future__ import annotations

import typer

from envgov.cli.air_evaluate import evaluate
from envgov.cli.air_hourly import hourly_aqi


def register(air_app: typer.Typer) -> None:
    """Attach the air commands to the `air` group (one line per command)."""
    air_app.command("evaluate")(evaluate)
    air_app.command("hourly-aqi")(hourly_aqi)
