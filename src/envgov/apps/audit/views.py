"""The audit log pages: the district's log with filters and paging, the same for one plan (with its
revisions after issue), and the .xlsx export of what the filters select. Read-only: there is no write route."""
from __future__ import annotations

from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envgov.apps.accounts.scope import audit_for, plans_for, require, scoped
from envgov.apps.audit import clock
from envgov.apps.audit.forms import AuditFilterForm
from envgov.apps.audit.permissions import can_export_audit, can_view_audit
from envgov.apps.audit.present import describe
from envgov.reports.xlsx import build_table

PAGE_SIZE = 50
EXPORT_COLUMNS = [(gettext_lazy("时间"), 20), (gettext_lazy("操作人"), 12), (gettext_lazy("操作"), 14),
                  (gettext_lazy("对象类型"), 12), (gettext_lazy("对象"), 36), (gettext_lazy("字段"), 14),
                  (gettext_lazy("修改前"), 30), (gettext_lazy("修改后"), 30), (gettext_lazy("说明"), 30)]


def _selected(request: HttpRequest, plan=None):  # noqa: ANN001, ANN202
    require(can_view_audit(request.user))
    entries = audit_for(request.user)
    if plan is not None:
        entries = entries.filter(plan_id=plan.pk)
    form = AuditFilterForm(request.GET or None, entries)
    if form.is_bound and form.is_valid():
        entries = form.apply(entries)
    return form, entries.select_related("actor", "content_type")


def _page(request: HttpRequest, plan=None) -> HttpResponse:  # noqa: ANN001
    form, entries = _selected(request, plan)
    status = 400 if form.is_bound and not form.is_valid() else 200
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {
        "plan": plan, "form": form, "page": page, "rows": describe(page.object_list), "query": query.urlencode(),
        "revisions": plan.revisions.select_related("created_by").order_by("-number") if plan else None,
    }, status=status)


@scoped("oversight")
def audit_log(request: HttpRequest) -> HttpResponse:
    return _page(request)


@scoped("oversight")
def plan_audit(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _page(request, get_object_or_404(plans_for(request.user), pk=plan_id))


@scoped("oversight")
def audit_export(request: HttpRequest) -> HttpResponse:
    require(can_export_audit(request.user))
    plan = None
    if request.GET.get("plan"):
        plan = get_object_or_404(plans_for(request.user), pk=_int_or_404(request.GET["plan"]))
    form, entries = _selected(request, plan)
    if form.is_bound and not form.is_valid():
        return _page(request, plan)
    rows = []
    for row in describe(entries.iterator(chunk_size=2000)):
        at = row.at.replace(tzinfo=None)
        changes = row.changes or [None]
        for c in changes:
            rows.append([at, row.actor, row.action, row.subject_type, row.subject, c.label if c else "",
                         c.before if c else "", c.after if c else "", row.note])
    title = f"{plan.title} · {_('审计日志')}" if plan else _("审计日志")
    data = build_table(title, [(str(name), w) for name, w in EXPORT_COLUMNS], rows,
                       note=_("导出时间 %(at)s · 均为本地时间") % {"at": f"{timezone.localtime():%Y-%m-%d %H:%M}"})
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"{title}_{clock.today():%Y%m%d}.xlsx".replace(" · ", "")
    response["Content-Disposition"] = f"attachment; filename=\"audit.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise Http404 from exc
