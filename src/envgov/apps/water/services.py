"""Water data into the platform and the engine's figures out of it (decision 0027).

file → the existing readers (`envgov.ingest.compensation.read_samples` for the template
`site,time,parameter,value,unit`, `envgov.ingest.water_cnemc.read_release` for `cnemc-auto`) → located
report, all-or-nothing → Sample rows. Every class, attainment, main pollutant, share and amount a page shows
is computed here by `envgov.engine.water` / `envgov.rules.compensation` from the stored samples — nothing of
it is stored, so there is one path per figure.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.audit import clock
from envgov.apps.audit import log as audit
from envgov.apps.geo.models import District
from envgov.apps.water import permissions
from envgov.apps.water.models import (
    VALUE_CODES,
    CompensationParameter,
    Sample,
    Section,
    WaterImport,
    WaterParameter,
)

TEMPLATE = "template"
CNEMC = "cnemc-auto"
PROFILES = (TEMPLATE, CNEMC)
TEMPLATE_HEADER = ("site", "time", "parameter", "value", "unit")
# plan indicator codes the water engine computes (plans/data/indicators.yaml)
SECTIONS_ATTAINED = "water_sections_attained"
INFERIOR_V_SECTIONS = "inferior_v_sections"
WATER_TARGET_CODES = (SECTIONS_ATTAINED, INFERIOR_V_SECTIONS)
# which sections a target counts (the plans' wording: 国考和市考断面; 乡镇出境考核断面)
TARGET_LEVELS = {SECTIONS_ATTAINED: ("national", "municipal"), INFERIOR_V_SECTIONS: ("town",)}
MET, WARN, NOT_MET, UNKNOWN = "met", "warn", "not_met", "unknown"
STATUS_WORDS = {MET: gettext_noop("达标"), WARN: gettext_noop("预警"), NOT_MET: gettext_noop("未达标"),
                UNKNOWN: gettext_noop("未知")}


def template_csv() -> bytes:
    """The canonical template (UTF-8 with BOM so that Excel opens it as UTF-8), header only."""
    return ("\ufeff" + ",".join(TEMPLATE_HEADER) + "\r\n").encode("utf-8")


# ------------------------------------------------------------------------------------------ import

@dataclass
class ImportOutcome:
    record: WaterImport
    targets_updated: int = 0


def _sniff_profile(path: Path) -> str:
    """cnemc-auto when the file starts with the release's header (年月,省份,…), else the template."""
    import gzip

    with open(path, "rb") as fh:
        head = fh.read(2)
    opener = gzip.open if head == b"\x1f\x8b" else open
    try:
        with opener(path, "rb") as fh:  # type: ignore[operator]
            first = fh.read(200).decode("utf-8", "ignore").lstrip("\ufeff")
    except OSError:
        return TEMPLATE
    return CNEMC if first.startswith("年月") else TEMPLATE


def import_file(upload: UploadedFile | Path, *, district: District, acting_user: User | None,
                profile: str | None = None) -> ImportOutcome:
    """Check a file of water samples and, when every row is clean, store all of it (else nothing).

    template: sites must be sections of the district, and each must have a target class; cnemc-auto:
    sections the district does not have yet are created with the kind the release's rule gives."""
    if acting_user is not None:
        require(permissions.can_import_samples(acting_user, district),
                gettext("只有本区的系统管理员或统筹协调人员可以导入水质数据"))
    name = upload.name if isinstance(upload, UploadedFile) else Path(upload).name
    with tempfile.TemporaryDirectory() as tmp:
        if isinstance(upload, Path):
            path = upload
        else:
            path = Path(tmp) / Path(name).name
            with path.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
        profile = profile or _sniff_profile(path)
        if profile == CNEMC:
            return _import_cnemc(path, name, district, acting_user)
        return _import_template(path, name, district, acting_user)


def _refuse(district: District, name: str, profile: str, user: User | None, report) -> ImportOutcome:
    _groups(report)
    record = WaterImport.objects.create(district=district, file_name=name[:200], profile=profile,
                                        uploaded_by=user, state=WaterImport.State.REFUSED, report=report.to_dict())
    return ImportOutcome(record)


def _groups(report) -> None:
    if report.error_groups or not report.errors:
        return
    counts: dict[tuple[str | None, str], int] = {}
    for e in report.errors:
        counts[(e.column, e.reason)] = counts.get((e.column, e.reason), 0) + 1
    if len(counts) < len(report.errors):  # only worth a summary when reasons repeat
        report.error_groups = [{"column": c, "reason": r, "count": k} for (c, r), k in counts.items()]


def _aware(when: dt.datetime) -> dt.datetime:
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def _import_template(path: Path, name: str, district: District, user: User | None) -> ImportOutcome:
    from envgov.ingest.compensation import read_samples

    sections = {s.code: s for s in Section.objects.filter(district=district, active=True)}
    samples, report = read_samples(path, set(sections), display_name=name, profile=TEMPLATE)
    if samples is None:
        return _refuse(district, name, TEMPLATE, user, report)
    no_target = set()
    for site, _when, _code, _v, row in samples:
        if sections[site].target is None:
            no_target.add(site)
            report.error(row, "site", gettext("断面“%(code)s”没有目标类别：请先在断面页填写目标类别再导入")
                         % {"code": site})
    if not report.ok:
        return _refuse(district, name, TEMPLATE, user, report)
    rows: dict[tuple[str, dt.datetime], dict[str, Any]] = {}
    for site, when, code, v, row in samples:
        rec = rows.setdefault((site, when), {"row": row, "values": {}, "rows": {}})
        rec["values"][code] = v
        rec["rows"][code] = row
    return _store(district, name, TEMPLATE, user, report, sections, rows, created=0)


def _import_cnemc(path: Path, name: str, district: District, user: User | None) -> ImportOutcome:
    import numpy as np

    from envgov.ingest import water_cnemc

    release = water_cnemc.read_release(path, display_name=name)
    report = release.report
    if not report.ok or release.samples is None:
        return _refuse(district, name, CNEMC, user, report)
    t = release.samples
    times = t["time"].to_numpy(zero_copy_only=False).astype("datetime64[s]")
    timed = ~np.isnat(times)
    untimed = int((~timed).sum())
    if untimed:
        report.warn(None, "监测时间", gettext("%(n)s 条没有监测时间的记录未入库（不能归入月份）") % {"n": untimed})
    codes = [c for c in t.column_names if c not in ("site", "time", "file", "row", "published", "station_status")]
    cols = {c: t[c].to_numpy(zero_copy_only=False) for c in codes}
    sites = t["site"].to_pylist()
    file_rows = t["row"].to_pylist()
    published = t["published"].to_pylist()
    rows: dict[tuple[str, dt.datetime], dict[str, Any]] = {}
    extra_rows: list[tuple[str, dt.datetime, dict[str, Any]]] = []  # a second, different record at one time
    for i in np.nonzero(timed)[0].tolist():
        when = times[i].astype(dt.datetime)
        values = {c: float(cols[c][i]) for c in codes if not np.isnan(cols[c][i])}
        rec = {"row": file_rows[i], "values": values, "published": published[i] or None}
        key = (sites[i], when)
        if key in rows:
            extra_rows.append((sites[i], when, rec))
        else:
            rows[key] = rec
    existing = {s.code: s for s in Section.objects.filter(district=district)}
    created = 0
    with transaction.atomic():
        for code, s in release.sections.sections.items():
            sec = existing.get(code)
            if sec is None:
                existing[code] = Section.objects.create(
                    district=district, code=code[:120], name=s.name[:80], province=s.province[:20],
                    basin=s.basin[:40], kind=s.kind, kind_rule=gettext(s.kind_rule)[:80])
                created += 1
            elif not sec.kind_manual and (sec.kind != s.kind):
                # the rule decides the kind until a person corrects it (用户更正 is never overwritten)
                before = audit.snapshot(sec, ["kind", "kind_rule"])
                sec.kind, sec.kind_rule = s.kind, gettext(s.kind_rule)[:80]
                sec.save(update_fields=["kind", "kind_rule"])
                audit.record(actor=user, action="water_section_kind_rule", obj=sec, before=before,
                             after=audit.snapshot(sec, ["kind", "kind_rule"]), note=gettext("按发布数据的判定规则"))
        outcome = _store(district, name, CNEMC, user, report, existing, rows, created=created, extra=extra_rows)
        refused = outcome.record.state != WaterImport.State.ACCEPTED
        if refused:
            transaction.set_rollback(True)  # nothing half-imported: the new sections go with the refusal
    if refused:
        outcome.record.pk = None  # the refusal itself is kept
        outcome.record.save()
        return outcome
    no_target = sum(1 for s in release.sections.sections if existing[s].target is None)
    if no_target and outcome.record.state == WaterImport.State.ACCEPTED:
        rep = outcome.record.report
        rep.setdefault("warnings", []).append({"file": name, "row": None, "column": None, "reason": gettext(
            "%(n)s 个断面没有目标类别（发布数据不含目标），达标情况为“未知”：请在断面页填写") % {"n": no_target}})
        outcome.record.save(update_fields=["report"])
    return outcome


def _store(district: District, name: str, profile: str, user: User | None, report,
           sections: Mapping[str, Section], rows: Mapping[tuple[str, dt.datetime], Mapping[str, Any]],
           created: int, extra: Iterable[tuple[str, dt.datetime, Mapping[str, Any]]] = ()) -> ImportOutcome:
    """Compare with what the district already holds (a different value at the same section, time and item
    is a located error; the same value is already present), then write every new sample in one transaction."""
    records = [(site, when, rec) for (site, when), rec in rows.items()] + list(extra)
    codes = {r[0] for r in records}
    stored: dict[tuple[str, dt.datetime], list[Sample]] = {}
    if records:
        lo, hi = min(r[1] for r in records), max(r[1] for r in records)
        for s in Sample.objects.filter(section__district=district, section__code__in=codes,
                                       time__range=(_aware(lo), _aware(hi))).select_related("section"):
            stored.setdefault((s.section.code, timezone.localtime(s.time).replace(tzinfo=None)), []).append(s)
    new: list[Sample] = []
    fill: list[Sample] = []
    present = 0

    def have(sample: Sample, code: str):
        return getattr(sample, code) if code in VALUE_CODES else sample.extra.get(code)

    for site, when, rec in records:
        olds = stored.get((site, when), [])
        values = rec["values"]
        if not olds:
            new.append(_sample(sections[site], when, rec))
            continue
        # the stored record this one repeats (every item it has equal; items it lacks may be added)
        match = next((o for o in olds if all(have(o, c) is None or float(have(o, c)) == float(v)
                                             for c, v in values.items())), None)
        if match is None:
            old = olds[0]
            for code, v in values.items():
                if have(old, code) is not None and float(have(old, code)) != float(v):
                    report.error(rec.get("rows", {}).get(code, rec["row"]), code, gettext(
                        "与已入库数据不同：断面 %(site)s %(time)s %(item)s 已有 %(old)s，本文件为 %(new)s（平台不覆盖已入库数据）")
                        % {"site": site, "time": f"{when:%Y-%m-%d %H:%M}", "item": code,
                           "old": format(have(old, code), "g"), "new": format(v, "g")})
            continue
        present += sum(1 for c in values if have(match, c) is not None)
        added = {c: v for c, v in values.items() if have(match, c) is None}
        if added:
            for code, v in added.items():
                if code in VALUE_CODES:
                    setattr(match, code, v)
                else:
                    match.extra[code] = v
            if match not in fill:
                fill.append(match)
    if not report.ok:
        return _refuse(district, name, profile, user, report)
    report.already_present = present
    report.appended = len(new) + len(fill)
    with transaction.atomic():
        record = WaterImport.objects.create(district=district, file_name=name[:200], profile=profile,
                                            uploaded_by=user, state=WaterImport.State.ACCEPTED,
                                            samples=len(new), sections_created=created, report=report.to_dict())
        for s in new:
            s.source = record
        Sample.objects.bulk_create(new, batch_size=2000)
        if fill:
            Sample.objects.bulk_update(fill, [*VALUE_CODES, "extra"], batch_size=2000)
        audit.record(actor=user, action="water_import", obj=record,
                     note=gettext("新增样品 %(n)s 条，补充 %(m)s 条，新增断面 %(c)s 个")
                     % {"n": len(new), "m": len(fill), "c": created})
        updated = refresh_water_targets(district)
    return ImportOutcome(record, updated)


def _sample(section: Section, when: dt.datetime, rec: Mapping[str, Any]) -> Sample:
    values = rec["values"]
    return Sample(section=section, time=_aware(when), row=rec.get("row"), published_class=rec.get("published"),
                  extra={c: v for c, v in values.items() if c not in VALUE_CODES},
                  **{c: values.get(c) for c in VALUE_CODES})


# ------------------------------------------------------------------------------------------ parameters

def water_parameters(district_id: int | None) -> dict[str, object]:
    """The district's values of the unconfirmed assessment rules (the others keep envgov's default)."""
    from envgov.standards.water import parameters

    if district_id is None:
        return {}
    return {p.key: p.value for p in WaterParameter.objects.filter(district_id=district_id)
            if p.key in parameters.BY_KEY}


def _in_force(district_id: int | None):  # noqa: ANN202 - a context manager
    from envgov.standards.water import parameters

    return parameters.using(water_parameters(district_id))


def water_parameter_rows(district: District) -> list[dict[str, Any]]:
    """Every user-settable assessment rule with its value in force, default and who set it, for the page."""
    from envgov.standards.water import parameters

    rows = {p.key: p for p in WaterParameter.objects.filter(district=district).select_related("set_by")}
    return [{"parameter": p, "value": rows[p.key].value if p.key in rows else p.default, "record": rows.get(p.key),
             "user_set": p.key in rows and rows[p.key].value != p.default} for p in parameters.PARAMETERS]


@transaction.atomic
def set_water_parameters(district: District, *, acting_user: User, values: Mapping[str, object],
                         reason: str) -> dict[str, tuple[object, object]]:
    """Set the district's values (checked by `parameters.clean`; ValueError with a Chinese message), log each
    change with its reason, and recompute the water targets under the new values."""
    from envgov.standards.water import parameters

    require(permissions.can_set_water_parameters(acting_user, district),
            gettext("只有本区的系统管理员或统筹协调人员可以设置水质评价参数"))
    cleaned = parameters.clean(values)
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(gettext("请填写依据（如标准原文条款、上级文件或会议纪要）"))
    existing = {p.key: p for p in WaterParameter.objects.select_for_update().filter(district=district)}
    changed: dict[str, tuple[object, object]] = {}
    for key, new in cleaned.items():
        row = existing.get(key)
        old = row.value if row else parameters.DEFAULTS[key]
        if old == new:
            continue
        row = row or WaterParameter(district=district, key=key)
        row.value, row.reason, row.set_by = new, reason[:200], acting_user
        row.save()
        audit.record(actor=acting_user, action="set_parameter", obj=row, before={"value": old}, after={"value": new},
                     note=f"{parameters.BY_KEY[key].label}；依据：{reason}"[:300])
        changed[key] = (old, new)
    if changed:
        refresh_water_targets(district)
    return changed


# ------------------------------------------------------------------------------------------ engine

def _wide(sections: Iterable[Section], start: dt.date | None = None, end: dt.date | None = None):
    """The sections' samples as the engine's wide table (site = section code, local time)."""
    import pyarrow as pa

    ids = {s.pk: s.code for s in sections}
    qs = Sample.objects.filter(section_id__in=ids)
    if start is not None:
        qs = qs.filter(time__gte=_aware(dt.datetime.combine(start, dt.time())))
    if end is not None:
        qs = qs.filter(time__lt=_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time())))
    rows = list(qs.order_by("section_id", "time").values_list("section_id", "time", *VALUE_CODES))
    tz = timezone.get_current_timezone()
    return pa.table({
        "site": pa.array([ids[r[0]] for r in rows], pa.string()),
        "time": pa.array([r[1].astimezone(tz).replace(tzinfo=None) for r in rows], pa.timestamp("s")),
        **{c: pa.array([r[i + 2] for r in rows], pa.float64()) for i, c in enumerate(VALUE_CODES)},
    })


@dataclass
class PeriodResult:
    """The engine's figures of one section over one period (a month, or a target's period)."""

    section: Section
    period: str
    samples: int
    cls: int  # 0 = not assessable
    label: str
    status: str
    attained: bool | None
    primary: list[str]
    exceedances: dict[str, float] = field(default_factory=dict)  # items over the target, multiple vs target

    @property
    def worse_than_v(self) -> bool:
        return self.cls == 6

    @property
    def exceedance_text(self) -> list[str]:
        """"氨氮(0.4)": the items over the target with their multiple against the target class's limit,
        written as the method writes main pollutants (DO and pH by name)."""
        from envgov.standards.water.assess import format_pollutant

        return [format_pollutant(k, float("nan") if v is None else v) for k, v in self.exceedances.items()]


def evaluate(sections: Iterable[Section], period: str = "month", start: dt.date | None = None,
             end: dt.date | None = None) -> list[PeriodResult]:
    """Class, 水质状况, attainment, main pollutants and target exceedances of each section's period means
    (评价办法 §2.2) — `envgov.engine.water` throughout, under the district's values of the unconfirmed rules."""
    sections = list(sections)
    if not sections:
        return []
    with _in_force(sections[0].district_id):
        return _evaluate(sections, period, start, end)


def _evaluate(sections: list[Section], period: str, start: dt.date | None, end: dt.date | None
              ) -> list[PeriodResult]:
    import numpy as np

    from envgov.engine import water
    from envgov.standards.water.tables import CLASS_LABELS, STATUS

    by_code = {s.code: s for s in sections}
    wide = _wide(sections, start, end)
    if wide.num_rows == 0:
        return []
    means = water.period_means(wide, period, codes=list(VALUE_CODES))
    kinds = {s.code: s.kind for s in sections}
    lake = water.lake_mask(means["site"], kinds)
    result = water.classify(means, lake)
    target = water.targets_of(means["site"], {s.code: s.target for s in sections})
    met = water.attainment(result.cls, target)
    over = water.target_exceedances(means, lake, target, result)
    primary = result.primary_text()
    out = []
    for i, (site, per, n) in enumerate(zip(means["site"].to_pylist(), means["period"].to_pylist(),
                                           means["samples"].to_pylist())):
        c = int(result.cls[i])
        out.append(PeriodResult(by_code[site], per, int(n), c, CLASS_LABELS.get(c, ""), STATUS[c].word if c else "",
                                {1: True, 0: False, -1: None}[int(met[i])], primary[i],
                                {k: (None if np.isnan(v) else v) for k, v in over[i].items()}))
    return out


@dataclass
class SampleResult:
    time: dt.datetime
    label: str
    status: str
    published: str  # the release's own class, "" when none
    primary: list[str]


def sample_classes(section: Section, limit: int = 30) -> list[SampleResult]:
    """The class of each of the section's latest samples (single factor per sample, the engine's classify)."""
    import pyarrow as pa

    from envgov.engine import water
    from envgov.standards.water.tables import CLASS_LABELS, STATUS

    rows = list(Sample.objects.filter(section=section).order_by("-time")[:limit]
                .values_list("time", "published_class", *VALUE_CODES))[::-1]
    if not rows:
        return []
    wide = pa.table({"site": pa.array([section.code] * len(rows), pa.string()),
                     **{c: pa.array([r[i + 2] for r in rows], pa.float64()) for i, c in enumerate(VALUE_CODES)}})
    with _in_force(section.district_id):
        result = water.classify(wide, water.lake_mask(wide["site"], {section.code: section.kind}))
        primary = result.primary_text()
    return [SampleResult(timezone.localtime(r[0]), CLASS_LABELS.get(int(c), ""), STATUS[int(c)].word if c else "",
                         CLASS_LABELS.get(r[1] or 0, ""), p) for r, c, p in zip(rows, result.cls.tolist(), primary)]


def district_sections(district: District) -> list[Section]:
    return list(Section.objects.filter(district=district, active=True).select_related("town", "inflow")
                .order_by("code"))


def months_with_data(district: District) -> list[str]:
    """YYYY-MM of every month with a sample, up to the ledger's today."""
    today = clock.today()
    seen = {t.strftime("%Y-%m") for t in  # months in the current (local) time zone
            Sample.objects.filter(section__district=district).dates("time", "month")}
    return sorted(m for m in seen if m <= today.strftime("%Y-%m"))


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    y, m = (int(x) for x in month.split("-"))
    first = dt.date(y, m, 1)
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def month_overview(district: District, month: str) -> dict[str, Any]:
    """Each section's class of the month with the district's shares (≥ Ⅲ, 劣Ⅴ) — the list page."""
    from envgov.engine import water

    sections = district_sections(district)
    start, end = month_bounds(month)
    results = {r.section.code: r for r in evaluate(sections, "month", start, end)}
    import numpy as np

    share = water.shares(np.array([r.cls for r in results.values()], dtype=np.int8))
    rating = None
    wide = _wide(sections, start, end)
    if wide.num_rows:  # the district rated from its sections (评价办法: proportion method from 5 sections)
        with _in_force(district.pk):
            means = water.period_means(wide, "month", codes=list(VALUE_CODES))
            rating = water.rate_sections(means, water.lake_mask(means["site"], {s.code: s.kind for s in sections}))
    return {"rows": [(s, results.get(s.code)) for s in sections], "shares": share, "rating": rating,
            "attained": sum(1 for r in results.values() if r.attained),
            "with_target": sum(1 for r in results.values() if r.attained is not None)}


# ------------------------------------------------------------------------------------------ targets

@dataclass
class TargetCheck:
    """A water target's figure from the engine, its status and where it came from."""

    target: Any
    value: int | None
    as_of: dt.date | None
    status: str
    reason: str
    source: str
    counted: list[PeriodResult] = field(default_factory=list)

    @property
    def status_word(self) -> str:
        return STATUS_WORDS[self.status]


def water_targets(district: District) -> list[Any]:
    from envgov.apps.plans.models import Target

    return list(Target.objects.filter(plan__district=district, indicator__code__in=WATER_TARGET_CODES)
                .select_related("plan", "indicator").order_by("plan__year", "id"))


def check_target(target, district: District) -> TargetCheck:
    """The target's actual value (a count of sections) from the engine over its period so far, and
    达标 / 预警 / 未达标 by the rule of decision 0027:

    * the period is over: the count against the target by its comparator (达标 / 未达标);
    * the period is running: the count of the period so far meets the target and every counted section's
      latest month does too → 达标; it meets the target but some counted section's latest month does not
      (fails its class, or is 劣Ⅴ) → 预警; it does not meet the target → 未达标 (so far)."""
    from envgov.rules.ledger import target_status

    code = target.indicator.code
    plan = target.plan
    levels = TARGET_LEVELS[code]
    sections = [s for s in district_sections(district) if s.level in levels]
    start = dt.date(plan.year, 1, 1)
    period_end = target.period_end or dt.date(plan.year, 12, 31)
    months = [m for m in months_with_data(district) if start.strftime("%Y-%m") <= m <= period_end.strftime("%Y-%m")]
    level_words = "、".join(str(Section.Level(lv).label) for lv in levels)
    if not sections or not months:
        why = gettext("本区没有%(levels)s断面") % {"levels": level_words} if not sections else \
            gettext("计划年度内没有水质样品")
        return TargetCheck(target, None, None, UNKNOWN, why, "")
    last_start, last_end = month_bounds(months[-1])
    as_of = min(last_end, period_end, clock.today())
    whole = evaluate(sections, "all", start, as_of)
    latest = {r.section.code: r for r in evaluate(sections, "month", last_start, last_end)}
    if code == SECTIONS_ATTAINED:
        counted = [r for r in whole if r.attained is not None]
        value = sum(1 for r in counted if r.attained)
        no_target = [s.name for s in sections if s.target is None]
        flagged = [r.section.name for r in latest.values() if r.attained is False]
        what = gettext("达到目标类别的断面")
    else:
        counted = whole
        value = sum(1 for r in whole if r.worse_than_v)
        no_target = []
        flagged = [r.section.name for r in latest.values() if r.worse_than_v]
        what = gettext("劣Ⅴ类断面")
    ok = target_status(target.comparator, target.value, Decimal(value))
    over = as_of >= period_end
    last_label = f"{int(months[-1][:4])}年{int(months[-1][5:])}月"
    if ok == "met" and (over or not flagged):
        status = MET
        reason = gettext("%(what)s %(n)s 个，目标 %(cmp)s %(value)s 个") % {
            "what": what, "n": value, "cmp": target.get_comparator_display(), "value": target.value}
    elif ok == "met":
        status = WARN
        reason = gettext("年度至今%(what)s %(n)s 个，满足目标；但%(month)s %(names)s不满足，需关注") % {
            "what": what, "n": value, "month": last_label, "names": "、".join(flagged)}
    else:
        status = NOT_MET
        reason = gettext("%(what)s %(n)s 个，目标 %(cmp)s %(value)s 个") % {
            "what": what, "n": value, "cmp": target.get_comparator_display(), "value": target.value}
        if not over:
            reason += gettext("（截至 %(day)s）") % {"day": as_of.isoformat()}
    if no_target:
        reason += gettext("；没有目标类别、未计入：%(names)s") % {"names": "、".join(no_target)}
    source = gettext("%(n)s个%(levels)s断面 · %(start)s至%(end)s各项目均值 · GB 3838-2002 · 环办〔2011〕22号") % {
        "n": len(sections), "levels": level_words, "start": start.isoformat(), "end": as_of.isoformat()}
    return TargetCheck(target, value, as_of, status, reason, source[:200], counted)


def refresh_water_targets(district: District) -> int:
    """Write each water target's actual value, as-of day, source and status (target_figures, audited)."""
    from envgov.apps.plans import target_figures

    return target_figures.refresh(district, WATER_TARGET_CODES)


def water_target_figures(district: District, targets: list[Any]) -> dict[int, Any]:
    """Provider of the water targets' figures (decision 0033): check_target's count, status and reason."""
    from envgov.apps.plans.target_figures import TargetFigure

    out = {}
    for target in targets:
        check = check_target(target, district)
        out[target.pk] = TargetFigure(value=check.value, as_of=check.as_of, source=check.source,
                                      status=check.status, reason=check.reason)
    return out


# ------------------------------------------------------------------------------------------ compensation

def compensation_sections(district: District, level: str) -> dict[str, Any]:
    """The district's cross-boundary sections of a rule set's level as the rules' `Section` records."""
    from envgov.rules import compensation as comp

    out = {}
    for s in district_sections(district):
        if s.boundary != level or not s.upstream or not s.downstream or s.target is None:
            continue
        out[s.code] = comp.Section(code=s.code, target=s.target, payer=s.upstream, receiver=s.downstream,
                                   name=s.name, river=s.river, kind=s.kind,
                                   inflow=s.inflow.code if s.inflow_id else None)
    return out


def compensation_values(district: District, codes: Iterable[str]):
    """Monthly means of every parameter at the given sections (the engine's period means)."""
    from envgov.ingest.compensation import monthly_values

    sections = list(Section.objects.filter(district=district, code__in=list(codes)))
    wide = _wide(sections)
    samples = []
    cols = {c: wide[c].to_pylist() for c in VALUE_CODES}
    for i, (site, when) in enumerate(zip(wide["site"].to_pylist(), wide["time"].to_pylist())):
        for c in VALUE_CODES:
            if cols[c][i] is not None:
                samples.append((site, when, c, cols[c][i]))
    with _in_force(district.pk):  # period means: `period_min_samples`
        return monthly_values(samples)


def compensation_params(district: District, rule_id: str) -> dict[str, object]:
    """The district's typed values of a rule set's user-set parameters."""
    out: dict[str, object] = {}
    for p in CompensationParameter.objects.filter(district=district, rule_set=rule_id):
        out[p.key] = tuple(p.value) if isinstance(p.value, list) else p.value
    return out


def parameter_records(district: District, rule_id: str) -> dict[str, CompensationParameter]:
    return {p.key: p for p in CompensationParameter.objects.filter(district=district, rule_set=rule_id)
            .select_related("set_by")}


@dataclass
class LedgerResult:
    rule_set: Any
    month: str
    ledger: Any = None  # comp.Ledger
    what_if: Any = None  # comp.WhatIf
    missing: Any = None  # comp.MissingParameter
    error: str = ""


def ledger(district: District, rule_id: str, month: str, changes: Mapping[str, Decimal] | None = None,
           payer: str | None = None) -> LedgerResult:
    """The month's ledger of a rule set over the district's sections and stored samples (and a what-if)."""
    from envgov.rules import compensation as comp

    rules = comp.rule_set(rule_id)
    out = LedgerResult(rules, month)
    sections = compensation_sections(district, rules.level)
    if not sections:
        out.error = gettext("本区没有%(level)s跨界断面（断面页的“跨界类型”、上游、下游和目标类别都要填写）") % {
            "level": gettext("区界") if rules.level == "district" else gettext("乡镇界")}
        return out
    values = compensation_values(district, {*sections, *(s.inflow for s in sections.values() if s.inflow)})
    params = compensation_params(district, rule_id)
    try:
        if changes:
            out.what_if = comp.what_if(rules, sections, values, month, params, changes, payer or None)
            out.ledger = out.what_if.baseline
        else:
            out.ledger = comp.evaluate(rules, sections, values, month, params)
    except comp.MissingParameter as exc:
        out.missing = exc
    except ValueError as exc:
        out.error = str(exc)
    return out


@dataclass
class ParameterOutcome:
    changed: dict[str, tuple[object, object]]
    targets_updated: int = 0


@transaction.atomic
def set_compensation_parameters(district: District, *, acting_user: User, rule_id: str,
                                values: Mapping[str, str], reason: str) -> ParameterOutcome:
    """Set (a non-empty value) or clear (an empty one) the district's values of a rule set's user-set
    parameters, checked by `clean_params`; each change is logged with its reason."""
    from envgov.rules import compensation as comp

    require(permissions.can_set_compensation_parameters(acting_user, district),
            gettext("只有本区的系统管理员或统筹协调人员可以设置补偿参数"))
    rules = comp.rule_set(rule_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(gettext("请填写依据（如本区补偿办法条款、上级文件或会议纪要）"))
    given = {k: str(v).strip() for k, v in values.items() if k in rules.parameters}
    cleaned = comp.clean_params(rules, {k: v for k, v in given.items() if v})
    existing = parameter_records(district, rule_id)
    changed: dict[str, tuple[object, object]] = {}
    for key, text in given.items():
        row = existing.get(key)
        old = row.value if row else None
        new = cleaned.get(key)
        new_json = list(new) if isinstance(new, tuple) else new
        if old == new_json:
            continue
        label = comp.PARAMETERS[key].label
        if new is None:
            before = {"value": old}
            row.delete()  # type: ignore[union-attr]
            audit.record(actor=acting_user, action="compensation_parameter_clear", obj=district, before=before,
                         after={"value": None},
                         note=f"{rule_id} {key}（{label}）清除；依据：{reason}"[:300])
        else:
            row = row or CompensationParameter(district=district, rule_set=rule_id, key=key)
            row.value, row.reason, row.set_by = new_json, reason[:200], acting_user
            row.save()
            audit.record(actor=acting_user, action="set_parameter", obj=row, before={"value": old},
                         after={"value": new_json}, note=f"{rule_id} {key}（{label}）；依据：{reason}"[:300])
        changed[key] = (old, new_json)
    return ParameterOutcome(changed)


def translate(reason) -> str:
    """A rules' message in the user's language (its template is a msgid)."""
    text = gettext(reason.template)
    return text % dict(reason.values) if reason.values else text


def reasoning(line) -> str:
    return "；".join(translate(r) for r in line.reasons) + "。"
