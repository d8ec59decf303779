"""What the emergency pages show, computed by the domain core: levels and episodes by
`envgov.rules.alerts.evaluate`, measures by `envgov.rules.alerts.measures` over the district's
`MeasureTable` (the `MeasureRule` rows), files read by `envgov.ingest.emergency_list`,
`envgov.ingest.emergency_measures` and `envgov.ingest.forecast` (all or nothing, located errors)."""
from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from envgov.apps.emergency import permissions
from envgov.apps.emergency.models import GRADE_CHOICES, CheckIn, Episode, ListEntry, MeasureRule
from envgov.rules import alerts

PLAN_ID = "beijing-2023"  # the plan in force (air.md §6.1); older ones are for back-testing (CLI)
GRADE_ORDER = [g for g, _label in GRADE_CHOICES]
GRADE_LABELS = dict(alerts.GRADES)
UNSET = alerts.MSG_UNSET
UNSET_SHORT = "未设置"


def save_upload(upload: UploadedFile | Path, tmp: str) -> tuple[Path, str]:
    if isinstance(upload, Path):
        return upload, upload.name
    name = Path(upload.name or "upload.csv").name
    path = Path(tmp) / name
    with path.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return path, name


def errors_of(rows) -> list[dict]:  # noqa: ANN001 - envgov.ingest.rows.Rows
    return [{"row": e.row, "column": e.column, "reason": e.reason} for e in rows.errors]


# ------------------------------------------------------------------------------------ the measure table

def measure_table(district) -> alerts.MeasureTable:  # noqa: ANN001
    table = alerts.MeasureTable()
    for r in MeasureRule.objects.filter(district=district).order_by("order", "pk"):
        table.add(r.industry, r.grade, r.level, r.text, float(r.cut_percent) if r.cut_percent is not None else None)
    return table


def plan() -> alerts.Plan:
    return alerts.plan(PLAN_ID)


@dataclass
class TableRow:
    industry: str
    grade: str
    grade_label: str
    cells: list[tuple[str, list[MeasureRule]]]  # (level, rules) per level of the plan


def table_rows(district) -> list[TableRow]:  # noqa: ANN001
    """The measure table as a grid: every industry of the table and of the list × every grade on the list
    (or in the table) × the plan's levels; an empty cell reads 未设置."""
    p = plan()
    rules = list(MeasureRule.objects.filter(district=district).order_by("order", "pk"))
    entries = ListEntry.objects.filter(district=district, active=True)
    industries = sorted({"", *(r.industry for r in rules), *entries.values_list("industry", flat=True)})
    grades = {*(r.grade for r in rules), *entries.values_list("grade", flat=True)} or {"A", "B", "C", "D"}
    by_key: dict[tuple[str, str, str], list[MeasureRule]] = defaultdict(list)
    for r in rules:
        by_key[(r.industry, r.grade, r.level)].append(r)
    out = []
    for ind in industries:
        for g in GRADE_ORDER:
            if g in grades:
                out.append(TableRow(ind, g, GRADE_LABELS[g], [(lv, by_key.get((ind, g, lv), [])) for lv in p.codes]))
    return out


# ------------------------------------------------------------------------------------ the action sheet

def _measure_dict(m: alerts.Measure, unset: bool = False) -> dict:
    return {"text": m.text, "source": m.source, "confidence": m.confidence, "cut": m.cut_percent, "unset": unset}


def entry_measures(entry: ListEntry, level: str, table: alerts.MeasureTable) -> list[dict]:
    """The grade's treatment, then the unit's own measure of the list at the level if it has one, else the
    district table's rows for (industry, grade, level) — or the line saying they are not set."""
    p = plan()
    public = len(alerts.measures(p, level))
    found = alerts.measures(p, level, entry.grade, entry.industry, table)[public:]
    treatment, rest = found[0], found[1:]
    own = entry.own_measure(level)
    if own:
        return [_measure_dict(treatment), {"text": own, "source": "减排清单", "confidence": "user_set", "cut": None,
                                           "unset": False}]
    return [_measure_dict(treatment)] + [_measure_dict(m, m.text == UNSET) for m in rest]


def build_sheet(district, level: str) -> dict:  # noqa: ANN001
    """The action sheet (任务单) at `level`, as stored with the episode when the warning starts."""
    p = plan()
    table = measure_table(district)
    entries = (ListEntry.objects.filter(district=district, active=True)
               .select_related("town", "unit").order_by("town__name", "name"))
    lines = []
    for e in entries:
        lines.append({
            "id": e.pk, "kind": e.kind, "name": e.name, "code": e.credit_code, "town_id": e.town_id,
            "town": e.town.name, "unit_id": e.unit_id, "unit": e.unit.name if e.unit_id else "",
            "industry": e.industry, "grade": e.grade, "grade_label": GRADE_LABELS[e.grade],
            "measures": entry_measures(e, level, table),
        })
    return {"plan": p.id, "level": level, "public": [_measure_dict(m) for m in alerts.measures(p, level)],
            "target_percent": alerts.LIST_TARGET_PERCENT.get(level), "target_citation": alerts.LIST_TARGET_CITATION,
            "entries": lines}


def sheet_lines(episode: Episode, user) -> list[dict]:  # noqa: ANN001
    """The sheet's lines the user may read: all for oversight roles, their unit's or town's otherwise."""
    lines = episode.sheet.get("entries", [])
    if permissions.sees_whole_list(user):
        return lines
    from envgov.apps.accounts.scope import speaks_for_town, speaks_for_unit

    if speaks_for_unit(user):
        return [x for x in lines if user.unit_id and x["unit_id"] == user.unit_id]
    if speaks_for_town(user):
        return [x for x in lines if user.town_id and x["town_id"] == user.town_id]
    return []


def group_lines(lines: list[dict], by: str) -> list[tuple[str, object, list[dict]]]:
    """(name, id, lines) per town or per 行业主管部门 — the action sheet of each (id None: no unit named)."""
    groups: dict[tuple[str, object], list[dict]] = defaultdict(list)
    for x in lines:
        key = (x["town"], x["town_id"]) if by == "town" else (x["unit"] or _("未指定主管部门"), x["unit_id"])
        groups[key].append(x)
    return [(name, pk, xs) for (name, pk), xs in sorted(groups.items(), key=lambda kv: kv[0][0])]


def entries_for(user, district):  # noqa: ANN001, ANN201
    qs = ListEntry.objects.filter(district=district).select_related("town", "unit")
    if permissions.sees_whole_list(user):
        return qs
    from envgov.apps.accounts.scope import speaks_for_town, speaks_for_unit

    if speaks_for_unit(user):
        return qs.filter(unit_id=user.unit_id) if user.unit_id else qs.none()
    if speaks_for_town(user):
        return qs.filter(town_id=user.town_id) if user.town_id else qs.none()
    return qs.none()


def episodes_for(user, district):  # noqa: ANN001, ANN201
    return Episode.objects.filter(district=district) if district else Episode.objects.none()


def checkins_for(user, episode: Episode):  # noqa: ANN001, ANN201
    qs = CheckIn.objects.filter(episode=episode).select_related("entry", "entry__town", "inspector")
    if permissions.sees_whole_list(user):
        return qs
    ids = [x["id"] for x in sheet_lines(episode, user)]
    return qs.filter(Q(entry_id__in=ids) | Q(inspector=user))


# ------------------------------------------------------------------------------------ forecasts

@dataclass
class ForecastOutcome:
    errors: list[str] = field(default_factory=list)
    result: alerts.Result | None = None
    days: list[alerts.ForecastDay] = field(default_factory=list)


def forecast_text_file(text: str, tmp: str) -> Path:
    """Typed lines (日期,AQI per line) as a CSV with the template's header, read like an uploaded file."""
    path = Path(tmp) / "预报录入.csv"
    body = "\n".join(ln.strip().replace("，", ",").replace("\t", ",") for ln in text.splitlines() if ln.strip())
    path.write_text("日期,AQI\n" + body + "\n", encoding="utf-8")
    return path


def evaluate_forecast(upload: UploadedFile | None, typed: str) -> ForecastOutcome:
    from envgov.ingest.forecast import read_forecast
    from envgov.ingest.rows import located

    out = ForecastOutcome()
    with tempfile.TemporaryDirectory() as tmp:
        path = save_upload(upload, tmp)[0] if upload is not None else forecast_text_file(typed, tmp)
        got = read_forecast(path)
    if not got.ok:
        out.errors = [located(got.rows.file, e) for e in got.rows.errors]
        return out
    out.days = got.days
    try:
        out.result = alerts.evaluate(plan(), got.days)
    except ValueError as exc:
        out.errors = [str(exc)]
    return out


def forecast_as_text(days: list[alerts.ForecastDay]) -> str:
    return "\n".join(f"{d.date.isoformat()},{d.aqi if d.aqi is not None else ''}" for d in days)


# ------------------------------------------------------------------------------------ the after-action report

def summary(episode: Episode):  # noqa: ANN201 - envgov.reports.emergency.AfterAction
    from envgov.reports.emergency import AfterAction, Finding, GradeLine, PhaseLine

    lines = episode.sheet.get("entries", [])
    checkins = list(CheckIn.objects.filter(episode=episode).select_related("entry", "entry__town", "inspector")
                    .order_by("at", "pk"))
    by_grade: dict[str, list[dict]] = defaultdict(list)
    for x in lines:
        by_grade[x["grade"]].append(x)
    grades = []
    for g in GRADE_ORDER:
        if g not in by_grade:
            continue
        texts: list[str] = []
        unset = 0
        for x in by_grade[g]:
            if any(m["unset"] for m in x["measures"]):
                unset += 1
            for m in x["measures"]:
                t = UNSET_SHORT if m["unset"] else m["text"]
                if m["cut"] is not None and not m["unset"]:
                    t = f"{t}（减排比例 {m['cut']:g}%）"
                if t not in texts:
                    texts.append(t)
        grades.append(GradeLine(GRADE_LABELS[g], len(by_grade[g]), texts, unset))
    changes = {"start": "启动", "upgrade": "升级", "downgrade": "降级"}
    phases = [PhaseLine(alerts.LEVEL_NAMES[p["level"]], dt.date.fromisoformat(p["start"]),
                        dt.date.fromisoformat(p["end"]), changes.get(p["change"], p["change"])) for p in episode.phases]
    end = episode.ended_on or episode.end
    return AfterAction(
        issuer=f"{episode.district.name}生态环境局", district=episode.district.name, plan=plan().title,
        level=alerts.LEVEL_NAMES[episode.level], start=episode.start, end=end,
        started_by=episode.started_by.display_name if episode.started_by_id else "—",
        ended_by=episode.ended_by.display_name if episode.ended_by_id else "尚未解除",
        end_note=episode.end_note, phases=phases, reasons=list(episode.reasons), listed=len(lines), grades=grades,
        inspected_units=len({c.entry_id for c in checkins}), checkins=len(checkins),
        complied=sum(1 for c in checkins if c.complied), not_complied=sum(1 for c in checkins if not c.complied),
        findings=[Finding(c.entry.name, c.entry.town.name, f"{timezone.localtime(c.at):%Y-%m-%d %H:%M}",
                          c.inspector.display_name if c.inspector_id else "—", c.note)
                  for c in checkins if not c.complied],
        written_on=end, simulated=episode.is_simulated,
    )


def compliance(episode: Episode) -> dict:
    cs = CheckIn.objects.filter(episode=episode)
    n = cs.count()
    ok = cs.filter(complied=True).count()
    return {"checkins": n, "complied": ok, "not_complied": n - ok,
            "inspected": cs.values("entry").distinct().count(), "listed": len(episode.sheet.get("entries", []))}


def grade_counts(district) -> list[tuple[str, int]]:  # noqa: ANN001
    c = Counter(ListEntry.objects.filter(district=district, active=True).values_list("grade", flat=True))
    return [(GRADE_LABELS[g], c[g]) for g in GRADE_ORDER if c[g]]
