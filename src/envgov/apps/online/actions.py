"""Writes of the online-monitoring app (decision 0040): points and their permit limits, alert records of
the HJ 212 core stored as Alert rows, 转督办 with one click, and the district's rule that opens a 督办 for an
exceedance lasting N hours. Atomic, checked with `online.permissions`, audited. A 督办 is opened through
the supervision app's one action for causes found outside the tasks (`supervision.actions.open_for_cause`,
as the rankings app's 排名靠后), so notices, timeline and audit are the ledger's own."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.accounts.versioned import save_versioned
from envgov.apps.audit import clock
from envgov.apps.audit import log as audit
from envgov.apps.online import permissions
from envgov.apps.online.models import Alert, AlertRule, MonitoringPoint, PermitLimit
from envgov.rules import ledger

POINT_FIELDS = ["mn", "name", "kind", "enterprise_name", "credit_code", "town", "active"]
LIMIT_FIELDS = ["code", "averaging", "max_value", "min_value", "unit", "source"]
_MN = re.compile(r"[0-9A-Za-z]{1,40}")
_CODE = re.compile(r"[A-Za-z0-9]{2,20}")
_CREDIT = re.compile(r"[0-9A-Z]{18}")


# ------------------------------------------------------------------------------------------ points

def _check_point(district_id: int, data: dict, current: MonitoringPoint | None = None) -> dict:
    errors: dict[str, list[str]] = {}
    mn = (data.get("mn") or "").strip()
    name = (data.get("name") or "").strip()
    credit = (data.get("credit_code") or "").strip()
    if not _MN.fullmatch(mn):
        errors["mn"] = [_("MN 须为 1–40 位字母或数字（HJ 212-2017 为 24 位十六进制）")]
    elif MonitoringPoint.objects.filter(district_id=district_id, mn=mn).exclude(pk=getattr(current, "pk", None)).exists():
        errors["mn"] = [_("MN“%(mn)s”已被本区另一点位使用") % {"mn": mn}]
    if not name:
        errors["name"] = [_("请填写点位名称")]
    if credit and not _CREDIT.fullmatch(credit):
        errors["credit_code"] = [_("统一社会信用代码应为 18 位数字或大写字母")]
    if (data.get("kind") or "") not in MonitoringPoint.Kind.values:
        errors["kind"] = [_("请选择点位类型")]
    town = data.get("town")
    if town is not None and town.district_id != district_id:
        errors["town"] = [_("该街乡镇不属于本区")]
    if errors:
        raise ValidationError(errors)
    return {"mn": mn, "name": name[:100], "kind": data.get("kind") or "",
            "enterprise_name": (data.get("enterprise_name") or "").strip()[:200], "credit_code": credit,
            "town": town, "active": data.get("active", True) is not False}


@transaction.atomic
def create_point(district, *, acting_user: User | None, data: dict, is_simulated: bool = False) -> MonitoringPoint:
    if acting_user is not None:
        require(permissions.can_edit_points(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以登记点位"))
    point = MonitoringPoint.objects.create(district=district, is_simulated=is_simulated,
                                           **_check_point(district.pk, data))
    audit.record(actor=acting_user, action="online_point_create", obj=point,
                 after=audit.snapshot(point, POINT_FIELDS))
    return point


@transaction.atomic
def update_point(point: MonitoringPoint, *, acting_user: User, expected_version: int, data: dict) -> MonitoringPoint:
    require(permissions.can_edit_points(acting_user, point.district_id), _("只有本区的系统管理员或统筹协调人员可以修改点位"))
    clean = _check_point(point.district_id, data, point)
    return save_versioned(point, clean, acting_user=acting_user, expected_version=expected_version,
                          action="online_point_update", fields=POINT_FIELDS,
                          stale_message=_("该点位已被他人修改，您的修改未保存。请刷新页面后再提交。"))


# ------------------------------------------------------------------------------------------ limits

def _check_limit(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    code = (data.get("code") or "").strip()
    if not _CODE.fullmatch(code):
        errors["code"] = [_("污染物编码应为 HJ 212 附录 B 的编码，如 w01018、a21026")]
    if data.get("averaging") not in PermitLimit.Averaging.values:
        errors["averaging"] = [_("请选择均值类型")]
    lo, hi = data.get("min_value"), data.get("max_value")
    if lo is None and hi is None:
        errors["max_value"] = [_("至少填写上限或下限")]
    elif lo is not None and hi is not None and lo > hi:
        errors["min_value"] = [_("下限大于上限")]
    if errors:
        raise ValidationError(errors)
    return {"code": code, "averaging": data["averaging"], "max_value": hi, "min_value": lo,
            "unit": (data.get("unit") or "").strip()[:20], "source": (data.get("source") or "").strip()[:200]}


@transaction.atomic
def save_limit(point: MonitoringPoint, *, acting_user: User | None, data: dict) -> PermitLimit:
    """Add a limit, or replace the one of the same pollutant and averaging (the audit keeps the old value)."""
    if acting_user is not None:
        require(permissions.can_edit_limits(acting_user, point), _("只有本区的系统管理员或统筹协调人员可以设置限值"))
    clean = _check_limit(data)
    current = PermitLimit.objects.filter(point=point, code=clean["code"], averaging=clean["averaging"]).first()
    before = audit.snapshot(current, LIMIT_FIELDS) if current else None
    if current is None:
        current = PermitLimit.objects.create(point=point, **clean)
    else:
        for k, v in clean.items():
            setattr(current, k, v)
        current.save()
    audit.record(actor=acting_user, action="online_limit_save", obj=current, before=before,
                 after=audit.snapshot(current, LIMIT_FIELDS), note=str(point))
    return current


@transaction.atomic
def delete_limit(limit: PermitLimit, *, acting_user: User) -> None:
    require(permissions.can_edit_limits(acting_user, limit.point), _("只有本区的系统管理员或统筹协调人员可以设置限值"))
    audit.record(actor=acting_user, action="online_limit_delete", obj=limit,
                 before=audit.snapshot(limit, LIMIT_FIELDS), note=str(limit.point))
    limit.delete()


# ------------------------------------------------------------------------------------------ alerts

@dataclass
class RecordOutcome:
    created: list[Alert] = field(default_factory=list)
    existing: int = 0
    unknown_mn: dict[str, int] = field(default_factory=dict)  # MN → records of points not registered here
    opened: list = field(default_factory=list)  # 督办 opened by the district's rule


def _aware(text: str) -> dt.datetime:
    """DataTime is the device's local (Beijing) time, without a zone."""
    value = dt.datetime.fromisoformat(text)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def check_record(record: dict) -> str | None:
    """Why an alert record of the HJ 212 core cannot be stored (None: it can)."""
    if not isinstance(record, dict):
        return _("报警记录应为 JSON 对象")
    if record.get("type") not in Alert.Kind.values:
        return _("报警类型应为 exceedance 或 data_flag，收到“%(type)s”") % {"type": str(record.get("type"))[:20]}
    if not record.get("mn") or not record.get("code"):
        return _("报警记录缺少 mn 或 code")
    try:
        _aware(str(record.get("time")))
    except (TypeError, ValueError):
        return _("报警记录的 time 不是时间：“%(time)s”") % {"time": str(record.get("time"))[:30]}
    for key in ("value", "limit"):
        v = record.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            return _("报警记录的 %(key)s 应为数值") % {"key": key}
    return None


@transaction.atomic
def record_alerts(district, records: Iterable[dict], *, acting_user: User | None = None, note: str = "",
                  is_simulated: bool = False, apply_rule: bool = True) -> RecordOutcome:
    """Store the alert records the HJ 212 core returns (`Receiver.alerts_for`, the receiver's JSON-lines
    file or its `on_alert` callback) as Alert rows of the district's points. A record already stored is
    skipped; records of MNs not registered in the district are counted, not stored. Raises ValidationError
    (nothing stored) when a record is malformed: call `check_record` first for located messages. Then the
    district's rule runs (a lasting exceedance opens its 督办)."""
    records = list(records)
    for r in records:
        problem = check_record(r)
        if problem:
            raise ValidationError(problem)
    points = {p.mn: p for p in MonitoringPoint.objects.filter(district=district)}
    out = RecordOutcome()
    for r in records:
        point = points.get(r["mn"])
        if point is None:
            out.unknown_mn[r["mn"]] = out.unknown_mn.get(r["mn"], 0) + 1
            continue
        key = {"point": point, "kind": r["type"], "code": str(r["code"])[:20], "field": str(r.get("field") or "")[:40],
               "time": _aware(str(r["time"])), "cn": str(r.get("cn") or "")[:4]}
        if Alert.objects.filter(**key).exists():
            out.existing += 1
            continue
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    **key, value=r.get("value"), limit=r.get("limit"), unit=str(r.get("unit") or "")[:20],
                    flag=str(r.get("flag") or "")[:2], reason=str(r.get("reason") or "")[:300],
                    limit_source=str(r.get("limit_source") or "")[:200], is_simulated=is_simulated or point.is_simulated)
        except IntegrityError:
            out.existing += 1  # recorded by another reader at the same moment
            continue
        out.created.append(alert)
    if out.created:
        counts = _("新增报警 %(n)s 条，已有 %(e)s 条") % {"n": len(out.created), "e": out.existing}
        audit.record(actor=acting_user, action="online_alerts_record", obj=out.created[0].point,
                     note=f"{note}：{counts}" if note else counts)
    if apply_rule:
        out.opened = apply_alert_rule(district)
    return out


def plan_for_supervision(district):  # noqa: ANN201
    """The issued plan 督办 of online monitoring are kept in: this year's, else the latest issued one."""
    from envgov.apps.plans.models import Plan

    issued = Plan.objects.filter(district=district, status=Plan.Status.ISSUED)
    return issued.filter(year=clock.today().year).order_by("-pk").first() or issued.order_by("-year", "-pk").first()


def _title_detail(alert: Alert, run: list[Alert] | None = None) -> tuple[str, str]:
    p = alert.point
    when = timezone.localtime(alert.time)
    title = _("%(point)s在线监控报警：%(what)s") % {"point": p.name, "what": alert.describe}
    parts = [_("企业：%(name)s") % {"name": p.enterprise_name or "—"}]
    if p.credit_code:
        parts.append(_("统一社会信用代码：%(code)s") % {"code": p.credit_code})
    parts.append(_("点位 MN：%(mn)s") % {"mn": p.mn})
    parts.append(_("数据时间：%(time)s") % {"time": f"{when:%Y-%m-%d %H:%M}"})
    if run:
        last = timezone.localtime(run[-1].time)
        parts.append(_("%(code)s 小时均值自 %(start)s 至 %(end)s 连续 %(n)s 小时超标")
                     % {"code": alert.code, "start": f"{when:%m-%d %H:%M}", "end": f"{last:%m-%d %H:%M}", "n": len(run)})
    if alert.limit_source:
        parts.append(_("限值依据：%(source)s") % {"source": alert.limit_source})
    return title, "；".join(parts) + "。" + _("请核实原因，督促企业整改并反馈。")


def _open(alert: Alert, *, acting_user: User | None, run: list[Alert] | None = None, note: str = ""):  # noqa: ANN202
    from envgov.apps.supervision import actions as supervision
    from envgov.apps.supervision.models import SupervisionItem

    plan = plan_for_supervision(alert.point.district)
    if plan is None:
        raise ValidationError(_("本区还没有已印发的计划，督办事项无处记录"))
    if alert.point.town_id is None:
        raise ValidationError(_("该点位未指定所在街乡镇，无法确定督办对象。请先在点位信息中选择街乡镇"))
    title, detail = _title_detail(alert, run)
    return supervision.open_for_cause(
        plan, acting_user=acting_user, source=SupervisionItem.Source.ONLINE, cause_key=_("在线监控报警#%(id)s") % {"id": alert.pk},
        title=title, detail=detail, due_date=clock.today() + dt.timedelta(days=ledger.SUPERVISION_RESPONSE_DAYS),
        town=alert.point.town, online_alert=alert, note=note)


def _mark(alerts: list[Alert], acting_user: User | None, note: str) -> None:
    for a in alerts:
        if a.status == Alert.Status.SUPERVISED:
            continue
        Alert.objects.filter(pk=a.pk).update(status=Alert.Status.SUPERVISED, version=a.version + 1)
        a.status, a.version = Alert.Status.SUPERVISED, a.version + 1
        audit.record(actor=acting_user, action="online_alert_supervise", obj=a, before={"status": Alert.Status.NEW},
                     after={"status": Alert.Status.SUPERVISED}, note=note)


@transaction.atomic
def supervise_alert(alert: Alert, *, acting_user: User):  # noqa: ANN201 - supervision.actions.CauseOpened
    """转督办: one click opens the 督办 of this alert, addressed to the point's town; clicking again (or two
    people at once) finds the same item."""
    require(permissions.can_supervise_alert(acting_user, alert), _("只有本区的统筹协调人员可以转督办"))
    covering = run_item(alert)
    if covering is not None:
        from envgov.apps.supervision.actions import CauseOpened

        return CauseOpened(covering, False)
    result = _open(alert, acting_user=acting_user, note=_("在线监控报警转督办"))
    _mark([alert], acting_user, _("转督办"))
    return result


def run_item(alert: Alert):  # noqa: ANN201
    """The 督办 already covering an alert: its own, or — for an hourly exceedance the rule put in a run —
    the one of the run's first alert (walking back hour by hour)."""
    from envgov.apps.supervision.models import SupervisionItem

    own = SupervisionItem.objects.filter(online_alert=alert).first()
    if own is not None or alert.status != Alert.Status.SUPERVISED or alert.kind != Alert.Kind.EXCEEDANCE:
        return own
    current = alert
    while True:
        previous = Alert.objects.filter(point=current.point, kind=current.kind, code=current.code, cn=current.cn,
                                        time=current.time - dt.timedelta(hours=1)).first()
        if previous is None:
            return None
        own = SupervisionItem.objects.filter(online_alert=previous).first()
        if own is not None:
            return own
        current = previous


# ------------------------------------------------------------------------------------------ the rule

@transaction.atomic
def set_rule(district, *, acting_user: User | None, consecutive_hours: int | None, reason: str) -> AlertRule:
    if acting_user is not None:
        require(permissions.can_set_rule(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以设置规则"))
    if consecutive_hours is not None and not 1 <= consecutive_hours <= 720:
        raise ValidationError({"consecutive_hours": _("连续超标小时数应在 1–720 之间，留空为不自动转督办")})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写设定依据")})
    rule, _created = AlertRule.objects.get_or_create(district=district)
    before = {"consecutive_hours": rule.consecutive_hours, "reason": rule.reason}
    rule.consecutive_hours, rule.reason, rule.set_by = consecutive_hours, reason.strip()[:200], acting_user
    rule.version += 1
    rule.save()
    audit.record(actor=acting_user, action="online_rule_set", obj=rule, before=before,
                 after={"consecutive_hours": consecutive_hours, "reason": rule.reason})
    apply_alert_rule(district)
    return rule


def runs(alerts: list[Alert]) -> list[list[Alert]]:
    """Hourly exceedances of one point and pollutant split into runs of consecutive hours."""
    out: list[list[Alert]] = []
    for a in sorted(alerts, key=lambda x: x.time):
        if out and a.time - out[-1][-1].time == dt.timedelta(hours=1):
            out[-1].append(a)
        elif not out or a.time != out[-1][-1].time:
            out.append([a])
    return out


def apply_alert_rule(district) -> list:
    """Open a 督办 (by the system, acting user none) for each run of hourly exceedances (CN 2061) of one
    pollutant at one point lasting at least the district's N hours, unless an alert of the run already has
    one; the item is linked to the run's first alert, so a run that grows later opens nothing new."""
    rule = AlertRule.objects.filter(district=district).first()
    n = rule.consecutive_hours if rule else None
    if not n:
        return []
    from envgov.apps.supervision.models import SupervisionItem

    hourly = (Alert.objects.filter(point__district=district, point__active=True, kind=Alert.Kind.EXCEEDANCE, cn="2061")
              .select_related("point", "point__town", "point__district").order_by("point", "code", "time"))
    groups: dict[tuple[int, str], list[Alert]] = {}
    for a in hourly:
        groups.setdefault((a.point_id, a.code), []).append(a)
    linked = set(SupervisionItem.objects.filter(online_alert__in=hourly).values_list("online_alert_id", flat=True))
    opened = []
    for alerts in groups.values():
        for run in runs(alerts):
            if len(run) < n or any(a.pk in linked for a in run):
                continue
            if run[0].point.town_id is None or plan_for_supervision(district) is None:
                continue  # no addressee or no ledger: the alerts stay 待处理 and the page says why
            note = _("自动转督办规则：连续 %(n)s 小时超标") % {"n": n}
            result = _open(run[0], acting_user=None, run=run, note=note)
            _mark(run, None, note)
            linked.add(run[0].pk)
            if result.created:
                opened.append(result.item)
    return opened
