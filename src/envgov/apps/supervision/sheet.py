"""An item and its timeline as the plain data of a printed 督办单 (envgov.reports.docx)."""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from envgov.reports.docx import SupervisionSheet, supervision_sheet
from envgov.apps.supervision.models import SupervisionItem


def _issuer(item: SupervisionItem) -> str:
    district = item.plan.district
    return _("%(district)s生态环境局") % {"district": district.name}


def sheet_for(item: SupervisionItem, events) -> bytes:  # noqa: ANN001 - the item's SupervisionEvent rows
    timeline = []
    for e in events:
        who = e.actor.display_name if e.actor_id else _("系统每日检查")
        timeline.append((f"{timezone.localtime(e.at):%Y-%m-%d %H:%M}", e.get_kind_display(),
                         f"{who}{'：' + e.note if e.note else ''}"))
    closure = ""
    if item.is_closed:
        closure = f"{item.closure_note}（{item.closed_by.display_name if item.closed_by_id else ''}，" \
                  f"{timezone.localtime(item.closed_at):%Y-%m-%d}）"
    return supervision_sheet(SupervisionSheet(
        issuer=_issuer(item), number=f"{item.plan.year}-{item.pk:04d}", title=item.title,
        addressee=str(item.addressee or _("统筹协调（未明确牵头单位）")), source=item.get_source_display(),
        level=item.get_escalation_level_display(), detail=item.detail, opened_on=item.opened_on,
        due_date=item.due_date, plan=item.plan.title, task=f"{item.task.code} {item.task.title}" if item.task_id else "",
        reopen_reason=item.reopen_reason, timeline=timeline, response=item.response, closure=closure,
        status=item.get_status_display(),
    ))
