from __future__ import annotations

from pathlib import Path


def shared_data(*parts: str) -> Path:
    """shared/data beside the clone (CI) or at /work/shared (workplace)."""
    for root in (Path(__file__).resolve().parents[3] / "shared", Path("/work/shared")):
        p = root.joinpath("data", *parts)
        if p.exists():
            return p
    return Path("/work/shared").joinpath("data", *parts)
