"""Named checks of the water app (decision 0027). The district's coordinators and administrator bring
samples in, correct sections and set the compensation rule sets' user-set parameters; everyone signed in
to the district reads sections, classes and the ledger (content is the district's own: other districts'
sections are not found)."""
from __future__ import annotations

from envgov.apps.accounts.models import User

R = User.Role


def _district_coordinator(user: User | None, district) -> bool:
    district_id = getattr(district, "pk", district)
    return bool(user and user.is_authenticated and user.is_active and user.role in (R.ADMIN, R.COORDINATOR)
                and district_id is not None and user.district_id == district_id)


def can_view_water(user: User, district) -> bool:
    district_id = getattr(district, "pk", district)
    return bool(user and user.is_authenticated and user.is_active and district_id is not None
                and user.district_id == district_id)


def can_import_samples(user: User, district) -> bool:
    return _district_coordinator(user, district)


def can_edit_section(user: User, section) -> bool:
    return _district_coordinator(user, section.district_id)


def can_set_compensation_parameters(user: User, district) -> bool:
    return _district_coordinator(user, district)


def can_set_water_parameters(user: User, district) -> bool:
    return _district_coordinator(user, district)
