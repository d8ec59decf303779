"""Named checks of the emergency app (decision 0031). The district's coordinators and administrator keep
the list and the measure table, start and end warnings; everyone signed in to the district reads the
action sheet — a unit's or town's people the part that concerns them (`entries_for`); inspectors (the
coordinators, and the reporters and unit leaders of the unit or town of an enterprise) record check-ins.
Other districts' rows are not found."""
from __future__ import annotations

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import speaks_for_town, speaks_for_unit

R = User.Role


def _in_district(user: User | None, district) -> bool:  # noqa: ANN001
    district_id = getattr(district, "pk", district)
    return bool(user and user.is_authenticated and user.is_active and district_id is not None
                and user.district_id == district_id)


def _coordinator(user: User | None, district) -> bool:  # noqa: ANN001
    return _in_district(user, district) and user.role in (R.ADMIN, R.COORDINATOR)


def can_view_emergency(user: User, district) -> bool:  # noqa: ANN001
    return _in_district(user, district)


def can_edit_list(user: User, district) -> bool:  # noqa: ANN001
    return _coordinator(user, district)


def can_edit_measures(user: User, district) -> bool:  # noqa: ANN001
    return _coordinator(user, district)


def can_start_warning(user: User, district) -> bool:  # noqa: ANN001
    return _coordinator(user, district)


def can_end_warning(user: User, episode) -> bool:  # noqa: ANN001
    return _coordinator(user, episode.district_id)


def can_download_report(user: User, episode) -> bool:  # noqa: ANN001
    return _in_district(user, episode.district_id) and user.role in (R.ADMIN, R.COORDINATOR, R.AUDITOR)


def sees_whole_list(user: User) -> bool:
    return user.role in (R.ADMIN, R.COORDINATOR, R.AUDITOR)


def concerns(user: User, entry) -> bool:  # noqa: ANN001
    """The entry is the user's own (their unit is its 主管部门, or their town its 属地)."""
    if speaks_for_unit(user):
        return user.unit_id is not None and entry.unit_id == user.unit_id
    if speaks_for_town(user):
        return user.town_id is not None and entry.town_id == user.town_id
    return False


def can_check_in(user: User, episode, entry) -> bool:  # noqa: ANN001
    if not _in_district(user, episode.district_id) or entry.district_id != episode.district_id:
        return False
    if user.role in (R.ADMIN, R.COORDINATOR):
        return True
    if user.role == R.AUDITOR:
        return False
    return concerns(user, entry)
