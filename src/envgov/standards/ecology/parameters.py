"""User-set parameters of the EI computation: rules other.md §2.1 marks UNCONFIRMED or has from one source only
in code, not in the standard's text (same contract as the air/water parameters; see
`envgov.standards.parameter_set`)."""
from __future__ import annotations

from envgov.catalogue import gettext_noop
from envgov.standards.air.parameters import Parameter
from envgov.standards.parameter_set import ParameterSet

EI_EXACT = "none"
EI_ONE = "1"
EI_TWO = "2"

PARAMETERS = ParameterSet("ecology", (
    Parameter(
        "round_sub_indices", gettext_noop("各分指数先修约到 0.1 再加权"), "bool", True,
        rule=gettext_noop("HJ 192-2015 生态环境状况指数：分指数加权求和"),  # other.md §2.1 [1SRC] (S-O25)
        why_unconfirmed=gettext_noop("只在一份生产代码中见到“各分指数先修约到 0.1”，标准原文未读到；默认照此（四舍六入五成双）"),
    ),
    Parameter(
        "ei_rounding", gettext_noop("EI 分级前的修约"), "choice", EI_EXACT,
        rule=gettext_noop("HJ 192-2015 按 EI 分级（优 ≥75 …）和按 ΔEI 分变化级别"),
        why_unconfirmed=gettext_noop("标准对 EI 的保留位数及是否先修约再分级的规定未读到；默认不修约，按计算值分级"),
        choices={EI_EXACT: gettext_noop("不修约（按计算值分级）"), EI_ONE: gettext_noop("修约到 0.1"),
                 EI_TWO: gettext_noop("修约到 0.01")},
    ),
    Parameter(
        "clip_sub_indices", gettext_noop("分指数超过 100 时按 100 计"), "bool", False,
        rule=gettext_noop("HJ 192-2015 分指数取值 0–100"),  # other.md §2.1 "Clipping … UNCONFIRMED"
        why_unconfirmed=gettext_noop("标准是否把超过 100 的分指数截为 100 未核实；默认按给出的值计算，并在结果中注明"),
    ),
))
