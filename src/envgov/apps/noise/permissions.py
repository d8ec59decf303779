"""Named checks of the noise app (decision 0035). The district's coordinators and administrator bring
measurements and zones in, correct points and set the unconfirmed evaluation rules; everyone signed in to the
district reads points, rates and the map (other districts' points are not found)."""
from __future__ import annotations

from envgov.apps.accounts.models import User

R = User.Role


def _district_coordinator(user: User | None, district) -> bool:
    district_id = getattr(district, "pk", district)
    return bool(user and user.is_authenticated and user.is_active and user.role in (R.ADMIN, R.COORDINATOR)
                and district_id is not None and user.district_id == district_id)


def can_view_noise(user: User, district) -> bool:
    district_id = getattr(district, "pk", district)
    return bool(user and user.is_authenticated and user.is_active and district_id is not None
                and user.district_id == district_id)


def can_import_measurements(user: User, district) -> bool:
    return _district_coordinator(user, district)


def can_edit_point(user: User, point) -> bool:
    return _district_coordinator(user, point.district_id)


def can_import_zones(user: User, district) -> bool:
    return _district_coordinator(user, district)


def can_set_noise_parameters(user: User, district) -> bool:
    return _district_coordinator(user, district)
