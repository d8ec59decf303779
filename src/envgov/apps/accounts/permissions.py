"""Named checks for the district administration (users, units, towns, monitoring stations).

Each check answers one question about one actor and returns a bool; actions call them through
`scope.require`, views use them to decide what to offer, and tests/apps/test_manage.py runs them as a
role × action matrix. The rule behind all of them: a district administrator (role admin, bound to a
district) manages their own district only, and can never give anyone more power than they have
themselves — no other district, no district-less (city-wide) account, no Django staff or superuser.
"""
from __future__ import annotations

from envgov.apps.accounts.models import Unit, User

R = User.Role


def _district_admin(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == R.ADMIN and user.district_id)


def _same_district(user: User, district_id: int | None) -> bool:
    return _district_admin(user) and district_id is not None and user.district_id == district_id


def _pk(obj) -> int | None:  # noqa: ANN001 - a District or its id
    return getattr(obj, "pk", obj)


# ---------------------------------------------------------------- users

def can_manage_users(user: User, district) -> bool:  # noqa: ANN001
    """Open the user list and create users in `district`."""
    return _same_district(user, _pk(district))


def can_manage_user(user: User, target: User) -> bool:
    """Edit, reset the password of, deactivate or reactivate `target`: someone of the admin's own district
    who holds no power beyond a district admin's (Django staff or superuser)."""
    if not can_manage_users(user, target.district_id):
        return False
    if (target.is_superuser and not user.is_superuser) or (target.is_staff and not user.is_staff):
        return False
    return True


def can_assign_role(user: User, role: str, district) -> bool:  # noqa: ANN001
    """Give someone `role` in `district`. Every role of the district is within a district admin's powers;
    the same role elsewhere (or city-wide) is not."""
    return can_manage_users(user, district) and role in R.values


def can_change_role(user: User, target: User, role: str) -> bool:
    """Change `target`'s role. An admin does not take the admin role away from themselves (the district
    would be left without anyone to manage it)."""
    if not (can_manage_user(user, target) and can_assign_role(user, role, target.district_id)):
        return False
    return not (target.pk == user.pk and role != user.role)


def can_reset_password(user: User, target: User) -> bool:
    return can_manage_user(user, target)


def can_set_active(user: User, target: User, active: bool) -> bool:
    """Deactivate or reactivate `target`; never oneself."""
    return can_manage_user(user, target) and target.pk != user.pk


# ---------------------------------------------------------------- units, towns, stations

def can_manage_units(user: User, district) -> bool:  # noqa: ANN001
    return _same_district(user, _pk(district))


def can_edit_unit(user: User, unit: Unit) -> bool:
    return can_manage_units(user, unit.district_id)


def can_merge_units(user: User, merged: Unit, into: Unit) -> bool:
    """Merge `merged` into `into`: two different units, both of the admin's district."""
    return (merged.pk != into.pk and merged.district_id == into.district_id
            and can_manage_units(user, merged.district_id))


def can_manage_towns(user: User, district) -> bool:  # noqa: ANN001
    return _same_district(user, _pk(district))


def can_edit_town(user: User, town) -> bool:  # noqa: ANN001
    return can_manage_towns(user, town.district_id)


def can_manage_stations(user: User, district) -> bool:  # noqa: ANN001
    return _same_district(user, _pk(district))


def can_edit_station(user: User, station) -> bool:  # noqa: ANN001
    return can_manage_stations(user, station.district_id)
