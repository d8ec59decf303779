"""Where each plan target's actual value comes from (issue 16 item 8, decision 0033).

A medium's app (air in `monitoring`, `water`, `noise`, `ecology`, `projects` …) registers, for the indicator
codes it can compute, a provider: given a district and its targets of those codes, the engine's figure for
each, with the day it stands at, its provenance and — where the app knows more than the comparator —
its status 达标 / 预警 / 未达标 and the reason. This module alone writes those figures into the ledger
(audited when they change), so every page, export and API reads one value per target."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from envgov.catalogue import gettext_noop

MET, WARN, NOT_MET, UNKNOWN = "met", "warn", "not_met", "unknown"
STATUS_WORDS = {MET: gettext_noop("达标"), WARN: gettext_noop("预警"), NOT_MET: gettext_noop("未达标"),
                UNKNOWN: gettext_noop("待计算")}
SOURCE_MAX = 200  # Target.actual_source
REASON_MAX = 300  # Target.actual_reason


@dataclass(frozen=True)
class TargetFigure:
    """One target's figure as a provider computed it. `value` None: not computable yet (the reason says why)."""

    value: float | int | Decimal | None
    as_of: dt.date | None
    source: str
    status: str = ""  # met / warn / not_met / unknown; "" = judged by the target's comparator alone
    reason: str = ""
    basis: Mapping | None = None  # the engine's figures behind the value, kept in Target.actual_basis


Provider = Callable[[object, list], Mapping[int, TargetFigure]]  # (district, targets) → {target id: figure}


@dataclass(frozen=True)
class Registration:
    codes: tuple[str, ...]
    provider: Provider
    note: str  # the audit note of a computed change, e.g. "由监测数据自动计算"


_REGISTRY: dict[str, Registration] = {}


def register(codes: Iterable[str], provider: Provider, *, note: str) -> None:
    """Called from an app's AppConfig.ready(); an indicator code has one provider (one path per figure)."""
    reg = Registration(tuple(codes), provider, note)
    for code in reg.codes:
        existing = _REGISTRY.get(code)
        if existing is not None and existing.provider is not provider:
            raise RuntimeError(f"indicator {code} already has a provider: {existing.provider.__qualname__}")
        _REGISTRY[code] = reg


def computed_codes() -> frozenset[str]:
    """Indicator codes whose actual value the platform computes (never asked of a person)."""
    return frozenset(_REGISTRY)


def provider_for(code: str) -> Registration | None:
    return _REGISTRY.get(code)


def status_word(status: str) -> str:
    return STATUS_WORDS.get(status, STATUS_WORDS[UNKNOWN])


@transaction.atomic
def refresh(district, codes: Iterable[str] | None = None) -> int:  # noqa: ANN001 - geo.District
    """Compute and store the figure of every target of the district's plans whose indicator has a provider
    (limited to `codes` when given). Returns the number of targets a provider answered for."""
    from envgov.apps.audit import log as audit
    from envgov.apps.plans.models import Target

    wanted = set(_REGISTRY) if codes is None else set(codes) & set(_REGISTRY)
    if not wanted:
        return 0
    targets = list(Target.objects.filter(plan__district=district, indicator__code__in=wanted)
                   .select_related("plan", "indicator").order_by("plan__year", "id"))
    by_reg: dict[int, tuple[Registration, list]] = {}
    for target in targets:
        reg = _REGISTRY[target.indicator.code]
        by_reg.setdefault(id(reg), (reg, []))[1].append(target)
    fields = ["actual_value", "actual_as_of", "actual_source", "actual_status", "actual_reason"]
    updated = 0
    for reg, group in by_reg.values():
        figures = reg.provider(district, group)
        for target in group:
            figure = figures.get(target.pk)
            if figure is None:
                continue
            before = audit.snapshot(target, fields)
            target.actual_value = None if figure.value is None else Decimal(str(figure.value))
            target.actual_as_of = figure.as_of
            target.actual_source = figure.source[:SOURCE_MAX]
            target.actual_status = figure.status if figure.value is not None else UNKNOWN
            target.actual_reason = figure.reason[:REASON_MAX]
            save = list(fields)
            if figure.basis is not None:
                target.actual_basis = dict(figure.basis)
                save.append("actual_basis")
            target.save(update_fields=save)
            target.refresh_from_db(fields=fields)  # the stored figure (the column's decimals), as `before` was read
            after = audit.snapshot(target, fields)
            if before != after:
                audit.record(actor=None, action="compute", obj=target, plan=target.plan, before=before,
                             after=after, note=reg.note)
            updated += 1
    return updated
