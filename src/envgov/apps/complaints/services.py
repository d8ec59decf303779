"""Work orders into the platform and the 三率 out of it (decision 0032).

file → `envgov.ingest.work_orders.read_work_orders` (the template, located errors, all or nothing) → units by
the district's unit names and aliases, towns by the town column or by the town names found in the address →
WorkOrder rows, idempotent by order number (an order already stored is left alone; a value the file adds
where the platform has none is filled in; a value that differs from the stored one refuses the file).

Every rate, category by the rules and repeated address a page shows is computed by
`envgov.rules.complaints.month_rates` from the stored orders with the district's rules and parameters —
nothing of it is stored, so there is one path per figure (the CLI `envgov complaints rates` reads files
with the same function).
"""
from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.audit import log as audit
from envgov.apps.complaints import permissions
from envgov.apps.complaints.models import CategoryRuleSet, ComplaintImport, ComplaintParameter, WorkOrder
from envgov.apps.geo.models import District, Town
from envgov.rules import complaints as rules

UNASSIGNED = "（未派单）"
TEMPLATE_HEADER = ("工单编号", "来源渠道", "派单时间", "承办单位", "街乡镇", "诉求地址", "诉求内容", "诉求类别",
                   "签收时间", "响应时限（小时）", "是否解决", "满意度", "原工单编号")
TOWN_SUFFIXES = ("街道办事处", "地区办事处", "街道", "地区", "镇", "乡")
SATISFACTION_WORDS = {"满意": "satisfied", "基本满意": "basic", "不满意": "unsatisfied"}


def local(when: dt.datetime | None) -> dt.datetime | None:
    """An aware time as the naive local time the rules read (None stays None)."""
    if when is None:
        return None
    return timezone.localtime(when).replace(tzinfo=None) if timezone.is_aware(when) else when


def aware(when: dt.datetime | None) -> dt.datetime | None:
    if when is None:
        return None
    return timezone.make_aware(when) if timezone.is_naive(when) else when


# ------------------------------------------------------------------------------------------ towns by address

@dataclass
class TownMatcher:
    """The district's town whose name appears in an address: full or official name first; the name
    without its suffix (镇, 乡, 街道, 地区) only when it has at least two characters. An address naming two
    different towns is not decided (left for the user)."""

    towns: Sequence[Town]

    def __post_init__(self) -> None:
        self.full: list[tuple[str, Town]] = []
        self.short: list[tuple[str, Town]] = []
        for t in self.towns:
            for name in {t.name, t.official_name} - {""}:
                self.full.append((name, t))
                for suffix in TOWN_SUFFIXES:
                    if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                        self.short.append((name[: -len(suffix)], t))
                        break

    def by_name(self, name: str) -> Town | None:
        name = (name or "").strip()
        for n, t in self.full:
            if n == name:
                return t
        found = {t.pk: t for n, t in self.short if n == name}
        return next(iter(found.values())) if len(found) == 1 else None

    def in_address(self, address: str) -> Town | None:
        text = rules.normalise_address(address or "")
        if not text:
            return None
        for names in (self.full, self.short):
            found = {t.pk: t for n, t in names if rules.normalise_address(n) in text}
            if len(found) == 1:
                return next(iter(found.values()))
            if len(found) > 1:
                return None
        return None


def town_matcher(district: District) -> TownMatcher:
    return TownMatcher(list(Town.objects.filter(district=district, active=True).order_by("code")))


# ------------------------------------------------------------------------------------------ category rules

def category_rules(district: District) -> rules.CategoryRules:
    """The district's rules when it set them, else envgov's default (labelled as such)."""
    rs = CategoryRuleSet.objects.filter(district=district).first()
    if rs is None or not rs.rules:
        return rules.DEFAULT_CATEGORIES
    return rules.CategoryRules(
        f"district:{district.pk}", str(rs.version),
        tuple(rules.CategoryRule(r["category"], tuple(r["keywords"])) for r in rs.rules),
        note=gettext("本区设定的关键词规则"))


def rules_text(cats: rules.CategoryRules) -> str:
    return "\n".join(f"{gettext(r.category)}：{'、'.join(r.keywords)}" for r in cats.rules)


def parse_rules_text(text: str) -> list[dict[str, Any]]:
    """Lines `类别：关键词、关键词` in matching order → rules; ValueError naming each bad line."""
    out: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        m = re.match(r"^([^:：]+)[:：](.*)$", line)
        if m is None:
            problems.append(gettext("第 %(n)s 行：应写作“类别：关键词、关键词”") % {"n": n})
            continue
        name = m.group(1).strip()
        words = [w for w in re.split(r"[、,，;；\s]+", m.group(2)) if w]
        if len(name) > 30:
            problems.append(gettext("第 %(n)s 行：类别名称不超过 30 个字") % {"n": n})
        elif name in seen:
            problems.append(gettext("第 %(n)s 行：类别“%(name)s”已在第 %(first)s 行") % {"n": n, "name": name,
                                                                                    "first": seen[name]})
        elif not words:
            problems.append(gettext("第 %(n)s 行：类别“%(name)s”没有关键词") % {"n": n, "name": name})
        else:
            seen[name] = n
            out.append({"category": name, "keywords": list(dict.fromkeys(words))})
    if not out and not problems:
        problems.append(gettext("请至少填写一条规则"))
    if problems:
        raise ValueError("；".join(problems))
    return out


def category_of(order: WorkOrder, cats: rules.CategoryRules) -> tuple[str, str]:
    """(category, how): the entered category is kept as entered; else the rules' (keyword or "")."""
    if order.category:
        return order.category, "entered"
    cat, kw = cats.categorise(order.content)
    return gettext(cat), kw or ""


# ------------------------------------------------------------------------------------------ parameters

def cite(text: str) -> str:
    """A rules text in the user's language, its reference file named for a reader of the page."""
    return gettext(text).replace("sources.md", gettext("平台参考资料（污染源与接诉即办）")) if text else ""


def parameter_values(district: District) -> dict[str, object]:
    return {p.key: p.value for p in ComplaintParameter.objects.filter(district=district)}


def parameter_rows(district: District) -> list[dict[str, Any]]:
    rows = {p.key: p for p in ComplaintParameter.objects.filter(district=district).select_related("set_by")}
    out = []
    for p in rules.PARAMETERS:
        row = rows.get(p.key)
        value = row.value if row else p.default
        unset = (p.kind == "choice" and value == rules.ASK) or (p.key == "response_limit_hours" and value == 0)
        out.append({"parameter": p, "value": value, "record": row, "user_set": row is not None and value != p.default,
                    "unset": unset, "choice_label": p.choices.get(value, "") if p.choices else "",
                    "label": cite(p.label), "rule": cite(p.rule), "why": cite(p.why_unconfirmed)})
    return out


# ------------------------------------------------------------------------------------------ import

@dataclass
class ImportOutcome:
    record: ComplaintImport
    orders: list[WorkOrder] = field(default_factory=list)


def template_xlsx() -> bytes:
    """The import template: header in row 1 (what the reader reads), one example row to delete, a note sheet."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    example = ["TZ2024030001", "12345", "2024-03-01 09:30", "生态环境局", "宋庄镇", "宋庄镇小堡村某餐馆",
               "饭店油烟扰民", "", "2024-03-01 10:10", "2", "已解决", "满意", ""]
    wb = Workbook()
    ws = wb.active
    ws.title = gettext("工单")
    ws.append(list(TEMPLATE_HEADER))
    ws.append(example)
    for i, _h in enumerate(TEMPLATE_HEADER, start=1):
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = 18
    ws.freeze_panes = "A2"
    note = wb.create_sheet(gettext("说明"))
    for line in (gettext("第 1 行为表头，从第 2 行起每行一件工单；第 2 行是示例，请删除。"),
                 gettext("必填：工单编号、派单时间（YYYY-MM-DD HH:MM）、承办单位。"),
                 gettext("是否解决：已解决 / 未解决；满意度：满意 / 基本满意 / 不满意；未评价留空。"),
                 gettext("街乡镇留空时按诉求地址中的本区街乡镇名称判定；诉求类别留空时按本区类别规则判定。"),
                 gettext("重启的工单在“原工单编号”填写被重启的工单编号。")):
        note.append([line])
    note.column_dimensions["A"].width = 90
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _report(rows, created: int = 0, updated: int = 0, unchanged: int = 0, extra_errors=(), warnings=()) -> dict:
    errors = [{"row": e.row, "column": e.column, "reason": e.reason} for e in [*rows.errors, *extra_errors]]
    warns = [{"row": w.row, "column": w.column, "reason": w.reason} for w in rows.warnings]
    warns += [{"row": r, "column": c, "reason": m} for r, c, m in warnings]
    return {"file": rows.file, "rows_read": len(rows.rows), "errors": errors[:500], "error_count": len(errors),
            "warnings": warns[:500], "created": created, "updated": updated, "unchanged": unchanged}


@dataclass(frozen=True)
class _Err:
    row: int
    column: str
    reason: str


# fields compared with an order already stored (file value vs stored value)
_FILLABLE = ("channel", "unit_written", "address", "content", "category", "responded_at", "limit_hours",
             "resolved", "satisfaction", "reopen_of_number")


def _fields(o: rules.WorkOrder) -> dict[str, Any]:
    return {"channel": o.channel, "dispatched_at": aware(o.dispatched), "unit_written": o.unit[:80],
            "address": o.address[:300], "content": o.content, "category": o.category[:30],
            "responded_at": aware(o.responded), "limit_hours": o.limit_hours, "resolved": o.resolved,
            "satisfaction": o.satisfaction or "", "reopen_of_number": o.reopen_of[:60]}


def _empty(v: object) -> bool:
    return v is None or v == ""


def import_file(upload: UploadedFile | Path, *, district: District, acting_user: User | None,
                is_simulated: bool = False) -> ImportOutcome:
    """Check a work-order file and, when every row is clean, store all of it (else nothing)."""
    from envgov.apps.plans.loader import UnitResolver
    from envgov.ingest.work_orders import read_work_orders

    if acting_user is not None:
        require(permissions.can_manage_orders(acting_user, district),
                gettext("只有本区的系统管理员或统筹协调人员可以导入工单"))
    name = upload.name if isinstance(upload, UploadedFile) else Path(upload).name
    with tempfile.TemporaryDirectory() as tmp:
        if isinstance(upload, Path):
            path = upload
        else:
            path = Path(tmp) / Path(name).name
            with path.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
        data = read_work_orders(path)
    rows = data.rows
    if not data.ok:
        return _refuse(district, name, acting_user, _report(rows))
    units = UnitResolver(district, create=False)
    towns = town_matcher(district)
    existing = {o.number: o for o in WorkOrder.objects.filter(district=district, number__in=[o.id for o in data.orders])}
    errors: list[_Err] = []
    warnings: list[tuple[int, str, str]] = []
    fresh: list[tuple[rules.WorkOrder, dict[str, Any]]] = []
    fills: list[tuple[WorkOrder, dict[str, Any]]] = []
    unchanged = 0
    for o in data.orders:
        col = rows.headers.get
        f = _fields(o)
        stored = existing.get(o.id)
        if stored is not None:
            if stored.dispatched_at != f["dispatched_at"]:
                errors.append(_Err(o.row, col("dispatched", "派单时间"), gettext(
                    "工单「%(id)s」已入库，派单时间为 %(stored)s，与文件不同：平台中的工单不会被文件覆盖")
                    % {"id": o.id, "stored": local(stored.dispatched_at).strftime("%Y-%m-%d %H:%M")}))
                continue
            change: dict[str, Any] = {}
            for k in _FILLABLE:
                new, old = f[k], getattr(stored, k)
                if _empty(new) or new == old:
                    continue
                if _empty(old):
                    change[k] = new
                else:
                    errors.append(_Err(o.row, col(_KEY_OF.get(k, k), k), gettext(
                        "工单「%(id)s」已入库，此项为「%(stored)s」，与文件的「%(new)s」不同：平台中的值不会被文件覆盖")
                        % {"id": o.id, "stored": _shown(old), "new": _shown(new)}))
            if change:
                fills.append((stored, change))
            else:
                unchanged += 1
            continue
        town = None
        if o.town:
            town = towns.by_name(o.town)
            if town is None:
                errors.append(_Err(o.row, col("town", "街乡镇"), gettext("「%(town)s」不是本区的街乡镇") % {"town": o.town}))
                continue
        else:
            town = towns.in_address(o.address)
            if town is None and o.address:
                warnings.append((o.row, col("address", "诉求地址"), gettext(
                    "地址中没有找到唯一的本区街乡镇名称：工单「%(id)s」的街乡镇留空，请在工单页指定") % {"id": o.id}))
        unit = units.find(o.unit)
        if unit is None:
            warnings.append((o.row, col("unit", "承办单位"), gettext(
                "承办单位「%(unit)s」不在本区单位名录中：工单「%(id)s」暂未派单，请在工单页指派") % {"unit": o.unit, "id": o.id}))
        f.update(town=town, unit=unit)
        fresh.append((o, f))
    if errors:
        return _refuse(district, name, acting_user, _report(rows, extra_errors=errors, warnings=warnings))
    with transaction.atomic():
        record = ComplaintImport.objects.create(district=district, file_name=name[:200], uploaded_by=acting_user,
                                                state=ComplaintImport.State.ACCEPTED)
        created: list[WorkOrder] = []
        for o, f in fresh:
            created.append(WorkOrder.objects.create(district=district, number=o.id[:60], source=record, row=o.row,
                                                    is_simulated=is_simulated, **f))
        by_number = {w.number: w for w in WorkOrder.objects.filter(district=district)}
        for w in created:
            if w.reopen_of_number and w.reopen_of_number in by_number:
                w.reopen_of = by_number[w.reopen_of_number]
                w.save(update_fields=["reopen_of"])
            elif w.reopen_of_number:
                warnings.append((w.row or 0, "原工单编号", gettext(
                    "工单「%(id)s」重启自「%(parent)s」，原工单未入库：按一件单独计") % {"id": w.number, "parent": w.reopen_of_number}))
        for stored, change in fills:
            before = audit.snapshot(stored, list(change))
            for k, v in change.items():
                setattr(stored, k, v)
            if "reopen_of_number" in change and change["reopen_of_number"] in by_number:
                stored.reopen_of = by_number[change["reopen_of_number"]]
                change["reopen_of"] = stored.reopen_of
            stored.version += 1
            stored.save(update_fields=[*change, "version"])
            audit.record(actor=acting_user, action="complaint_import_fill", obj=stored, before=before,
                         after=audit.snapshot(stored, [k for k in change if k != "reopen_of"]),
                         note=gettext("导入文件 %(file)s 补充") % {"file": name})
        record.created, record.updated, record.unchanged = len(created), len(fills), unchanged
        record.report = _report(rows, len(created), len(fills), unchanged, warnings=warnings)
        record.save()
        audit.record(actor=acting_user, action="complaint_import", obj=record,
                     after={"created": len(created), "updated": len(fills), "unchanged": unchanged})
        if created:
            from envgov.apps.complaints import notify

            notify.assigned_many(created, record)
    return ImportOutcome(record, created)


_KEY_OF = {"unit_written": "unit", "responded_at": "responded", "limit_hours": "limit", "reopen_of_number": "reopen_of"}


def _shown(v: object) -> str:
    if isinstance(v, dt.datetime):
        return local(v).strftime("%Y-%m-%d %H:%M")
    if v is True:
        return gettext("已解决")
    if v is False:
        return gettext("未解决")
    if v in ("satisfied", "basic", "unsatisfied"):
        return str(WorkOrder.Satisfaction(v).label)
    return str(v)


def _refuse(district: District, name: str, user: User | None, report: dict) -> ImportOutcome:
    record = ComplaintImport.objects.create(district=district, file_name=name[:200], uploaded_by=user,
                                            state=ComplaintImport.State.REFUSED, report=report)
    return ImportOutcome(record)


# ------------------------------------------------------------------------------------------ rates

def rule_orders(orders: Iterable[WorkOrder]) -> list[rules.WorkOrder]:
    """Stored orders as the rules evaluator reads them (the one path of every rate)."""
    out = []
    for o in orders:
        parent = o.reopen_of.number if o.reopen_of_id else o.reopen_of_number
        out.append(rules.WorkOrder(
            id=o.number, dispatched=local(o.dispatched_at), unit=o.unit.name if o.unit_id else gettext(UNASSIGNED),
            town=o.town.name if o.town_id else "", channel=o.channel, address=o.address, content=o.content,
            category=o.category, responded=local(o.responded_at), limit_hours=o.limit_hours, resolved=o.resolved,
            satisfaction=o.satisfaction or None, reopen_of=parent, row=o.pk))
    return out


def months_with_orders(district: District) -> list[str]:
    months = {local(t).strftime("%Y-%m") for t in
              WorkOrder.objects.filter(district=district).values_list("dispatched_at", flat=True)}
    return sorted(months)


@dataclass
class RatesOutcome:
    month: str
    result: rules.MonthRates | None = None
    missing: dict[str, list[str]] | None = None  # parameter key → order numbers that need it
    error: str = ""

    def missing_lines(self) -> list[dict[str, Any]]:
        out = []
        for key, where in (self.missing or {}).items():
            p = rules.PARAMETERS.by_key[key]
            out.append({"key": key, "label": cite(p.label), "why": cite(p.why_unconfirmed), "orders": where})
        return out


def month_result(district: District, month: str) -> RatesOutcome:
    qs = WorkOrder.objects.filter(district=district).select_related("unit", "town", "reopen_of")
    try:
        month = rules.parse_month(month)
        result = rules.month_rates(rule_orders(qs), month, parameter_values(district), category_rules(district))
    except rules.MissingParameter as exc:
        return RatesOutcome(month, missing=exc.needs)
    except ValueError as exc:
        return RatesOutcome(month, error=str(exc))
    return RatesOutcome(month, result=result)


def rate_text(rate: rules.Rate) -> str:
    v = rate.value
    return "—" if v is None else f"{v * 100:.2f}%"


def rate_rows(result: rules.MonthRates) -> list[dict[str, Any]]:
    """One row per scope (total, each unit, each town) for the page and the workbook."""
    rows = [{"scope": gettext("全区"), "name": gettext("合计"), "r": result.total}]
    rows += [{"scope": gettext("承办单位"), "name": k, "r": v} for k, v in result.by_unit.items()]
    rows += [{"scope": gettext("街乡镇"), "name": gettext(k), "r": v} for k, v in result.by_town.items()]
    for row in rows:
        r = row["r"]
        row["texts"] = [rate_text(r.response), rate_text(r.resolution), rate_text(r.satisfaction)]
    return rows


def rates_xlsx(result: rules.MonthRates) -> bytes:
    from envgov.reports.xlsx import build_tables

    cols = [(gettext("范围"), 10), (gettext("名称"), 20), (gettext("工单数"), 8),
            (gettext("时限内响应"), 10), (gettext("派单数"), 8), (gettext("响应率"), 10),
            (gettext("已解决"), 8), (gettext("参与评价（解决）"), 14), (gettext("解决率"), 10),
            (gettext("满意"), 8), (gettext("参与评价（满意）"), 14), (gettext("满意率"), 10)]
    body = []
    for row in rate_rows(result):
        r = row["r"]
        body.append([row["scope"], row["name"], r.orders, r.response.numerator, r.response.denominator,
                     rate_text(r.response), r.resolution.numerator, r.resolution.denominator, rate_text(r.resolution),
                     r.satisfaction.numerator, r.satisfaction.denominator, rate_text(r.satisfaction)])
    params = [[gettext(p["label"]), str(p["value"]), gettext("用户设定") if p["user_set"] else gettext("缺省值")]
              for p in result.parameters]
    repeats = [[r.address, gettext(r.town), len(r.orders), "、".join(r.orders), "、".join(gettext(c) for c in r.categories)]
               for r in result.repeats]
    note = gettext("%(month)s 三率。%(citation)s") % {"month": result.month, "citation": cite(rules.RULE_CITATION)}
    return build_tables([
        (gettext("三率"), cols, body, note),
        (gettext("参数"), [(gettext("参数"), 50), (gettext("取值"), 14), (gettext("来源"), 10)], params,
         gettext("参考资料未核实的规则由本区设定")),
        (gettext("重复投诉"), [(gettext("地址"), 40), (gettext("街乡镇"), 14), (gettext("件数"), 6),
                               (gettext("工单"), 40), (gettext("类别"), 20)], repeats, ""),
    ])


def heat_payload(district: District, result: rules.MonthRates | None, month: str) -> dict[str, Any]:
    """The town map's data (the dashboard's map script): orders per town in the month."""
    from envgov.apps.dashboard.services import town_geojson
    from envgov.apps.dashboard.views import NO_DATA, PALETTE, colour_classes

    geo = town_geojson(district)
    towns = list(Town.objects.filter(district=district, active=True).order_by("code"))
    counts = {name: r.orders for name, r in (result.by_town.items() if result else [])}
    values = [counts.get(t.name) for t in towns]
    classes, bounds = colour_classes([float(v) if v is not None else None for v in values])
    rows = []
    for t, v, c in zip(towns, values, classes):
        rows.append({"id": t.pk, "name": t.name, "value": v, "text": "" if v is None else str(v), "url": "",
                     "note": "", "valid_days": None, "days": None, "class": c,
                     "colour": NO_DATA if c is None else PALETTE[c]})
    return {"geo": geo, "towns": rows, "palette": list(PALETTE), "no_data": NO_DATA,
            "bounds": [[round(a, 1), round(b, 1)] for a, b in bounds],
            "derived": any(f["properties"]["source"] == "derived" for f in geo["features"]),
            "indicator": {"code": "complaints", "label": gettext("工单数"), "unit": gettext("件")},
            "words": {"no_data": gettext("无工单"), "derived": gettext("示意边界"), "imported": gettext("导入边界"),
                      "valid_days": "", "open": ""}}


def repeat_addressee(orders: Sequence[WorkOrder]):
    """The unit most of the orders are assigned to, else the town most of them are in (None, None if neither)."""
    from collections import Counter

    units = Counter(o.unit for o in orders if o.unit_id)
    if units:
        return units.most_common(1)[0][0], None
    towns = Counter(o.town for o in orders if o.town_id)
    if towns:
        return None, towns.most_common(1)[0][0]
    return None, None


def repeats_with_follow_ups(district: District, result: rules.MonthRates) -> list[dict[str, Any]]:
    from envgov.apps.complaints.models import RepeatFollowUp

    done = {f.address_key: f for f in RepeatFollowUp.objects.filter(district=district, month=result.month)
            .select_related("item")}
    return [{"repeat": r, "key": rules.normalise_address(r.address), "town": gettext(r.town),
             "follow_up": done.get(rules.normalise_address(r.address)),
             "categories": "、".join(gettext(c) for c in r.categories)} for r in result.repeats]


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a YYYY-MM month as aware times (ValueError with the rules' message)."""
    y, m = (int(x) for x in rules.parse_month(month).split("-"))
    return aware(dt.datetime(y, m, 1)), aware(dt.datetime(y + (m == 12), m % 12 + 1, 1))
