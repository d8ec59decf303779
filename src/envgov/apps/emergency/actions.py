"""Every write of the emergency app (decision 0031): list and measure-table imports (all or nothing), a cell
of the measure table set or cleared, a warning started (the action sheet frozen, the units and towns
concerned told), a check-in recorded, a warning ended. Atomic, checked with `emergency.permissions`,
audited."""
from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from envgov.apps.accounts.models import Unit, UnitAlias, User
from envgov.apps.accounts.scope import require
from envgov.apps.audit import clock
from envgov.apps.audit import log as audit
from envgov.apps.emergency import permissions, services
from envgov.apps.emergency.models import CheckIn, Episode, ListEntry, ListImport, MeasureRule
from envgov.apps.geo.models import Town
from envgov.rules import alerts

ENTRY_FIELDS = ["kind", "name", "credit_code", "town", "industry", "grade", "unit", "measures_yellow",
                "measures_orange", "measures_red", "active"]


class StaleEdit(Exception):
    """Someone else changed the episode after the page was opened."""


def _towns(district) -> dict[str, Town]:  # noqa: ANN001
    out: dict[str, Town] = {}
    for t in Town.objects.filter(district=district):
        out[t.name] = t
        if t.name.endswith("办事处"):
            out.setdefault(t.name.removesuffix("办事处"), t)
        else:
            out.setdefault(t.name + "办事处", t)
    return out


def _units(district) -> dict[str, Unit]:  # noqa: ANN001
    out: dict[str, Unit] = {}
    for u in Unit.objects.filter(district=district):
        out[u.name] = u
        out.setdefault("区" + u.name, u)
    for a in UnitAlias.objects.filter(unit__district=district).select_related("unit"):
        out.setdefault(a.alias, a.unit)
    return out


def _refuse(district, kind: str, name: str, user: User | None, errors: list[dict], rows: int = 0) -> ListImport:  # noqa: ANN001
    return ListImport.objects.create(district=district, kind=kind, file_name=name[:200], uploaded_by=user,
                                     state=ListImport.State.REFUSED, rows=rows,
                                     report={"errors": errors, "error_count": len(errors)})


@transaction.atomic
def import_list(upload: UploadedFile | Path, *, district, acting_user: User | None,  # noqa: ANN001
                is_simulated: bool = False) -> ListImport:
    """The file is the district's list: entries matched by credit code (sites without one by name and town)
    are updated, new ones added, entries not in the file leave the list (kept for past episodes)."""
    from envgov.ingest.emergency_list import read_emergency_list

    if acting_user is not None:
        require(permissions.can_edit_list(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以导入应急减排清单"))
    with tempfile.TemporaryDirectory() as tmp:
        path, name = services.save_upload(upload, tmp)
        got = read_emergency_list(path)
    rows = got.rows
    if got.ok:
        towns, units = _towns(district), _units(district)
        for e in got.entries:
            if e.town not in towns:
                rows.error(e.row, "town", _("「%(value)s」不是本区的街乡镇") % {"value": e.town})
            if e.unit and e.unit not in units:
                rows.error(e.row, "unit", _("「%(value)s」不是本区的责任单位（可在“管理 → 单位”中添加或设置别名）")
                           % {"value": e.unit})
    if not rows.ok:
        return _refuse(district, ListImport.Kind.LIST, name, acting_user, services.errors_of(rows), len(rows.rows))
    existing = list(ListEntry.objects.select_for_update().filter(district=district))
    by_code = {x.credit_code: x for x in existing if x.credit_code}
    by_site = {(x.name, x.town_id): x for x in existing if not x.credit_code}
    kept: set[int] = set()
    created = updated = 0
    for e in got.entries:
        town = towns[e.town]
        values = {"kind": e.kind, "name": e.name, "credit_code": e.code, "town": town, "industry": e.industry,
                  "grade": e.grade, "unit": units[e.unit] if e.unit else None, "active": True,
                  **{f"measures_{lv}": e.measures.get(lv, "") for lv in ("yellow", "orange", "red")}}
        current = by_code.get(e.code) if e.code else by_site.get((e.name, town.pk))
        if current is None:
            entry = ListEntry.objects.create(district=district, is_simulated=is_simulated, **values)
            created += 1
        else:
            before = audit.snapshot(current, ENTRY_FIELDS)
            for k, v in values.items():
                setattr(current, k, v)
            if audit.snapshot(current, ENTRY_FIELDS) != before:
                current.version = F("version") + 1
                current.save()
                updated += 1
            entry = current
        kept.add(entry.pk)
    removed = ListEntry.objects.filter(district=district, active=True).exclude(pk__in=kept).update(active=False)
    record = ListImport.objects.create(district=district, kind=ListImport.Kind.LIST, file_name=name[:200],
                                       uploaded_by=acting_user, state=ListImport.State.ACCEPTED, rows=len(got.entries),
                                       report={"created": created, "updated": updated, "removed": removed,
                                               "warnings": [w.reason for w in rows.warnings]})
    audit.record(actor=acting_user, action="emergency_list_import", obj=record,
                 after={"file_name": name, "rows": len(got.entries), "state": record.state},
                 note=f"新增 {created}，更新 {updated}，移出清单 {removed}")
    return record


@transaction.atomic
def import_measures(upload: UploadedFile | Path, *, district, acting_user: User | None) -> ListImport:  # noqa: ANN001
    """The file replaces the district's measure table."""
    from envgov.ingest.emergency_measures import read_measure_table

    if acting_user is not None:
        require(permissions.can_edit_measures(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以设置减排措施"))
    with tempfile.TemporaryDirectory() as tmp:
        path, name = services.save_upload(upload, tmp)
        table, rows = read_measure_table(path)
    if table is None:
        return _refuse(district, ListImport.Kind.MEASURES, name, acting_user, services.errors_of(rows), len(rows.rows))
    MeasureRule.objects.filter(district=district).delete()
    n = 0
    for (industry, grade, level), ms in table.rows.items():
        for i, m in enumerate(ms):
            MeasureRule.objects.create(district=district, industry=industry, grade=grade, level=level, text=m.text,
                                       cut_percent=Decimal(str(m.cut_percent)) if m.cut_percent is not None else None,
                                       order=i, set_by=acting_user)
            n += 1
    record = ListImport.objects.create(district=district, kind=ListImport.Kind.MEASURES, file_name=name[:200],
                                       uploaded_by=acting_user, state=ListImport.State.ACCEPTED, rows=n,
                                       report={"rules": n})
    audit.record(actor=acting_user, action="emergency_measures_import", obj=record,
                 after={"file_name": name, "rows": n, "state": record.state})
    return record


def _cut(value: str) -> Decimal | None:
    v = (value or "").strip().rstrip("%")
    if not v:
        return None
    try:
        d = Decimal(v)
    except InvalidOperation:
        raise ValidationError({"cut": [_("减排比例「%(value)s」不是数值") % {"value": value}]}) from None
    if not d.is_finite() or not 0 <= d <= 100:
        raise ValidationError({"cut": [_("减排比例应在 0～100 之间，收到 %(value)s") % {"value": value}]})
    return d


@transaction.atomic
def set_measure(district, *, acting_user: User, industry: str, grade: str, level: str, text: str,  # noqa: ANN001
                cut: str = "") -> MeasureRule | None:
    """Set one cell of the table to one measure (empty text clears the cell: it reads 未设置 again)."""
    require(permissions.can_edit_measures(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以设置减排措施"))
    industry, text = (industry or "").strip(), (text or "").strip()
    if grade not in alerts.GRADES:
        raise ValidationError({"grade": [_("请选择绩效分级")]})
    if level not in services.plan().codes:
        raise ValidationError({"level": [_("请选择预警级别")]})
    if len(industry) > 60:
        raise ValidationError({"industry": [_("行业名称不超过 60 个字")]})
    cut_value = _cut(cut)
    if not text and cut_value is not None:
        raise ValidationError({"text": [_("填写减排比例时须同时填写措施")]})
    old = list(MeasureRule.objects.select_for_update().filter(district=district, industry=industry, grade=grade,
                                                              level=level))
    before = {"industry": industry, "grade": grade, "level": level, "text": "；".join(r.text for r in old),
              "cut_percent": "；".join(str(r.cut_percent) for r in old if r.cut_percent is not None)}
    if not text:
        if old:  # the entry points at the first cleared row (kept in the log after the row is gone)
            audit.record(actor=acting_user, action="emergency_measure_clear", obj=old[0], before=before,
                         after={**before, "text": "", "cut_percent": ""})
            MeasureRule.objects.filter(pk__in=[r.pk for r in old]).delete()
        return None
    MeasureRule.objects.filter(pk__in=[r.pk for r in old]).delete()
    rule = MeasureRule.objects.create(district=district, industry=industry, grade=grade, level=level, text=text,
                                      cut_percent=cut_value, set_by=acting_user)
    audit.record(actor=acting_user, action="emergency_measure_set", obj=rule, before=before if old else None,
                 after={"industry": industry, "grade": grade, "level": level, "text": text,
                        "cut_percent": str(cut_value) if cut_value is not None else ""})
    return rule


# ------------------------------------------------------------------------------------ warnings

@transaction.atomic
def start_warning(district, *, acting_user: User | None, result: alerts.Result, episode_number: int = 1,  # noqa: ANN001
                  is_simulated: bool = False, notify: bool = True, at: dt.datetime | None = None) -> Episode:
    """启动预警: the episode `episode_number` of the evaluated forecast, at its highest level; the action sheet
    is built now and kept with the episode; the units and towns on it are told."""
    if acting_user is not None:
        require(permissions.can_start_warning(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以启动预警"))
    found = [e for e in result.episodes if e.number == episode_number]
    if not found:
        raise ValidationError(_("预报没有达到任何预警级别的启动条件，不能启动预警"))
    ep = found[0]
    if Episode.objects.select_for_update().filter(district=district, status=Episode.Status.ACTIVE).exists():
        raise ValidationError(_("本区已有一次预警正在进行：请先解除，再启动新的预警"))
    data = result.to_dict()
    episode = Episode.objects.create(
        district=district, plan_id=result.plan.id, level=ep.level, start=ep.start, end=ep.end,
        reasons=list(ep.reasons), phases=data["episodes"][episode_number - 1]["phases"],
        forecast=data["days"], parameters=data["parameters"], sheet=services.build_sheet(district, ep.level),
        started_by=acting_user, started_at=at or clock.now(), is_simulated=is_simulated)
    audit.record(actor=acting_user, action="emergency_warning_start", obj=episode,
                 after={"level": episode.level, "start": episode.start.isoformat(), "end": episode.end.isoformat(),
                        "status": episode.status}, note=f"任务单列入企业和工地 {len(episode.sheet['entries'])} 家")
    if notify:
        warning_started(episode)
    return episode


def warning_started(episode: Episode) -> list:
    """The reporters of the units and towns on the action sheet get a notice with the link to their part."""
    from envgov.apps.notices.actions import notify
    from envgov.apps.notices.ledger import reporters_of
    from envgov.apps.notices.models import Notice

    lines = episode.sheet.get("entries", [])
    units = Unit.objects.filter(pk__in={x["unit_id"] for x in lines if x["unit_id"]})
    towns = Town.objects.filter(pk__in={x["town_id"] for x in lines})
    people = reporters_of(units=units, towns=towns)
    leaders = User.objects.filter(role=User.Role.UNIT_LEADER, is_active=True, unit__in=units)
    level = alerts.LEVEL_NAMES[episode.level]
    title = _("启动%(level)s：%(start)s 至 %(end)s") % {"level": level, "start": f"{episode.start:%Y-%m-%d}",
                                                     "end": f"{episode.end:%Y-%m-%d}"}
    body = _("%(district)s启动%(level)s。请按任务单落实本单位、本街乡镇应急减排清单内企业和工地的减排措施，"
             "预警期间开展巡查并打卡。") % {"district": episode.district.name, "level": level}
    return notify([*people, *leaders], kind=Notice.Kind.EMERGENCY_WARNING, title=title, body=body,
                  url=reverse("emergency_episode", args=[episode.pk]), subject=episode,
                  key=f"emergency:{episode.pk}", district=episode.district)


@transaction.atomic
def end_warning(episode: Episode, *, acting_user: User | None, expected_version: int, ended_on: dt.date | None = None,
                note: str = "", at: dt.datetime | None = None) -> Episode:
    if acting_user is not None:
        require(permissions.can_end_warning(acting_user, episode), _("只有本区的系统管理员或统筹协调人员可以解除预警"))
    locked = Episode.objects.select_for_update().get(pk=episode.pk)
    if locked.version != expected_version:
        raise StaleEdit(_("该预警已被他人修改，您的操作未保存。请刷新页面后再提交。"))
    if locked.status != Episode.Status.ACTIVE:
        raise ValidationError(_("该预警已解除"))
    ended_on = ended_on or clock.today()
    if ended_on < locked.start:
        raise ValidationError({"ended_on": [_("解除日期不能早于预警开始日期 %(start)s") % {"start": f"{locked.start:%Y-%m-%d}"}]})
    locked.status, locked.ended_by, locked.ended_on, locked.ended_at = Episode.Status.ENDED, acting_user, ended_on, at or clock.now()
    locked.end_note = (note or "").strip()[:300]
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    audit.record(actor=acting_user, action="emergency_warning_end", obj=locked,
                 before={"status": Episode.Status.ACTIVE}, after={"status": locked.status,
                                                                  "ended_on": ended_on.isoformat(),
                                                                  "end_note": locked.end_note})
    return locked


@transaction.atomic
def record_checkin(episode: Episode, *, acting_user: User | None, entry: ListEntry, at: dt.datetime, complied: bool,
                   note: str = "", photo: UploadedFile | None = None, inspector: User | None = None) -> CheckIn:
    """巡查打卡 at a unit on the episode's action sheet, while the warning is on."""
    inspector = inspector or acting_user
    if acting_user is not None:
        require(permissions.can_check_in(acting_user, episode, entry), _("您不能为该企业或工地巡查打卡"))
    if episode.status != Episode.Status.ACTIVE:
        raise ValidationError(_("该预警已解除，不能再巡查打卡"))
    if entry.pk not in {x["id"] for x in episode.sheet.get("entries", [])}:
        raise ValidationError({"entry": [_("该企业或工地不在本次预警的任务单内")]})
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    local = timezone.localtime(at).date()
    if local < episode.start:
        raise ValidationError({"at": [_("巡查时间早于预警开始日期 %(start)s") % {"start": f"{episode.start:%Y-%m-%d}"}]})
    if at > clock.now() + dt.timedelta(minutes=5):
        raise ValidationError({"at": [_("巡查时间不能晚于现在")]})
    c = CheckIn(episode=episode, entry=entry, at=at, complied=complied, note=(note or "").strip()[:500],
                inspector=inspector)
    if photo is not None:
        c.photo.save(Path(photo.name or "photo.jpg").name, photo, save=False)
    c.save()
    audit.record(actor=acting_user, action="emergency_checkin", obj=c,
                 after={"entry": entry.pk, "at": at.isoformat(), "complied": complied, "note": c.note,
                        "photo": bool(c.photo)})
    return c
