"""Engineering emission reductions (工程减排) summed against a plan's reduction targets (issue 16 item 6).
Plain Python, no Django.

A reduction figure belongs to a project and says which pollutant, how many tonnes and how the figure was
obtained (method + basis). Against a target "X 减排量 ≥ N 吨":

* the actual value is the sum over **completed** projects (完工) that count for the target;
* 达标 when that sum reaches the target; 预警 when it does not yet, but with the projects under way (在建、已立项)
  it would; 未达标 otherwise. Reserve projects (储备) do not count: nothing is committed.

Which projects count for a target (the plan's tasks or its year) is decided by the caller (services).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from envgov.catalogue import gettext_noop

POLLUTANTS: dict[str, str] = {"nox": "NOx", "vocs": "VOCs", "cod": "COD", "nh3n": "NH3-N"}
POLLUTANT_NAMES: dict[str, str] = {"nox": gettext_noop("氮氧化物"), "vocs": gettext_noop("挥发性有机物"),
                                   "cod": gettext_noop("化学需氧量"), "nh3n": gettext_noop("氨氮")}
INDICATOR_OF: dict[str, str] = {"nox": "nox_reduction", "vocs": "vocs_reduction", "cod": "cod_reduction",
                                "nh3n": "nh3n_reduction"}
POLLUTANT_OF: dict[str, str] = {v: k for k, v in INDICATOR_OF.items()}
METHODS: dict[str, str] = {
    "emission_factor": gettext_noop("排放系数法"),
    "monitoring": gettext_noop("监测数据法"),
    "material_balance": gettext_noop("物料衡算法"),
    "other": gettext_noop("其他方法"),
}
COUNTED, PENDING, NOT_COUNTED = "counted", "pending", "not_counted"
MET, WARN, NOT_MET = "met", "warn", "not_met"


@dataclass(frozen=True)
class Contribution:
    project_code: str
    project_name: str
    stage: str  # COUNTED (完工), PENDING (在建/已立项), NOT_COUNTED (储备/终止)
    tonnes: Decimal
    method: str  # key of METHODS
    basis: str


@dataclass(frozen=True)
class Judgement:
    achieved: Decimal  # Σ counted
    pending: Decimal  # Σ pending
    status: str
    reason: str
    counted: tuple[Contribution, ...]
    pending_list: tuple[Contribution, ...]

    @property
    def expected(self) -> Decimal:
        return self.achieved + self.pending


def _t(d: Decimal) -> str:
    return format(Decimal(d).normalize(), "f")


def judge(target: Decimal, contributions: Iterable[Contribution]) -> Judgement:
    """The sum of completed projects against a "≥ target" reduction, with 达标/预警/未达标 and the reason."""
    items = list(contributions)
    counted = tuple(c for c in items if c.stage == COUNTED)
    pending = tuple(c for c in items if c.stage == PENDING)
    achieved = sum((c.tonnes for c in counted), Decimal(0))
    waiting = sum((c.tonnes for c in pending), Decimal(0))
    values = {"achieved": _t(achieved), "target": _t(target), "n": len(counted), "pending": _t(waiting),
              "m": len(pending), "gap": _t(target - achieved)}
    if achieved >= target:
        status = MET
        reason = gettext_noop("%(n)s 个完工项目合计减排 %(achieved)s 吨，达到目标 %(target)s 吨") % values
    elif achieved + waiting >= target:
        status = WARN
        reason = gettext_noop("完工项目合计 %(achieved)s 吨，距目标 %(target)s 吨差 %(gap)s 吨；"
                              "%(m)s 个在建/已立项项目预计 %(pending)s 吨，完工后可达标") % values
    else:
        status = NOT_MET
        reason = gettext_noop("完工项目合计 %(achieved)s 吨，加上在建/已立项项目 %(pending)s 吨仍不足目标 %(target)s 吨") % values
    return Judgement(achieved, waiting, status, reason, counted, pending)
