"""The compensation ledger (`envgov.rules.compensation.Ledger`) as an .xlsx for the district finance office:
summary payer → receiver, every line with its reasoning, the rule set and its user-set parameters, and
the what-if when one was asked. Pure: ledger in, bytes out (house style of `envgov.reports.xlsx`)."""
from __future__ import annotations

from decimal import Decimal

from envgov.catalogue import gettext_noop
from envgov.reports.xlsx import build_tables
from envgov.rules.compensation import YUAN_PER_WAN, Ledger, Reason, WhatIf, wan
from envgov.standards.water.tables import CLASS_LABELS

CASE_LABELS = {"case1": gettext_noop("情形一"), "case2": gettext_noop("情形二"), "meets": gettext_noop("达标"),
               "missing": gettext_noop("未核算")}
SUMMARY_COLUMNS = [(gettext_noop("补偿方"), 20), (gettext_noop("受偿方"), 24), (gettext_noop("断面数"), 8),
                   (gettext_noop("金额（万元）"), 12), (gettext_noop("金额（元）"), 14), (gettext_noop("是否完整"), 10)]
LINE_COLUMNS = [
    (gettext_noop("断面编码"), 12), (gettext_noop("断面名称"), 22), (gettext_noop("补偿方"), 12), (gettext_noop("受偿方"), 14),
    (gettext_noop("污染物"), 10), (gettext_noop("出境浓度（mg/L）"), 10), (gettext_noop("出境类别"), 8),
    (gettext_noop("目标类别"), 8), (gettext_noop("入境断面"), 12), (gettext_noop("入境浓度（mg/L）"), 10),
    (gettext_noop("入境类别"), 8), (gettext_noop("情形"), 8), (gettext_noop("类别差"), 7),
    (gettext_noop("标准（万元/类别）"), 10), (gettext_noop("类别差金额（万元）"), 10), (gettext_noop("劣Ⅴ类追加（万元）"), 10),
    (gettext_noop("金额（万元）"), 10), (gettext_noop("核算过程"), 90),
]
YES, NO, NO_PARTIAL = gettext_noop("是"), gettext_noop("否"), gettext_noop("否（有未核算项）")
INCOMPLETE = gettext_noop("（不完整）")
TOTAL, NOT_SET, USER_SET = gettext_noop("合计"), gettext_noop("未设定"), gettext_noop("（用户设定，参考资料未核实）")
PARTY_COLUMNS = [(gettext_noop("区或乡镇"), 24), (gettext_noop("应付（万元）"), 12), (gettext_noop("应收（万元）"), 12),
                 (gettext_noop("收支差额（万元）"), 14)]
META_COLUMNS = [(gettext_noop("项目"), 28), (gettext_noop("内容"), 100)]
WHAT_IF_COLUMNS = [(gettext_noop("断面编码"), 12), (gettext_noop("污染物"), 10), (gettext_noop("实际金额（万元）"), 12),
                   (gettext_noop("假设金额（万元）"), 12), (gettext_noop("假设下的核算过程"), 100)]


def _wan(yuan: int | None) -> float | None:
    return None if yuan is None else float(Decimal(yuan) / YUAN_PER_WAN)


def ledger_xlsx(ledger: Ledger, what_if: WhatIf | None = None) -> bytes:
    r = ledger.rule_set
    title = ledger.params.get("document") or r.title
    month = ledger.month
    total = str(Reason(gettext_noop("合计 %(amount)s 万元"), {"amount": wan(ledger.total)}))
    note = " ".join(x for x in (r.document, month, total) if x) + ("" if ledger.complete else str(Reason(INCOMPLETE)))
    summary = [(t.payer, t.receiver, t.sections, _wan(t.amount), t.amount, YES if not t.incomplete else NO_PARTIAL)
               for t in ledger.transfers]
    summary.append((TOTAL, "", len({x.section for x in ledger.lines}), _wan(ledger.total), ledger.total,
                    YES if ledger.complete else NO))
    lines = [(x.section, x.section_name, x.payer, x.receiver, x.pollutant_label, x.outflow,
              CLASS_LABELS.get(x.outflow_class, ""), CLASS_LABELS[x.target], x.inflow_section or "", x.inflow,
              CLASS_LABELS.get(x.inflow_class, ""), CASE_LABELS[x.case], x.gap, _wan(x.rate), _wan(x.base),
              _wan(x.extra), _wan(x.amount), x.reasoning) for x in ledger.lines]
    meta: list[tuple[object, object]] = [
        (gettext_noop("规则集"), f"{r.id}（{r.version}）{r.title} {r.document}".strip()),
        (gettext_noop("依据"), r.citation), (gettext_noop("日期"), r.dates_note),
        (gettext_noop("考核污染物"), f"{'、'.join(ledger.pollutants)}：{r.pollutants_citation}"),
        (gettext_noop("补偿标准"), r.rates_citation), (gettext_noop("月份"), month),
    ]
    for p in ledger.parameter_rows():
        shown = NOT_SET if p["value"] is None else f"{p['value']} {p['unit']}".strip() + USER_SET
        meta.append((f"{p['key']}：{p['label']}", f"{shown}。{p['rule']}；{p['why_user_set']}"))
    meta += [(gettext_noop("提示"), str(w)) for w in ledger.warnings]
    parties = [(p["party"], _wan(p["pays_yuan"]), _wan(p["receives_yuan"]), _wan(p["balance_yuan"]))  # type: ignore[arg-type]
               for p in ledger.parties()]
    sheets = [(str(Reason(gettext_noop("%(month)s 补偿汇总"), {"month": month})), SUMMARY_COLUMNS, summary, f"{title} {note}"),
              (gettext_noop("各方收支"), PARTY_COLUMNS, parties, note),
              (gettext_noop("核算明细"), LINE_COLUMNS, lines, note),
              (gettext_noop("规则与参数"), META_COLUMNS, meta, "")]
    if what_if is not None:
        rows = [(b.section, b.pollutant_label, _wan(b.amount), _wan(s.amount), s.reasoning)
                for b, s in what_if.changed_lines()]
        rows.append((TOTAL, "", _wan(what_if.baseline.total), _wan(what_if.scenario.total), what_if.summary()))
        sheets.append((gettext_noop("假设分析"), WHAT_IF_COLUMNS, rows, what_if.summary()))
    return build_tables([(t, [(str(h), w) for h, w in cols], rows, n) for t, cols, rows, n in sheets])
