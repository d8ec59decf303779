"""User-set parameters of the noise evaluation: rules other.md §1 marks UNCONFIRMED or leaves to the district.

Same contract as the air and water parameters (`envgov.standards.parameter_set.ParameterSet`): each names
the rule it stands for and why it is unconfirmed; defaults are what envgov does when nothing is set, and
results list every value with `user_set`.
"""
from __future__ import annotations

from collections.abc import Mapping

from envgov.catalogue import gettext_noop
from envgov.standards.air.parameters import Parameter
from envgov.standards.noise.tables import DEFAULT_NIGHT_END, DEFAULT_NIGHT_START
from envgov.standards.parameter_set import ParameterSet

POINT_ROUND = "point_round"
POINT_DAY = "point_day"
POINT_HOUR = "point_hour"
HALF_EVEN = "half_even"
HALF_UP = "half_up"

MSG_SAME_TIMES = gettext_noop("夜间开始时刻与结束时刻不能相同（%(time)s）")


def _check(values: Mapping[str, object]) -> None:
    if values["night_start"] == values["night_end"]:
        raise ValueError(MSG_SAME_TIMES % {"time": values["night_start"]})


PARAMETERS = ParameterSet("noise", (
    Parameter(
        "night_start", gettext_noop("夜间开始时刻"), "time", DEFAULT_NIGHT_START,
        rule=gettext_noop("噪声污染防治法：夜间指 22:00 至次日 06:00；县级以上人民政府可另行规定昼间、夜间的起止时间"),
        # other.md §1.1 (GB 12523-2011 §3.8 wording [OFFICIAL], S-O1)
        why_unconfirmed=gettext_noop("2022 年法律允许设区的市调整夜间起止时间（夜间仍为 8 小时）——法律原文未读到；"
                                     "区里按当地规定设定，默认 22:00"),
    ),
    Parameter(
        "night_end", gettext_noop("夜间结束时刻（次日）"), "time", DEFAULT_NIGHT_END,
        rule=gettext_noop("同上"),
        why_unconfirmed=gettext_noop("同上，默认 06:00"),
    ),
    Parameter(
        "attainment_unit", gettext_noop("达标率的统计单位（点次）"), "choice", POINT_ROUND,
        rule=gettext_noop("功能区声环境质量达标率按点次统计：一个点位一轮监测为一个点次"),  # other.md §1.4 [2+SRC]
        why_unconfirmed=gettext_noop("2024 年起的自动监测评价规定（环办监测〔2024〕33号）如何把小时数据汇总为点次"
                                     "（按轮次、按日或按小时）未核实；默认按监测轮次"),
        choices={POINT_ROUND: gettext_noop("按监测轮次（“轮次”列；无此列时整个文件为一轮）"),
                 POINT_DAY: gettext_noop("按监测日（夜间归入其开始的日期）"),
                 POINT_HOUR: gettext_noop("按每条测量值")},
    ),
    Parameter(
        "rounding", gettext_noop("等效声级修约到 0.1 dB(A) 的规则"), "choice", HALF_EVEN,
        rule=gettext_noop("等效声级保留一位小数（HJ 212 噪声字段 N3.1）"),  # other.md §1.3
        why_unconfirmed=gettext_noop("四舍六入五成双还是四舍五入未核实；一个公开实现用四舍六入五成双，默认如此"),
        choices={HALF_EVEN: gettext_noop("四舍六入五成双（GB/T 8170）"), HALF_UP: gettext_noop("四舍五入")},
    ),
), check=_check)
