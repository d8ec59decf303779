"""`import_plan`: from a plan document to a proposed ledger (targets and tasks) for a person to review."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from envgov.planio import extract, segment, tables
from envgov.planio.errors import PlanImportError
from envgov.planio.mapped import MappedText
from envgov.planio.normalize import normalize_text
from envgov.planio.readers import read_document
from envgov.planio.units import UnitDictionary, as_written, match_registry


class PlanWarning(str):
    """A warning for the reviewer: the Chinese message (it is a str) with a stable `code`."""

    code: str

    def __new__(cls, code: str, message: str) -> PlanWarning:
        w = super().__new__(cls, message)
        w.code = code
        return w

    def to_dict(self) -> dict:
        return {"code": self.code, "message": str(self)}


def _warning(code: str, message: str) -> PlanWarning:
    return PlanWarning(code, message)


@dataclass
class QuantityItem:
    value: float  # as written: 47.38 亿立方米
    unit: str
    text: str
    source_span: tuple[int, int] = (0, 0)
    base_value: float | None = None  # in the base unit: 4738000000 立方米
    base_unit: str | None = None

    def to_dict(self) -> dict:
        return {
            "value": self.value,
            "unit": self.unit,
            "text": self.text,
            "base_value": self.value if self.base_value is None else self.base_value,
            "base_unit": self.unit if self.base_unit is None else self.base_unit,
        }


@dataclass
class TargetItem:
    indicator: str
    comparator: str
    value: float
    unit: str
    period: str
    text: str
    flags: list[str] = field(default_factory=list)
    source_span: tuple[int, int] = (0, 0)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("indicator", "comparator", "value", "unit", "period", "text")}


@dataclass
class TaskItem:
    code: str
    title: str
    text: str
    units: list[str]
    lead_units: list[str]
    cooperating_units: list[str]
    towns: list[str]
    deadlines: list[str]
    quantities: list[QuantityItem]
    part: str = segment.PART_TASKS
    recurrences: list[dict] = field(default_factory=list)  # 每年3月底前 → {rule, text, dates over the plan's years}
    unknown_units: list[str] = field(default_factory=list)  # recognised by pattern only: to review
    # where each unit / deadline was read, as spans in the original text (for the review page)
    evidence: dict[str, list[tuple[str, tuple[int, int]]]] = field(default_factory=dict)
    source_span: tuple[int, int] = (0, 0)

    def to_dict(self) -> dict:
        d = {
            k: getattr(self, k)
            for k in ("code", "title", "text", "units", "lead_units", "towns", "deadlines")
        }
        d["quantities"] = [q.to_dict() for q in self.quantities]
        d["recurrences"] = list(self.recurrences)
        return d


@dataclass
class ImportedPlan:
    district: str | None
    year: int | None
    title: str
    targets: list[TargetItem]
    tasks: list[TaskItem]
    original_text: str
    normalized_text: str
    filename: str = ""
    warnings: list[str] = field(default_factory=list)  # PlanWarning items (str with a code)
    unit_matches: dict[str, dict] = field(default_factory=dict)  # name as written → registry unit, reason
    period: tuple[int, int] | None = None  # a multi-year plan's years (2018, 2020)
    named_district: str | None = None  # the district the document itself names (may differ from `district`)
    _map: MappedText | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        return {
            "district": self.district,
            "year": self.year,
            "title": self.title,
            "targets": [t.to_dict() for t in self.targets],
            "tasks": [t.to_dict() for t in self.tasks],
            "period": {"start": self.period[0], "end": self.period[1]} if self.period else None,
            "warnings": [
                (w if isinstance(w, PlanWarning) else PlanWarning("note", str(w))).to_dict() for w in self.warnings
            ],
            "unit_matches": self.unit_matches,
        }

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def source(self, span: tuple[int, int]) -> str:
        """The original text of a source span (for showing an item in its document)."""
        return self.original_text[span[0] : span[1]]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of `normalized_text` to the original text."""
        assert self._map is not None
        return self._map.original_span(start, end)

    @property
    def unknown_units(self) -> list[str]:
        return sorted({u for t in self.tasks for u in t.unknown_units})


# ---------------------------------------------------------------- title, district, year
_TITLE_WORDS = re.compile(r"计划|规划|方案|报告|措施|要点|意见|安排")


def infer_title(text: str) -> str:
    lines = [s for s in text.split("\n")[:20] if s.strip()]
    for s in lines:
        # a covering notice: "……关于印发《东城区污染防治攻坚战2020年行动计划》的通知" → the plan's own title
        m = re.search(r"关于(?:印发|转发|发布)[^《]{0,10}《([^》]{4,60})》.{0,8}(?:通知|函)", s)
        if m and _TITLE_WORDS.search(m.group(1)):
            return m.group(1)
    for s in lines:
        if _TITLE_WORDS.search(s) and len(s) <= 80 and segment.classify_part(s) != segment.PART_TASKS:
            return s.strip()
    return lines[0].strip()[:80] if lines else ""


def infer_district(title: str, text: str, units: UnitDictionary) -> str | None:
    for src in (title, text[:2000]):
        hits = [(src.find(d), d) for d in units.districts if d in src]
        short = [
            (src.find(d[:-1]), d)
            for d in units.districts
            if d.endswith("区") and len(d) >= 3 and d[:-1] in src
        ]
        best = sorted(hits) or sorted(short)
        if src is not title and len({d for _, d in hits}) >= 3:
            return None  # a report about several districts: the user must say which
        if best:
            return best[0][1]
    return None


_PERIOD = re.compile(r"((?:19|20)\d\d)\s*年?\s*(?:[-—–~～至到]|——)+\s*((?:19|20)\d\d)\s*年?")
_FIVE_YEAR = re.compile(r"[“\"]?十([一二三四五六七八九])五[”\"]?")


def infer_period(title: str) -> tuple[int, int] | None:
    """The years of a multi-year plan named in its title: 三年行动计划（2018-2020年）, “十四五”规划."""
    m = _PERIOD.search(title)
    if m and 0 < int(m.group(2)) - int(m.group(1)) <= 15:
        return int(m.group(1)), int(m.group(2))
    f = _FIVE_YEAR.search(title)
    if f:
        n = "一二三四五六七八九".index(f.group(1)) + 1
        start = 1981 + 5 * (10 + n - 6)  # 十一五 = 2006–2010, 十四五 = 2021–2025
        return start, start + 4
    return None


_TITLE_PLACE = re.compile(r"^(?:[\u4e00-\u9fff]{2,3}(?:省|自治区))?(?:[\u4e00-\u9fff]{2,4}?市)?(?P<p>[\u4e00-\u9fff]{1,4}?[区县旗])")


def _place_in_title(title: str) -> str | None:
    """The district or county a title names first ("门头沟区2021年…", "浚县2018年…"); placeholders are not names."""
    m = _TITLE_PLACE.match(title.strip())
    if not m or re.search(r"某|XX|xx|[xX*]|[一二三四五六七八九十两]", m.group("p")) or m.group("p") in ("全区", "我区", "本区", "全县", "城区", "市区"):
        return None
    return m.group("p")


def _same_place(a: str, b: str) -> bool:
    a, b = a.strip(), b.strip()
    return a == b or a.rstrip("区县旗") == b.rstrip("区县旗") or a in b or b in a


def infer_year(title: str, text: str) -> int | None:
    m = re.search(r"((?:19|20)\d\d)(?:年|\D|$)", title)
    if m:
        return int(m.group(1))
    m = re.search(r"((?:19|20)\d\d)年", text[:1500])
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------- the import
def import_plan(
    path_or_bytes: str | Path | bytes,
    filename: str | None = None,
    district: str | None = None,
    year: int | None = None,
    units_file: str | Path | None = None,
) -> ImportedPlan:
    """Read, normalise, segment and extract a plan document. Raises PlanImportError (Chinese message)."""
    if isinstance(path_or_bytes, (bytes, bytearray)):
        data = bytes(path_or_bytes)
        filename = filename or "上传文件"
    else:
        p = Path(path_or_bytes)
        filename = filename or p.name
        try:
            data = p.read_bytes()
        except FileNotFoundError as exc:
            raise PlanImportError("文件不存在", str(p)) from exc
        except IsADirectoryError as exc:
            raise PlanImportError("这是一个文件夹，不是文件", str(p)) from exc
        except OSError as exc:
            raise PlanImportError(f"文件无法读取（{exc.strerror}）", str(p)) from exc
    raw = read_document(data, filename)
    return import_text(raw, filename, district=district, year=year, units_file=units_file)


def import_text(
    raw: str,
    filename: str = "",
    district: str | None = None,
    year: int | None = None,
    units_file: str | Path | None = None,
) -> ImportedPlan:
    units = UnitDictionary.load(units_file)
    mt = normalize_text(raw)
    text = mt.text
    if len(text.strip()) < 20:
        raise PlanImportError("文件中几乎没有文字，不像是一份行动计划", filename)
    outline = segment.outline(text)
    title = infer_title(text)
    known = infer_district(title, text, units)
    named_district = known or _place_in_title(title)
    if district and named_district and not _same_place(district, named_district):
        mismatch = named_district
    else:
        mismatch = None
    district = district or known
    period = infer_period(title)
    if year is None and not (period and _PERIOD.search(title)):
        year = infer_year(title, text)  # a plan for 2018–2020 has no single year

    def ospan(s: int, e: int) -> tuple[int, int]:
        return mt.original_span(s, e)

    targets: list[TargetItem] = []
    goal_parts = outline.parts(segment.PART_TARGETS) + outline.parts(segment.PART_THINKING)
    for part in goal_parts + _goal_paragraphs(text, outline, bool(goal_parts)):
        # a heading run into its text ("一、目标任务……达到65%。") holds goals in its title sentence too
        body_start = part.start
        part_text = text[body_start : part.end]
        for n in outline.nested_tasks:  # a task part nested in 总体要求 holds task figures, not goals
            if body_start <= n.start < part.end:
                a, b = n.start - body_start, min(n.end, part.end) - body_start
                part_text = part_text[:a] + re.sub(r"[^\n]", " ", part_text[a:b]) + part_text[b:]
        # table rows are read as rows (indicator | value); the prose around them sentence by sentence
        prose = "\n".join(" " * len(line) if "\t" in line else line for line in part_text.split("\n"))
        found = extract.find_targets(prose, year) + extract.find_table_targets(part_text)
        found.sort(key=lambda t: t.span)
        for t in found:
            s, e = t.span[0] + body_start, t.span[1] + body_start
            targets.append(
                TargetItem(
                    t.indicator, t.comparator, t.value, t.unit, t.period, t.text, list(t.flags), ospan(s, e)
                )
            )

    tasks: list[TaskItem] = []
    warnings = []
    table_rows = [r for tbl in tables.task_rows(text) for r in tbl]
    if table_rows:
        # a task table (重点任务分工表) is the plan's own ledger: take the tasks from it
        tasks = _table_tasks(table_rows, text, units, year, ospan)
        warnings.append(_warning("task_table", f"任务取自文中的任务分工表（{len(tasks)} 行）"))
    else:
        for node, start, body_start, end, code, title_text in _task_units(outline, text):
            tasks.append(_make_task(text, node, start, body_start, end, code, title_text, units, year, ospan))

    plan_words = len(_PLAN_WORDS.findall(text))
    if plan_words < max(3, len(text) / 400) and not table_rows:  # a duty table is a plan by its shape
        raise PlanImportError(
            "看起来不是一份生态环境行动计划：文中几乎没有“治理、推进、实施、污染、生态”等计划用语", filename
        )
    structured = bool(outline.top)
    if not tasks and structured and (targets or any(n.part != segment.PART_OTHER for n in outline.top)):
        # numbered parts, none of them a task part (指导思想, 基本原则, 工作目标 …): no task is invented
        warnings.append(
            _warning("no_task_part", "文中只有指导思想、目标等部分，没有任务部分（主要任务、重点工作等），未导入任务")
        )
    elif not tasks:
        # no numbered structure (a news report, a letter): one task per paragraph, to be reviewed
        for i, (s, e) in enumerate(_paragraphs(text, skip_title=title), start=1):
            tasks.append(_make_task(text, None, s, s, e, str(i), _para_title(text[s:e]), units, year, ospan))
        if tasks:
            warnings.append(_warning("paragraph_tasks", "未找到编号的任务结构（一、（一）1.），已按段落拆分任务，请逐条审核"))
    if not tasks and not (structured and (targets or warnings)):
        raise PlanImportError(
            "没有识别出任务条目：未找到“主要任务”等部分或编号标题（一、（一）1.），看起来不是一份行动计划",
            filename,
        )
    if mismatch:
        warnings.append(
            _warning(
                "district_mismatch",
                f"文件写的是“{mismatch}”的计划，却导入到“{district}”：请确认这份计划确实属于{district}",
            )
        )
    if not targets:
        warnings.append(_warning("no_targets", "未识别出数值目标（目标指标部分缺失或没有数字）"))
    if district is None:
        warnings.append(_warning("no_district", "未能确定所属区（标题中没有区名，或文中提到多个区），请指定区"))
    if year is None:
        warnings.append(_warning("no_year", "未能确定计划年度，“年底前”等时限无法换算为日期，请指定年度"))
    plan = ImportedPlan(district, year, title, targets, tasks, raw, text, filename, warnings, _map=mt, period=period, named_district=named_district)
    if period:
        years = list(range(period[0], period[1] + 1))
    else:
        years = [year] if year else []
    for t in tasks:
        t.recurrences = [
            {"rule": r.rule, "text": r.text, "dates": list(r.dates)}
            for r in extract.find_recurrences(t.text, years)
        ]
    for t in tasks:
        for name in t.units:
            if name not in plan.unit_matches:
                plan.unit_matches[name] = match_registry(name, units)
    for t in plan.unknown_units:
        plan.warnings.append(_warning("unknown_unit", f"单位名录中没有的名称（请对应到已有单位或新建）：{t}"))
    return plan


_GOAL_LABEL = re.compile(r"^(?:工作目标|主要目标|总体目标|目标任务|主要指标|目标指标|具体目标)[：:]")


def _goal_paragraphs(text: str, outline: segment.Outline, have_goal_part: bool) -> list[segment.Node]:
    """Unnumbered goal paragraphs ("工作目标：到2020年……", "主要指标：……") before the first numbered part."""
    if have_goal_part:
        return []
    first = min((n.start for n in outline.top), default=len(text))
    out, pos = [], 0
    for line in text[:first].split("\n"):
        if _GOAL_LABEL.match(line):
            out.append(segment.Node("goal", 1, "", line[:4], pos, pos, pos + len(line)))
        pos += len(line) + 1
    return out


_PLAN_WORDS = re.compile(r"治理|推进|实施|开展|加强|落实|完成|污染|生态|环境|排放|监管|任务|目标|建设|防治")


_NOT_TASK_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|（[一二三四五六七八九十]+）)?\s*(?:指导思想|基本原则|工作原则|总体要求|工作目标|主要目标|总体目标|目标任务|编制依据|背景)")


def _paragraphs(text: str, skip_title: str = ""):
    pos = 0
    for para in text.split("\n"):
        s = pos
        pos += len(para) + 1
        if len(para.strip()) < 30 or para.strip() == skip_title or not _PLAN_WORDS.search(para):
            continue
        if _NOT_TASK_HEADING.match(para.strip()):
            continue  # 指导思想、工作目标 … are never tasks
        yield s, s + len(para)


_ENUM = re.compile(r"(?:^|(?<=[。；：，]))([一二三四五六七八九十]+)是")


def _para_title(para: str) -> str:
    m = re.match(r"^(.{2,30}?)(?:[：:]|方面：|。|，)", para)
    return m.group(1) if m else para[:20]


def _task_units(outline: segment.Outline, text: str):
    """(node, start, body_start, end, code, title) of each task, in document order."""
    explicit = outline.parts(segment.PART_TASKS)
    parts = (explicit or outline.parts(segment.PART_OTHER)) + outline.nested_tasks
    for part in parts:
        if not part.children:
            # a task part written as prose: each paragraph is a task
            pos = part.body_start
            body = text[pos : part.end]
            i = 0
            for para in body.split("\n"):
                s = pos
                pos += len(para) + 1
                if len(para.strip()) < 8:
                    continue
                i += 1
                items = list(_ENUM.finditer(para))
                if len(items) >= 2 and items[0].group(1) == "一":
                    # "蓝天保卫战方面：一是……。二是……。": each enumerated item is a task
                    head = _para_title(para) if items[0].start() > 0 else ""
                    for k, it in enumerate(items):
                        s2 = s + it.start()
                        e2 = s + (items[k + 1].start() if k + 1 < len(items) else len(para))
                        sub = para[it.end() : e2 - s]
                        t = _para_title(sub)
                        yield part, s2, s2, e2, f"{part.code}.{i}.{k + 1}", (f"{head}：{t}" if head else t)
                    continue
                yield part, s, s, s + len(para), f"{part.code}.{i}", _para_title(para)
            continue
        for node in part.walk():
            if node is part:
                continue
            own = text[node.body_start : node.own_end].strip()
            # a parent is a task only when it says something itself ("具体措施如下：" is not a task)
            if node.children and (len(re.findall(r"[\u4e00-\u9fff]", own)) < 10 or own.endswith(("：", ":"))):
                continue
            yield node, node.start, node.body_start, node.own_end, node.code, node.title


def _quantities(body: str, offset: int, ospan) -> list[QuantityItem]:
    """The quantities of a task's text, with spans in the source (`offset`: where `body` starts)."""
    return [QuantityItem(q.value, q.unit, q.text, ospan(offset + q.span[0], offset + q.span[1]),
                         q.base_value, q.base_unit)
            for q in extract.find_quantities(body)]


def _make_task(text, node, start, body_start, end, code, title, units, year, ospan) -> TaskItem:
    line_end = text.find("\n", start)
    line_end = len(text) if line_end == -1 or line_end > end else line_end
    run_in = body_start < line_end  # title sentence and body on the same line
    if node is not None and node.start == start and not run_in:
        heading_line = text[start:line_end]
        # a heading that is itself a sentence ("2.新建无燃煤区面积1.0平方公里。") or a long one cut
        # before its 。 is an inline item: its words are the task's words too
        run_in = heading_line.endswith("。") or (len(node.title) > 25 and "。" not in heading_line)
    if node is not None and node.start == start and (run_in or body_start >= line_end):
        m = re.match(
            r"^(?:第[^章节部篇条]+(?:章|节|部分|篇|条)|[一二三四五六七八九十百]+(?:、|[.．])|（[一二三四五六七八九十]*）|\d{1,2}[.．、]|[（(]\d{1,2}[)）]|[①-⑳])",
            text[start:line_end],
        )
        content_start = start + (m.end() if m else 0)
        tstart = content_start if run_in else min(line_end + 1, end)
    else:
        tstart = start
    body = text[tstart:end].strip("\n")
    off = tstart + (len(text[tstart:end]) - len(text[tstart:end].lstrip("\n")))
    # duties written on a heading line of its own ("1.加强扬尘管控（区城管委牵头，6月底前）") belong to the task
    scope, scope_off = body, off
    if node is not None and node.start == start and not run_in:
        heading = text[content_start:line_end]
        if _HEADING_NOTE.search(heading):
            scope, scope_off = text[content_start:end].rstrip("\n"), content_start
    mentions, unknown = extract.find_units(scope, units)
    towns = []
    for name, _ in extract.find_towns(scope, units):
        if name not in towns:
            towns.append(name)
    found_deadlines = extract.find_deadlines(scope, year)
    deadline_set = {d.date for d in found_deadlines}
    off0 = scope_off
    # who does the work: bodies named in the text (dictionary and name patterns) and every body listed
    # in a duty note ("（X牵头，A、B配合）", "牵头单位：…"), named as the plan writes them
    named: list[tuple[str, str, tuple[int, int]]] = [
        (m.printed, m.role, m.span) for m in mentions if m.name not in units.collectives
    ]
    for d in extract.find_duty_names(scope) + extract.find_listed_bodies(scope):
        named.append((d.name, d.role, d.span))
        town = _town_name(d.name, units)
        if town and town not in towns:
            towns.append(town)
    named.sort(key=lambda n: (n[2][0], -n[2][1]))
    kept: list[tuple[str, str, tuple[int, int]]] = []
    for n in named:  # one name read twice (by the dictionary and in a note) is one mention
        if kept and n[2][0] < kept[-1][2][1]:
            if kept[-1][1] == "actor" and n[1] != "actor":
                kept[-1] = (kept[-1][0], n[1], kept[-1][2])  # the note says the role
            continue
        kept.append(n)
    named = kept
    unit_names, lead, coop = _unit_lists(named)
    evidence = {
        "units": [(as_written(p), ospan(off0 + sp[0], off0 + sp[1])) for p, _, sp in named],
        "deadlines": [(d.date, ospan(off0 + d.span[0], off0 + d.span[1])) for d in found_deadlines],
    }
    # completion dates in labelled notes: "（牵头单位：区发展改革委；完成时限：2024年12月）"
    for m in _DUTY_NOTE.finditer(scope):
        if re.search(r"时限|时间", m.group("label")):
            deadline_set.update(_deadline_cell(m.group("value"), year))
    unknown = [u for u in unit_names if not _matched(match_registry(u, units))]
    deadlines = sorted(deadline_set)
    quantities = _quantities(body, off, ospan)
    return TaskItem(
        code=code,
        title=title,
        text=body,
        units=unit_names,
        lead_units=lead,
        cooperating_units=coop,
        towns=towns,
        deadlines=deadlines,
        quantities=quantities,
        part=node.part if node is not None else segment.PART_TASKS,
        unknown_units=[u for u in unknown],
        source_span=ospan(start, end),
        evidence=evidence,
    )


def _matched(match: dict) -> bool:
    return match["unit"] is not None or bool(match.get("town"))


def _unit_lists(named: list[tuple[str, str, tuple[int, int]]]) -> tuple[list[str], list[str], list[str]]:
    """units, lead_units, cooperating_units as written, in order of first mention; a short name inside a
    longer one (生态环境局 inside 生态环境局丹江口分局) is not a second unit."""
    names = [as_written(p) for p, _, _ in named]
    keep = {n for n in names if not any(n != o and n in o for o in names)}
    units_, lead, coop = [], [], []
    for (_, role, _), n in zip(named, names):
        if n not in keep:
            continue
        for lst, on in ((units_, True), (lead, role == "lead"), (coop, role == "coop")):
            if on and n not in lst:
                lst.append(n)
    return units_, lead, coop


_HEADING_NOTE = re.compile(r"[（(][^（）()]*(?:牵头|负责|主责|配合|单位|时限|前)[^（）()]*[）)]")


def _town_name(name: str, units: UnitDictionary) -> str | None:
    """A name in a duty cell that is a town (潞邑街道, 永顺镇政府) or all towns (各街道（镇）, 属地政府)."""
    if name in units.all_towns_aliases or re.match(r"^(?:各|相关|属地)(?:街道|乡|镇|街乡)", name):
        return units.all_towns_name
    if name in units.towns or re.search(r"(?:镇|乡|街道)(?:人民)?(?:政府|办事处)?$", name):
        return re.sub(r"(?:人民)?(?:政府|办事处)$", "", name)
    return None


_DUTY_NOTE = re.compile(
    r"(?P<label>牵头单位|牵头部门|责任单位|责任部门|主责单位|负责单位|配合单位|配合部门|协办单位|参与单位|完成时限|完成时间|时间节点)"
    r"[:：](?P<value>(?:[（(][^（()）\n]{0,12}[)）]|(?![，,](?:牵头|责任|主责|负责|配合|协办|参与|完成|时间))[^；;（()）\n。])+)"
)
_DEADLINE_CELL = re.compile(r"(?:(?P<y>(?:19|20)\d\d)年)?(?:(?P<m>\d{1,2})月)?(?P<rest>底|末|前|份)?")


def _deadline_cell(cell: str, year: int | None) -> list[str]:
    """A 完成时限 cell: "2024年6月底前", "6月", "2024年", "年底前", "全年", "长期坚持"…"""
    found = {d.date for d in extract.find_deadlines(cell, year)}
    if found:
        return sorted(found)
    day = re.fullmatch(r"\s*(?:(?P<y>(?:19|20)\d\d)年)?(?P<m>\d{1,2})月(?P<d>\d{1,2})日\s*", cell)
    if day and (day.group("y") or year):
        try:
            return [dt.date(int(day.group("y") or year), int(day.group("m")), int(day.group("d"))).isoformat()]
        except ValueError:
            return []
    m = re.fullmatch(
        r"\s*(?:(?P<y>(?:19|20)\d\d)年)?(?:(?P<m>\d{1,2})月份?)?(?:底|末|前|底前|以前)?\s*", cell
    )
    if m and (m.group("y") or m.group("m")):
        y = int(m.group("y")) if m.group("y") else year
        if y:
            mo = int(m.group("m")) if m.group("m") else 12
            if 1 <= mo <= 12:
                return [extract._last_day(y, mo)]
    return []  # 全年, 长期坚持, 持续推进, 按要求: no date


def _listed_units(value: str, units: UnitDictionary, towns: list[str]) -> list[str]:
    """Canonical unit names of a list such as "区发展改革委、区交通局、各街道乡镇"; towns named in it are
    added to `towns`, collectives (各有关单位) dropped."""
    out = []
    for name in tables.split_names(value):
        canon = units.canonical(name)
        if canon in units.collectives:
            continue
        town = _town_name(name, units)
        if town:
            if town not in towns:
                towns.append(town)
            continue
        out.append(canon)
    return out


_GENERIC_MEASURE = re.compile(r"(?:立即|限期|立行立|按期|按要求|持续|依法)?(?:整改|改|整治|推进|落实|处理|处置)(?:到位)?")


def _table_tasks(
    rows: list[tables.TableRow], text: str, units: UnitDictionary, year: int | None, ospan
) -> list[TaskItem]:
    """One task per row of a task table: title from the task cell (the first cell left when a merged cell
    took it; the 问题 cell when the measure is a generic 立即整改), units as written in the duty cells,
    dates from the deadline cell, quantities from the task, text and plan cells (not from progress)."""
    out: list[TaskItem] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, start=1):
        c, spans = row.cells, row.cell_spans
        title_cell = c.get("title", "")
        other = c.get("problem") or c.get("text", "")
        if _GENERIC_MEASURE.fullmatch(re.sub(r"\W", "", title_cell)) and len(other) > len(title_cell):
            title_cell = other  # "立即整改" names no task; the problem it answers does
        if not title_cell:
            title_cell = c.get("text") or c.get("plan") or c.get("problem", "")
        title = re.split(r"[。；]", title_cell)[0].strip()[:60]
        body_keys = [k for k in ("title", "text", "plan", "problem") if c.get(k)]
        body = "\n".join(dict.fromkeys(c[k] for k in body_keys))
        code = re.sub(r"[.。、\s]+$", "", c.get("code", "")) or str(i)
        if code in seen:
            seen[code] += 1
            code = f"{code}-{seen[code]}"
        else:
            seen[code] = 1
        named: list[tuple[str, str, tuple[int, int]]] = []
        towns: list[str] = []
        for role in ("lead", "coop"):
            cell = c.get(role, "")
            for name in tables.split_names(cell):
                if units.canonical(name) in units.collectives:
                    continue
                named.append((name, role, spans.get(role, (row.start, row.start))))
                town = _town_name(name, units)
                if town and town not in towns:
                    towns.append(town)
        if not named:  # no duty column: who acts is in the task's own words
            mentions, _ = extract.find_units(body, units)
            named = [(m.printed, m.role, m.span) for m in mentions if m.name not in units.collectives]
        unit_names, lead, coop = _unit_lists(named)
        deadlines = set(_deadline_cell(c.get("deadline", ""), year))
        for k in ("title", "text", "plan"):
            deadlines |= {d.date for d in extract.find_deadlines(c.get(k, ""), year)}
        quantities = []
        for k in ("title", "text", "plan"):
            if c.get(k) and k in spans:
                quantities.extend(_quantities(c[k], spans[k][0], ospan))
        out.append(
            TaskItem(
                code=code,
                title=title,
                text=body,
                units=unit_names,
                lead_units=lead,
                cooperating_units=coop,
                towns=towns,
                deadlines=sorted(deadlines),
                quantities=quantities,
                unknown_units=[u for u in unit_names if not _matched(match_registry(u, units))],
                source_span=ospan(row.start, row.end),
            )
        )
    return out


__all__ = ["ImportedPlan", "QuantityItem", "TargetItem", "TaskItem", "import_plan", "import_text"]
