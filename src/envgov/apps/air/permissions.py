"""Named checks of monitoring data, run as a role × action matrix in tests/apps/test_permissions_matrix.py.

The district's own coordinators and administrator bring data in, mark exceptional days and set the
user-set parameters of the standards; everyone signed in to the district reads the results. (Station
registry checks live with the other district-administration checks in accounts.permissions.)
"""
from __future__ import annotations

from envgov.apps.accounts.models import User

R = User.Role


def _district_coordinator(user: User | None, district) -> bool:  # noqa: ANN001 - a District or its id
    district_id = getattr(district, "pk", district)
    return bool(user and user.is_authenticated and user.is_active and user.role in (R.ADMIN, R.COORDINATOR)
                and district_id is not None and user.district_id == district_id)


def can_import_observations(user: User, district) -> bool:  # noqa: ANN001
    return _district_coordinator(user, district)


def can_finish_import(user: User, record) -> bool:  # noqa: ANN001 - an ObservationImport
    """Finish or undo an interrupted import of one's own district."""
    return _district_coordinator(user, record.district_id)


def can_mark_exceptional_day(user: User, district) -> bool:  # noqa: ANN001
    return _district_coordinator(user, district)


def can_set_air_parameters(user: User, district) -> bool:  # noqa: ANN001
    return _district_coordinator(user, district)


def can_recompute(user: User, district) -> bool:  # noqa: ANN001
    return _district_coordinator(user, district)
