"""Named checks of the projects app (decision 0034). The district's coordinators and administrator keep the
project library (create, edit, import), record payments and compute fund allocations; everyone signed in
to the district reads projects, reductions, spending and allocations (other districts' are not found)."""
from __future__ import annotations

from envgov.apps.accounts.models import User

R = User.Role


def _district_id(district) -> int | None:  # noqa: ANN001
    return getattr(district, "pk", district)


def _district_coordinator(user: User | None, district) -> bool:  # noqa: ANN001
    district_id = _district_id(district)
    return bool(user and user.is_authenticated and user.is_active and user.role in (R.ADMIN, R.COORDINATOR)
                and district_id is not None and user.district_id == district_id)


def can_view_projects(user: User, district) -> bool:  # noqa: ANN001
    district_id = _district_id(district)
    return bool(user and user.is_authenticated and user.is_active and district_id is not None
                and user.district_id == district_id)


def can_edit_projects(user: User, district) -> bool:  # noqa: ANN001
    return _district_coordinator(user, district)


def can_import_projects(user: User, district) -> bool:  # noqa: ANN001
    return _district_coordinator(user, district)


def can_record_payment(user: User, project) -> bool:  # noqa: ANN001
    return _district_coordinator(user, project.district_id)


def can_allocate_funds(user: User, district) -> bool:  # noqa: ANN001
    return _district_coordinator(user, district)
