"""Named checks of town rankings, run as a role × action matrix in tests/apps/test_rankings.py.

Everyone signed in to the district reads the rankings and town figures; the district's coordinators and
administrator set the weighting and ranking settings, enter and import the monthly measures, and open
督办 for the bottom towns (the last also needs envgov.apps.supervision.permissions.can_open_supervision).
"""
from __future__ import annotations

from envgov.apps.accounts.models import User

R = User.Role


def _in_district(user: User | None, district) -> bool:
    district_id = getattr(district, "pk", district)
    return bool(user and user.is_authenticated and user.is_active and district_id is not None
                and user.district_id == district_id)


def _coordinator(user: User | None, district) -> bool:
    return _in_district(user, district) and user.role in (R.ADMIN, R.COORDINATOR)  # type: ignore[union-attr]


def can_view_rankings(user: User, district) -> bool:
    return _in_district(user, district)


def can_set_ranking_settings(user: User, district) -> bool:
    return _coordinator(user, district)


def can_enter_measures(user: User, district) -> bool:
    return _coordinator(user, district)


def can_import_measures(user: User, district) -> bool:
    return _coordinator(user, district)


def can_open_ranking_supervision(user: User, district) -> bool:
    return _coordinator(user, district)
