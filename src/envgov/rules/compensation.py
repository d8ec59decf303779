"""Cross-boundary water compensation (跨界断面水质补偿) as versioned rule sets with one evaluator.
Plain Python, no Django.

What the reference says (/work/shared/reference/water.md §3–§5, source ids S-Wxx):

* §3.1 — 《北京市水环境区域补偿办法（试行）》京政办发〔2014〕57号, in force 2015-01-01. Cross-boundary sections
  are assessed on the concentrations of **COD, NH3-N, TP** [OFFICIAL S-W16]. Case 1: water originating in the
  district leaves across a section **not meeting the section target**, or inflowing upstream water leaves the
  district **worse by a functional class** → **300,000 yuan per section per month for each class worse**
  [OFFICIAL S-W16]. Case 2: outflow concentration **≤ inflow** concentration but still **not meeting the
  target** → **150,000 yuan per month for each class worse than the target** [OFFICIAL S-W16, 1SRC S-W21].
  Several exceeding pollutants **add up** [OFFICIAL S-W16]. Worse than class Ⅴ: an **additional** amount,
  amount/step **UNCONFIRMED** [2+SRC S-W18]. Billing monthly, settled yearly; payee the downstream district
  [1SRC S-W19b]. The class gap is counted against the section's target class (a reprint: "相对于该断面水质考核
  标准"); **where the inflow already fails, target or inflow class is not stated** → a user-set parameter.
* §4 — 《北京市水生态区域补偿暂行办法》京政办发〔2022〕31号 (2022-12-30): between district governments; it
  "adjusts the accounting standards and expands the assessment indicators"; indicators, amounts, steps,
  the worse-than-Ⅴ extra and multi-pollutant addition are **UNCONFIRMED**; "do not reuse the 2014 amounts for
  2023+ data without checking". Here: only the water-quality part, in the 2014 class-step form **if the user
  says so** (parameter `accounting_form`), with every number user-set.
* §5 — town level: Yanqing 延政办发〔2016〕38号 (2016-09-24), "characteristic pollutants" at cross-town sections
  against the section target, "modelled on the municipal 2014 measures (class-step)"; amounts UNCONFIRMED.
  The rule set `town` is the same form with pollutants and rates that the district configures.

Nothing here has a default for an UNCONFIRMED number: the evaluator refuses with `MissingParameter`
naming the parameter, and only when a case in the month needs it (a month without 劣Ⅴ needs no extra).

Money is integer yuan; rates and user-set amounts are written in 万元 (as the measures quote them).
Classes are the ints of `envgov.standards.water` (1–5 = Ⅰ–Ⅴ, 6 = 劣Ⅴ); a pollutant's class comes from
`envgov.standards.water.assess.item_class` (the one classification path).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from envgov.catalogue import gettext_noop
from envgov.standards.water.tables import BY_CODE, CLASS_LABELS, KINDS, RIVER, WORSE_THAN_V

YUAN_PER_WAN = 10000
# Pollutants a district may choose (GB 3838 Table 1 "≤" items that ingest knows with their unit, mg/L).
CHOOSABLE_POLLUTANTS: tuple[str, ...] = ("cod", "codmn", "nh3n", "tp", "tn", "bod5")
CASE_1, CASE_2, MEETS, MISSING = "case1", "case2", "meets", "missing"


# ------------------------------------------------------------------------- messages

@dataclass(frozen=True)
class Reason:
    """A Chinese message with its values; the web layer translates `template` and fills it in."""

    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template % dict(self.values) if self.values else self.template


def wan(yuan: int) -> str:
    """Yuan as 万元 text without trailing zeros: 600000 → "60", 75000 → "7.5"."""
    d = (Decimal(yuan) / YUAN_PER_WAN).normalize()
    text = format(d, "f")
    return text


def number(v: float) -> str:
    """A concentration as written in the reasoning (at most 10 significant digits, no float noise)."""
    return format(float(v), ".10g")


def month_label(month: str) -> str:
    y, m = month.split("-")
    return f"{int(y)}年{int(m)}月"


# ------------------------------------------------------------------------- user-set parameters

@dataclass(frozen=True)
class RuleParameter:
    key: str
    label: str  # Chinese
    kind: str  # "amount" (万元, ≥ 0), "choice", "codes" (comma-separated pollutant codes), "text"
    rule: str  # the rule it stands for, with its citation
    why_user_set: str
    needed_when: str  # when the evaluator needs it
    choices: Mapping[str, str] = field(default_factory=dict)
    optional: bool = False  # shown when set, never required


PARAMETERS: dict[str, RuleParameter] = {p.key: p for p in (
    RuleParameter(
        "worse_than_v_extra", gettext_noop("劣Ⅴ类追加补偿金（每个断面每月每项劣Ⅴ类污染物，万元）"), "amount",
        # water.md §3.1: existence [2+SRC] (S-W18), amount/step UNCONFIRMED
        gettext_noop("京政办发〔2014〕57号：污染物浓度劣于Ⅴ类时追加补偿金（water.md §3.1，S-W18）"),
        gettext_noop("追加的金额和计算方式未核实，平台不设默认值；按每项劣Ⅴ类污染物每月追加一次固定金额核算"),
        gettext_noop("当月有出境断面的某项污染物劣于Ⅴ类时"),
    ),
    RuleParameter(
        "worse_than_v_gap", gettext_noop("劣Ⅴ类的类别差计法"), "choice",
        gettext_noop("类别差按功能类别计（water.md §3.1）；GB 3838 只有Ⅰ～Ⅴ类，劣Ⅴ类不是功能类别（water.md §1.1）"),
        gettext_noop("劣Ⅴ类比目标差几个类别，办法转述未说明"),
        gettext_noop("当月有出境断面的某项污染物劣于Ⅴ类时"),
        choices={"to_v": gettext_noop("只算到Ⅴ类（超出Ⅴ类的部分由追加补偿金体现）"),
                 "class_6": gettext_noop("劣Ⅴ类按比Ⅴ类再差一个类别计")},
    ),
    RuleParameter(
        "dirty_inflow_basis", gettext_noop("入境已不达标、出境浓度高于入境时的类别差基准"), "choice",
        gettext_noop("情形一：上游来水经本区出境时水质每变差一个功能类别，每断面每月 30 万元（water.md §3.1，S-W16）；"
                     "类别差对照断面考核标准计（转载文本）"),
        gettext_noop("入境已不达标时，类别差对照目标类别还是入境类别，已查到的资料未说明"),
        gettext_noop("当月有入境断面已不达标、出境浓度又高于入境的断面时"),
        choices={"target": gettext_noop("对照断面目标类别计差"),
                 "inflow": gettext_noop("对照入境断面类别计差（出境比入境每变差一个类别）")},
    ),
    RuleParameter(
        "rate_case1", gettext_noop("情形一补偿标准（每个断面每月每差一个类别，万元）"), "amount",
        gettext_noop("出境断面不达标，或上游来水经本地出境时水质变差"),
        gettext_noop("本规则集的金额未核实（或由本区设定），平台不设默认值"),
        gettext_noop("当月有按情形一核算的断面时"),
    ),
    RuleParameter(
        "rate_case2", gettext_noop("情形二补偿标准（每个断面每月每差一个类别，万元）"), "amount",
        gettext_noop("出境浓度不高于入境浓度但仍不达标"),
        gettext_noop("本规则集的金额未核实（或由本区设定），平台不设默认值"),
        gettext_noop("当月有按情形二核算的断面时"),
    ),
    RuleParameter(
        "pollutants", gettext_noop("考核污染物（逗号分隔的项目代码，如 cod,nh3n,tp）"), "codes",
        gettext_noop("考核指标为跨界断面特征污染物的浓度"),
        gettext_noop("本规则集的考核指标未核实（或由本区设定）"),
        gettext_noop("始终需要"),
    ),
    RuleParameter(
        "accounting_form", gettext_noop("核算方式"), "choice",
        gettext_noop("京政办发〔2022〕31号：调整补偿资金核算标准、拓展考核指标（water.md §4）"),
        gettext_noop("2022 年办法的考核指标和核算方法未读到（正文不可得），是否沿用 2014 年办法的类别差形式需用户确认"),
        gettext_noop("始终需要"),
        choices={"class_step": gettext_noop("按类别差核算（2014 年办法的形式，仅水质部分）")},
    ),
    RuleParameter(
        "document", gettext_noop("本区补偿办法名称及文号"), "text",
        gettext_noop("区级乡镇跨界断面补偿办法（如延庆 延政办发〔2016〕38号，water.md §5.1）"),
        gettext_noop("由本区填写，用于台账标题"), gettext_noop("可选"), optional=True,
    ),
)}


class MissingParameter(ValueError):
    """The month needs user-set parameters that are not set; `needs` maps key → where it is needed."""

    def __init__(self, rule_set: RuleSet, needs: Mapping[str, Sequence[str]]):
        self.rule_set = rule_set
        self.needs = {k: list(v) for k, v in needs.items()}
        super().__init__(str(self))

    def reasons(self) -> list[Reason]:
        out = []
        for key, where in self.needs.items():
            p = PARAMETERS[key]
            values = {"key": key, "label": p.label, "why": p.why_user_set, "when": p.needed_when,
                      "choices": "、".join(f"{k}（{v}）" for k, v in p.choices.items()) if p.choices else
                      ("万元数" if p.kind == "amount" else "、".join(CHOOSABLE_POLLUTANTS))}
            if where:
                values["where"] = "、".join(where[:5]) + (f" 等 {len(where)} 处" if len(where) > 5 else "")
                out.append(Reason(gettext_noop(
                    "缺少用户设定参数 %(key)s（%(label)s）：%(why)s。本月需要它的有：%(where)s。"
                    "请用 --param %(key)s=… 设定，可选：%(choices)s"), values))
            else:
                out.append(Reason(gettext_noop(
                    "缺少用户设定参数 %(key)s（%(label)s）：%(why)s（%(when)s）。请用 --param %(key)s=… 设定，可选：%(choices)s"),
                    values))
        return out

    def __str__(self) -> str:
        head = str(Reason(gettext_noop("规则集 %(id)s 无法核算，未输出任何金额"), {"id": self.rule_set.id}))
        return head + "\n" + "\n".join(f"  - {r}" for r in self.reasons())


def clean_params(rule_set: RuleSet, raw: Mapping[str, object]) -> dict[str, object]:
    """Typed parameter values for `rule_set` (strings accepted); ValueError with a Chinese message."""
    out: dict[str, object] = {}
    for key, value in raw.items():
        p = PARAMETERS.get(key)
        if p is None or key not in rule_set.parameters:
            allowed = "、".join(rule_set.parameters) or "无"
            raise ValueError(str(Reason(gettext_noop("规则集 %(id)s 没有参数 %(key)s（可设：%(allowed)s）"),
                                        {"id": rule_set.id, "key": key, "allowed": allowed})))
        text = str(value).strip()
        if p.kind == "amount":
            try:
                d = Decimal(text)
            except InvalidOperation:
                d = Decimal("NaN")
            if not d.is_finite() or d < 0 or d > 100000:
                raise ValueError(str(Reason(gettext_noop("%(label)s：应为 0～100000 之间的万元数，收到“%(value)s”"),
                                            {"label": p.label, "value": text})))
            yuan = d * YUAN_PER_WAN
            if yuan != yuan.to_integral_value():
                raise ValueError(str(Reason(gettext_noop("%(label)s：金额应精确到元（万元最多 4 位小数），收到“%(value)s”"),
                                            {"label": p.label, "value": text})))
            out[key] = int(yuan)
        elif p.kind == "choice":
            if text not in p.choices:
                raise ValueError(str(Reason(gettext_noop("%(label)s：可选 %(choices)s，收到“%(value)s”"),
                                            {"label": p.label, "choices": "、".join(p.choices), "value": text})))
            out[key] = text
        elif p.kind == "codes":
            codes = tuple(c.strip().lower() for c in text.replace("，", ",").replace("、", ",").split(",") if c.strip())
            bad = [c for c in codes if c not in CHOOSABLE_POLLUTANTS]
            if not codes or bad or len(set(codes)) != len(codes):
                raise ValueError(str(Reason(gettext_noop("%(label)s：可选 %(choices)s（不重复），收到“%(value)s”"),
                                            {"label": p.label, "choices": ",".join(CHOOSABLE_POLLUTANTS), "value": text})))
            out[key] = codes
        else:
            if len(text) > 200:
                raise ValueError(str(Reason(gettext_noop("%(label)s：不超过 200 个字"), {"label": p.label})))
            out[key] = text
    return out


# ------------------------------------------------------------------------- rule sets

@dataclass(frozen=True)
class RuleSet:
    id: str
    version: str
    title: str  # Chinese
    document: str  # 文号
    issued: dt.date | None
    effective_from: dt.date | None  # None: the district sets when it applies (not checked)
    effective_to: dt.date | None  # None = in force (or not known to have ended)
    level: str  # "district" (between districts) or "town" (between towns of a district)
    confidence: str
    citation: str
    pollutants: tuple[str, ...] | None  # None: user-set (parameter `pollutants`)
    pollutants_citation: str
    rate_case1: int | None  # yuan per section per month per class; None: user-set
    rate_case2: int | None
    rates_citation: str
    parameters: tuple[str, ...]  # keys of PARAMETERS the user may (and, when needed, must) set
    always_required: tuple[str, ...] = ()
    dates_note: str = ""
    warn_from: dt.date | None = None  # months from here on get `warn_text` (a later rule set exists)
    warn_text: str = ""


_CASE_PARAMS = ("worse_than_v_extra", "worse_than_v_gap", "dirty_inflow_basis")

RULE_SETS: dict[str, RuleSet] = {r.id: r for r in (
    RuleSet(
        "beijing-2015", "1", gettext_noop("北京市水环境区域补偿办法（试行）跨界断面补偿"), "京政办发〔2014〕57号",
        issued=None, effective_from=dt.date(2015, 1, 1), effective_to=None, level="district", confidence="official",
        # water.md §3: number cited by Yanqing's measures (S-W20); in force 2015-01-01; §3.1 [OFFICIAL] (S-W16)
        citation=gettext_noop("《北京市水环境区域补偿办法（试行）》京政办发〔2014〕57号，2015-01-01 起试行；"
                              "跨界断面补偿（water.md §3.1，水利部案例页 S-W16）"),
        pollutants=("cod", "nh3n", "tp"),
        # water.md §3.1 indicators: COD, NH3-N, TP [OFFICIAL] (S-W16) [2+SRC]
        pollutants_citation=gettext_noop("考核化学需氧量、氨氮、总磷三项浓度（water.md §3.1，S-W16）"),
        rate_case1=300_000, rate_case2=150_000,
        # water.md §3.1 case 1: 30 万元 per section per month per class; case 2: 15 万元 [OFFICIAL] (S-W16, S-W21)
        rates_citation=gettext_noop("情形一每断面每月每差一个类别 30 万元；情形二 15 万元；多项污染物累加"
                                    "（water.md §3.1，S-W16、S-W21）"),
        parameters=_CASE_PARAMS,
        dates_note=gettext_noop("印发日期未核实；2015-01-01 起试行（water.md §3）；停止适用日期未查到"),
        warn_from=dt.date(2023, 1, 1),
        # water.md §4: "do not reuse the 2014 amounts for 2023+ data without checking the 2022 text"
        warn_text=gettext_noop("2022-12-30 印发的《北京市水生态区域补偿暂行办法》（京政办发〔2022〕31号）调整了核算标准；"
                               "2014 年办法的金额用于 2023 年及以后的数据前，请先核对 2022 年办法及核算细则（water.md §4）"),
    ),
    RuleSet(
        "beijing-2022", "1", gettext_noop("北京市水生态区域补偿暂行办法（水质部分）"), "京政办发〔2022〕31号",
        issued=dt.date(2022, 12, 30), effective_from=dt.date(2022, 12, 30), effective_to=None, level="district",
        confidence="unconfirmed",
        # water.md §4 [2+SRC] (S-W23, S-W24): title, number, date, scope; indicators and amounts UNCONFIRMED
        citation=gettext_noop("《北京市水生态区域补偿暂行办法》京政办发〔2022〕31号（2022-12-30 印发），区政府间补偿；"
                              "考核指标和核算标准未核实（water.md §4，S-W23、S-W24）"),
        pollutants=None, pollutants_citation=gettext_noop("考核指标未核实，由用户设定（water.md §4）"),
        rate_case1=None, rate_case2=None,
        rates_citation=gettext_noop("金额未核实，由用户设定；勿直接沿用 2014 年办法的金额（water.md §4）"),
        parameters=("accounting_form", "pollutants", "rate_case1", "rate_case2", *_CASE_PARAMS),
        always_required=("accounting_form", "pollutants"),
        dates_note=gettext_noop("按印发日期 2022-12-30 起计；施行日期未核实（water.md §4）。水量与生态流量、污水收集处理、"
                                "水生态等指标未实现"),
    ),
    RuleSet(
        "town", "1", gettext_noop("区级乡镇跨界断面补偿（本区设定）"), "",
        issued=None, effective_from=None, effective_to=None, level="town", confidence="user_set",
        # water.md §5: Yanqing 延政办发〔2016〕38号 modelled on the municipal 2014 measures; Daxing 2015; Tongzhou 2024
        citation=gettext_noop("参照市级 2014 年办法的类别差形式，考核特征污染物对照断面考核目标（延庆 延政办发〔2016〕38号，"
                              "water.md §5）；污染物和金额由本区设定"),
        pollutants=None, pollutants_citation=gettext_noop("特征污染物由本区设定（water.md §5.1）"),
        rate_case1=None, rate_case2=None, rates_citation=gettext_noop("金额由本区设定（water.md §5.1 未核实）"),
        parameters=("pollutants", "rate_case1", "rate_case2", *_CASE_PARAMS, "document"),
        always_required=("pollutants",),
        dates_note=gettext_noop("适用时段由本区办法规定，平台不检查"),
    ),
    RuleSet(
        "yanqing-2016", "1", gettext_noop("北京市延庆区水环境乡镇跨界断面补偿办法（试行）"), "延政办发〔2016〕38号",
        issued=dt.date(2016, 9, 24), effective_from=dt.date(2016, 9, 24), effective_to=None, level="town",
        confidence="1src",
        # water.md §5.1 [1SRC, full notice] (S-W20): indicator, standard, method; amounts UNCONFIRMED
        citation=gettext_noop("《北京市延庆区水环境乡镇跨界断面补偿办法（试行）》延政办发〔2016〕38号（2016-09-24）：乡镇跨界断面"
                              "特征污染物浓度对照断面考核目标，参照市级 2014 年办法（water.md §5.1，S-W20）"),
        pollutants=None, pollutants_citation=gettext_noop("“特征污染物”的具体项目未核实，由用户设定（water.md §5.1）"),
        rate_case1=None, rate_case2=None, rates_citation=gettext_noop("金额未核实，由用户设定（water.md §5.1）"),
        parameters=("pollutants", "rate_case1", "rate_case2", *_CASE_PARAMS),
        always_required=("pollutants",),
        dates_note=gettext_noop("按文件日期 2016-09-24 起计；施行日期未核实（water.md §5.1）"),
    ),
)}


def rule_set(rule_id: str) -> RuleSet:
    try:
        return RULE_SETS[rule_id]
    except KeyError:
        raise ValueError(str(Reason(gettext_noop("未知补偿规则集“%(id)s”；可用：%(ids)s"),
                                    {"id": rule_id, "ids": "、".join(RULE_SETS)}))) from None


# ------------------------------------------------------------------------- input model

@dataclass(frozen=True)
class Section:
    """A cross-boundary section: water flows from `payer`'s area (upstream) into `receiver`'s (downstream).

    `inflow`: code of the section where this river enters the payer's area (入境断面); None when the water
    originates in the payer's area (本区发源) or no inflow section is assessed."""

    code: str
    target: int  # target class 1–5 (断面水质考核标准)
    payer: str
    receiver: str
    name: str = ""
    river: str = ""
    kind: str = RIVER
    inflow: str | None = None
    row: int | None = None  # line of the sections file

    @property
    def shown(self) -> str:
        return f"{self.name}（{self.code}）" if self.name and self.name != self.code else self.code


@dataclass(frozen=True)
class MonthValue:
    """A section's monthly value of one pollutant: the arithmetic mean of the month's samples
    (评价办法 §2.2, computed by `envgov.engine.water.period_means`)."""

    mean: float
    samples: int = 1


# month "YYYY-MM" → section code → pollutant code → value
MonthlyValues = Mapping[str, Mapping[str, Mapping[str, MonthValue]]]


# ------------------------------------------------------------------------- ledger

@dataclass(frozen=True)
class Line:
    """One pollutant at one section in one month: the amount and how it was reached."""

    section: str
    section_name: str
    payer: str
    receiver: str
    month: str
    pollutant: str
    pollutant_label: str
    target: int
    outflow: float | None
    outflow_class: int
    outflow_samples: int
    inflow_section: str | None
    inflow: float | None
    inflow_class: int
    case: str  # case1 / case2 / meets / missing
    gap: int
    rate: int | None  # yuan per class
    base: int | None  # gap × rate, yuan
    extra: int | None  # worse-than-Ⅴ extra, yuan
    amount: int | None  # yuan; None = not computed (missing data)
    reasons: tuple[Reason, ...]
    citation: str

    @property
    def reasoning(self) -> str:
        return "；".join(str(r) for r in self.reasons) + "。"

    def to_dict(self) -> dict[str, object]:
        return {
            "section": self.section, "section_name": self.section_name, "payer": self.payer,
            "receiver": self.receiver, "month": self.month, "pollutant": self.pollutant,
            "pollutant_label": self.pollutant_label, "target": CLASS_LABELS[self.target],
            "outflow_mg_l": self.outflow, "outflow_class": CLASS_LABELS.get(self.outflow_class),
            "outflow_samples": self.outflow_samples, "inflow_section": self.inflow_section,
            "inflow_mg_l": self.inflow, "inflow_class": CLASS_LABELS.get(self.inflow_class),
            "case": self.case, "class_gap": self.gap, "rate_yuan": self.rate, "base_yuan": self.base,
            "extra_yuan": self.extra, "amount_yuan": self.amount,
            "amount_wan": None if self.amount is None else wan(self.amount),
            "reasoning": self.reasoning, "citation": self.citation,
        }


@dataclass(frozen=True)
class Transfer:
    payer: str
    receiver: str
    amount: int  # yuan (computed lines only)
    sections: int
    incomplete: bool  # some line of this pair could not be computed (missing data)

    def to_dict(self) -> dict[str, object]:
        return {"payer": self.payer, "receiver": self.receiver, "amount_yuan": self.amount,
                "amount_wan": wan(self.amount), "sections": self.sections, "incomplete": self.incomplete}


@dataclass(frozen=True)
class Ledger:
    rule_set: RuleSet
    month: str
    params: Mapping[str, object]
    pollutants: tuple[str, ...]
    lines: tuple[Line, ...]
    warnings: tuple[Reason, ...] = ()

    @property
    def transfers(self) -> list[Transfer]:
        pairs: dict[tuple[str, str], list[Line]] = {}
        for line in self.lines:
            pairs.setdefault((line.payer, line.receiver), []).append(line)
        return [Transfer(p, r, sum(x.amount or 0 for x in ls), len({x.section for x in ls}),
                         any(x.amount is None for x in ls)) for (p, r), ls in sorted(pairs.items())]

    @property
    def total(self) -> int:
        return sum(line.amount or 0 for line in self.lines)

    def parties(self) -> list[dict[str, object]]:
        """Each district or town: what it pays, what it receives, and the balance (receives − pays)."""
        pays: dict[str, int] = {}
        gets: dict[str, int] = {}
        for t in self.transfers:
            pays[t.payer] = pays.get(t.payer, 0) + t.amount
            gets[t.receiver] = gets.get(t.receiver, 0) + t.amount
        return [{"party": p, "pays_yuan": pays.get(p, 0), "receives_yuan": gets.get(p, 0),
                 "balance_yuan": gets.get(p, 0) - pays.get(p, 0), "pays_wan": wan(pays.get(p, 0)),
                 "receives_wan": wan(gets.get(p, 0)), "balance_wan": wan(gets.get(p, 0) - pays.get(p, 0))}
                for p in sorted(set(pays) | set(gets))]

    @property
    def complete(self) -> bool:
        return all(line.amount is not None for line in self.lines)

    def parameter_rows(self) -> list[dict[str, object]]:
        """Every parameter of the rule set: value as the user set it (None = not set), all user-set."""
        out = []
        for key in self.rule_set.parameters:
            p = PARAMETERS[key]
            v = self.params.get(key)
            shown = None if v is None else (wan(v) if p.kind == "amount" else  # type: ignore[arg-type]
                                            ",".join(v) if p.kind == "codes" else v)  # type: ignore[arg-type]
            out.append({"key": key, "label": p.label, "value": shown,
                        "unit": "万元" if p.kind == "amount" else "", "user_set": v is not None,
                        "confidence": "user_set" if p.optional else "unconfirmed", "rule": p.rule, "why_user_set": p.why_user_set,
                        "needed_when": p.needed_when})
        return out

    def to_dict(self) -> dict[str, object]:
        r = self.rule_set
        return {
            "rule_set": {"id": r.id, "version": r.version, "title": r.title, "document": r.document,
                         "issued": r.issued and r.issued.isoformat(),
                         "effective_from": r.effective_from and r.effective_from.isoformat(),
                         "effective_to": r.effective_to and r.effective_to.isoformat(), "level": r.level,
                         "confidence": r.confidence, "citation": r.citation, "dates_note": r.dates_note,
                         "pollutants_citation": r.pollutants_citation, "rates_citation": r.rates_citation,
                         "rate_case1_yuan": r.rate_case1, "rate_case2_yuan": r.rate_case2,
                         "district_document": self.params.get("document")},
            "month": self.month, "pollutants": list(self.pollutants),
            "parameters": self.parameter_rows(),
            "total_yuan": self.total, "total_wan": wan(self.total), "complete": self.complete,
            "warnings": [str(w) for w in self.warnings],
            "transfers": [t.to_dict() for t in self.transfers],
            "parties": self.parties(),
            "lines": [line.to_dict() for line in self.lines],
        }


# ------------------------------------------------------------------------- evaluator

def _class_of(code: str, value: float, kind: str) -> int:
    from envgov.standards.water.assess import item_class

    return int(item_class(code, [value], kind)[0])


def _parse_month(month: str) -> dt.date:
    try:
        y, m = month.split("-")
        return dt.date(int(y), int(m), 1)
    except ValueError:
        raise ValueError(str(Reason(gettext_noop("月份应写作 YYYY-MM（如 2024-03），收到“%(value)s”"),
                                    {"value": month}))) from None


def evaluate(rules: RuleSet, sections: Mapping[str, Section], values: MonthlyValues, month: str,
             params: Mapping[str, object] | None = None) -> Ledger:
    """The month's ledger: one line per section and pollutant, each with its amount and reasoning.

    `params` are typed values (`clean_params`). Raises ValueError when the month is outside the rule
    set's dates, MissingParameter when a case of the month needs a parameter the user has not set."""
    params = dict(params or {})
    first = _parse_month(month)
    month = f"{first.year:04d}-{first.month:02d}"
    if rules.effective_from and _month_end(first) < rules.effective_from:
        raise ValueError(str(Reason(gettext_noop("%(month)s 早于规则集 %(id)s 的适用日期 %(from)s"),
                                    {"month": month, "id": rules.id, "from": rules.effective_from.isoformat()})))
    if rules.effective_to and first > rules.effective_to:
        raise ValueError(str(Reason(gettext_noop("%(month)s 晚于规则集 %(id)s 的停止适用日期 %(to)s"),
                                    {"month": month, "id": rules.id, "to": rules.effective_to.isoformat()})))
    needs: dict[str, list[str]] = {k: [] for k in rules.always_required if k not in params}
    pollutants = rules.pollutants if rules.pollutants is not None else params.get("pollutants")
    if not pollutants:
        raise MissingParameter(rules, needs or {"pollutants": []})
    rate1 = rules.rate_case1 if rules.rate_case1 is not None else params.get("rate_case1")
    rate2 = rules.rate_case2 if rules.rate_case2 is not None else params.get("rate_case2")
    month_values = values.get(month, {})
    if not any(code in month_values for code in sections):
        raise ValueError(str(Reason(gettext_noop("监测值中没有任何断面 %(month)s 的数据（有数据的月份：%(months)s）"),
                                    {"month": month, "months": "、".join(sorted(values)) or "无"})))
    lines: list[Line] = []
    for code in sorted(sections):
        sec = sections[code]
        for p in pollutants:  # type: ignore[union-attr]
            line, need = _line(rules, sec, sections, month_values, month, p, params, rate1, rate2)  # type: ignore[arg-type]
            for key in need:
                needs.setdefault(key, []).append(f"{sec.shown} {BY_CODE[p].label}")
            if line is not None:
                lines.append(line)
    needs = {k: v for k, v in needs.items() if k in rules.always_required or v}
    if needs:
        raise MissingParameter(rules, needs)
    warnings: list[Reason] = []
    if rules.warn_from and first >= rules.warn_from:
        warnings.append(Reason(rules.warn_text))
    missing = sum(1 for line in lines if line.amount is None)
    if missing:
        warnings.append(Reason(gettext_noop("有 %(n)s 项缺少监测值未核算，合计金额不完整（见核算明细中“未核算”的行）"),
                               {"n": missing}))
    return Ledger(rules, month, params, tuple(pollutants), tuple(lines), tuple(warnings))  # type: ignore[arg-type]


def _month_end(first: dt.date) -> dt.date:
    nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _line(rules: RuleSet, sec: Section, sections: Mapping[str, Section],
          month_values: Mapping[str, Mapping[str, MonthValue]], month: str, p: str,
          params: Mapping[str, object], rate1: int | None, rate2: int | None) -> tuple[Line | None, list[str]]:
    """One pollutant at one section; (None, needed parameter keys) when a parameter is missing."""
    label = BY_CODE[p].label
    t = sec.target
    head_values = {"section": sec.shown, "month": month_label(month), "pollutant": label,
                   "target": CLASS_LABELS[t]}
    out_v = month_values.get(sec.code, {}).get(p)
    reasons: list[Reason] = []
    ident = {"section": sec.code, "section_name": sec.name, "payer": sec.payer, "receiver": sec.receiver,
             "month": month, "pollutant": p, "pollutant_label": label, "target": t, "inflow_section": sec.inflow}
    if out_v is None:
        reasons.append(Reason(gettext_noop("断面%(section)s %(month)s %(pollutant)s：无出境监测值，未核算（目标 %(target)s类）"),
                              head_values))
        return Line(**ident, outflow=None, outflow_class=0, outflow_samples=0, inflow=None, inflow_class=0,
                    case=MISSING, gap=0, rate=None, base=None, extra=None, amount=None, reasons=tuple(reasons),
                    citation=rules.citation), []
    c_out = _class_of(p, out_v.mean, sec.kind)
    sample_note = str(Reason(gettext_noop("（%(n)s 次监测的月均值）"), {"n": out_v.samples})) if out_v.samples > 1 else ""
    reasons.append(Reason(gettext_noop("断面%(section)s %(month)s %(pollutant)s 出境 %(value)s mg/L%(samples)s，"
                                       "%(cls)s类，目标 %(target)s类"),
                          head_values | {"value": number(out_v.mean), "samples": sample_note,
                                         "cls": CLASS_LABELS[c_out]}))
    in_v: MonthValue | None = None
    c_in = 0
    if sec.inflow:
        inflow = sections.get(sec.inflow)
        in_v = month_values.get(sec.inflow, {}).get(p)
        if in_v is not None:
            c_in = _class_of(p, in_v.mean, inflow.kind if inflow else sec.kind)
    common = {"outflow": out_v.mean, "outflow_class": c_out, "outflow_samples": out_v.samples,
                  "inflow": None if in_v is None else in_v.mean, "inflow_class": c_in}
    if c_out <= t:
        reasons.append(Reason(gettext_noop("达到目标，不补偿")))
        return Line(**ident, **common, case=MEETS, gap=0, rate=None, base=0, extra=0, amount=0,
                    reasons=tuple(reasons), citation=rules.citation), []
    # fails the target: which case?
    need: list[str] = []
    gap_mode = None
    if c_out == WORSE_THAN_V:
        gap_mode = params.get("worse_than_v_gap")
        if gap_mode is None:
            need.append("worse_than_v_gap")
        if params.get("worse_than_v_extra") is None:
            need.append("worse_than_v_extra")

    def cap(c: int) -> int:  # the class as the gap counts it
        return min(c, 5) if gap_mode == "to_v" else c

    if not sec.inflow:
        case = CASE_1
        reasons.append(Reason(gettext_noop("未设入境断面（按补偿方境内发源计），出境不达标，属情形一")))
        gap_from = t
    else:
        in_shown = sections[sec.inflow].shown if sec.inflow in sections else sec.inflow
        if in_v is None:
            reasons.append(Reason(gettext_noop("入境断面%(inflow)s 无监测值，无法判定情形一或情形二，未核算"),
                                  {"inflow": in_shown}))
            return Line(**ident, **common, case=MISSING, gap=0, rate=None, base=None, extra=None, amount=None,
                        reasons=tuple(reasons), citation=rules.citation), []
        reasons.append(Reason(gettext_noop("入境断面%(inflow)s %(value)s mg/L，%(cls)s类"),
                              {"inflow": in_shown, "value": number(in_v.mean), "cls": CLASS_LABELS[c_in]}))
        if out_v.mean <= in_v.mean:
            case = CASE_2
            reasons.append(Reason(gettext_noop("出境浓度不高于入境但仍不达标，属情形二")))
            gap_from = t
        elif c_in <= t:
            case = CASE_1
            reasons.append(Reason(gettext_noop("入境达标、出境浓度高于入境且不达标，属情形一")))
            gap_from = t
        else:
            case = CASE_1
            basis = params.get("dirty_inflow_basis")
            if basis is None:
                need.append("dirty_inflow_basis")
                gap_from = t
            elif basis == "inflow":
                reasons.append(Reason(gettext_noop("入境已不达标、出境浓度高于入境，属情形一，按用户设定对照入境类别计差")))
                gap_from = c_in
            else:
                reasons.append(Reason(gettext_noop("入境已不达标、出境浓度高于入境，属情形一，按用户设定对照目标类别计差")))
                gap_from = t
    rate = rate1 if case == CASE_1 else rate2
    if rate is None:
        need.append("rate_case1" if case == CASE_1 else "rate_case2")
    if need:
        return None, need
    gap = max(0, cap(c_out) - cap(gap_from))
    amount_base = gap * rate  # type: ignore[operator]
    rate_src = "" if (rules.rate_case1 if case == CASE_1 else rules.rate_case2) is not None else \
        str(Reason(gettext_noop("（用户设定）")))
    reasons.append(Reason(gettext_noop("差 %(gap)s 个类别 × %(rate)s 万元%(src)s = %(base)s 万元"),
                          {"gap": gap, "rate": wan(rate), "src": rate_src, "base": wan(amount_base)}))  # type: ignore[arg-type]
    if c_out == WORSE_THAN_V and gap_mode == "to_v":
        reasons.insert(-1, Reason(gettext_noop("劣Ⅴ类按用户设定只算到Ⅴ类")))
    elif c_out == WORSE_THAN_V:
        reasons.insert(-1, Reason(gettext_noop("劣Ⅴ类按用户设定比Ⅴ类再差一个类别")))
    extra = 0
    if c_out == WORSE_THAN_V:
        extra = int(params["worse_than_v_extra"])  # type: ignore[arg-type]
        reasons.append(Reason(gettext_noop("劣Ⅴ类追加 %(extra)s 万元（用户设定）"), {"extra": wan(extra)}))
    amount = amount_base + extra
    if extra:
        reasons.append(Reason(gettext_noop("合计 %(amount)s 万元"), {"amount": wan(amount)}))
    return Line(**ident, **common, case=case, gap=gap, rate=rate, base=amount_base, extra=extra, amount=amount,
                reasons=tuple(reasons), citation=rules.citation), []


# ------------------------------------------------------------------------- what-if

@dataclass(frozen=True)
class WhatIf:
    """The ledger with some pollutants' monthly values changed, against the ledger as measured."""

    changes: Mapping[str, Decimal]  # pollutant → relative change (−0.10 = 10 % lower)
    scope: str | None  # payer whose sections were changed (None = every section)
    baseline: Ledger
    scenario: Ledger

    @property
    def saving(self) -> int:
        return self.baseline.total - self.scenario.total

    def changed_lines(self) -> list[tuple[Line, Line]]:
        by_key = {(x.section, x.pollutant): x for x in self.scenario.lines}
        return [(b, by_key[(b.section, b.pollutant)]) for b in self.baseline.lines
                if by_key[(b.section, b.pollutant)].amount != b.amount]

    def savings_by_payer(self) -> list[dict[str, object]]:
        base: dict[str, int] = {}
        scen: dict[str, int] = {}
        for x in self.baseline.lines:
            base[x.payer] = base.get(x.payer, 0) + (x.amount or 0)
        for x in self.scenario.lines:
            scen[x.payer] = scen.get(x.payer, 0) + (x.amount or 0)
        return [{"payer": p, "baseline_yuan": base[p], "scenario_yuan": scen.get(p, 0),
                 "saving_yuan": base[p] - scen.get(p, 0), "saving_wan": wan(base[p] - scen.get(p, 0))}
                for p in sorted(base)]

    def summary(self) -> str:
        parts = []
        for c, d in self.changes.items():
            pct = format((abs(d) * 100).normalize(), "f")
            tpl = gettext_noop("%(item)s降低 %(pct)s%%") if d < 0 else gettext_noop("%(item)s升高 %(pct)s%%")
            parts.append(str(Reason(tpl, {"item": BY_CODE[c].label, "pct": pct})))
        scope = str(Reason(gettext_noop("%(payer)s的出境断面"), {"payer": self.scope})) if self.scope else \
            str(Reason(gettext_noop("所有断面")))
        return str(Reason(gettext_noop("假设%(month)s %(scope)s%(change)s：补偿金由 %(base)s 万元变为 %(scen)s 万元，少付 %(saving)s 万元"),
                          {"month": month_label(self.baseline.month), "scope": scope, "change": "、".join(parts),
                           "base": wan(self.baseline.total), "scen": wan(self.scenario.total),
                           "saving": wan(self.saving)}))

    def to_dict(self) -> dict[str, object]:
        return {
            "changes": {c: format(d, "f") for c, d in self.changes.items()}, "scope": self.scope,
            "baseline_yuan": self.baseline.total, "scenario_yuan": self.scenario.total,
            "saving_yuan": self.saving, "saving_wan": wan(self.saving), "summary": self.summary(),
            "savings_by_payer": self.savings_by_payer(),
            "changed_lines": [{"section": b.section, "pollutant": b.pollutant, "baseline_yuan": b.amount,
                               "scenario_yuan": s.amount, "baseline_reasoning": b.reasoning,
                               "scenario_reasoning": s.reasoning} for b, s in self.changed_lines()],
        }


def parse_change(text: str) -> tuple[str, Decimal]:
    """"nh3n=-10%" → ("nh3n", Decimal("-0.10")); ValueError with a Chinese message."""
    key, sep, raw = text.partition("=")
    key, raw = key.strip().lower(), raw.strip()
    try:
        pct = Decimal(raw.rstrip("%").strip()) if sep and raw.endswith("%") else Decimal("NaN")
    except InvalidOperation:
        pct = Decimal("NaN")
    if key not in CHOOSABLE_POLLUTANTS or not pct.is_finite() or pct <= -100 or pct > 1000:
        raise ValueError(str(Reason(gettext_noop("--what-if 应写作 污染物=±百分比（如 nh3n=-10%%），污染物可选 %(codes)s，收到“%(value)s”"),
                                    {"codes": ",".join(CHOOSABLE_POLLUTANTS), "value": text})))
    return key, pct / 100


def scaled_values(values: MonthlyValues, month: str, changes: Mapping[str, Decimal],
                  sections: Iterable[str]) -> dict[str, dict[str, dict[str, MonthValue]]]:
    """`values` with `month`'s means of the changed pollutants at `sections` multiplied by (1 + change),
    exactly in decimal and rounded to 10 decimals (the engine's period-mean precision)."""
    from envgov.engine.water import MEAN_DECIMALS

    chosen = set(sections)
    out = {m: {s: dict(v) for s, v in by_site.items()} for m, by_site in values.items()}
    for site, by_code in out.get(month, {}).items():
        if site not in chosen:
            continue
        for code, change in changes.items():
            if code in by_code:
                mv = by_code[code]
                new = (Decimal(repr(mv.mean)) * (1 + change)).quantize(Decimal(1).scaleb(-MEAN_DECIMALS))
                by_code[code] = replace(mv, mean=float(new))
    return out


def what_if(rules: RuleSet, sections: Mapping[str, Section], values: MonthlyValues, month: str,
            params: Mapping[str, object] | None, changes: Mapping[str, Decimal], payer: str | None = None) -> WhatIf:
    """What the month would have cost with `changes` (e.g. {"nh3n": Decimal("-0.10")}) at every section,
    or only at `payer`'s outflow sections (the changed value also serves where that section is another
    section's inflow: it is one point of the river)."""
    baseline = evaluate(rules, sections, values, month, params)
    if payer is not None and payer not in {s.payer for s in sections.values()}:
        raise ValueError(str(Reason(gettext_noop("“%(payer)s”不是任何断面的补偿方"), {"payer": payer})))
    chosen = [c for c, s in sections.items() if payer is None or s.payer == payer]
    scenario = evaluate(rules, sections, scaled_values(values, baseline.month, changes, chosen), month, params)
    return WhatIf(dict(changes), payer, baseline, scenario)


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)
