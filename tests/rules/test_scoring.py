"""The scoring evaluator applies a scheme exactly as written (expected points worked by hand)."""
from __future__ import annotations

import pytest

from envgov.rules.scoring import ScoringRule, ScoringScheme, load_scheme, score


def scheme() -> ScoringScheme:
    return ScoringScheme("t", "1", "test", "example", "", (
        ScoringRule("completion_rate", "share", weight=50),
        ScoringRule("report_rate", "share", weight=30, when_not_applicable="none"),
        ScoringRule("overdue_tasks", "deduction", per_item=2, cap=5),
    ))


def test_shares_and_deductions():
    card = score({"completion_rate": 0.8, "report_rate": 0.5, "overdue_tasks": 1}, scheme())
    assert [i.points for i in card.items] == [40.0, 15.0, -2.0]
    assert card.total == 53.0


def test_deduction_is_capped_and_rates_clamped():
    card = score({"completion_rate": 1.2, "report_rate": -0.1, "overdue_tasks": 9}, scheme())
    assert [i.points for i in card.items] == [50.0, 0.0, -5.0]


def test_not_applicable_rates():
    card = score({"completion_rate": None, "report_rate": 0.5, "overdue_tasks": 0}, scheme())
    assert [i.points for i in card.items] == [50.0, 15.0, 0.0]  # full where nothing to measure, as the rule says


def test_nothing_measurable_is_not_assessed():
    card = score({"completion_rate": None, "report_rate": None, "overdue_tasks": 0}, scheme())
    assert card.total is None and not card.assessed  # 不参评, never full marks


def test_one_decimal():
    card = score({"completion_rate": 1 / 3, "report_rate": 1, "overdue_tasks": 0}, scheme())
    assert card.items[0].points == 16.7 and card.total == 46.7


def test_example_scheme_is_marked_as_example():
    s = load_scheme()
    assert s.status == "example" and s.full_marks == 100
    with pytest.raises(ValueError):
        ScoringRule("made_up_metric", "share", weight=1)


def test_no_negative_zero():
    card = score({"completion_rate": 1, "report_rate": 1, "overdue_tasks": 0}, scheme())
    assert str(card.items[2].points) == "0.0"
