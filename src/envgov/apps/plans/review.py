"""Reviewing an imported plan: turn envgov.planio's result into an editable draft, show every item in its
source text, read the reviewer's corrections back (with located Chinese errors), and commit the draft
into the ledger through the same loader as any structured plan."""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from envgov.apps.plans.bounds import message
from envgov.apps.plans.loader import catalogue_code
from envgov.apps.plans.models import Area
from envgov.rules import bounds

AREA_NAMES = [name for _, name in Area.STANDARD] + ["其他"]
# Section headings name the area; Traditional spellings too, since the original text may be Traditional.
AREA_KEYWORDS = [
    ("蓝天", re.compile(r"大气|大氣|蓝天|藍天|空气|空氣")),
    ("碧水", re.compile(r"水污染|水环境|水環境|碧水|水生态|水生態|水资源")),
    ("净土", re.compile(r"土壤|净土|淨土|固体废物|固體廢物")),
    ("应对气候变化", re.compile(r"气候|氣候|碳")),
    ("生态保护", re.compile(r"生态保护|生態保護|生态建设|生態建設|生物多样|生态文明")),
    ("静音", re.compile(r"噪声|噪聲|声环境|聲環境|静音|靜音")),
]
HEADING = re.compile(r"^\s*(?:第[一二三四五六七八九十]+[章节]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")


def guess_area(original_text: str, start: int) -> str:
    """The area of the nearest preceding section heading that names one (else 其他)."""
    head = original_text[:start]
    for line in reversed(head.split("\n")):
        if HEADING.match(line) and len(line.strip()) <= 40:
            for name, pattern in AREA_KEYWORDS:
                if pattern.search(line):
                    return name
    return "其他"


def draft_data(imported) -> dict:  # noqa: ANN001 - envgov.planio.ImportedPlan
    """The importer's result with source spans and a guessed area for each item."""
    data = imported.to_dict()
    for item, t in zip(data["targets"], imported.targets):
        # the plan's own wording stays as the name; the catalogue code is proposed when one matches
        item["indicator_name"] = t.indicator
        # mapped on the indicator's own words only: in "化学需氧量、氨氮减排量分别为…" the 氨氮 target is
        # never COD; an indicator the catalogue does not know stays as written and is flagged
        code = catalogue_code(t.indicator, t.indicator)
        item["indicator"] = code or t.indicator
        item["flags"] = list(t.flags)
        # low-confidence reasons, as codes (the page words them): the reviewer looks at these first
        item["review"] = [c for c, on in (("unmapped_indicator", not code), ("no_unit", not t.unit)) if on]
        item["source_span"] = list(t.source_span)
        item["area"] = guess_area(imported.original_text, t.source_span[0])
        item["include"] = True
    matches = data.get("unit_matches", {})
    paragraph_tasks = any(w.get("code") == "paragraph_tasks" for w in data.get("warnings", []))

    def registry(names: list[str]) -> list[str]:
        # names as the plan writes them → the registry unit they were matched to (shown for confirmation);
        # towns stay under towns; an unmatched name is kept as written and listed as unknown
        out = []
        for n in names:
            m = matches.get(n, {})
            if m.get("town"):
                continue
            name = m.get("unit") or n
            if name not in out:
                out.append(name)
        return out

    for item, t in zip(data["tasks"], imported.tasks):
        # the ledger keeps figures in their base unit (0.2万亩 → 2000 亩); the wording stays in `text`
        item["quantities"] = [
            {"value": q["base_value"], "unit": q["base_unit"], "text": q["text"]} for q in item["quantities"]
        ]
        item["units_as_written"] = list(t.units)
        item["review"] = [
            c
            for c, on in (
                ("unknown_units", bool(t.unknown_units)),
                ("no_units", not t.units and not t.towns),
                ("long_title", len(t.title) > 40),
                ("paragraph", not re.search(r"\D", t.code) and paragraph_tasks),
                ("recurring", bool(t.recurrences)),
            )
            if on
        ]
        item["units"] = registry(t.units)
        item["lead_units"] = registry(t.lead_units)
        item["cooperating_units"] = registry(t.cooperating_units)
        item["source_span"] = list(t.source_span)
        item["area"] = guess_area(imported.original_text, t.source_span[0])
        item["unknown_units"] = list(t.unknown_units)
        item["include"] = True
    return data


def district_mismatch(data: dict) -> bool:
    """The document names another district than the one it is imported into (confirmation required)."""
    return any(w.get("code") == "district_mismatch" for w in data.get("warnings", []))


def accept_area(data: dict, area: str) -> tuple[dict, int]:
    """Include every task and target of one area (a section accepted at once); returns the new data and how
    many items were switched on."""
    new, n = {**data}, 0
    for key in ("tasks", "targets"):
        items = []
        for item in data.get(key, []):
            item = dict(item)
            if item.get("area") == area and not item.get("include"):
                item["include"], n = True, n + 1
            items.append(item)
        new[key] = items
    return new, n


def highlighted_source(text: str, data: dict) -> SafeString:
    """The original text with each task and target wrapped in a <mark> the review list links to."""
    spans = []
    for kind, items in (("task", data.get("tasks", [])), ("target", data.get("targets", []))):
        for i, item in enumerate(items):
            s, e = item.get("source_span") or (0, 0)
            if e > s:
                spans.append((s, e, f"src-{kind}-{i}", kind))
    spans.sort()
    out, pos = [], 0
    for s, e, anchor, kind in spans:
        if s < pos:  # overlapping (a target inside a task): skip the inner highlight
            continue
        out.append(escape(text[pos:s]))
        out.append(f'<mark id="{anchor}" class="{kind}">{escape(text[s:e])}</mark>')
        pos = e
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


def _split_names(value: str) -> list[str]:
    return [v for v in (s.strip() for s in re.split(r"[、,，;；\s]+", value or "")) if v]


@dataclass
class FormError:
    item: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.item}「{self.field}」：{self.reason}"


QUANTITY = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(\S*)\s*$")


def read_review_form(post, data: dict) -> tuple[dict, list[FormError]]:  # noqa: ANN001 - QueryDict
    """Apply the reviewer's edits to the draft data. Returns new data and located errors (nothing applied
    by the caller when there is any error)."""
    errors: list[FormError] = []
    new = {**data, "title": (post.get("title") or data.get("title") or "").strip()}
    try:
        new["year"] = bounds.year(post.get("year") or data.get("year"), "年度")
    except bounds.OutOfBounds as exc:
        errors.append(FormError("计划", "年度", message(exc)))

    def bounded(check, value, label: str, field: str, **kwargs):  # noqa: ANN001, ANN003, ANN202
        """The same bounds as every other door (envgov.rules.bounds); a refusal is a located error."""
        try:
            return check(value, field, **kwargs)
        except bounds.OutOfBounds as exc:
            errors.append(FormError(label, field, message(exc)))
            return None
    tasks, codes = [], set()
    for i, old in enumerate(data.get("tasks", [])):
        p = f"task-{i}-"
        item = dict(old)
        label = f"任务 {old.get('code', i + 1)}"
        item["include"] = post.get(p + "include") == "on"
        item["code"] = (post.get(p + "code") or "").strip()
        item["title"] = (post.get(p + "title") or "").strip()
        item["area"] = post.get(p + "area") or old.get("area") or "其他"
        item["lead_units"] = _split_names(post.get(p + "lead_units", ""))
        item["cooperating_units"] = _split_names(post.get(p + "cooperating_units", ""))
        item["units"] = list(dict.fromkeys(item["lead_units"] + item["cooperating_units"]))
        item["towns"] = _split_names(post.get(p + "towns", ""))
        deadlines = []
        for d in _split_names(post.get(p + "deadlines", "")):
            try:
                day = dt.date.fromisoformat(d)
            except ValueError:
                errors.append(FormError(label, "完成时限", f"日期“{d}”无法识别，请写成 2024-06-30"))
                continue
            if bounded(bounds.date, day, label, "完成时限") is not None:
                deadlines.append(day.isoformat())
        item["deadlines"] = sorted(set(deadlines))
        quantities = []
        for q in [s for s in (post.get(p + "quantities") or "").split("\n") if s.strip()]:
            m = QUANTITY.match(q.split("｜")[0])
            if not m:
                errors.append(FormError(label, "工作量", f"“{q.strip()}”应写成“数值 单位”，如“8 组”"))
                continue
            try:
                value = Decimal(m.group(1))
            except InvalidOperation:
                errors.append(FormError(label, "工作量", f"数值“{m.group(1)}”无法识别"))
                continue
            if bounded(bounds.figure, value, label, "工作量") is None:
                continue
            text = q.split("｜", 1)[1].strip() if "｜" in q else q.strip()
            quantities.append({"value": float(value), "unit": m.group(2), "text": text})
        item["quantities"] = quantities
        if item["include"]:
            if not item["code"]:
                errors.append(FormError(label, "编号", "编号不能为空"))
            elif item["code"] in codes:
                errors.append(FormError(label, "编号", f"编号“{item['code']}”重复"))
            codes.add(item["code"])
            if not item["title"]:
                errors.append(FormError(label, "任务", "任务名称不能为空"))
        tasks.append(item)
    targets = []
    for i, old in enumerate(data.get("targets", [])):
        p = f"target-{i}-"
        item = dict(old)
        label = f"目标 {i + 1}"
        item["include"] = post.get(p + "include") == "on"
        item["indicator"] = (post.get(p + "indicator") or "").strip()
        item["comparator"] = post.get(p + "comparator") or old.get("comparator")
        item["unit"] = (post.get(p + "unit") or "").strip()
        item["period"] = (post.get(p + "period") or "").strip() or "全年"
        item["area"] = post.get(p + "area") or old.get("area") or "其他"
        try:
            value = Decimal((post.get(p + "value") or "").strip())
        except InvalidOperation:
            if item["include"]:
                errors.append(FormError(label, "目标值", f"数值“{post.get(p + 'value')}”无法识别"))
        else:
            if not item["include"]:
                item["value"] = float(value) if value.is_finite() and math.isfinite(float(value)) else None
            elif bounded(bounds.figure, value, label, "目标值", minimum=None) is not None:
                item["value"] = float(value)
        if item["include"] and item["comparator"] not in ("<=", ">=", "="):
            errors.append(FormError(label, "比较", "请选择 不高于 / 不低于 / 等于"))
        targets.append(item)
    new["tasks"], new["targets"] = tasks, targets
    return new, errors


def committed_data(data: dict) -> dict:
    """Only the included items, in the structured-plan shape the loader takes."""
    return {
        **{k: data[k] for k in ("title", "year") if k in data},
        "targets": [t for t in data.get("targets", []) if t.get("include", True)],
        "tasks": [t for t in data.get("tasks", []) if t.get("include", True)],
    }
