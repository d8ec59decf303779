"""Named checks of the ecology app (decision 0036). The district's coordinators and administrator enter and
import the EI component indices, the carbon figures and the soil ledger counts and set the user-set rules;
everyone signed in to the district reads the page (other districts' figures are not found)."""
from __future__ import annotations

from envgov.apps.accounts.models import User

R = User.Role


def _district_id(district) -> int | None:  # noqa: ANN001
    return getattr(district, "pk", district)


def can_view_ecology(user: User, district) -> bool:  # noqa: ANN001
    district_id = _district_id(district)
    return bool(user and user.is_authenticated and user.is_active and district_id is not None
                and user.district_id == district_id)


def can_edit_ecology(user: User, district) -> bool:  # noqa: ANN001
    """Enter or import figures and ledger counts, and set the base year and the user-set rules."""
    district_id = _district_id(district)
    return bool(user and user.is_authenticated and user.is_active and user.role in (R.ADMIN, R.COORDINATOR)
                and district_id is not None and user.district_id == district_id)
