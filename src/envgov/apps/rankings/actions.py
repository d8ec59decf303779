"""Changes of town rankings: the district's weighting and ranking settings, monthly town measures
(entered one by one or imported all-or-nothing), and 督办 for the towns a ranking flags. Each change
checks its named permission and is written to the audit log."""
from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.audit import clock
from envgov.apps.audit import log as audit
from envgov.apps.geo.models import District, Town
from envgov.apps.plans.models import Plan, Task
from envgov.apps.rankings import measures, permissions
from envgov.apps.rankings.models import RankingSettings, SiteWeighting, TownMeasure
from envgov.apps.rankings.services import Ranking
from envgov.reports.xlsx import CellError
from envgov.rules import bounds, ledger
from envgov.rules import ranking as rules

SETTING_FIELDS = ["bottom_n", "min_completeness", "weighting_mode", "partial_month", "composite", "change_digits",
                  "composite_digits", "reason"]


def _number(raw: object, label: str, *, minimum: float, maximum: float) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(label)s：应为数字，收到“%(raw)s”") % {"label": label, "raw": raw}) from None
    if not value.is_finite() or not minimum <= value <= maximum:
        raise ValidationError(_("%(label)s：应在 %(min)s–%(max)s 之间") % {"label": label, "min": minimum, "max": maximum})
    return value


def _integer(raw: object, label: str, *, minimum: int, maximum: int) -> int:
    value = _number(raw, label, minimum=minimum, maximum=maximum)
    if value != value.to_integral_value():
        raise ValidationError(_("%(label)s：应为整数") % {"label": label})
    return int(value)


@transaction.atomic
def set_settings(district: District, *, acting_user: User, weights: dict[str, object], bottom_n: object,
                 min_completeness: object, weighting_mode: str, partial_month: str,
                 composite: dict[str, dict[str, object]], change_digits: object = 1, composite_digits: object = 2,
                 reason: str = "") -> RankingSettings:
    """Save the district's settings (all checked first: a refused value saves nothing)."""
    require(permissions.can_set_ranking_settings(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以修改排名设置"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写依据（如上级文件、会议纪要）"))
    kind_label = dict(SiteWeighting._meta.get_field("kind").choices)
    clean_weights = {k: _number(weights.get(k, 1), _("%(kind)s权重") % {"kind": kind_label[k]}, minimum=0, maximum=100)
                     for k in rules.STATION_KINDS}
    if not any(clean_weights.values()):
        raise ValidationError(_("站点权重不能全为 0"))
    if weighting_mode not in RankingSettings.WeightingMode.values:
        raise ValidationError(_("站点加权方式无效"))
    if partial_month not in RankingSettings.PartialMonth.values:
        raise ValidationError(_("不完整月份的有效性设置无效"))
    try:
        clean_composite = rules.clean_composite(composite)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    values = {
        "bottom_n": _integer(bottom_n, _("排名靠后标记个数"), minimum=0, maximum=100),
        "min_completeness": _number(min_completeness, _("最低数据完整率"), minimum=0, maximum=1).quantize(Decimal("0.001")),
        "weighting_mode": weighting_mode, "partial_month": partial_month, "composite": clean_composite,
        "change_digits": _integer(change_digits, _("变化率保留小数位数"), minimum=0, maximum=3),
        "composite_digits": _integer(composite_digits, _("综合指数保留小数位数"), minimum=0, maximum=4),
        "reason": reason[:200],
    }
    record = RankingSettings.objects.select_for_update().filter(district=district).first()
    created = record is None
    record = record or RankingSettings(district=district)
    before = None if created else audit.snapshot(record, SETTING_FIELDS)
    for k, v in values.items():
        setattr(record, k, v)
    record.set_by = acting_user
    if not created:
        record.version += 1
    record.save()
    audit.record(actor=acting_user, action="set_parameter", obj=record, before=before or {},
                 after=audit.snapshot(record, SETTING_FIELDS), note=reason[:300])
    existing = {w.kind: w for w in SiteWeighting.objects.select_for_update().filter(district=district)}
    for kind, weight in clean_weights.items():
        row = existing.get(kind)
        old = row.weight if row else Decimal(1)
        if Decimal(old) == weight:
            continue
        row = row or SiteWeighting(district=district, kind=kind)
        row.weight, row.set_by = weight, acting_user
        row.save()
        audit.record(actor=acting_user, action="set_parameter", obj=row, before={"weight": str(old)},
                     after={"weight": str(weight)}, note=reason[:300])
    return record


# ------------------------------------------------------------------------- measures

def _check_month(month: dt.date) -> dt.date:
    if month > clock.today():
        raise ValidationError({"month": _("%(month)s 尚未开始") % {"month": f"{month:%Y-%m}"}})
    bounds.date(month, "月份")
    return month.replace(day=1)


def _write(district: District, town_id: int, indicator: str, month: dt.date, value: Decimal, digits: int,
           source: str, actor: User, note: str) -> str:
    """Create or change one measure; "added", "changed" or "unchanged"."""
    row = TownMeasure.objects.select_for_update().filter(town_id=town_id, indicator=indicator, month=month).first()
    if row is not None and row.value == value and row.digits == digits and row.source == source:
        return "unchanged"
    before = audit.snapshot(row, ["value", "digits", "source"]) if row else {}
    if row is None:
        row = TownMeasure(district=district, town_id=town_id, indicator=indicator, month=month)
    else:
        row.version += 1
    row.value, row.digits, row.source, row.entered_by, row.is_simulated = value, digits, source, actor, False
    row.save()
    audit.record(actor=actor, action="update" if before else "create", obj=row, before=before,
                 after=audit.snapshot(row, ["value", "digits", "source"]), note=note)
    return "changed" if before else "added"


@transaction.atomic
def save_measure(district: District, *, acting_user: User, town: Town, indicator: str, month: dt.date,
                 value: str, source: str = "") -> str:
    """One value entered on the page; ValidationError (Chinese, by field) when refused."""
    require(permissions.can_enter_measures(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以录入"))
    if town.district_id != district.pk:
        raise ValidationError({"town": _("该街乡镇不属于本区")})
    if indicator not in TownMeasure.Indicator.values:
        raise ValidationError({"indicator": _("未知指标")})
    month = _check_month(month)
    try:
        number, digits = measures.parse_value(value, rules.INDICATORS[indicator].label)
    except bounds.OutOfBounds as exc:
        raise ValidationError({"value": exc.problem.text(_)}) from None
    return _write(district, town.pk, indicator, month, number, digits, (source or "").strip()[:200], acting_user,
                  _("页面录入"))


@dataclass
class ImportOutcome:
    file_name: str
    errors: list[CellError] = field(default_factory=list)
    added: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def town_lookup(district: District) -> dict[str, int]:
    out: dict[str, int] = {}
    for pk, name, official, code in Town.objects.filter(district=district).values_list("pk", "name", "official_name", "code"):
        for key in (name, official, code):
            if key:
                out.setdefault(key.strip(), pk)
    return out


def _as_utf8(data: bytes) -> bytes:
    """A text upload in the encodings envgov.web.uploads accepts (UTF-8, else GB18030/GBK), as UTF-8, so the
    reader never has to guess the encoding of a short file."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding).encode("utf-8")
        except UnicodeDecodeError:
            continue
    return data


def import_measures(upload, *, district: District, acting_user: User) -> ImportOutcome:  # noqa: ANN001
    """All or nothing: the file is read and checked whole; with any located error nothing is written.
    The caller has passed the upload through envgov.web.uploads.check_upload."""
    require(permissions.can_import_measures(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以导入"))
    name = getattr(upload, "name", "") or "measures.csv"
    outcome = ImportOutcome(name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(name).name
        data = b"".join(upload.chunks())
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            data = _as_utf8(data)
        path.write_bytes(data)
        parsed = measures.parse_file(path, town_lookup(district), clock.today())
    if parsed.errors:
        outcome.errors = parsed.errors
        return outcome
    note = _("文件导入：%(name)s") % {"name": name}
    with transaction.atomic():
        for r in parsed.rows:
            result = _write(district, r.town_id, r.indicator, r.month, r.value, r.digits, r.source, acting_user,
                            f"{note} 第{r.row}行"[:300])
            setattr(outcome, result, getattr(outcome, result) + 1)
    return outcome


# ------------------------------------------------------------------------- 督办 for the bottom towns

@dataclass
class SupervisionOutcome:
    opened: list = field(default_factory=list)
    existing: list = field(default_factory=list)


def cause_key(ranking: Ranking) -> str:
    return f"{ranking.indicator}:{ranking.by}:{ranking.period.key}"[:60]


def open_supervision(ranking: Ranking, *, district: District, acting_user: User, plan: Plan,
                     due_date: dt.date | None = None, task: Task | None = None) -> SupervisionOutcome:
    """A 督办 (source 排名靠后) to each town the ranking flags, in the plan chosen; towns that already have
    one for this ranking keep it (nothing is opened twice)."""
    from envgov.apps.supervision import actions as supervision

    require(permissions.can_open_ranking_supervision(acting_user, district), _("只有统筹协调人员可以发起督办"))
    if plan.district_id != district.pk:
        raise ValidationError({"plan": _("该计划不属于本区")})
    if plan.status != Plan.Status.ISSUED:
        raise ValidationError({"plan": _("只能在已印发的计划中发起督办")})
    due = due_date or clock.today() + dt.timedelta(days=ledger.SUPERVISION_RESPONSE_DAYS)
    if due < clock.today():
        raise ValidationError({"due_date": _("反馈时限不能早于今天")})
    ind = rules.INDICATORS[ranking.indicator]
    ranked = sum(1 for r in ranking.rows if r.rank is not None)
    towns = {t.pk: t for t in Town.objects.filter(district=district, pk__in=[r.town_id for r in ranking.flagged])}
    outcome = SupervisionOutcome()
    method = _(rules.RULES[ranking.by].label)
    for row in ranking.flagged:
        value = "—" if row.value is None else f"{row.value:g} {ind.unit}"
        title = (_("%(period)s%(indicator)s排名靠后：%(town)s（第%(rank)s名/共%(n)s名）")
                 % {"period": ranking.period.label, "indicator": _(ind.label), "town": row.town, "rank": row.rank,
                    "n": ranked})
        detail = (_("%(method)s，%(indicator)s %(value)s，有效天数 %(days)s，排名第 %(rank)s 名（共 %(n)s 个街乡镇参与排名）。"
                    "依据：%(rule)s（%(id)s 第 %(version)s 版）。请分析原因，制定整改措施并反馈。")
                  % {"method": method, "indicator": _(ind.label), "value": value, "days": row.valid_days,
                     "rank": row.rank, "n": ranked, "rule": ranking.rule.citation, "id": ranking.rule.id,
                     "version": ranking.rule.version})
        if row.change_pct is not None:
            detail += _("同比变化 %(pct)s%%。") % {"pct": f"{row.change_pct:+g}"}
        result = supervision.open_for_ranking(plan, acting_user=acting_user, town=towns.get(row.town_id),
                                              cause_key=cause_key(ranking), title=title, detail=detail,
                                              due_date=due, task=task)
        (outcome.opened if result.created else outcome.existing).append(result.item)
    return outcome
