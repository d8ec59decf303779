"""Monitoring data into the platform: file → validation report → observation lake → materialised daily
AQI → the plan's air targets (actual value and status). Computation lives in envgov.engine; this module
only moves results into the database."""
from __future__ import annotations

import datetime as dt
import logging
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.audit import log as audit
from envgov.apps.geo.models import District
from envgov.apps.air import permissions
from envgov.apps.air.models import AirDaily, AirParameter, ExceptionalDay, ObservationImport, Station
from envgov.apps.plans.models import Plan, Target
from envgov.apps.plans.target_figures import TargetFigure
from envgov.engine.lake import Lake
from envgov.ingest.hourly import ingest_file
from envgov.standards import air as std

log = logging.getLogger("envgov.monitoring")
DISTRICT_SET = "全区"
# plan indicator code → key of envgov.engine.air.evaluate()'s result
AIR_TARGET_KEYS = {"pm25_mean": "pm25", "pm10_mean": "pm10", "no2_mean": "no2", "so2_mean": "so2",
                   "o3_8h_p90": "o3_8h_p90", "co_p95": "co_p95", "good_day_ratio": "good_ratio",
                   "heavy_pollution_days": "heavy_days"}
EXCEPTIONAL_FLAG = "扣除沙尘"
MAX_STORED_ERRORS = 100_000  # located errors kept with a refused import for the CSV download
TEMPLATE_HEADER = ("站点", "时间", "PM2.5", "PM10", "SO2", "NO2", "CO", "O3")  # profile zh-wide


def template_csv() -> bytes:
    """The Chinese-header import template (UTF-8 with BOM so that Excel opens it as UTF-8)."""
    return ("\ufeff" + ",".join(TEMPLATE_HEADER) + "\r\n").encode("utf-8")


def errors_csv(record: ObservationImport) -> bytes:
    """Every located error of a refused import as CSV (行, 列, 原因), UTF-8 with BOM."""
    import csv
    import io

    report = record.report or {}
    rows = report.get("all_errors") or report.get("errors") or []
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["行", "列", "原因"])
    for e in rows:
        w.writerow([e.get("row") or "", e.get("column") or "", e.get("reason")])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def lake() -> Lake:
    return Lake(settings.OBSERVATION_LAKE)  # a folder or an fsspec URL (str: Path would fold s3://)


@dataclass
class ImportOutcome:
    record: ObservationImport
    days_refreshed: int = 0
    targets_updated: int = 0
    error: str = ""  # why an import that passed validation is still 未完成 (the refresh failed)


class ImportRefused(Exception):
    """Finish or undo cannot be done now; the message is the whole (translated) sentence."""


def _source(record: ObservationImport) -> str:
    """The marker the import writes into its lake commit, so an import killed between the lake commit and
    saving the commit's id can still find what it wrote."""
    return f"envgov-import:{record.pk}:{record.file_name}"


def _job(record: ObservationImport):  # noqa: ANN202 - engine.lake.JobLock
    return lake().job(f"import-{record.pk}")


def import_air_file(
    upload: UploadedFile | Path, *, district: District, acting_user: User, profile: str | None = None,
    progress_token: str = "",
) -> ImportOutcome:
    """Validate a file of hourly air data against the district's stations and, when clean, add it to the
    lake (all-or-nothing) and refresh the daily results and targets of the affected period.

    The record exists (未完成) before anything is written and says 已入库 only after the lake write and the
    refresh have both finished; a crash in between leaves it 未完成 for `finish_import` / `undo_import`."""
    require(permissions.can_import_observations(acting_user, district),
            gettext("只有本区的系统管理员或统筹协调人员可以导入监测数据"))
    stations = list(Station.objects.filter(district=district).exclude(kind__in=["water", "noise"])
                    .values_list("code", flat=True))
    name = upload.name if isinstance(upload, (UploadedFile,)) else Path(upload).name
    record = ObservationImport.objects.create(district=district, file_name=name[:200], uploaded_by=acting_user,
                                              state=ObservationImport.State.PENDING,
                                              progress_token=_token(progress_token))
    job = _job(record)
    job.acquire()  # a fresh file: no one else holds it; released when this call ends, or with the process
    try:
        with tempfile.TemporaryDirectory() as tmp:
            if isinstance(upload, Path):
                path = upload
            else:
                path = Path(tmp) / Path(name).name
                with path.open("wb") as fh:
                    for chunk in upload.chunks():
                        fh.write(chunk)
            report = ingest_file(path, profile=profile, stations=stations or None, lake=lake(),
                                 source=_source(record), progress=ProgressWriter(record.pk))
        summary = report.to_dict()
        summary.pop("table", None)
        if report.error_count > len(report.errors):  # the page lists the first rows per group; all downloadable
            summary["all_errors"] = [vars(e) for e in report.all_errors()[:MAX_STORED_ERRORS]]
        record.report, record.appended = summary, report.appended if report.ok else 0
        record.lake_import_id = report.lake_import_id or ""
        if not report.ok:
            record.state = ObservationImport.State.REFUSED
            record.save(update_fields=["report", "appended", "lake_import_id", "state"])
            return ImportOutcome(record)
        record.save(update_fields=["report", "appended", "lake_import_id"])
        try:
            return _finish(record, actor=None)
        except Exception as exc:  # noqa: BLE001 - the lake holds the data; the record says 未完成, truthfully
            log.exception("observation import %s: refresh after the lake write failed", record.pk)
            return ImportOutcome(record, error=str(exc)[:300])
    finally:
        job.release()


def _token(value: str) -> str:
    """The page's progress key: 32 hex characters, or none."""
    value = (value or "").strip().lower()
    return value if len(value) == 32 and all(c in "0123456789abcdef" for c in value) else ""


class ProgressWriter:
    """The reader's `progress(rows_read, fraction)` written to the import record for the page to poll: at
    most twice a second, each an autocommitted one-row update (the import itself commits at its end)."""

    INTERVAL = 0.5

    def __init__(self, record_id: int) -> None:
        self.record_id, self._last = record_id, 0.0

    def __call__(self, rows_read: int, fraction: float) -> None:
        now = time.monotonic()
        if now - self._last < self.INTERVAL and fraction < 1.0:
            return
        self._last = now
        ObservationImport.objects.filter(pk=self.record_id).update(
            rows_read=max(int(rows_read), 0), progress=min(max(float(fraction), 0.0), 1.0))


def import_progress(district: District, token: str) -> dict:
    """What the import page shows while a file is processed: rows read, per cent and time left."""
    token = _token(token)
    record = (ObservationImport.objects.filter(district=district, progress_token=token).order_by("-pk").first()
              if token else None)
    if record is None:
        return {"state": "waiting", "rows_read": 0, "percent": 0, "seconds_left": None}
    elapsed = max((timezone.now() - record.uploaded_at).total_seconds(), 0.0)
    fraction = 1.0 if record.state != ObservationImport.State.PENDING else record.progress
    left = elapsed * (1 - fraction) / fraction if 0 < fraction < 1 else (0 if fraction >= 1 else None)
    return {"state": record.state, "rows_read": record.rows_read, "percent": round(100 * fraction),
            "seconds_left": None if left is None else round(left)}


def _finish(record: ObservationImport, actor: User | None) -> ImportOutcome:
    """Refresh the daily results and targets of what the import's lake commit holds, then mark it 已入库.
    The caller holds the import's job lock."""
    if not record.lake_import_id:
        found = lake().commit_by_source(_source(record))
        record.lake_import_id = found["import_id"] if found else ""
    period = lake().commit_period(record.lake_import_id) if record.lake_import_id else None
    outcome = ImportOutcome(record)
    if period is not None:
        outcome.days_refreshed = refresh_daily(record.district, period[0].date(), period[1].date())
        outcome.targets_updated = refresh_air_targets(record.district)
    elif record.lake_import_id or not record.report.get("ok"):
        # nothing of it in the lake: interrupted before the lake commit (or the commit is gone) — nothing
        # was written, so there is nothing to finish
        return _mark_undone(record, actor, note="导入在写入数据湖之前中断，没有写入任何数据")
    with transaction.atomic():
        done = ObservationImport.objects.filter(pk=record.pk, state=ObservationImport.State.PENDING).update(
            state=ObservationImport.State.ACCEPTED, accepted=True, lake_import_id=record.lake_import_id,
            finished_at=timezone.now())
        if done and actor is not None:
            audit.record(actor=actor, action="import_finish", obj=record,
                         note=f"日报 {outcome.days_refreshed} 条，目标 {outcome.targets_updated} 项")
    record.refresh_from_db()
    return outcome


def _mark_undone(record: ObservationImport, actor: User | None, note: str) -> ImportOutcome:
    with transaction.atomic():
        done = ObservationImport.objects.filter(pk=record.pk, state=ObservationImport.State.PENDING).update(
            state=ObservationImport.State.UNDONE, accepted=False, appended=0, finished_at=timezone.now(),
            report={**(record.report or {}), "undone": note})
        if done:
            audit.record(actor=actor, action="import_undo", obj=record, note=note)
    record.refresh_from_db()
    return ImportOutcome(record)


def is_interrupted(record: ObservationImport) -> bool:
    """未完成 and no process is working on it any more (it was killed, or its refresh failed)."""
    return record.state == ObservationImport.State.PENDING and not _job(record).held_elsewhere()


def _claim(record: ObservationImport):  # noqa: ANN202
    job = _job(record)
    if not job.acquire():
        raise ImportRefused(gettext("该导入正在进行中，请稍后刷新页面查看结果"))
    record.refresh_from_db()
    if record.state != ObservationImport.State.PENDING:
        job.release()
        raise ImportRefused(gettext("该导入已经完成或撤销，无需再处理"))
    return job


def finish_import(record: ObservationImport, *, acting_user: User | None) -> ImportOutcome:
    """Finish an interrupted import: refresh the daily results and targets from what its lake commit holds,
    then 已入库 (or 已撤销 when nothing of it reached the lake). ImportRefused when it is running or done."""
    job = _claim(record)
    try:
        return _finish(record, actor=acting_user)
    finally:
        job.release()


def undo_import(record: ObservationImport, *, acting_user: User | None) -> ImportOutcome:
    """Undo an interrupted import: revoke its lake commit and recompute the days it touched from what the
    lake holds without it; 已撤销. Refused once a later import of the district was accepted (it may rely
    on records of this one that it found already present)."""
    job = _claim(record)
    try:
        later = ObservationImport.objects.filter(district=record.district, pk__gt=record.pk,
                                                 state=ObservationImport.State.ACCEPTED, appended__gt=0)
        if later.exists():
            raise ImportRefused(gettext("此后已有其他导入入库，它可能用到本次导入的数据，只能完成、不能撤销"))
        import_id = record.lake_import_id or (lake().commit_by_source(_source(record)) or {}).get("import_id")
        period = lake().commit_period(import_id) if import_id else None
        if import_id:
            lake().revoke(import_id)
        if period is not None:
            refresh_daily(record.district, period[0].date(), period[1].date())
            refresh_air_targets(record.district)
        return _mark_undone(record, acting_user, note="已撤销未完成的导入，数据湖中的本次数据已移除")
    finally:
        job.release()


def finish_interrupted(districts=None) -> list[ImportOutcome]:  # noqa: ANN001
    """The restart path (management command `finish_imports`): every interrupted import is finished when
    its data reached the lake (it passed validation: finishing is what its uploader asked for), else marked
    已撤销 (nothing was written). One that fails again stays 未完成 for the import page's buttons."""
    pending = ObservationImport.objects.filter(state=ObservationImport.State.PENDING).select_related("district")
    if districts is not None:
        pending = pending.filter(district__in=districts)
    out = []
    for record in pending.order_by("pk"):
        try:
            out.append(finish_import(record, acting_user=None))
        except ImportRefused:
            continue  # running in another process, or finished meanwhile
        except Exception as exc:  # noqa: BLE001 - report it and go on with the others
            log.exception("observation import %s could not be finished", record.pk)
            out.append(ImportOutcome(record, error=str(exc)[:300]))
    return out


AIR_KINDS = ("national", "city", "micro")  # sites with daily results of their own
# the district's assessment set (全区, its targets): 国控/市控 points only — micro-stations (微站) are for
# finding where pollution comes from and for town figures, not for judging the district (HJ 663 评价点位)
ASSESSMENT_KINDS = ("national", "city")


def _district_sites(district: District, kinds: tuple[str, ...] = AIR_KINDS) -> list[str]:
    return list(Station.objects.filter(district=district, kind__in=kinds).values_list("code", flat=True))


@transaction.atomic
def refresh_daily(district: District, start: dt.date, end: dt.date) -> int:
    """Recompute the daily AQI of each station and of the district set for [start, end]."""
    from envgov.engine.air import daily_results

    sites = _district_sites(district)
    if not sites:
        return 0
    hourly = lake().to_wide("air", dt.datetime.combine(start, dt.time()),
                            dt.datetime.combine(end + dt.timedelta(days=1), dt.time()), sites=sites)
    # the days of the range become exactly what the lake holds (none left over from an undone import)
    AirDaily.objects.filter(district=district, day__range=(start, end)).delete()
    if hourly.num_rows == 0:
        return 0
    station_ids = dict(Station.objects.filter(code__in=sites).values_list("code", "pk"))
    rows = []
    in_force = air_parameters(district)
    assessed = _district_sites(district, ASSESSMENT_KINDS)
    for scope, scope_sites in (("site", sites), ("all", assessed)):
        if not scope_sites:
            continue
        with std.parameters.using(in_force):
            table = daily_results(hourly, start, end, sites=scope_sites, scope=scope, set_name=DISTRICT_SET)
        for r in table.to_pylist():
            rows.append(AirDaily(
                district=district, station_id=None if scope == "all" else station_ids.get(r["site"]),
                day=r["day"], edition=r.get("edition") or std.edition_for(r["day"]).key,
                aqi=r.get("aqi"), level=r.get("level"), valid=r.get("valid"),
                primary_pollutants=(r.get("primary") or "")[:40],
                pm25=r.get("pm25"), pm10=r.get("pm10"), so2=r.get("so2"), no2=r.get("no2"), co=r.get("co"),
                o3_8h=r.get("o3_8h"),
            ))
    AirDaily.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def target_period(target: Target) -> tuple[dt.date, dt.date]:
    """The whole period a target is judged over: 1 January of the plan's year to its end."""
    return dt.date(target.plan.year, 1, 1), target.period_end or dt.date(target.plan.year, 12, 31)


def _target_period(target: Target, plan: Plan, last_day: dt.date) -> tuple[dt.date, dt.date]:
    start, end = target_period(target)
    return start, min(end, last_day)


def refresh_air_targets(district: District) -> int:
    """Set actual value and 'as of' of every air target of the district's plans (target_figures)."""
    from envgov.apps.plans import target_figures

    return target_figures.refresh(district, AIR_TARGET_KEYS)


def air_target_figures(district: District, targets: list[Target]) -> dict[int, TargetFigure]:
    """Provider of the air targets' figures (decision 0033): from the lake, computed by the engine to the
    standard (HJ 663 period statistics of the district's station set); judged by the comparator (the
    outlook app projects whether a target can still be met)."""
    from envgov.engine.air import evaluate

    sites = _district_sites(district, ASSESSMENT_KINDS)
    if not sites:
        return {}
    last = AirDaily.objects.filter(district=district, station__isnull=True).order_by("-day").first()
    if last is None:
        return {}
    out: dict[int, TargetFigure] = {}
    # targets of the same period (PM2.5, good days, heavy days of 全年) share one lake read and evaluation
    evaluations: dict[tuple, dict | None] = {}
    in_force = air_parameters(district)
    for target in targets:
        start, end = _target_period(target, target.plan, last.day)
        if end < start:
            continue
        excluded = []
        if EXCEPTIONAL_FLAG in (target.flags or []):
            excluded = list(ExceptionalDay.objects.filter(district=district, day__range=(start, end))
                            .values_list("day", flat=True))
        key = (start, end, tuple(excluded))
        if key not in evaluations:
            hourly = lake().to_wide("air", dt.datetime.combine(start, dt.time()),
                                    dt.datetime.combine(end + dt.timedelta(days=1), dt.time()), sites=sites)
            with std.parameters.using(in_force):
                evaluations[key] = None if hourly.num_rows == 0 else evaluate(
                    hourly, start, end, sites=sites, scope="all", exclude_dates=excluded or None,
                    compare_years=None, set_name=DISTRICT_SET)[DISTRICT_SET]
        result = evaluations[key]
        if result is None:
            continue
        scope_result = result.get("excluding_events") if excluded and result.get("excluding_events") else result
        value = scope_result.get(AIR_TARGET_KEYS[target.indicator.code])
        prov = result["provenance"]
        source = (f"{len(sites)}个站点 · {prov['standards']['assessment']} · 有效天数{result['valid_days']}"
                  + (f" · 扣除沙尘{len(excluded)}天" if excluded else ""))
        out[target.pk] = TargetFigure(value=value, as_of=end, source=source,
                                      basis=_basis(scope_result, prov, start, end, excluded))
    return out


def _basis(res: dict, prov: dict, start: dt.date, end: dt.date, excluded: list) -> dict:
    """The engine's figures behind a target's actual value, kept with it for the projection: the
    unrounded statistics, their valid daily values, valid/good/heavy days, the period and the edition."""
    return {
        "from": start.isoformat(), "to": end.isoformat(), "assessment": prov["standards"]["assessment"],
        "edition": std.edition_for(start).key, "valid_days": res["valid_days"], "good_days": res["good_days"],
        "heavy_days": res["heavy_days"], "unrounded": {k: res["unrounded"].get(k) for k in ("pm25", "pm10", "so2", "no2")},
        "values": {k: res["valid_daily_values"].get(k) for k in ("pm25", "pm10", "so2", "no2")},
        "excluded_days": len(excluded), "rounding": prov["rounding"]["report"],
    }


def air_parameters(district: District) -> dict[str, object]:
    """The district's user-set values of the unconfirmed air rules (rules not set keep their default)."""
    return {p.key: p.value for p in AirParameter.objects.filter(district=district)
            if p.key in std.parameters.BY_KEY}


def air_parameter_rows(district: District) -> list[dict]:
    """Every user-settable rule with its value in force, default and who set it, for the page."""
    rows = {p.key: p for p in AirParameter.objects.filter(district=district).select_related("set_by")}
    out = []
    for p in std.parameters.PARAMETERS:
        row = rows.get(p.key)
        out.append({"parameter": p, "value": row.value if row else p.default, "record": row,
                    "user_set": row is not None and row.value != p.default})
    return out


@dataclass
class ParameterOutcome:
    changed: dict[str, tuple[object, object]]
    days_refreshed: int = 0
    targets_updated: int = 0


@transaction.atomic
def set_air_parameters(district: District, *, acting_user: User, values: Mapping[str, object],
                       reason: str) -> ParameterOutcome:
    """Set the district's values (checked; ValueError with a Chinese message otherwise), log each change,
    and recompute the materialised daily results and the air targets under the new values."""
    require(permissions.can_set_air_parameters(acting_user, district),
            gettext("只有本区的系统管理员或统筹协调人员可以设置标准参数"))
    cleaned = std.parameters.clean(values)
    reason = reason.strip()
    if not reason:
        raise ValueError("请填写依据（如标准原文条款、上级文件或会议纪要）")
    existing = {p.key: p for p in AirParameter.objects.select_for_update().filter(district=district)}
    changed: dict[str, tuple[object, object]] = {}
    for key, new in cleaned.items():
        row = existing.get(key)
        old = row.value if row else std.parameters.DEFAULTS[key]
        if old == new:
            continue
        row = row or AirParameter(district=district, key=key)
        row.value, row.reason, row.set_by = new, reason[:200], acting_user
        row.save()
        label = std.parameters.BY_KEY[key].label
        audit.record(actor=acting_user, action="set_parameter", obj=row, before={"value": old}, after={"value": new},
                     note=f"{label}；依据：{reason}"[:300])
        changed[key] = (old, new)
    outcome = ParameterOutcome(changed)
    if changed:
        span = AirDaily.objects.filter(district=district).order_by("day")
        first, last = span.first(), span.last()
        if first is not None and last is not None:
            outcome.days_refreshed = refresh_daily(district, first.day, last.day)
        outcome.targets_updated = refresh_air_targets(district)
    return outcome
