"""Beijing heavy-air-pollution warnings (空气重污染预警) as versioned plans with one evaluator, and the
emergency measures per performance grade (绩效分级). Plain Python, no Django.

What the reference says (/work/shared/reference/air.md §6, sources.md §3; source ids S-Axx / S-Sxx):

* §6.1 — 2023 revision of 《北京市空气重污染应急预案》 (published 2023-10-25) [OFFICIAL S-A32, 2+SRC S-A33,
  S-A34]: levels yellow < orange < red, no blue. Start conditions (forecast): yellow = 1 day of level 5
  (AQI > 200) or 2 days of level 4 (AQI > 150); orange = 2 days of level 5 or 3 days of level 4; red = 3 days
  of level 5 and at least 1 of them level 6 (AQI > 300).
* §6.2 — earlier versions for back-testing: 2013 试行 (released 2013-10-22) blue = 1 day heavy (201–300),
  yellow = 1 day severe (> 300) or 3 days heavy, orange = 3 days alternating heavy/severe, red = 3 days
  severe [2+SRC S-A40–S-A42]; the ~2016–2018 revisions aligned with the MEE 2017 unified standard: blue =
  AQI > 200 for 1 day, yellow = > 200 for ≥ 2 days, orange = > 200 for 3 days and > 300 on at least 1 day,
  red = > 200 for ≥ 4 days and > 300 for ≥ 2 days, or AQI reaches 500 for ≥ 1 day [2+SRC S-A43–S-A45;
  Beijing orange wording 1SRC S-A46; blue 1SRC S-A47]. The 2018 revision's thresholds: UNCONFIRMED (no plan).
* Counting rules (MEE 2017, 1SRC S-A43): the daily AQI may be a 24-h mean crossing calendar days; two
  episodes with a gap too short to clear count as one, at the stricter level. Whether the Beijing 2023 text
  repeats them: UNCONFIRMED → the parameters below, shown as user-set.

How the evaluator reads the conditions (written here once; docs/alerts-complaints.md repeats it):

* "N days of level L" = N **consecutive** forecast days each at level L or worse (AQI level of HJ 633:
  4 = AQI 151–200, 5 = 201–300, 6 = > 300). "of them k days level L2" = at least k of those N days at L2
  or worse. The 2013 "alternating heavy/severe" = 3 consecutive days each heavy or severe with at least one
  severe (all three severe is red, which ranks higher).
* The level in force on a day is the highest level whose condition is met by a window of consecutive days
  that contains the day. An **episode** is a run of consecutive days with a level in force; its start and
  end are the first and last such day; a change of level inside it is an upgrade or a downgrade.
* Where the reference is silent (user-set, see `PARAMETERS`): whether a short clean gap joins two episodes
  (`merge_gap_days`, default 0 = no: the rule text counts consecutive days), and whether the level may go
  down inside an episode (`level_changes`, default `follow`: the forecast decides every day).
"""
from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from envgov.catalogue import gettext_noop
from envgov.standards.air.parameters import Parameter
from envgov.standards.parameter_set import ParameterSet

BLUE, YELLOW, ORANGE, RED = "blue", "yellow", "orange", "red"
RANK = {BLUE: 1, YELLOW: 2, ORANGE: 3, RED: 4}
LEVEL_NAMES = {BLUE: gettext_noop("蓝色预警"), YELLOW: gettext_noop("黄色预警"), ORANGE: gettext_noop("橙色预警"),
               RED: gettext_noop("红色预警")}
AQI_LEVEL_NAMES = {1: gettext_noop("优"), 2: gettext_noop("良"), 3: gettext_noop("轻度污染"),
                   4: gettext_noop("中度污染"), 5: gettext_noop("重度污染"), 6: gettext_noop("严重污染")}

MSG_UNKNOWN_PLAN = gettext_noop("未知预案“%(plan)s”（可用：%(plans)s）")
MSG_OUTSIDE = gettext_noop("预报日期 %(first)s～%(last)s 不在预案 %(plan)s 的适用期（%(period)s）内：按回测处理，结果不是当时实际的预警")
MSG_DATE_GAP = gettext_noop("预报缺少 %(from)s～%(to)s 的数据：缺失的日子不算污染日也不算清洁日，前后分开计算")
MSG_NO_AQI_500 = gettext_noop("%(date)s 只给出级别、没有 AQI：无法判断“AQI 达到 500”的条件，按未达到处理")
MSG_EMPTY = gettext_noop("预报没有任何一天")


# ------------------------------------------------------------------------- plans (data)

@dataclass(frozen=True)
class Condition:
    """`days` consecutive forecast days each at AQI level ≥ `level`, of which at least `plus_days` at level
    ≥ `plus_level`; or (when `aqi_at_least` is set) one day with AQI ≥ that value."""

    days: int = 0
    level: int = 0
    plus_days: int = 0
    plus_level: int = 0
    aqi_at_least: int | None = None
    text: str = ""  # Chinese, as the plan words it


@dataclass(frozen=True)
class WarningRule:
    code: str  # blue, yellow, orange, red
    conditions: tuple[Condition, ...]  # any one is enough

    @property
    def name(self) -> str:
        return LEVEL_NAMES[self.code]

    @property
    def rank(self) -> int:
        return RANK[self.code]


@dataclass(frozen=True)
class Plan:
    id: str
    version: str
    title: str  # Chinese
    issued: dt.date | None
    effective_from: dt.date | None
    effective_to: dt.date | None  # None: in force, or the end is not known (see dates_note)
    confidence: str  # official, 2+src, 1src
    citation: str
    rules: tuple[WarningRule, ...]  # low → high
    dates_note: str = ""
    has_grades: bool = False  # the plan applies performance grades (绩效分级) to listed units

    def rule(self, code: str) -> WarningRule:
        return next(r for r in self.rules if r.code == code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.rules)

    def period_text(self) -> str:
        a = self.effective_from.isoformat() if self.effective_from else "？"
        b = self.effective_to.isoformat() if self.effective_to else "—"
        return f"{a} ～ {b}"


def _c(days: int, level: int, text: str, plus_days: int = 0, plus_level: int = 0) -> Condition:
    return Condition(days, level, plus_days, plus_level, None, text)


PLANS: dict[str, Plan] = {p.id: p for p in (
    Plan(
        "beijing-2023", "2023", gettext_noop("北京市空气重污染应急预案（2023年修订）"),
        issued=dt.date(2023, 10, 25), effective_from=dt.date(2023, 10, 25), effective_to=None,
        confidence="official",
        # air.md §6.1 [OFFICIAL] (S-A32 beijing.gov.cn) + [2+SRC] (S-A33, S-A34)
        citation=gettext_noop("《北京市空气重污染应急预案（2023年修订）》，2023-10-25 发布；预警分黄色、橙色、红色三级"
                              "（air.md §6.1，北京市政府政策解读 S-A32，S-A33、S-A34）"),
        rules=(
            WarningRule(YELLOW, (_c(1, 5, gettext_noop("预测 1 天重度污染（AQI > 200）")),
                                 _c(2, 4, gettext_noop("预测 2 天中度污染（AQI > 150）")))),
            WarningRule(ORANGE, (_c(2, 5, gettext_noop("预测 2 天重度污染（AQI > 200）")),
                                 _c(3, 4, gettext_noop("预测 3 天中度污染（AQI > 150）")))),
            WarningRule(RED, (_c(3, 5, gettext_noop("预测 3 天重度污染（AQI > 200），且至少 1 天严重污染（AQI > 300）"),
                                 1, 6),)),
        ),
        dates_note=gettext_noop("按发布日期 2023-10-25 起计；施行日期与此不同时请以正式文本为准"),
        has_grades=True,
    ),
    Plan(
        "beijing-2017", "2016-2017", gettext_noop("北京市空气重污染应急预案（2016—2017年修订，按 2017 年统一预警分级标准）"),
        issued=None, effective_from=None, effective_to=None, confidence="2+src",
        # air.md §6.2: unified standard [2+SRC] (S-A43, S-A44, S-A45); Beijing orange wording [1SRC] (S-A46);
        # blue 1 day [1SRC] (S-A47); dates of the revisions not recorded
        citation=gettext_noop("2016 年底、2017 年修订的北京市预案，与 2017 年京津冀及周边统一预警分级标准一致"
                              "（air.md §6.2，S-A43～S-A47）"),
        rules=(
            WarningRule(BLUE, (_c(1, 5, gettext_noop("预测 AQI 日均值 > 200 持续 1 天")),)),
            WarningRule(YELLOW, (_c(2, 5, gettext_noop("预测 AQI 日均值 > 200 持续 2 天及以上")),)),
            WarningRule(ORANGE, (_c(3, 5, gettext_noop("预测 AQI 日均值 > 200 持续 3 天，且出现 AQI 日均值 > 300"), 1, 6),)),
            WarningRule(RED, (_c(4, 5, gettext_noop("预测 AQI 日均值 > 200 持续 4 天及以上，且 AQI 日均值 > 300 持续 2 天及以上"), 2, 6),
                              Condition(aqi_at_least=500, text=gettext_noop("预测 AQI 日均值达到 500 并持续 1 天及以上")))),
        ),
        dates_note=gettext_noop("各次修订的发布与施行日期未核实（air.md §6.2）；2018 年修订的阈值未查到，未收录"),
    ),
    Plan(
        "beijing-2013", "2013", gettext_noop("北京市空气重污染应急预案（试行）"),
        issued=dt.date(2013, 10, 22), effective_from=dt.date(2013, 10, 22), effective_to=None, confidence="2+src",
        # air.md §6.2 [2+SRC] (S-A40, S-A41, S-A42)
        citation=gettext_noop("《北京市空气重污染应急预案（试行）》，2013-10-22 发布；预警分蓝、黄、橙、红四级"
                              "（air.md §6.2，S-A40～S-A42）"),
        rules=(
            WarningRule(BLUE, (_c(1, 5, gettext_noop("预测 1 天重度污染（AQI 201～300）")),)),
            WarningRule(YELLOW, (_c(1, 6, gettext_noop("预测 1 天严重污染（AQI > 300）")),
                                 _c(3, 5, gettext_noop("预测持续 3 天重度污染")))),
            WarningRule(ORANGE, (_c(3, 5, gettext_noop("预测持续 3 天交替出现重度污染或严重污染"), 1, 6),)),
            WarningRule(RED, (_c(3, 6, gettext_noop("预测持续 3 天严重污染")),)),
        ),
        dates_note=gettext_noop("被 2016 年修订替代的日期未核实（air.md §6.2）"),
    ),
)}


def plan(plan_id: str) -> Plan:
    if plan_id not in PLANS:
        raise ValueError(MSG_UNKNOWN_PLAN % {"plan": plan_id, "plans": "、".join(PLANS)})
    return PLANS[plan_id]


# ------------------------------------------------------------------------- user-set parameters

FOLLOW, HIGHEST = "follow", "highest"

PARAMETERS = ParameterSet("alerts", (
    Parameter(
        "merge_gap_days", gettext_noop("两段污染之间不超过几天的间隔仍算同一过程"), "int", 0,
        rule=gettext_noop("2017 年统一预警分级标准：两次污染过程间隔时间较短、不足以清除污染时按一次过程计，"
                          "启动较高级别（air.md §6.2，S-A43）"),
        why_unconfirmed=gettext_noop("“间隔较短”的天数未规定，北京 2023 年预案是否沿用也未核实；默认 0（不合并，"
                                     "按预案文字的连续天数计）"),
        minimum=0, maximum=3,
    ),
    Parameter(
        "level_changes", gettext_noop("过程中预警级别随预报升降"), "choice", FOLLOW,
        rule=gettext_noop("预警级别按预报达到的启动条件确定（air.md §6.1）"),
        why_unconfirmed=gettext_noop("预案关于过程中降级、维持的规定未读到；默认每天按预报满足的最高条件确定"),
        choices={FOLLOW: gettext_noop("随预报升级、降级"), HIGHEST: gettext_noop("过程全程按达到的最高级别")},
    ),
))


# ------------------------------------------------------------------------- evaluator

@dataclass(frozen=True)
class ForecastDay:
    date: dt.date
    aqi: int | None
    level: int  # HJ 633 AQI level 1–6
    row: int = 0  # the row of the forecast file (0: not from a file)


@dataclass(frozen=True)
class Phase:
    level: str  # blue … red
    start: dt.date
    end: dt.date
    change: str  # start, upgrade, downgrade
    reasons: tuple[str, ...] = ()  # the conditions met that give this level (Chinese)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Episode:
    number: int
    start: dt.date
    end: dt.date
    level: str  # the highest level of the episode
    phases: tuple[Phase, ...]
    reasons: tuple[str, ...]  # which conditions were met (Chinese)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Result:
    plan: Plan
    days: tuple[ForecastDay, ...]
    levels: Mapping[dt.date, str | None]  # the level in force on each forecast day
    episodes: tuple[Episode, ...]
    warnings: tuple[str, ...]
    parameters: tuple[dict[str, object], ...]

    def to_dict(self) -> dict[str, object]:
        p = self.plan
        return {
            "plan": {"id": p.id, "version": p.version, "title": p.title, "citation": p.citation,
                     "effective_from": p.effective_from.isoformat() if p.effective_from else None,
                     "effective_to": p.effective_to.isoformat() if p.effective_to else None,
                     "confidence": p.confidence, "dates_note": p.dates_note},
            "parameters": list(self.parameters),
            "warnings": list(self.warnings),
            "episodes": [{"episode": e.number, "level": e.level, "level_name": LEVEL_NAMES[e.level],
                          "start": e.start.isoformat(), "end": e.end.isoformat(), "days": e.days,
                          "reasons": list(e.reasons),
                          "phases": [{"level": ph.level, "level_name": LEVEL_NAMES[ph.level], "start": ph.start.isoformat(),
                                      "end": ph.end.isoformat(), "days": ph.days, "change": ph.change,
                                      "reasons": list(ph.reasons)}
                                     for ph in e.phases]} for e in self.episodes],
            "days": [{"date": d.date.isoformat(), "aqi": d.aqi, "aqi_level": d.level,
                      "aqi_category": AQI_LEVEL_NAMES[d.level], "warning": self.levels[d.date],
                      "warning_name": LEVEL_NAMES[self.levels[d.date]] if self.levels[d.date] else None}
                     for d in self.days],
        }


def _met(cond: Condition, window: Sequence[ForecastDay]) -> bool:
    if cond.aqi_at_least is not None:
        return len(window) == 1 and window[0].aqi is not None and window[0].aqi >= cond.aqi_at_least
    if len(window) != cond.days or any(d.level < cond.level for d in window):
        return False
    return sum(1 for d in window if d.level >= cond.plus_level) >= cond.plus_days


def _runs(days: Sequence[ForecastDay]) -> list[list[ForecastDay]]:
    """Runs of consecutive calendar dates (a missing date splits the forecast)."""
    runs: list[list[ForecastDay]] = []
    for d in days:
        if runs and (d.date - runs[-1][-1].date).days == 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return runs


def evaluate(p: Plan, days: Iterable[ForecastDay], values: Mapping[str, object] | None = None) -> Result:
    """The warning level in force on each forecast day and the episodes (see the module text).

    `values` are the user-set parameters (`PARAMETERS.clean`); ValueError (Chinese) on bad input."""
    ordered = sorted(days, key=lambda d: d.date)
    if not ordered:
        raise ValueError(MSG_EMPTY)
    with PARAMETERS.using(values) as params:
        provenance = tuple(PARAMETERS.provenance())
    gap_max = int(params["merge_gap_days"])  # type: ignore[call-overload]
    mode = params["level_changes"]
    warnings: list[str] = []
    first, last = ordered[0].date, ordered[-1].date
    if (p.effective_from is None or first < p.effective_from
            or (p.effective_to is not None and last > p.effective_to)):
        warnings.append(MSG_OUTSIDE % {"first": first.isoformat(), "last": last.isoformat(), "plan": p.id,
                                       "period": p.period_text()})
    runs = _runs(ordered)
    for a, b in itertools.pairwise(runs):
        warnings.append(MSG_DATE_GAP % {"from": (a[-1].date + dt.timedelta(days=1)).isoformat(),
                                        "to": (b[0].date - dt.timedelta(days=1)).isoformat()})
    needs_500 = any(c.aqi_at_least is not None for r in p.rules for c in r.conditions)
    if needs_500:
        for d in ordered:
            if d.aqi is None and d.level == 6:
                warnings.append(MSG_NO_AQI_500 % {"date": d.date.isoformat()})
    level: dict[dt.date, str | None] = {d.date: None for d in ordered}
    why: dict[dt.date, set[str]] = {d.date: set() for d in ordered}
    for run in runs:
        for rule in p.rules:  # low → high: a higher level overwrites
            for cond in rule.conditions:
                n = 1 if cond.aqi_at_least is not None else cond.days
                for i in range(len(run) - n + 1):
                    window = run[i:i + n]
                    if _met(cond, window):
                        for d in window:
                            cur = level[d.date]
                            if cur is None or RANK[cur] <= rule.rank:
                                if cur is None or RANK[cur] < rule.rank:
                                    why[d.date] = set()
                                level[d.date] = rule.code
                                why[d.date].add(cond.text)
    # episodes: runs of days with a level in force; a clean gap of ≤ merge_gap_days joins two of them
    groups: list[list[ForecastDay]] = []
    for run in runs:
        cur: list[ForecastDay] = []
        for d in run:
            if level[d.date] is not None:
                cur.append(d)
            elif cur:
                groups.append(cur)
                cur = []
        if cur:
            groups.append(cur)
    merged: list[list[ForecastDay]] = []
    for g in groups:
        if merged and 0 < (g[0].date - merged[-1][-1].date).days - 1 <= gap_max:
            prev = merged[-1]
            gap_level = max((level[prev[-1].date], level[g[0].date]), key=lambda c: RANK[c])  # type: ignore[index]
            gap_days = [d for d in ordered if prev[-1].date < d.date < g[0].date]
            for d in gap_days:  # inside the warning at the stricter neighbouring level (S-A43)
                level[d.date] = gap_level
            prev.extend(gap_days)
            prev.extend(g)
        else:
            merged.append(list(g))
    episodes: list[Episode] = []
    for n, g in enumerate(merged, start=1):
        top = max((level[d.date] for d in g), key=lambda c: RANK[c])  # type: ignore[arg-type, return-value]
        own = {d.date: level[d.date] for d in g}  # the level each day's own windows give
        if mode == HIGHEST:
            for d in g:
                level[d.date] = top
        phases: list[Phase] = []
        for d in g:
            lv = level[d.date]
            assert lv is not None
            texts = tuple(sorted(why[d.date])) if own[d.date] == lv else ()
            if phases and phases[-1].level == lv:
                last = phases[-1]
                phases[-1] = Phase(lv, last.start, d.date, last.change, tuple(sorted({*last.reasons, *texts})))
            else:
                change = "start" if not phases else ("upgrade" if RANK[lv] > RANK[phases[-1].level] else "downgrade")
                phases.append(Phase(lv, d.date, d.date, change, texts))
        reasons = sorted({t for d in g if own[d.date] == top for t in why[d.date]})
        episodes.append(Episode(n, g[0].date, g[-1].date, top, tuple(phases), tuple(reasons)))  # type: ignore[arg-type]
    return Result(p, tuple(ordered), level, tuple(episodes), tuple(warnings), provenance)


def forecast(values: Sequence[tuple[str | dt.date, int]]) -> list[ForecastDay]:
    """Forecast days from (date, AQI) pairs, the level from HJ 633 (the edition in force on the day)."""
    from envgov.standards.air.aqi import aqi_level, edition_for

    out = []
    for d, aqi in values:
        day = dt.date.fromisoformat(d) if isinstance(d, str) else d
        out.append(ForecastDay(day, aqi, aqi_level(edition_for(day), aqi).number))
    return out


# ------------------------------------------------------------------------- measures per grade and level

# Grades a listed unit may carry: air.md §6.1 (A/B/C/D; A+ from 2026, S-A36, S-A37); sources.md §3
# (引领性 leading enterprises decide reductions themselves; 民生保障 exemptions).
GRADES: dict[str, str] = {
    "A+": gettext_noop("A+级"), "A": gettext_noop("A级"), "leading": gettext_noop("引领性企业"),
    "B": gettext_noop("B级"), "C": gettext_noop("C级"), "D": gettext_noop("D级"),
    "livelihood": gettext_noop("民生保障类"),
}
GRADE_WORDS = {"A+": "A+", "A+级": "A+", "A": "A", "A级": "A", "引领性": "leading", "引领性企业": "leading",
               "B": "B", "B级": "B", "C": "C", "C级": "C", "D": "D", "D级": "D", "民生保障": "livelihood",
               "民生保障类": "livelihood"}


@dataclass(frozen=True)
class Measure:
    text: str  # Chinese
    source: str  # citation, or "用户设定"
    confidence: str  # official, 2+src, 1src, user_set, unconfirmed
    cut_percent: float | None = None  # quantitative cut when the district set one


# Measures for everyone by alert level; each level adds to the lower one (air.md §6.1, S-A34, S-A35 [2+SRC]).
PUBLIC_MEASURES: dict[str, tuple[Measure, ...]] = {
    YELLOW: (
        Measure(gettext_noop("健康防护：敏感人群留在室内；学校、幼儿园减少或停止户外活动"),
                gettext_noop("air.md §6.1（S-A34、S-A35）"), "2+src"),
        Measure(gettext_noop("倡议性减排：乘坐公共交通、停车熄火、控制扬尘、少用溶剂型产品、不露天烧烤"),
                gettext_noop("air.md §6.1（S-A34、S-A35）"), "2+src"),
        Measure(gettext_noop("强制性减排：道路每天至少增加 1 次清扫保洁；应急减排清单内的工地和工业企业按绩效分级落实减排"),
                gettext_noop("air.md §6.1（S-A34、S-A35）"), "2+src"),
    ),
    ORANGE: (
        Measure(gettext_noop("国一、国二排放标准轻型汽油车，建筑垃圾、渣土、砂石运输车（纯电动、燃料电池除外），"
                             "本市国四排放标准柴油货车停驶"), gettext_noop("air.md §6.1（S-A34、S-A35）"), "2+src"),
        Measure(gettext_noop("施工工地按绩效分级停止土石方、拆除、沥青摊铺作业；采用新能源机械的气膜基坑工地可施工，"
                             "“绿牌”工地除土石方和拆除外可施工（2024 年橙色预警措施）"),
                gettext_noop("air.md §6.1（S-A35）"), "1src"),
    ),
    RED: (
        Measure(gettext_noop("国三及以上排放标准机动车 3 时至 24 时单双号行驶；国一、国二轻型汽油车全天禁行；"
                             "外埠车辆工作日高峰时段禁止进入五环路（含）以内"), gettext_noop("air.md §6.1（S-A35）"), "2+src"),
    ),
}

# What each grade does during an alert, as documented (not per level): air.md §6.1 (S-A38, S-A39 [2+SRC]),
# sources.md §3. Per-industry, per-level content and percentages are UNCONFIRMED → `MeasureTable`.
GRADE_TREATMENT: dict[str, Measure] = {
    "A+": Measure(gettext_noop("自主采取减排措施（A+ 级自 2026 年起设立）"), gettext_noop("air.md §6.1（S-A36、S-A37）"), "2+src"),
    "A": Measure(gettext_noop("自主采取减排措施"), gettext_noop("air.md §6.1（S-A38、S-A39）"), "2+src"),
    "leading": Measure(gettext_noop("自主采取减排措施"), gettext_noop("sources.md §3（2020 年技术指南）"), "2+src"),
    "B": Measure(gettext_noop("减排义务较轻：限产、降负荷，而不是停产"), gettext_noop("air.md §6.1（S-A38、S-A39）"), "2+src"),
    "C": Measure(gettext_noop("较大幅度减产，停部分生产线（以停代限）"), gettext_noop("air.md §6.1（S-A38、S-A39）"), "2+src"),
    "D": Measure(gettext_noop("停产（部分行业为停一定比例产能）"), gettext_noop("air.md §6.1（S-A38、S-A39）"), "2+src"),
    "livelihood": Measure(gettext_noop("民生保障类豁免的范围和条件由本区设定"), gettext_noop("sources.md §3"), "unconfirmed"),
}
# sources.md §3: reductions of SO2, NOx, PM and VOCs reach ≥ 10 / 20 / 30 % of total emissions [1SRC] (S-S29;
# 环办大气函〔2019〕648号 cited in S-S30).
LIST_TARGET_PERCENT: dict[str, int] = {YELLOW: 10, ORANGE: 20, RED: 30}
LIST_TARGET_CITATION = gettext_noop("黄色、橙色、红色预警期间 SO2、NOx、颗粒物、VOCs 减排比例分别不低于排放总量的 "
                                    "10%、20%、30%（环办大气函〔2019〕648号；sources.md §3，S-S29、S-S30）")
MSG_UNSET = gettext_noop("本级别的具体减排措施和比例未核实，由本区在减排清单中设定（尚未设定）")
MSG_NO_GRADES = gettext_noop("预案 %(plan)s 不按绩效分级区分工业企业和工地的措施（参考资料未记载该版的分级措施）")
MSG_GRADE = gettext_noop("未知绩效分级“%(grade)s”（可用：%(grades)s）")


@dataclass
class MeasureTable:
    """The district's rule table (industry, grade, level) → measures (user-set; sources.md §3).
    industry "" applies to every industry without its own row."""

    rows: dict[tuple[str, str, str], list[Measure]] = field(default_factory=dict)

    def add(self, industry: str, grade: str, level: str, text: str, cut_percent: float | None = None) -> None:
        self.rows.setdefault((industry, grade, level), []).append(
            Measure(text, gettext_noop("用户设定"), "user_set", cut_percent))

    def get(self, industry: str, grade: str, level: str) -> list[Measure] | None:
        return self.rows.get((industry, grade, level)) or self.rows.get(("", grade, level))


def parse_grade(text: str) -> str:
    t = text.strip()
    g = GRADE_WORDS.get(t) or GRADE_WORDS.get(t.upper())
    if g is None:
        raise ValueError(MSG_GRADE % {"grade": text, "grades": "、".join(GRADES)})
    return g


def measures(p: Plan, level: str, grade: str | None = None, industry: str = "",
             table: MeasureTable | None = None) -> list[Measure]:
    """The measures in force at `level` (each level adds to the lower ones) and, for a listed unit of
    `grade`, its grade's treatment plus the district's rows for (industry, grade, level) — or a line saying
    they are not set. Never an invented percentage."""
    order = [c for c in p.codes if RANK[c] <= RANK[level]]
    out = [m for c in order for m in PUBLIC_MEASURES.get(c, ())] if p.has_grades else []
    if grade is None:
        return out
    if grade not in GRADES:
        raise ValueError(MSG_GRADE % {"grade": grade, "grades": "、".join(GRADES)})
    if not p.has_grades:
        return [*out, Measure(MSG_NO_GRADES % {"plan": p.id}, p.citation, "unconfirmed")]
    out.append(GRADE_TREATMENT[grade])
    rows = table.get(industry, grade, level) if table else None
    out.extend(rows or [Measure(MSG_UNSET, gettext_noop("sources.md §3"), "unconfirmed")])
    return out
