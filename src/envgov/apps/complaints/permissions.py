"""Named checks of the complaints app (decision 0032). The district's coordinators and administrator import,
assign, record the complainant's answers, reopen, edit the category rules and set the 三率 parameters; a unit
sees (and signs and answers) the orders assigned to it, a town the orders in its town; oversight roles read
the whole district. Orders of other districts, units and towns are not found (`orders_for`)."""
from __future__ import annotations

from django.db.models import QuerySet

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import sees_whole_district, speaks_for_town, speaks_for_unit

R = User.Role


def _active(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _district_coordinator(user: User | None, district) -> bool:
    district_id = getattr(district, "pk", district)
    return bool(_active(user) and user.role in (R.ADMIN, R.COORDINATOR) and district_id is not None
                and user.district_id == district_id)


def orders_for(user: User) -> QuerySet:
    """Work orders a user may see: the district's for oversight roles, the unit's or the town's for others."""
    from envgov.apps.complaints.models import WorkOrder

    if not _active(user) or user.district_id is None:
        return WorkOrder.objects.none()
    qs = WorkOrder.objects.filter(district_id=user.district_id)
    if sees_whole_district(user):
        return qs
    if speaks_for_unit(user):
        return qs.filter(unit_id=user.unit_id) if user.unit_id else qs.none()
    if speaks_for_town(user):
        return qs.filter(town_id=user.town_id) if user.town_id else qs.none()
    return qs.none()


def can_view_rates(user: User, district) -> bool:
    district_id = getattr(district, "pk", district)
    return bool(_active(user) and sees_whole_district(user) and district_id is not None
                and user.district_id == district_id)


def can_manage_orders(user: User, district) -> bool:
    """Import, assign, record the complainant's answers, correct category and town, reopen."""
    return _district_coordinator(user, district)


def can_edit_rules(user: User, district) -> bool:
    return _district_coordinator(user, district)


def can_set_parameters(user: User, district) -> bool:
    return _district_coordinator(user, district)


def can_answer(user: User, order) -> bool:
    """Sign and reply: the district's coordinators, the assigned unit's reporters and leaders, the town's."""
    if _district_coordinator(user, order.district_id):
        return True
    if not _active(user) or user.district_id != order.district_id:
        return False
    if speaks_for_unit(user):
        return bool(user.unit_id and user.unit_id == order.unit_id)
    if speaks_for_town(user):
        return bool(user.town_id and user.town_id == order.town_id)
    return False
