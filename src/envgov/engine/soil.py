"""Safe-use rates of contaminated farmland and of key construction land, from ledger counts, with status
against a target (达标 / 未达标) and the reasoning in Chinese.

* 受污染耕地安全利用率 (《受污染耕地安全利用率核算方法（试行）》, other.md §4.4, formula [1SRC] S-O56):
  ``A = (B + C + D) / E × 100 %`` — B 轻微污染耕地中落实优先保护类措施的面积; C 轻中度污染耕地中落实安全利用或
  治理修复措施且农产品达标的面积; D 重度污染耕地中落实严格管控措施的面积; E 受污染耕地总面积（轻微 + 轻中度 + 重度）.
* 重点建设用地安全利用率: the formula is UNCONFIRMED (other.md §4.4, S-O58): the user supplies the numerator
  (plots that met the 准入 requirements before reuse) and the denominator (plots reused in the period) with
  their own definitions, and envgov computes numerator / denominator × 100 % and says so.
"""
from __future__ import annotations

from dataclasses import dataclass

from envgov.catalogue import gettext_noop
from envgov.engine.targets import at_least

NOISE_DIGITS = 10

MSG_NEGATIVE = gettext_noop("%(what)s不能为负，收到 %(value)s")
MSG_PART_ABOVE = gettext_noop("%(part)s（%(value)s）大于%(whole)s（%(total)s）")
MSG_ZERO_TOTAL = gettext_noop("%(what)s为 0，无法计算比率")

B_LABEL = gettext_noop("轻微污染耕地落实优先保护类措施面积")
C_LABEL = gettext_noop("轻中度污染耕地落实安全利用措施且农产品达标面积")
D_LABEL = gettext_noop("重度污染耕地落实严格管控措施面积")
E_LABEL = gettext_noop("受污染耕地总面积")
SLIGHT_LABEL = gettext_noop("轻微污染耕地面积")
LIGHT_MODERATE_LABEL = gettext_noop("轻中度污染耕地面积")
SEVERE_LABEL = gettext_noop("重度污染耕地面积")
PLOTS_OK_LABEL = gettext_noop("安全利用地块数")
PLOTS_LABEL = gettext_noop("再开发利用地块数")

FARMLAND = gettext_noop("受污染耕地安全利用率")
CONSTRUCTION = gettext_noop("重点建设用地安全利用率")
FARMLAND_RULE = gettext_noop("受污染耕地安全利用率 = (B + C + D) ÷ E × 100%（《受污染耕地安全利用率核算方法（试行）》，单一来源转载）")
CONSTRUCTION_RULE = gettext_noop("重点建设用地安全利用率 = 安全利用地块数 ÷ 再开发利用地块数 × 100%；"
                                 "核算口径未核实，分子、分母按用户填报的口径")
EXPLAIN_FARMLAND = gettext_noop("%(name)s = (%(b)s + %(c)s + %(d)s) ÷ %(e)s × 100 = %(rate)s%%")
EXPLAIN_CONSTRUCTION = gettext_noop("%(name)s = %(n)s ÷ %(d)s × 100 = %(rate)s%%（口径：%(basis)s）")
EXPLAIN_TARGET = gettext_noop("；目标 ≥ %(target)s%%，%(status)s")
NO_BASIS = gettext_noop("用户未说明")


@dataclass(frozen=True)
class SafeUseResult:
    indicator: str
    rate: float  # %
    target: float | None
    status: str  # 达标 / 未达标 / "" (no target)
    explanation: str
    rule: str


def _check(what: str, value: float) -> None:
    if value < 0:
        raise ValueError(MSG_NEGATIVE % {"what": what, "value": f"{value:g}"})


def _status(rate: float, target: float | None, text: str) -> tuple[str, str]:
    if target is None:
        return "", text
    status = at_least(rate, target)
    return status, text + EXPLAIN_TARGET % {"target": f"{target:g}", "status": status}


def farmland_safe_use(b: float, c: float, d: float, e: float, target: float | None = None, *,
                      slight: float | None = None, light_moderate: float | None = None,
                      severe: float | None = None) -> SafeUseResult:
    """A = (B + C + D) / E × 100. Areas in one unit (亩 or 公顷). The category totals, when given, check
    B ≤ 轻微, C ≤ 轻中度, D ≤ 重度 and that E is their sum's bound; B + C + D ≤ E always."""
    for what, v in ((B_LABEL, b), (C_LABEL, c), (D_LABEL, d), (E_LABEL, e)):
        _check(what, v)
    if e == 0:
        raise ValueError(MSG_ZERO_TOTAL % {"what": E_LABEL})
    for part, v, whole, total in ((B_LABEL, b, SLIGHT_LABEL, slight), (C_LABEL, c, LIGHT_MODERATE_LABEL, light_moderate),
                                  (D_LABEL, d, SEVERE_LABEL, severe)):
        if total is not None:
            _check(whole, total)
            if round(v - total, NOISE_DIGITS) > 0:
                raise ValueError(MSG_PART_ABOVE % {"part": part, "value": f"{v:g}", "whole": whole, "total": f"{total:g}"})
    if round(b + c + d - e, NOISE_DIGITS) > 0:
        raise ValueError(MSG_PART_ABOVE % {"part": "B + C + D", "value": f"{b + c + d:g}", "whole": E_LABEL,
                                           "total": f"{e:g}"})
    rate = round((b + c + d) / e * 100.0, NOISE_DIGITS) + 0.0
    from envgov.engine.carbon import plain

    text = EXPLAIN_FARMLAND % {"name": FARMLAND, "b": plain(b), "c": plain(c), "d": plain(d), "e": plain(e),
                               "rate": f"{rate:.2f}"}
    status, text = _status(rate, target, text)
    return SafeUseResult(FARMLAND, rate, target, status, text, FARMLAND_RULE)


def construction_safe_use(safe_plots: int, reused_plots: int, target: float | None = None,
                          basis: str = "") -> SafeUseResult:
    """Safe plots ÷ reused plots × 100 (ledger counts); `basis` is the user's wording of both counts."""
    _check(PLOTS_OK_LABEL, safe_plots)
    _check(PLOTS_LABEL, reused_plots)
    if reused_plots == 0:
        raise ValueError(MSG_ZERO_TOTAL % {"what": PLOTS_LABEL})
    if safe_plots > reused_plots:
        raise ValueError(MSG_PART_ABOVE % {"part": PLOTS_OK_LABEL, "value": safe_plots, "whole": PLOTS_LABEL,
                                           "total": reused_plots})
    rate = round(safe_plots / reused_plots * 100.0, NOISE_DIGITS) + 0.0
    text = EXPLAIN_CONSTRUCTION % {"name": CONSTRUCTION, "n": safe_plots, "d": reused_plots, "rate": f"{rate:.2f}",
                                   "basis": basis or NO_BASIS}
    status, text = _status(rate, target, text)
    return SafeUseResult(CONSTRUCTION, rate, target, status, text, CONSTRUCTION_RULE)
