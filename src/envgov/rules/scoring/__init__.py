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
    total: float | None  # None: 不参评 — nothing was due or measurable, so no score (never full marks)
    items: list[ScoreItem] = field(default_factory=list)
    rank: int | None = None

    @property
    def assessed(self) -> bool:
        return self.total is not None


# Metrics that say whether there was anything to assess at all; when every one is None (rates with
# nothing to measure) the party is 不参评 rather than scored on defaults.
EVIDENCE_METRICS = ("completion_rate", "report_rate", "supervision_on_time_rate")
DIGITS = 1  # scores are shown and ranked to one decimal everywhere


def rank(cards: list[ScoreCard]) -> None:
    """Competition ranking (1, 1, 3) on the rounded total: equal scores share a rank; 不参评 get none."""
    scored = sorted((c for c in cards if c.assessed), key=lambda c: -c.total)
    previous, position = None, 0
    for i, card in enumerate(scored, start=1):
        if card.total != previous:
            position, previous = i, card.total
        card.rank = position


def load_scheme(path: str | Path = EXAMPLE_SCHEME) -> ScoringScheme:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return ScoringScheme(
        id=raw["id"], version=str(raw["version"]), name=raw["name"], status=raw.get("status", "example"),
        source=raw.get("source", ""), rules=tuple(ScoringRule(**r) for r in raw["rules"]),
    )


def score(metrics: Mapping[str, float | int | None], scheme: ScoringScheme) -> ScoreCard:
    """Apply a scheme to one unit's metrics. Rates are 0–1 (None = nothing to measure); counts are ≥ 0.
    A party with nothing to measure in any evidence metric is 不参评 (total None)."""
    if all(metrics.get(m) is None for m in EVIDENCE_METRICS):
        return ScoreCard(total=None, items=[
            ScoreItem(r.metric, METRICS[r.metric], metrics.get(r.metric), 0.0) for r in scheme.rules])
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
        card.items.append(ScoreItem(rule.metric, METRICS[rule.metric], value, round(points, DIGITS) + 0.0))
        card.total += points
    card.total = round(card.total, DIGITS) + 0.0  # + 0.0: never "-0.0"
    return card
