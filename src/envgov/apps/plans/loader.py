"""Commit a structured plan (the JSON of `envgov plan import`, or a hand-made file of the same shape)
into the ledger as a draft: areas, targets, tasks with units, towns, deadlines and quantities.

The same function serves the demo fixture and the importer's review page, so an imported plan behaves
exactly like a hand-entered one. All-or-nothing: any error rolls the whole plan back.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from envgov.apps.accounts.models import Unit, UnitAlias, User
from envgov.apps.audit import log as audit
from envgov.apps.geo.models import District, Town
from envgov.apps.plans.catalogue import catalogue_rows
from envgov.apps.plans import progress
from envgov.apps.plans.bounds import message
from envgov.apps.plans.models import Area, Indicator, Milestone, Plan, Quantity, Target, Task
from envgov.rules import bounds

AREA_CODES = {name: code for code, name in Area.STANDARD}
AREA_CODES["其他"] = "other"
PERIOD_ENDS = {  # period label → (kind, month, day) of the cumulative period's end
    "一季度": (3, 31), "第一季度": (3, 31), "上半年": (6, 30), "二季度": (6, 30),
    "前三季度": (9, 30), "三季度": (9, 30),
}
ALL_TOWNS = {"各街道乡镇", "各街乡镇", "各乡镇街道", "各街道(乡镇)", "各属地"}
TOWN_SUFFIXES = ("街道办事处", "地区办事处", "人民政府", "办事处")


def _strip_prefix(name: str) -> str:
    name = name.strip()
    return name[1:] if len(name) > 2 and name[0] in "区市" else name


@dataclass
class UnitResolver:
    """Finds a unit by canonical name or alias. Unknown names become new units, listed in `created`, only
    when `create` is on (the demo fixture, hand-made structured files); the review page's commit turns it
    off, so a name nobody decided on is refused instead of silently added (decision 0009)."""

    district: District
    create: bool = True
    created: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_name: dict[str, Unit] = {}
        for unit in Unit.objects.filter(district=self.district):
            self.by_name[unit.name] = unit
        for alias in UnitAlias.objects.filter(unit__district=self.district).select_related("unit"):
            self.by_name.setdefault(alias.alias, alias.unit)

    def find(self, name: str) -> Unit | None:
        """The registry unit a name means (canonical name or alias, with or without a 区/市 prefix), or None."""
        return self.by_name.get(name) or self.by_name.get(_strip_prefix(name))

    def resolve(self, name: str, where: str = "") -> Unit:
        key = _strip_prefix(name)
        unit = self.find(name)
        if unit is None:
            if not self.create:
                raise ValidationError(f"{where or '计划'}：单位“{key}”不在本区单位名录中，请对应到已有单位或新建")
            unit = Unit.objects.create(district=self.district, name=key)
            self.by_name[key] = unit
            self.created.append(key)
        return unit


def _town_key(name: str) -> str:
    for suffix in TOWN_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def catalogue_code(code: str, name: str) -> str | None:
    """The catalogue indicator that a code, alias or a plan's own wording (by the `match` pattern) means."""
    rows = catalogue_rows()
    for row in rows:
        if code == row["code"] or code in row.get("aliases", []) or name == row["name"]:
            return row["code"]
    for row in rows:
        if row.get("match") and re.search(row["match"], f"{code} {name}"):
            return row["code"]
    return None


def _indicator(code: str, name: str, unit: str, area_code: str, comparator: str) -> Indicator:
    found = Indicator.objects.filter(code=catalogue_code(code, name) or code).first()
    if found is None and name:
        found = Indicator.objects.filter(name=name).first()
    if found is None:  # a custom indicator named by the plan itself
        base = re.sub(r"[^a-z0-9_]+", "_", code.lower()).strip("_")[:50] or "custom"
        slug, n = base, 1
        while Indicator.objects.filter(code=slug).exists():
            n += 1
            slug = f"{base}_{n}"
        found = Indicator.objects.create(code=slug, name=(name or code)[:80], unit=unit[:30], area_code=area_code,
                                         default_comparator=comparator)
    return found


def _decimal(value, where: str, label: str = "数值", minimum: Decimal | int | None = 0) -> Decimal:  # noqa: ANN001
    """A figure of the plan, bounded as at every door (envgov.rules.bounds): it must fit its column."""
    try:
        Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError(f"{where}：数值“{value}”无法识别") from exc
    return _bounded(bounds.figure, value, where, label, minimum=minimum)


def _bounded(check, value, where: str, label: str, **kwargs):  # noqa: ANN001, ANN003, ANN202
    """A bounds check with the item named: 任务 三.1：“工作量1”超出范围…"""
    try:
        return check(value, label, **kwargs)
    except bounds.OutOfBounds as exc:
        raise ValidationError(f"{where}：{message(exc)}") from None


def _short(value: object, where: str, label: str, max_length: int) -> str:
    return _bounded(bounds.text, str(value or ""), where, label, max_length=max_length)


@dataclass
class LoadResult:
    plan: Plan
    tasks: int
    targets: int
    new_units: list[str]
    unknown_towns: list[str]


@transaction.atomic
def load_structured_plan(
    data: dict, *, district: District, acting_user: User | None, is_simulated: bool = False, source_name: str = "",
    create_units: bool = True,
) -> LoadResult:
    year = _bounded(bounds.year, data["year"], "计划", "年度")
    plan = Plan.objects.create(
        district=district, year=year, title=data["title"][:200], is_simulated=is_simulated,
        source_name=source_name or data.get("source", ""),
    )
    units = UnitResolver(district, create=create_units)
    towns = {_town_key(t.name): t for t in Town.objects.filter(district=district)}
    towns.update({_town_key(t.official_name): t for t in Town.objects.filter(district=district) if t.official_name})
    areas: dict[str, Area] = {}
    unknown_towns: list[str] = []

    def area_for(name: str | None) -> Area:
        name = (name or "其他").strip() or "其他"
        if name not in areas:
            code = AREA_CODES.get(name) or f"custom{len(areas) + 1}"
            order = list(AREA_CODES).index(name) if name in AREA_CODES else 50 + len(areas)
            areas[name] = Area.objects.create(plan=plan, code=code, name=name, order=order)
        return areas[name]

    for i, t in enumerate(data.get("targets", []), 1):
        where = f"第{i}个目标"
        area = area_for(_short(t.get("area"), where, "领域", 50))
        period = _short((t.get("period") or "全年").strip(), where, "期间", 30)
        ends = PERIOD_ENDS.get(period)
        Target.objects.create(
            plan=plan, area=area,
            indicator=_indicator(t["indicator"], t.get("indicator_name", ""), t.get("unit", ""), area.code,
                                 t.get("comparator", "<=")),
            comparator=t.get("comparator", "<="), value=_decimal(t["value"], where, "目标值", minimum=None),
            unit=_short(t.get("unit", ""), where, "单位", 30),
            period_kind=Target.PeriodKind.CUMULATIVE if ends else Target.PeriodKind.YEAR,
            period_end=dt.date(year, *ends) if ends else None, period_label=period,
            flags=list(t.get("flags", [])), text=t.get("text", ""),
        )
    by_code: dict[str, Task] = {}
    for order, t in enumerate(data.get("tasks", []), 1):
        code = t["code"]
        where = f"任务 {code}"
        _short(code, where, "编号", 40)
        if code in by_code:
            raise ValidationError(f"{where}：编号重复")
        deadlines = sorted({_bounded(bounds.date, dt.date.fromisoformat(d), where, "完成时限")
                            for d in t.get("deadlines", [])})
        parent_code = code.rsplit(".", 1)[0] if "." in code else None
        task = Task.objects.create(
            plan=plan, area=area_for(_short(t.get("area"), where, "领域", 50)), code=code, order=order,
            parent=by_code.get(parent_code) if parent_code else None,
            title=(t.get("title") or t.get("text", "")[:60])[:300], body=t.get("text", ""),
            due_date=deadlines[-1] if deadlines else None,
        )
        by_code[code] = task
        lead_names = t.get("lead_units") or []
        coop_names = t.get("cooperating_units")
        if coop_names is None:
            coop_names = [u for u in t.get("units", []) if u not in lead_names]
        if not lead_names and t.get("units"):
            lead_names = [t["units"][0]]
            coop_names = [u for u in coop_names if u != lead_names[0]]
        for n in [*lead_names, *coop_names, *t.get("towns", [])]:
            _short(n, where, "单位", 80)
        _bounded(bounds.text, t.get("title") or "", where, "任务")
        _bounded(bounds.text, t.get("text") or "", where, "任务内容")
        task.lead_units.set({units.resolve(n, where) for n in lead_names})
        task.cooperating_units.set({units.resolve(n, where) for n in coop_names} - set(task.lead_units.all()))
        for name in t.get("towns", []):
            if name in ALL_TOWNS:
                task.all_towns = True
            elif _town_key(name) in towns:
                task.towns.add(towns[_town_key(name)])
            else:
                unknown_towns.append(name)
        if task.all_towns:
            task.save(update_fields=["all_towns"])
        for d in deadlines:
            Milestone.objects.create(task=task, title=f"{d:%-m月%-d日}前完成", due_date=d)
        for j, q in enumerate(t.get("quantities", []), 1):
            unit = q.get("unit", "")[:20]
            Quantity.objects.create(task=task, name=(q.get("text") or f"工作量{j}")[:200], unit=unit,
                                    kind=progress.quantity_kind(unit),
                                    target_value=_decimal(q["value"], where, f"工作量{j}"))
        progress.sync_parties(task)
    audit.record(actor=acting_user, action="create", obj=plan, plan=plan, after=audit.snapshot(plan),
                 note=f"导入 {len(by_code)} 项任务、{len(data.get('targets', []))} 项目标")
    return LoadResult(plan, len(by_code), len(data.get("targets", [])), units.created, unknown_towns)
