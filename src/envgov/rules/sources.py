"""Policy rules of the source inventory (污染源清单, decision 0030). Plain Python, no Django.

Every number here is from the 通州区 2024 seed plan (src/envgov/demo/data/tongzhou_2024_plan.json), the
text quoted beside it:

* Diesel fleets (交通局台账): "柴油货车用车大户（自有车辆达10辆以上，或日使用车辆大于20辆次）" →
  on the ledger when own vehicles ≥ 10 **or** vehicle-trips a day > 20 (达…以上 includes 10; 大于 excludes 20).
* Permit-report audit (排污许可执行报告审核): "对2021年以来新核发、重新申请排污许可证以及重点行业排污许可证进行
  许可证质量、年度执行报告全覆盖审核，审核总数不少于持证单位总数的三分之一" and "执行报告按时提交率应达到98%以上" →
  every permit first issued or re-applied on or after 2021-01-01 and every key-industry permit is audited
  (must), and the total is at least ⌈n / 3⌉ of the n permit holders; the rest of the sample is drawn in a
  reproducible order (a hash of the seed and the credit code), so the same inputs give the same list.
* Soil (优先监管地块清单): "列入优先监管地块清单，2月底、8月底前更新清单" → the list is due for update by
  the last day of February and of August.

Which permit holders count: 重点管理 and 简化管理 units hold a 排污许可证; 登记管理 units hold none and file
no 执行报告 (sources.md §2) — they are not in n.
"""
from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from envgov.catalogue import gettext_noop

RULE_ID, RULE_VERSION = "sources-tongzhou-2024", "1"

# ---------------------------------------------------------------- diesel fleets
FLEET_MIN_OWN_VEHICLES = 10  # 自有车辆达10辆以上 (≥)
FLEET_DAILY_TRIPS_OVER = 20  # 日使用车辆大于20辆次 (>)
FLEET_CITATION = gettext_noop("柴油货车用车大户：自有车辆达 10 辆以上，或日使用车辆大于 20 辆次（通州区2024年工作计划）")


def in_fleet_ledger(own_vehicles: int | None, daily_trips: int | None) -> bool:
    """Whether an operator belongs on the 柴油货车用车大户 ledger."""
    return (own_vehicles or 0) >= FLEET_MIN_OWN_VEHICLES or (daily_trips or 0) > FLEET_DAILY_TRIPS_OVER


# ---------------------------------------------------------------- permit-report audit sampling
AUDIT_SHARE = Fraction(1, 3)  # 审核总数不少于持证单位总数的三分之一
AUDIT_NEW_SINCE = dt.date(2021, 1, 1)  # 2021年以来新核发、重新申请
ON_TIME_TARGET = Fraction(98, 100)  # 执行报告按时提交率应达到98%以上
AUDIT_CITATION = gettext_noop("2021年以来新核发、重新申请排污许可证以及重点行业排污许可证全覆盖审核，审核总数不少于持证单位总数的"
                              "三分之一；执行报告按时提交率应达到98%以上（通州区2024年工作计划）")
REASON_NEW = gettext_noop("2021年以来新核发或重新申请")
REASON_KEY = gettext_noop("重点行业")
REASON_TOP_UP = gettext_noop("按三分之一比例补足（按固定顺序抽取）")
REASON_ALREADY = gettext_noop("已确定抽查")


@dataclass(frozen=True)
class Holder:
    """A permit holder as the rule sees it."""

    key: str  # stable identity (the credit code)
    permit_from: dt.date | None  # first issued or re-applied
    key_industry: bool = False
    already_selected: bool = False


@dataclass(frozen=True)
class Pick:
    key: str
    reason: str  # a msgid above


@dataclass(frozen=True)
class Sample:
    holders: int
    required: int  # ⌈n × 1/3⌉, at least the musts
    picks: tuple[Pick, ...]

    @property
    def keys(self) -> set[str]:
        return {p.key for p in self.picks}


def sample_size(n: int, share: Fraction = AUDIT_SHARE) -> int:
    return math.ceil(n * share) if n > 0 else 0


def _order(seed: str, key: str) -> str:
    return hashlib.sha256(f"{seed}|{key}".encode()).hexdigest()


def audit_sample(holders: Sequence[Holder], seed: str) -> Sample:
    """The holders whose annual report is audited: the musts (new/renewed since 2021, key industry, or
    already chosen by a person), topped up in hash order of (seed, key) to ⌈n/3⌉."""
    picks: list[Pick] = []
    chosen: set[str] = set()
    for h in holders:
        reason = None
        if h.already_selected:
            reason = REASON_ALREADY
        elif h.permit_from is not None and h.permit_from >= AUDIT_NEW_SINCE:
            reason = REASON_NEW
        elif h.key_industry:
            reason = REASON_KEY
        if reason and h.key not in chosen:
            picks.append(Pick(h.key, reason))
            chosen.add(h.key)
    need = sample_size(len(holders))
    rest = sorted((h for h in holders if h.key not in chosen), key=lambda h: _order(seed, h.key))
    for h in rest[:max(0, need - len(picks))]:
        picks.append(Pick(h.key, REASON_TOP_UP))
    return Sample(holders=len(holders), required=max(need, len(picks)), picks=tuple(picks))


def on_time_rate(reports: Iterable[tuple[dt.date | None, dt.date | None]]) -> tuple[int, int]:
    """(on time, due) of (due date, submitted on) pairs; a report without a due date is not counted."""
    due = on_time = 0
    for due_on, submitted in reports:
        if due_on is None:
            continue
        due += 1
        if submitted is not None and submitted <= due_on:
            on_time += 1
    return on_time, due


# ---------------------------------------------------------------- soil priority list
SOIL_UPDATE_MONTHS = (2, 8)  # 2月底、8月底前更新清单
SOIL_CITATION = gettext_noop("优先监管地块清单每年 2 月底、8 月底前更新（通州区2024年工作计划）")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def soil_list_due(today: dt.date) -> dt.date:
    """The next update deadline on or after `today` (the end of February or of August)."""
    for year in (today.year, today.year + 1):
        for month in SOIL_UPDATE_MONTHS:
            end = _month_end(year, month)
            if end >= today:
                return end
    raise AssertionError("unreachable")


def soil_list_previous_due(today: dt.date) -> dt.date:
    """The last update deadline before `today`."""
    for year in (today.year, today.year - 1):
        for month in reversed(SOIL_UPDATE_MONTHS):
            end = _month_end(year, month)
            if end < today:
                return end
    raise AssertionError("unreachable")
