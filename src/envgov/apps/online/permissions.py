"""Named checks of the online-monitoring app (decision 0040). The district's coordinators and administrator
register points and limits, turn alerts into 督办 and set the rule; the auditor reads the whole district; a
town's reporters and leaders read the points of their own town; unit reporters do not see enterprises'
monitoring data (their points are not found)."""
from __future__ import annotations

from django.db.models import QuerySet

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import sees_whole_district, speaks_for_town

R = User.Role


def _active(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _district_coordinator(user: User | None, district) -> bool:
    district_id = getattr(district, "pk", district)
    return bool(_active(user) and user.role in (R.ADMIN, R.COORDINATOR)
                and district_id is not None and user.district_id == district_id)


def points_for(user: User) -> QuerySet:
    """Points a user may read: the whole district for the oversight roles, their own town's for a town's
    reporters and leaders, none for anyone else."""
    from envgov.apps.online.models import MonitoringPoint

    qs = MonitoringPoint.objects.none()
    if not _active(user) or user.district_id is None:
        return qs
    qs = MonitoringPoint.objects.filter(district_id=user.district_id)
    if sees_whole_district(user):
        return qs
    if speaks_for_town(user) and user.town_id:
        return qs.filter(town_id=user.town_id)
    return MonitoringPoint.objects.none()


def alerts_for(user: User) -> QuerySet:
    from envgov.apps.online.models import Alert

    return Alert.objects.filter(point__in=points_for(user))


def can_view_online(user: User, district) -> bool:
    district_id = getattr(district, "pk", district)
    return bool(_active(user) and district_id is not None and user.district_id == district_id)


def can_edit_points(user: User, district) -> bool:
    return _district_coordinator(user, district)


def can_edit_limits(user: User, point) -> bool:
    return _district_coordinator(user, point.district_id)


def can_supervise_alert(user: User, alert) -> bool:
    return _district_coordinator(user, alert.point.district_id)


def can_set_rule(user: User, district) -> bool:
    return _district_coordinator(user, district)
