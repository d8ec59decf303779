"""Named checks of 信息公开 (decision 0039). Anyone, without login, reads a district's public page; only the
district's coordinators and administrator write and publish its drinking-water safety entries."""
from __future__ import annotations

from envgov.apps.accounts.models import User

R = User.Role
# the parts of the public page are listed once, in dashboard.permissions.PUBLIC_PARTS


def can_edit_notices(user: User | None, district) -> bool:  # noqa: ANN001 - a District or its id
    district_id = getattr(district, "pk", district)
    return bool(user and user.is_authenticated and user.is_active and user.role in (R.ADMIN, R.COORDINATOR)
                and district_id is not None and user.district_id == district_id)


def can_edit_notice(user: User | None, notice) -> bool:  # noqa: ANN001
    return can_edit_notices(user, notice.district_id)
