"""Allocation of special transfer funds (专项转移支付) to towns by factors (因素法), as versioned rule sets with
one evaluator. Plain Python, no Django.

What is known (decision 0034):

* The 通州 2024 work plan (project seed 003, task on 资金保障) says: 生态环境局、财政局 "按照污染防治专项转移支付资金
  管理办法，强化项目储备与资金使用管理，并结合实际，向环境质量改善情况好、污染防治任务重的街道乡镇予以倾斜".
* Issue 17 names the factors: improvement of PM2.5, the good-day ratio, VOCs and NOx reduction.
* ../shared/reference has no text of the 管理办法: its factors' exact definitions, their weights and the way a
  factor becomes a share are **UNCONFIRMED**. So: every weight is a user-set parameter **without a default**
  (the evaluator refuses while one is missing), the factor values are the district's figures per town (entered,
  or the project library's reductions), and the share method is the plain proportional share that the
  result states in every line ("占全区合计的比例"), never presented as the measures' own rule.

Money is integer yuan; amounts are written in 万元 as finance offices quote them. Shares are exact fractions;
the rounding to yuan is the largest-remainder method (the allocations add up to the total exactly), said in
the reasoning of every town that received a remainder yuan.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from envgov.catalogue import gettext_noop

YUAN_PER_WAN = 10000
MAX_TOTAL_WAN = Decimal("10000000")  # 1 000 亿元: anything larger is a typing mistake


@dataclass(frozen=True)
class Reason:
    """A Chinese message with its values; the web layer translates `template` and fills it in."""

    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template % dict(self.values) if self.values else self.template


class AllocationError(ValueError):
    """The allocation cannot be computed; `reasons` says every problem (nothing is allocated)."""

    def __init__(self, reasons: Sequence[Reason]):
        self.reasons = list(reasons)
        super().__init__("；".join(str(r) for r in self.reasons))


@dataclass(frozen=True)
class Factor:
    key: str
    label: str  # Chinese, with its unit
    unit: str
    definition: str  # how the town's value is obtained
    source: str  # "entered" (the district's figure per town) or "projects" (the project library's reductions)


FACTORS: dict[str, Factor] = {f.key: f for f in (
    Factor("pm25_improvement", gettext_noop("PM2.5 浓度改善"), "μg/m³",
           gettext_noop("上年 PM2.5 年均浓度减本年（或考核期）浓度；变差记为负值"), "entered"),
    Factor("good_day_improvement", gettext_noop("优良天数比例提高"), gettext_noop("百分点"),
           gettext_noop("本年（或考核期）优良天数比例减上年同期；下降记为负值"), "entered"),
    Factor("vocs_reduction", gettext_noop("VOCs 工程减排量"), gettext_noop("吨"),
           gettext_noop("本街乡镇完工项目的 VOCs 工程减排量合计（项目库）"), "projects"),
    Factor("nox_reduction", gettext_noop("NOx 工程减排量"), gettext_noop("吨"),
           gettext_noop("本街乡镇完工项目的 NOx 工程减排量合计（项目库）"), "projects"),
)}


@dataclass(frozen=True)
class FundRule:
    id: str
    version: str
    title: str
    citation: str
    factors: tuple[str, ...]
    share_method: str
    negative_rule: str
    confidence: str  # "user_set": the weights are the district's, the method the platform's stated one
    unconfirmed: str


RULES: dict[str, FundRule] = {r.id: r for r in (
    FundRule(
        "factor-share", "1", gettext_noop("污染防治专项转移支付资金因素法分配（权重由本区设定）"),
        # seed 003 (通州区2024年生态文明建设和生态环境保护工作计划), 资金保障; factors from issue 17
        gettext_noop("通州区 2024 年工作计划：按照污染防治专项转移支付资金管理办法，向环境质量改善情况好、污染防治任务重的"
                     "街道乡镇予以倾斜；因素：PM2.5 改善、优良天数比例、VOCs 和 NOx 减排"),
        ("pm25_improvement", "good_day_improvement", "vocs_reduction", "nox_reduction"),
        gettext_noop("每个因素：本街乡镇的值 ÷ 全区各街乡镇的值之和 = 该因素占比；街乡镇分配比例 = Σ 因素占比 × 权重；"
                     "分配额 = 资金总额 × 分配比例，按最大余数法取整到元"),
        gettext_noop("负值（变差）按 0 计，即该因素不分给该街乡镇"),
        "user_set",
        gettext_noop("管理办法原文未查到：因素定义、权重和计算方式均未核实（平台参考资料中没有该办法）。"
                     "权重由本区设定，平台不设默认值；计算方式为平台采用的比例法，请与本区办法核对"),
    ),
)}


def rule(rule_id: str) -> FundRule:
    try:
        return RULES[rule_id]
    except KeyError:
        raise ValueError(str(Reason(gettext_noop("未知资金分配规则“%(id)s”；可用：%(ids)s"),
                                    {"id": rule_id, "ids": "、".join(RULES)}))) from None


# ------------------------------------------------------------------------- inputs

def parse_decimal(raw: object) -> Decimal | None:
    try:
        d = Decimal(str(raw).strip().replace("，", "").replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def total_yuan(raw: object) -> int:
    """A total written in 万元 → integer yuan (ValueError with a Chinese message)."""
    d = parse_decimal(raw)
    if d is None or d <= 0 or d > MAX_TOTAL_WAN:
        raise ValueError(str(Reason(gettext_noop("资金总额应为大于 0 的万元数，收到“%(value)s”"), {"value": raw})))
    yuan = d * YUAN_PER_WAN
    if yuan != yuan.to_integral_value():
        raise ValueError(str(Reason(gettext_noop("资金总额应精确到元（万元最多 4 位小数），收到“%(value)s”"), {"value": raw})))
    return int(yuan)


def clean_weights(rule_set: FundRule, raw: Mapping[str, object]) -> dict[str, Decimal]:
    """Weights in percent, each 0–100, together exactly 100; every factor of the rule needs one (no default).
    Raises AllocationError listing every problem."""
    problems: list[Reason] = []
    out: dict[str, Decimal] = {}
    for key in raw:
        if key not in rule_set.factors:
            problems.append(Reason(gettext_noop("规则 %(id)s 没有因素 %(key)s"), {"id": rule_set.id, "key": key}))
    for key in rule_set.factors:
        label = FACTORS[key].label
        value = raw.get(key)
        if value is None or str(value).strip() == "":
            problems.append(Reason(gettext_noop("缺少用户设定参数：%(label)s的权重（管理办法未核实，平台不设默认值）"),
                                   {"label": label}))
            continue
        d = parse_decimal(value)
        if d is None or d < 0 or d > 100:
            problems.append(Reason(gettext_noop("%(label)s的权重应为 0～100 之间的百分数，收到“%(value)s”"),
                                   {"label": label, "value": value}))
            continue
        out[key] = d
    if not problems and sum(out.values()) != 100:
        problems.append(Reason(gettext_noop("各因素权重之和应为 100%%，现为 %(sum)s%%"),
                               {"sum": _num(sum(out.values()))}))
    if problems:
        raise AllocationError(problems)
    return out


# ------------------------------------------------------------------------- result

@dataclass(frozen=True)
class FactorPart:
    factor: str
    value: Decimal  # as given
    counted: Decimal  # negative → 0
    district_sum: Decimal
    weight: Decimal  # percent
    share: Fraction  # counted / district_sum
    weighted: Fraction  # share × weight / 100


@dataclass(frozen=True)
class TownLine:
    town: str
    parts: tuple[FactorPart, ...]
    share: Fraction
    exact_yuan: Fraction
    amount_yuan: int
    remainder_yuan: int  # 0 or 1: a yuan of the rounding remainder

    def reasoning(self, total: int) -> str:
        bits = []
        for p in self.parts:
            if p.weight == 0:
                continue
            unit = FACTORS[p.factor].unit
            value = _num(p.value) + unit + ("（按 0 计）" if p.counted != p.value else "")
            bits.append(f"{FACTORS[p.factor].label} {value} ÷ 全区合计 "
                        f"{_num(p.district_sum)}{FACTORS[p.factor].unit} = {_pct(p.share)} × 权重 {_num(p.weight)}% "
                        f"= {_pct(p.weighted)}")
        text = f"{self.town}：" + "；".join(bits) + f"。分配比例 {_pct(self.share)} × 资金总额 {wan(total)} 万元 = " \
               f"{_yuan_text(self.exact_yuan)} 元"
        if self.remainder_yuan:
            text += f"，取整到元后按最大余数法加 {self.remainder_yuan} 元"
        return text + f"，分配 {wan(self.amount_yuan)} 万元。"


@dataclass(frozen=True)
class Allocation:
    rule: FundRule
    total_yuan: int
    weights: Mapping[str, Decimal]
    lines: tuple[TownLine, ...]

    @property
    def allocated_yuan(self) -> int:
        return sum(line.amount_yuan for line in self.lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule.id, "rule_version": self.rule.version, "total_yuan": self.total_yuan,
            "weights": {k: _num(v) for k, v in self.weights.items()},
            "lines": [{"town": line.town, "share": float(line.share), "share_text": _pct(line.share),
                       "amount_yuan": line.amount_yuan, "amount_wan": wan(line.amount_yuan),
                       "factors": {p.factor: {"value": _num(p.value), "counted": _num(p.counted),
                                              "district_sum": _num(p.district_sum), "share": float(p.share),
                                              "weight": _num(p.weight)} for p in line.parts},
                       "reasoning": line.reasoning(self.total_yuan)} for line in self.lines],
        }


def allocate(rule_set: FundRule, total: int, weights: Mapping[str, Decimal],
             values: Mapping[str, Mapping[str, object]]) -> Allocation:
    """`values`: town name → factor key → value (in the factor's unit); towns in the order given.
    Every town needs a value for every weighted factor (0 allowed). AllocationError lists every problem."""
    problems: list[Reason] = []
    towns = list(values)
    if not towns:
        raise AllocationError([Reason(gettext_noop("没有参与分配的街乡镇"))])
    if total <= 0:
        problems.append(Reason(gettext_noop("资金总额应大于 0")))
    parsed: dict[str, dict[str, Decimal]] = {t: {} for t in towns}
    for key in rule_set.factors:
        if weights.get(key, Decimal(0)) == 0:
            continue
        for town in towns:
            raw = values[town].get(key)
            if raw is None or str(raw).strip() == "":
                problems.append(Reason(gettext_noop("%(town)s：缺少“%(label)s”的值"),
                                       {"town": town, "label": FACTORS[key].label}))
                continue
            d = raw if isinstance(raw, Decimal) else parse_decimal(raw)
            if d is None:
                problems.append(Reason(gettext_noop("%(town)s：“%(label)s”的值“%(value)s”不是数值"),
                                       {"town": town, "label": FACTORS[key].label, "value": raw}))
                continue
            parsed[town][key] = d
    if problems:
        raise AllocationError(problems)
    sums: dict[str, Decimal] = {}
    for key in rule_set.factors:
        if weights.get(key, Decimal(0)) == 0:
            continue
        sums[key] = sum((max(parsed[t][key], Decimal(0)) for t in towns), Decimal(0))
        if sums[key] == 0:
            problems.append(Reason(gettext_noop("“%(label)s”在各街乡镇均不大于 0，无法按该因素分配（可将其权重设为 0）"),
                                   {"label": FACTORS[key].label}))
    if problems:
        raise AllocationError(problems)
    drafts = []
    for town in towns:
        parts = []
        share = Fraction(0)
        for key in rule_set.factors:
            w = weights.get(key, Decimal(0))
            if w == 0:
                continue
            v = parsed[town][key]
            counted = max(v, Decimal(0))
            f_share = Fraction(counted) / Fraction(sums[key])
            weighted = f_share * Fraction(w) / 100
            share += weighted
            parts.append(FactorPart(key, v, counted, sums[key], w, f_share, weighted))
        exact = share * total
        drafts.append((town, tuple(parts), share, exact))
    floors = [int(d[3]) for d in drafts]  # exact ≥ 0: int() is floor
    left = total - sum(floors)
    order = sorted(range(len(drafts)), key=lambda i: (-(drafts[i][3] - floors[i]), i))
    extra = {i: 1 for i in order[:left]}
    lines = tuple(TownLine(t, parts, share, exact, floors[i] + extra.get(i, 0), extra.get(i, 0))
                  for i, (t, parts, share, exact) in enumerate(drafts))
    return Allocation(rule_set, total, dict(weights), lines)


# ------------------------------------------------------------------------- text

def wan(yuan: int) -> str:
    d = (Decimal(yuan) / YUAN_PER_WAN).normalize()
    return format(d, "f")


def _num(d: Decimal | int) -> str:
    d = Decimal(d).normalize()
    return format(d, "f")


def _pct(f: Fraction) -> str:
    return f"{float(f) * 100:.2f}%"


def _yuan_text(f: Fraction) -> str:
    return format(Decimal(f.numerator) / Decimal(f.denominator), ".2f")
