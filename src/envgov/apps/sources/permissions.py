"""Named checks of the source inventory (decision 0030). Coordinators and the administrator of a district
see and edit all its sources and bring templates in; a town reporter (or a leader bound to a town) sees its
own town's sources and a town reporter edits and adds them there; the auditor reads the whole district.
Unit reporters and unit leaders see none (the inventory is placed by town, not by unit)."""
from __future__ import annotations

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import sees_whole_district, speaks_for_town

R = User.Role


def _active(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.district_id is not None)


def _coordinator(user: User | None, district_id: int | None) -> bool:
    return _active(user) and user.role in (R.ADMIN, R.COORDINATOR) and user.district_id == district_id


def sees_district(user: User | None, district_id: int | None) -> bool:
    return _active(user) and sees_whole_district(user) and user.district_id == district_id


def can_view_source(user: User | None, source) -> bool:  # noqa: ANN001
    if sees_district(user, source.district_id):
        return True
    return (_active(user) and speaks_for_town(user) and user.district_id == source.district_id
            and user.town_id is not None and user.town_id == source.town_id)


def can_edit_in_town(user: User | None, district_id: int | None, town_id: int | None) -> bool:
    """May `user` add or keep a source in this town of this district?"""
    if _coordinator(user, district_id):
        return True
    return (_active(user) and user.role == R.TOWN_REPORTER and user.district_id == district_id
            and town_id is not None and user.town_id == town_id)


def can_edit_source(user: User | None, source) -> bool:  # noqa: ANN001
    return can_edit_in_town(user, source.district_id, source.town_id)


def can_add_sources(user: User | None) -> bool:
    return _active(user) and (user.role in (R.ADMIN, R.COORDINATOR) or (user.role == R.TOWN_REPORTER and user.town_id))


def can_import_sources(user: User | None, district) -> bool:  # noqa: ANN001
    return _coordinator(user, getattr(district, "pk", district))


def can_audit_reports(user: User | None, district) -> bool:  # noqa: ANN001
    return _coordinator(user, getattr(district, "pk", district))
