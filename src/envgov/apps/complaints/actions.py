"""Changes made to work orders and the district's complaint settings (decision 0032). Atomic, checked with
`complaints.permissions`, optimistic locking on `version`, audited. A category or a town a person enters is
kept (the rules and the address no longer decide it). Reopening creates a new order pointing at the one it
reopens, so the 三率 count it as the `reopened` parameter says."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.accounts.versioned import save_versioned
from envgov.apps.audit import clock
from envgov.apps.audit import log as audit
from envgov.apps.complaints import notify, permissions
from envgov.apps.complaints.models import CategoryRuleSet, ComplaintParameter, RepeatFollowUp, WorkOrder

ORDER_FIELDS = ["number", "unit", "deadline", "limit_hours", "town", "town_manual", "category", "responded_at",
                "reply", "replied_at", "resolved", "satisfaction", "reopen_of"]


def _stale() -> str:
    return _("该工单已被他人修改，您的修改未保存。请刷新页面后再提交。")


@transaction.atomic
def assign_order(order: WorkOrder, *, acting_user: User, expected_version: int, unit, deadline: dt.date | None,
                 limit_hours: float | None) -> WorkOrder:
    require(permissions.can_manage_orders(acting_user, order.district_id), _("只有本区的系统管理员或统筹协调人员可以派单"))
    if unit is None or unit.district_id != order.district_id:
        raise ValidationError({"unit": _("请选择本区的承办单位")})
    if deadline is not None and deadline < timezone_date(order.dispatched_at):
        raise ValidationError({"deadline": _("办结时限不能早于派单日期")})
    if limit_hours is not None and limit_hours <= 0:
        raise ValidationError({"limit_hours": _("响应时限应大于 0 小时")})
    changes = {"unit": unit, "deadline": deadline, "limit_hours": limit_hours}
    reassigned = order.unit_id is not None and order.unit_id != unit.pk
    if reassigned:  # a new unit signs again
        changes.update(responded_at=None)
    saved = save_versioned(order, changes, acting_user=acting_user, expected_version=expected_version,
                           action="complaint_assign", fields=ORDER_FIELDS, stale_message=_stale())
    notify.assigned(saved, _("改派") if reassigned else "")
    return saved


def timezone_date(when: dt.datetime) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(when).date()


@transaction.atomic
def sign_order(order: WorkOrder, *, acting_user: User, expected_version: int) -> WorkOrder:
    """签收 / 联系诉求人: the response the 响应率 counts (now, by the platform clock)."""
    require(permissions.can_answer(acting_user, order), _("只有承办单位、属地街乡镇或统筹协调人员可以签收"))
    if order.unit_id is None:
        raise ValidationError(_("工单尚未派单，不能签收"))
    if order.responded_at is not None:
        raise ValidationError(_("工单已签收"))
    return save_versioned(order, {"responded_at": clock.now()}, acting_user=acting_user,
                          expected_version=expected_version, action="complaint_sign", fields=ORDER_FIELDS,
                          stale_message=_stale())


@transaction.atomic
def reply_order(order: WorkOrder, *, acting_user: User, expected_version: int, reply: str) -> WorkOrder:
    require(permissions.can_answer(acting_user, order), _("只有承办单位、属地街乡镇或统筹协调人员可以答复"))
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": _("请填写办理答复")})
    if order.responded_at is None:
        raise ValidationError(_("请先签收工单"))
    return save_versioned(order, {"reply": reply, "replied_at": clock.now()}, acting_user=acting_user,
                          expected_version=expected_version, action="complaint_reply", fields=ORDER_FIELDS,
                          stale_message=_stale())


@transaction.atomic
def record_visit(order: WorkOrder, *, acting_user: User, expected_version: int, resolved: bool | None,
                 satisfaction: str) -> WorkOrder:
    """The complainant's answers (回访): resolved or not, satisfaction; empty = no answer."""
    require(permissions.can_manage_orders(acting_user, order.district_id),
            _("只有本区的系统管理员或统筹协调人员可以登记回访结果"))
    if satisfaction not in ("", *WorkOrder.Satisfaction.values):
        raise ValidationError({"satisfaction": _("请选择满意度")})
    return save_versioned(order, {"resolved": resolved, "satisfaction": satisfaction}, acting_user=acting_user,
                          expected_version=expected_version, action="complaint_visit", fields=ORDER_FIELDS,
                          stale_message=_stale())


@transaction.atomic
def correct_order(order: WorkOrder, *, acting_user: User, expected_version: int, category: str, town) -> WorkOrder:
    """Category as entered (empty: by the rules again) and town (empty: by the address again)."""
    require(permissions.can_manage_orders(acting_user, order.district_id),
            _("只有本区的系统管理员或统筹协调人员可以修改工单"))
    if town is not None and town.district_id != order.district_id:
        raise ValidationError({"town": _("该街乡镇不属于本区")})
    category = (category or "").strip()
    if len(category) > 30:
        raise ValidationError({"category": _("类别不超过 30 个字")})
    changes: dict = {"category": category}
    if town is not None:
        changes.update(town=town, town_manual=True)
    else:
        from envgov.apps.complaints.services import town_matcher

        changes.update(town=town_matcher(order.district).in_address(order.address), town_manual=False)
    return save_versioned(order, changes, acting_user=acting_user, expected_version=expected_version,
                          action="complaint_update", fields=ORDER_FIELDS, stale_message=_stale())


@transaction.atomic
def reopen_order(order: WorkOrder, *, acting_user: User, reason: str) -> WorkOrder:
    """A new order (number 原编号-R<n>) dispatched now to the same unit, pointing at the reopened one."""
    require(permissions.can_manage_orders(acting_user, order.district_id),
            _("只有本区的系统管理员或统筹协调人员可以重启工单"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写重启原因")})
    root = order
    while root.reopen_of_id:
        root = root.reopen_of
    n = 1
    while WorkOrder.objects.filter(district_id=order.district_id, number=f"{root.number}-R{n}").exists():
        n += 1
    new = WorkOrder.objects.create(
        district_id=order.district_id, number=f"{root.number}-R{n}"[:60], channel=order.channel,
        dispatched_at=clock.now(), unit_written=order.unit_written, unit=order.unit, limit_hours=order.limit_hours,
        town=order.town, town_manual=order.town_manual, address=order.address,
        content=f"{order.content}\n【{_('重启')}】{reason}".strip(), category=order.category, reopen_of=order,
        reopen_of_number=order.number, is_simulated=order.is_simulated)
    audit.record(actor=acting_user, action="complaint_reopen", obj=new, after=audit.snapshot(new, ORDER_FIELDS),
                 note=reason[:300])
    notify.assigned(new, _("工单重启：%(reason)s") % {"reason": reason})
    return new


@transaction.atomic
def save_rules(district, *, acting_user: User, text: str, expected_version: int | None) -> CategoryRuleSet:
    """The district's ordered keyword rules (`services.parse_rules_text`; ValueError with the bad lines)."""
    from envgov.apps.complaints.services import parse_rules_text

    require(permissions.can_edit_rules(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以修改类别规则"))
    parsed = parse_rules_text(text)
    rs = CategoryRuleSet.objects.select_for_update().filter(district=district).first()
    if rs is None:
        rs = CategoryRuleSet.objects.create(district=district, rules=parsed, updated_by=acting_user)
        audit.record(actor=acting_user, action="complaint_rules", obj=rs, after={"rules": _rules_text(parsed)})
        return rs
    if expected_version is not None and rs.version != expected_version:
        raise ValidationError(_("类别规则已被他人修改，您的修改未保存。请刷新页面后再提交。"))
    before = {"rules": _rules_text(rs.rules)}
    rs.rules, rs.updated_by, rs.version = parsed, acting_user, rs.version + 1
    rs.save()
    audit.record(actor=acting_user, action="complaint_rules", obj=rs, before=before,
                 after={"rules": _rules_text(parsed)})
    return rs


@transaction.atomic
def set_parameters(district, *, acting_user: User, values: dict, reason: str) -> dict:
    """Set the district's values of the 三率 rule's user-set parameters (checked by PARAMETERS.clean)."""
    from envgov.rules.complaints import PARAMETERS

    require(permissions.can_set_parameters(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以设置三率参数"))
    cleaned = PARAMETERS.clean(values)
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(_("请填写依据（如上级文件、考核细则或会议纪要）"))
    existing = {p.key: p for p in ComplaintParameter.objects.select_for_update().filter(district=district)}
    changed = {}
    for key, new in cleaned.items():
        row = existing.get(key)
        old = row.value if row else PARAMETERS.defaults[key]
        if old == new:
            continue
        row = row or ComplaintParameter(district=district, key=key)
        row.value, row.reason, row.set_by = new, reason[:200], acting_user
        row.save()
        audit.record(actor=acting_user, action="set_parameter", obj=row, before={"value": _shown(key, old)},
                     after={"value": _shown(key, new)},
                     note=f"{PARAMETERS.by_key[key].label}；依据：{reason}"[:300])
        changed[key] = (old, new)
    return changed


def _shown(key: str, value: object) -> str:
    """A parameter value as the audit log shows it (a choice by its label, not its code)."""
    from envgov.rules.complaints import PARAMETERS

    p = PARAMETERS.by_key[key]
    return _(p.choices[value]) if p.choices and value in p.choices else str(value)


def _rules_text(rules: list) -> str:
    return "\n".join(f"{r['category']}：{'、'.join(r['keywords'])}" for r in rules)


@transaction.atomic
def supervise_repeat(district, *, acting_user: User, plan, month: str, address_key: str,
                     due_date: dt.date) -> tuple[RepeatFollowUp, bool]:
    """A repeated address of the month as a 督办 (`supervision.actions.open_supervision`), once per address and
    month; (follow-up, created). ValueError when the month does not flag the address."""
    from envgov.apps.complaints import services
    from envgov.apps.supervision import actions as supervision

    require(permissions.can_manage_orders(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以发起督办"))
    found = RepeatFollowUp.objects.filter(district=district, month=month, address_key=address_key).first()
    if found is not None:
        return found, False
    outcome = services.month_result(district, month)
    if outcome.result is None:
        raise ValidationError(_("本月三率无法计算，不能发起督办"))
    repeat = next((r for r in outcome.result.repeats if services.rules.normalise_address(r.address) == address_key), None)
    if repeat is None:
        raise ValidationError(_("该地址本月未标为重复投诉"))
    if plan is None or plan.district_id != getattr(district, "pk", district):
        raise ValidationError(_("请选择本区的计划"))
    orders = list(WorkOrder.objects.filter(district=district, number__in=repeat.orders).select_related("unit", "town"))
    unit, town = services.repeat_addressee(orders)
    if unit is None and town is None:
        raise ValidationError(_("这些工单既未派单也没有街乡镇，请先派单或指定街乡镇"))
    title = _("重复投诉：%(address)s（%(month)s，%(n)s 件）") % {"address": repeat.address, "month": month,
                                                          "n": len(repeat.orders)}
    detail = _("同一地址 %(month)s 的工单：%(orders)s；类别：%(cats)s") % {
        "month": month, "orders": "、".join(repeat.orders), "cats": "、".join(_(c) for c in repeat.categories)}
    item = supervision.open_supervision(plan, acting_user=acting_user, title=title, due_date=due_date,
                                        addressee_unit=unit, addressee_town=town, detail=detail)
    try:
        with transaction.atomic():
            follow = RepeatFollowUp.objects.create(district_id=getattr(district, "pk", district), month=month,
                                                   address_key=address_key[:300], address=repeat.address[:300],
                                                   orders=list(repeat.orders), item=item, created_by=acting_user)
    except IntegrityError:
        raise ValidationError(_("该地址已由他人转为督办")) from None
    audit.record(actor=acting_user, action="complaint_repeat_supervise", obj=follow,
                 after={"item": item.pk, "orders": list(repeat.orders)}, note=title[:300])
    return follow, True
