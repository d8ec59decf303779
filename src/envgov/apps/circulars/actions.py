"""通报 actions: generate a draft (monthly, or on demand), publish it (文号 and 成文日期 given, files rebuilt
from the reviewed content), set the district's 发文机关 and 文号 prefix, and the daily check's monthly
draft. Every change is audited."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.audit import clock
from envgov.apps.audit import log as audit
from envgov.apps.circulars import permissions, services
from envgov.apps.circulars.models import Circular, CircularSettings
from envgov.apps.plans.actions import StaleEdit
from envgov.reports import circular as report

AUDITED = ["kind", "status", "period", "period_label", "title", "number", "signed_on"]  # files: derived


@dataclass
class Generated:
    circular: Circular | None
    warnings: list[str] = field(default_factory=list)
    regenerated: bool = False


def _period(text: str):  # noqa: ANN202
    from envgov.apps.rankings import services as rankings

    try:
        return rankings.period_of((text or "").strip())
    except rankings.PeriodError as exc:
        raise ValidationError({"period": str(exc)}) from exc


def generate(district, period_text: str, *, kind: str = Circular.Kind.MONTHLY, by: str = "concentration",  # noqa: ANN001
             acting_user: User | None, skip_if_empty: bool = False) -> Generated:
    """A draft for the period. A monthly circular is one per district and month, for a month that has
    ended: generating it again replaces the draft (never a published one). `acting_user=None` is the daily
    check; with `skip_if_empty` nothing is made when no town could be ranked."""
    if acting_user is not None:
        require(permissions.can_generate(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以生成通报"))
    if kind not in Circular.Kind.values:
        raise ValidationError({"kind": _("请选择通报类型")})
    if by not in services.BY_LABELS:
        raise ValidationError({"by": _("请选择排名方式")})
    if not district.towns.filter(active=True).exists():
        raise ValidationError({"period": _("本区还没有街乡镇，无法生成排名通报")})
    period = _period(period_text)
    if kind == Circular.Kind.MONTHLY:
        if period.kind != "month":
            raise ValidationError({"period": _("月度通报的期间应为一个月，如 2024-03；其他期间请选择专项通报")})
        if period.end != period.nominal_end:
            raise ValidationError({"period": _("%(period)s尚未结束，月度通报只能针对已结束的月份；可改为专项通报")
                                   % {"period": period.label}})
        by = "concentration"
    today = clock.today()
    setting = services.settings_of(district)
    draft_number = report.document_number(setting.number_prefix, today.year, None)
    content, period = services.build_content(district, period, by=by, number=draft_number)
    if skip_if_empty and not services.has_ranked_towns(content):
        return Generated(None)
    out = Generated(None)
    with transaction.atomic():
        existing = None
        if kind == Circular.Kind.MONTHLY:
            existing = (Circular.objects.select_for_update()
                        .filter(district=district, kind=kind, period=period.key).first())
            if existing is not None and existing.is_published:
                raise ValidationError({"period": _("%(period)s的月度通报已发布（%(number)s），不能重新生成")
                                       % {"period": period.label, "number": existing.number}})
        circular = existing or Circular(district=district, kind=kind, created_at=clock.now(),
                                        created_by=acting_user)
        before = audit.snapshot(circular, AUDITED) if existing else None
        circular.period, circular.period_label = period.key, period.label
        circular.period_start, circular.period_end = period.start, period.end
        circular.title, circular.number = content.title, ""
        circular.content = content.as_dict()
        if existing:
            circular.version += 1  # the row is locked (select_for_update above)
        circular.save()
        out.warnings = services.render_files(circular, content)
        circular.save()
        circular.refresh_from_db()
        audit.record(actor=acting_user, action="circular_regenerate" if existing else "circular_generate",
                     obj=circular, before=before, after=audit.snapshot(circular, AUDITED),
                     note=_("每日检查自动生成") if acting_user is None else "")
    out.circular, out.regenerated = circular, existing is not None
    return out


def publish(circular: Circular, *, acting_user: User, expected_version: int) -> Circular:
    """发布: the next 文号 of the district's year, 成文日期 today, files rebuilt from the stored content."""
    require(permissions.can_publish(acting_user, circular), _("只有本区的系统管理员或统筹协调人员可以发布草稿通报"))
    setting = services.settings_of(circular.district)
    if not setting.number_prefix:
        raise ValidationError({"number_prefix": _("请先在“通报设置”中填写文号前缀（如“通环”），再发布通报")})
    today = clock.today()
    with transaction.atomic():
        locked = Circular.objects.select_for_update().get(pk=circular.pk)
        if locked.version != expected_version or locked.is_published:
            raise StaleEdit(_("该通报已被他人修改或发布，您的操作未执行。请刷新页面后再试。"))
        # the year's numbers: one lock on the settings row serialises two publishers of one district
        CircularSettings.objects.select_for_update().filter(pk=setting.pk).first()
        last = (Circular.objects.filter(district=locked.district, year=today.year)
                .aggregate(n=Max("sequence"))["n"]) or 0
        before = audit.snapshot(locked, AUDITED)
        content = report.CircularContent.from_dict(locked.content)
        content.number = report.document_number(setting.number_prefix, today.year, last + 1)
        content.signed_on = today
        content.organ = services.organ_of(locked.district, setting)
        content.recipients = setting.recipients or report.DEFAULT_RECIPIENTS
        locked.year, locked.sequence, locked.number, locked.signed_on = today.year, last + 1, content.number, today
        locked.content = content.as_dict()
        locked.status = Circular.Status.PUBLISHED
        locked.published_by, locked.published_at = acting_user, clock.now()
        locked.version = F("version") + 1
        services.render_files(locked, content)
        locked.save()
        locked.refresh_from_db()
        audit.record(actor=acting_user, action="circular_publish", obj=locked, before=before,
                     after=audit.snapshot(locked, AUDITED))
    return locked


SETTING_FIELDS = ["organ", "number_prefix", "recipients"]


def save_settings(district, *, acting_user: User, organ: str, number_prefix: str, recipients: str,  # noqa: ANN001
                  expected_version: int) -> CircularSettings:
    require(permissions.can_edit_settings(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以设置通报"))
    number_prefix = (number_prefix or "").strip()
    if any(ch in number_prefix for ch in "〔〕[]()（）0123456789 "):
        raise ValidationError({"number_prefix": _("文号前缀只写发文机关代字（如“通环”），年份和序号由系统生成")})
    with transaction.atomic():
        setting, _created = CircularSettings.objects.select_for_update().get_or_create(district=district)
        if setting.version != expected_version:
            raise StaleEdit(_("通报设置已被他人修改，您的修改未保存。请刷新页面后再提交。"))
        before = audit.snapshot(setting, SETTING_FIELDS)
        setting.organ, setting.number_prefix = (organ or "").strip(), number_prefix
        setting.recipients = (recipients or "").strip()
        setting.updated_by, setting.updated_at = acting_user, clock.now()
        setting.version = F("version") + 1
        setting.save()
        setting.refresh_from_db()
        audit.record(actor=acting_user, action="circular_settings", obj=setting, before=before,
                     after=audit.snapshot(setting, SETTING_FIELDS))
    return setting


def ensure_monthly(district, today: dt.date) -> Generated:  # noqa: ANN001
    """The daily check: the previous month's circular as a draft, if there is none yet and any town could
    be ranked. A refusal (no towns) is no draft, not an error."""
    period = services.previous_month(today)
    if Circular.objects.filter(district=district, kind=Circular.Kind.MONTHLY, period=period).exists():
        return Generated(None)
    try:
        return generate(district, period, kind=Circular.Kind.MONTHLY, acting_user=None, skip_if_empty=True)
    except ValidationError:
        return Generated(None)
