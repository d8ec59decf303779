"""Loads the indicator catalogue (data/indicators.yaml) into the Indicator table, idempotently."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

CATALOGUE = Path(__file__).with_name("data") / "indicators.yaml"


@lru_cache(maxsize=1)
def catalogue_rows() -> tuple[dict, ...]:
    """The catalogue file, parsed once per process."""
    return tuple(yaml.safe_load(CATALOGUE.read_text(encoding="utf-8")))


def load_catalogue(indicator_model) -> int:  # noqa: ANN001 - model class (also the historical one in migrations)
    rows = catalogue_rows()
    for row in rows:
        indicator_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"], "unit": row.get("unit", ""), "area_code": row.get("area", ""),
                "default_comparator": row.get("comparator", "<="), "computed": bool(row.get("computed", False)),
            },
        )
    return len(rows)
