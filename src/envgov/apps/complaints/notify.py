"""Notices of the complaints app (through `envgov.apps.notices`): the assigned unit's reporters and leaders
hear of a new order, of a reassignment and of a reopening."""
from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext

from envgov.apps.accounts.models import User
from envgov.apps.notices.actions import notify
from envgov.apps.notices.models import Notice

R = User.Role


def _people(unit_id: int) -> list[User]:
    return list(User.objects.filter(unit_id=unit_id, is_active=True, role__in=(R.UNIT_REPORTER, R.UNIT_LEADER)))


def assigned(order, note: str = "") -> None:
    if not order.unit_id:
        return
    deadline = order.deadline.strftime("%Y-%m-%d") if order.deadline else gettext("未定")
    notify(_people(order.unit_id), kind=Notice.Kind.COMPLAINT_ASSIGNED,
           title=gettext("接诉即办派单：%(number)s") % {"number": order.number},
           body=(gettext("诉求地址：%(address)s；办结时限：%(deadline)s") % {"address": order.address or "—",
                                                                        "deadline": deadline}) + (f"\n{note}" if note else ""),
           url=reverse("complaint_detail", kwargs={"order_id": order.pk}),
           key=f"complaint:{order.pk}:{order.unit_id}:{order.version}", subject=order, district=order.district)


def assigned_many(orders: Sequence, record) -> None:
    """One notice per unit for the orders an import brought (listing each order as a link)."""
    by_unit: dict[int, list] = {}
    for o in orders:
        if o.unit_id:
            by_unit.setdefault(o.unit_id, []).append(o)
    for unit_id, items in by_unit.items():
        links = [{"label": o.number, "url": reverse("complaint_detail", kwargs={"order_id": o.pk})} for o in items[:50]]
        notify(_people(unit_id), kind=Notice.Kind.COMPLAINT_ASSIGNED,
               title=gettext("接诉即办：新派单 %(n)s 件") % {"n": len(items)},
               body=gettext("导入文件 %(file)s") % {"file": record.file_name}, url=reverse("complaint_list"),
               key=f"complaint-import:{record.pk}:{unit_id}", links=links, district=record.district)
