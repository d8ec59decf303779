"""Column-mapping profiles (profiles/*.yaml): layout, columns, units, time convention, station id.

A profile says how one source lays out hourly observations. Two canonical templates (`long`, `wide`)
and source-specific profiles (`uci-beijing`, …) ship with envgov; a caller may pass a path to its own
YAML file or a dict with the same keys.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

PROFILE_DIR = Path(__file__).parent / "profiles"
HOUR_CONVENTIONS = ("start", "end")


@dataclass(frozen=True)
class ParameterSpec:
    code: str
    kind: str  # air | water
    name: str
    unit: str  # canonical unit
    units: Mapping[str, float]  # accepted unit -> factor to canonical
    min: float = 0.0
    max: float | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    layout: str  # long | wide
    detect: tuple[str, ...]
    columns: Mapping[str, str]  # role (site, time, parameter, value, unit, year, month, day, hour) -> column
    parameters: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # wide: code -> {column, unit}
    kind: str | None = None
    time_format: str = "iso"  # iso | parts
    timezone: str = "Asia/Shanghai"
    hour_convention: str = "start"
    missing: tuple[str, ...] = ("", "NA")
    source: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "") -> Profile:
        t = data.get("time", {}) or {}
        conv = t.get("hour_convention", "start")
        if conv not in HOUR_CONVENTIONS:
            raise ValueError(f"配置 {data.get('name')}：hour_convention 只能是 start 或 end，而不是 {conv!r}")
        layout = data["layout"]
        if layout not in ("long", "wide"):
            raise ValueError(f"配置 {data.get('name')}：layout 只能是 long 或 wide")
        return cls(
            name=data["name"],
            layout=layout,
            detect=tuple(str(c) for c in data.get("detect", ())),
            columns=dict(data["columns"]),
            parameters={k: dict(v) for k, v in (data.get("parameters") or {}).items()},
            kind=data.get("kind"),
            time_format=t.get("format", "iso"),
            timezone=t.get("timezone", "Asia/Shanghai"),
            hour_convention=conv,
            missing=tuple(str(m) for m in data.get("missing", ("", "NA"))),
            source=source,
        )


def _yaml(text: str) -> Any:
    """yaml.safe_load with libyaml's parser when PyYAML has it (same safe constructor, ≈10× faster)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@lru_cache(maxsize=1)
def parameter_registry() -> tuple[dict[str, ParameterSpec], dict[str, str]]:
    """All known parameter codes (air and water) and unit spelling aliases."""
    data = _yaml((PROFILE_DIR / "_parameters.yaml").read_text(encoding="utf-8"))
    specs: dict[str, ParameterSpec] = {}
    for kind in ("air", "water"):
        for code, p in data[kind].items():
            specs[code] = ParameterSpec(
                code=code, kind=kind, name=p["name"], unit=p["unit"],
                units={str(k): float(v) for k, v in p["units"].items()},
                min=float(p.get("min", 0)), max=float(p["max"]) if "max" in p else None,
            )
    return specs, {str(k): str(v) for k, v in data.get("unit_aliases", {}).items()}


def normalise_unit(unit: str) -> str:
    _, aliases = parameter_registry()
    u = unit.strip()
    return aliases.get(u, aliases.get(u.lower(), u))


@cache
def builtin_profiles() -> dict[str, Profile]:
    out = {}
    for p in sorted(PROFILE_DIR.glob("*.yaml")):
        if p.name.startswith("_"):
            continue
        data = _yaml(p.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "layout" not in data:
            continue
        out[data["name"]] = Profile.from_dict(data, source=str(p))
    return out


def load_profile(profile: str | Path | Mapping[str, Any] | Profile) -> Profile:
    """A built-in profile by name, a YAML file path, or a dict."""
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, Mapping):
        return Profile.from_dict(profile, source="<dict>")
    name = str(profile)
    builtins = builtin_profiles()
    if name in builtins:
        return builtins[name]
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return Profile.from_dict(_yaml(path.read_text(encoding="utf-8")), source=str(path))
    raise ValueError(f"未知的导入配置「{name}」；可用：{', '.join(sorted(builtins))}，或给出 YAML 文件路径")


def detect_profile(header: list[str]) -> Profile | None:
    """The built-in profile whose `detect` columns are all in the header (most specific first)."""
    cols = {h.strip() for h in header}
    matches = [p for p in builtin_profiles().values() if p.detect and set(p.detect) <= cols]
    if not matches:
        return None
    return max(matches, key=lambda p: len(p.detect))
