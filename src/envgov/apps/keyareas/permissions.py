"""Named checks of the key areas (decision 0038). The district's coordinators and administrator draw the areas
and strict zones, set the estimate's parameters and refresh the monthly ledger; everyone signed in to the
district reads the areas and zones. The sources inside are seen as in the source inventory: the whole district
by the oversight roles, a town's own by its reporter (or a leader bound to the town), none by unit reporters.
A site's measures are checked off by coordinators and by the reporter of the site's town."""
from __future__ import annotations

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import sees_whole_district, speaks_for_town

R = User.Role


def _active(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.district_id is not None)


def _district_id(district) -> int | None:  # noqa: ANN001
    return getattr(district, "pk", district)


def can_view_keyareas(user: User | None, district) -> bool:  # noqa: ANN001
    return _active(user) and user.district_id == _district_id(district)


def can_edit_keyareas(user: User | None, district) -> bool:  # noqa: ANN001
    return _active(user) and user.role in (R.ADMIN, R.COORDINATOR) and user.district_id == _district_id(district)


def sources_town_scope(user: User | None) -> tuple[bool, int | None]:
    """(sees any sources, town id or None for the whole district) of the ledger's rows."""
    if not _active(user):
        return False, None
    if sees_whole_district(user):
        return True, None
    if speaks_for_town(user) and user.town_id is not None:
        return True, user.town_id
    return False, None


def can_view_site(user: User | None, site) -> bool:  # noqa: ANN001
    if not can_view_keyareas(user, site.district_id):
        return False
    sees, town_id = sources_town_scope(user)
    return sees and (town_id is None or town_id == site.town_id)


def can_check_measures(user: User | None, site) -> bool:  # noqa: ANN001
    if can_edit_keyareas(user, site.district_id):
        return True
    return (_active(user) and user.role == R.TOWN_REPORTER and user.district_id == site.district_id
            and user.town_id is not None and user.town_id == site.town_id)
