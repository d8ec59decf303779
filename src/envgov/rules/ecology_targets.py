"""Status of the ecology, carbon and soil targets of a plan: 达标 / 预警 / 未达标 with the reason (issue 16
item 8, decision 0036). Plain Python: the figures come from `envgov.engine.ecology`, `.carbon` and `.soil`;
this module only says what a figure means for a target.

* EI (target "EI ≥ T", e.g. 保良 = 55): the plan year's EI meets T and has not become worse than the year
  before (ΔEI 无明显变化 or 变好) → 达标; it meets T but ΔEI is 略微/明显/显著变差 → 预警 (保良 at risk);
  below T → 未达标. The reason also says whether the grade is 优 (创优).
* Carbon-intensity decline (target "≥ D %"): a cumulative target (against a base year) judged by the engine
  (`envgov.engine.carbon.evaluate`, final year, or an intermediate year under the user-set progress rule);
  met, but the year's intensity did not fall against the previous year (single-year decline ≤ 0) → 预警
  (the plans ask for 同比持续下降); not met → 未达标; an intermediate year without a progress rule → no status.
  A single-year target: the year's decline against the previous year, 达标 / 未达标.
* Safe-use rates (target "≥ R %"): the year's ledger rate meets R → 达标; below R while the ledger stands
  before the end of the target period (the counts are still growing: measures, 农产品达标, 准入) → 预警;
  below R at or after the period's end → 未达标.

The one UNCONFIRMED rule here (other.md §3.3: the expected progress of an intermediate year) is the
user-set parameter `carbon_progress_rule`, with no default: without it no status is given.
"""
from __future__ import annotations

import datetime as dt
import re

from envgov.catalogue import gettext_noop
from envgov.standards.air.parameters import Parameter
from envgov.standards.parameter_set import ParameterSet

MET, WARN, NOT_MET, UNKNOWN = "met", "warn", "not_met", "unknown"
NO_RULE_SET = ""

PARAMETERS = ParameterSet("ecology_targets", (
    Parameter(
        "carbon_progress_rule", gettext_noop("碳排放强度目标中间年份的进度要求"), "choice", NO_RULE_SET,
        rule=gettext_noop("多年目标（如“十四五”下降 D%）在第 k 年应完成的下降幅度"),  # other.md §3.3
        why_unconfirmed=gettext_noop("按线性（D×k/n）还是几何（1−(1−D)^(k/n)）折算未核实；未设定时中间年份不判断达标"),
        choices={NO_RULE_SET: gettext_noop("未设定（中间年份不判断）"), "linear": gettext_noop("线性进度 D×k/n"),
                 "geometric": gettext_noop("几何进度 1−(1−D)^(k/n)")},
    ),
))

_BASE = re.compile(r"较\s*(\d{4})\s*年")
_BY = re.compile(r"到\s*(\d{4})\s*年")


def carbon_base_year(*texts: str) -> int | None:
    """The base year a carbon target names (…较2020年累计下降…), else None."""
    for t in texts:
        m = _BASE.search(t or "")
        if m:
            return int(m.group(1))
    return None


def carbon_target_year(plan_year: int, *texts: str) -> int:
    """The year a carbon target is for: 到YYYY年 in its wording, else the plan's year."""
    for t in texts:
        m = _BY.search(t or "")
        if m and int(m.group(1)) >= plan_year:
            return int(m.group(1))
    return plan_year


def carbon_is_cumulative(period_label: str, *texts: str) -> bool:
    """Cumulative (against a base year) when the period or wording says 累计 or names a base year (较YYYY年);
    otherwise a single-year decline (较上年, 同比, 下降率达到 1%)."""
    return any("累计" in (t or "") or _BASE.search(t or "") for t in (period_label, *texts))


R_EI_MET = gettext_noop("%(year)s 年 EI %(ei)s（%(grade)s），目标 ≥ %(target)s；%(change)s")
R_EI_WARN = gettext_noop("%(year)s 年 EI %(ei)s（%(grade)s）达到目标 ≥ %(target)s，但较 %(base)s 年%(change)s（ΔEI %(delta)s），需关注")
R_EI_NOT = gettext_noop("%(year)s 年 EI %(ei)s（%(grade)s），低于目标 %(target)s")
R_EI_NO_CHANGE = gettext_noop("无上年数据，未判断变化")
R_EI_CHANGE = gettext_noop("较 %(base)s 年%(change)s（ΔEI %(delta)s）")
R_EXCELLENT = gettext_noop("；已达“优”")
R_NOT_EXCELLENT = gettext_noop("；未达“优”（EI ≥ 75）")


def ei_status(year: int, ei: float, grade: str, target: float, change=None) -> tuple[str, str]:  # noqa: ANN001
    """(status, reason) of an EI target; `change` is the engine's Change against the previous year or None."""
    from envgov.engine.ecology import WORSE

    values = {"year": year, "ei": f"{ei:g}", "grade": grade, "target": f"{target:g}"}
    excellent = R_EXCELLENT if grade == "优" else R_NOT_EXCELLENT
    if round(ei, 10) < round(target, 10):
        return NOT_MET, R_EI_NOT % values + excellent
    if change is not None and change.direction == WORSE:
        return WARN, R_EI_WARN % {**values, "base": change.base_year, "change": change.text,
                                  "delta": f"{change.delta:+g}"} + excellent
    what = R_EI_NO_CHANGE if change is None else R_EI_CHANGE % {"base": change.base_year, "change": change.text,
                                                                  "delta": f"{change.delta:+g}"}
    return MET, R_EI_MET % {**values, "change": what} + excellent


R_CARBON_WARN = gettext_noop("；累计下降达到要求，但 %(year)s 年强度较上年未下降（%(annual)s%%），不符合“同比持续下降”")
R_CARBON_NO_PREVIOUS = gettext_noop("；缺少上年数据，未判断同比")
R_SINGLE = gettext_noop("%(year)s 年碳排放强度较上年下降 %(d)s%%，目标 ≥ %(target)s%%")


def carbon_status(engine_status: str, annual: float | None, explanation: str, year: int) -> tuple[str, str]:
    """(status, reason) of a cumulative carbon target from the engine's result of the year."""
    from envgov.engine.targets import MET as E_MET
    from envgov.engine.targets import NOT_MET as E_NOT_MET

    if engine_status == E_NOT_MET:
        return NOT_MET, explanation
    if engine_status != E_MET:
        return UNKNOWN, explanation
    if annual is None:
        return MET, explanation + R_CARBON_NO_PREVIOUS
    if round(annual, 10) <= 0:
        return WARN, explanation + R_CARBON_WARN % {"year": year, "annual": f"{annual:.2f}"}
    return MET, explanation


def single_year_status(year: int, annual: float, target: float) -> tuple[str, str]:
    from envgov.engine.targets import MET as E_MET
    from envgov.engine.targets import at_least

    status = MET if at_least(annual, target) == E_MET else NOT_MET
    return status, R_SINGLE % {"year": year, "d": f"{annual:.2f}", "target": f"{target:g}"}


R_SOIL_WARN = gettext_noop("；台账截至 %(as_of)s，未到目标期末 %(end)s，尚未达到目标，需加快落实")
R_SOIL_AS_OF = gettext_noop("（台账截至 %(as_of)s）")


def soil_status(rate: float, target: float, explanation: str, as_of: dt.date, period_end: dt.date) -> tuple[str, str]:
    """(status, reason) of a safe-use-rate target from the engine's rate and explanation (which already ends
    with 达标 / 未达标 against the target)."""
    from envgov.engine.targets import MET as E_MET
    from envgov.engine.targets import at_least

    if at_least(rate, target) == E_MET:
        return MET, explanation + R_SOIL_AS_OF % {"as_of": as_of.isoformat()}
    if as_of < period_end:
        return WARN, explanation + R_SOIL_WARN % {"as_of": as_of.isoformat(), "end": period_end.isoformat()}
    return NOT_MET, explanation + R_SOIL_AS_OF % {"as_of": as_of.isoformat()}
