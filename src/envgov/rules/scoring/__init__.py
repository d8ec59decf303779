"""综合考评 (comprehensive assessment) of units and towns: a scoring scheme as data plus its evaluator.

No national or Beijing text fixes the weights of a district's ledger assessment (reference/sources.md:
the 2025 scoring adjustments are UNCONFIRMED), so every scheme is a user-set parameter: the shipped
`example.yaml` is an example the district's office must confirm or replace, and the UI says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import yaml

EXAMPLE_SCHEME = Path(__file__).with_name("example.yaml")
METRICS = {
    "completion_rate": "到期任务完成率",
    "report_rate": "按期填报率",
    "overdue_tasks": "逾期未完成任务数",
    "supervision_on_time_rate": "督办按时反馈率",
    "returned_reports": "被退回的进展报告数",
}


@dataclass(frozen=True)
class ScoringRule:
    metric: str
    kind: str  # "share": points = weight × rate (rate 0–1); "deduction": −min(cap, per_item × count)
    weight: float = 0.0
    per_item: float = 0.0
    cap: float = 0.0
    when_not_applicable: str = "full"  # a rate with nothing to measure scores full points ("full") or none

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"未知的考评指标：{self.metric}")
        if self.kind not in ("share", "deduction"):
            raise ValueError(f"考评规则类型只能是 share 或 deduction：{self.kind}")


@dataclass(frozen=True)
class ScoringScheme:
    id: str
    version: str
    name: str
    status: str  # "example" (user must confirm) or "adopted" (with the adopting document)
    source: str
    rules: tuple[ScoringRule, ...]

    @property
    def full_marks(self) -> float:
        return sum(r.weight for r in self.rules if r.kind == "share")


@dataclass
class ScoreItem:
    metric: str
    label: str
    value: float | int | None
    points: float


@dataclass
class ScoreCard:
    total: float
    items: list[ScoreItem] = field(default_factory=list)


def load_scheme(path: str | Path = EXAMPLE_SCHEME) -> ScoringScheme:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return ScoringScheme(
        id=raw["id"], version=str(raw["version"]), name=raw["name"], status=raw.get("status", "example"),
        source=raw.get("source", ""), rules=tuple(ScoringRule(**r) for r in raw["rules"]),
    )


def score(metrics: Mapping[str, float | int | None], scheme: ScoringScheme) -> ScoreCard:
    """Apply a scheme to one unit's metrics. Rates are 0–1 (None = nothing to measure); counts are ≥ 0."""
    card = ScoreCard(total=0.0)
    for rule in scheme.rules:
        value = metrics.get(rule.metric)
        if rule.kind == "share":
            if value is None:
                points = rule.weight if rule.when_not_applicable == "full" else 0.0
            else:
                points = rule.weight * max(0.0, min(1.0, float(value)))
        else:
            points = 0.0 - min(rule.cap, rule.per_item * float(value or 0))  # never "-0.0"
        card.items.append(ScoreItem(rule.metric, METRICS[rule.metric], value, round(points, 2)))
        card.total += points
    card.total = round(card.total, 2)
    return card
