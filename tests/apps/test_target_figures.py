"""One path per target figure (decision 0033): providers registered per indicator code; the ledger stores the
provider's value, provenance and 达标/预警/未达标; the comparator judges where a provider gives no status."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from envgov.apps.plans import target_figures
from envgov.apps.plans.target_figures import TargetFigure


@pytest.fixture
def fake_code(monkeypatch):
    """A private registry with one fake indicator, so the real providers stay untouched."""
    monkeypatch.setattr(target_figures, "_REGISTRY", dict(target_figures._REGISTRY))
    return "fake_indicator"


def _target(world, code: str, comparator: str, value: str):  # noqa: ANN001, ANN202
    from envgov.apps.plans.models import Area, Indicator, Target

    ind, _ = Indicator.objects.get_or_create(code=code, defaults={"name": "测试指标", "unit": "%"})
    area = Area.objects.get_or_create(plan=world["plan"], code="eco", defaults={"name": "生态", "order": 3})[0]
    return Target.objects.create(plan=world["plan"], area=area, indicator=ind, comparator=comparator,
                                 value=Decimal(value), unit="%")


def test_an_indicator_has_one_provider(fake_code):
    def first(district, targets):  # noqa: ANN001, ANN202
        return {}

    def second(district, targets):  # noqa: ANN001, ANN202
        return {}

    target_figures.register([fake_code], first, note="x")
    target_figures.register([fake_code], first, note="x")  # the same provider again is fine (app reloads)
    with pytest.raises(RuntimeError):
        target_figures.register([fake_code], second, note="y")


def test_real_providers_are_registered():
    codes = target_figures.computed_codes()
    assert {"pm25_mean", "good_day_ratio", "water_sections_attained", "inferior_v_sections"} <= codes


def test_refresh_stores_value_status_reason_and_audits(world, fake_code):
    from envgov.apps.audit.models import AuditLog

    t = _target(world, fake_code, ">=", "92")
    seen = []

    def provider(district, targets):  # noqa: ANN001, ANN202
        seen.append([x.pk for x in targets])
        return {x.pk: TargetFigure(value=93.5, as_of=dt.date(2024, 6, 30), source="台账 12/13 块",
                                   status=target_figures.WARN, reason="达标，但下半年2块待验收") for x in targets}

    target_figures.register([fake_code], provider, note="由台账自动计算")
    assert target_figures.refresh(world["district"], [fake_code]) == 1
    t.refresh_from_db()
    assert seen == [[t.pk]]
    assert (t.actual_value, t.actual_as_of, t.actual_source) == (Decimal("93.5"), dt.date(2024, 6, 30), "台账 12/13 块")
    # the provider's judgement beats the comparator's (93.5 ≥ 92 alone would be 达标)
    assert t.status == "warn" and t.status_label == "预警" and t.actual_reason.startswith("达标")
    assert AuditLog.objects.filter(action="compute", note="由台账自动计算").count() == 1
    assert target_figures.refresh(world["district"], [fake_code]) == 1
    assert AuditLog.objects.filter(action="compute", note="由台账自动计算").count() == 1  # unchanged: no entry


def test_without_a_status_the_comparator_judges(world, fake_code):
    t = _target(world, fake_code, ">=", "92")

    def provider(district, targets):  # noqa: ANN001, ANN202
        return {x.pk: TargetFigure(value=91.99, as_of=dt.date(2024, 6, 30), source="s") for x in targets}

    target_figures.register([fake_code], provider, note="n")
    target_figures.refresh(world["district"])
    t.refresh_from_db()
    assert t.status == "not_met" and t.status_label == "未达标"


def test_no_value_is_unknown_not_a_judgement(world, fake_code):
    t = _target(world, fake_code, ">=", "92")

    def provider(district, targets):  # noqa: ANN001, ANN202
        return {x.pk: TargetFigure(value=None, as_of=None, source="", status=target_figures.MET,
                                   reason="本年度没有数据") for x in targets}

    target_figures.register([fake_code], provider, note="n")
    target_figures.refresh(world["district"], [fake_code])
    t.refresh_from_db()
    assert t.actual_value is None and t.status == "unknown" and t.status_label == "待计算"
    assert t.actual_reason == "本年度没有数据"
