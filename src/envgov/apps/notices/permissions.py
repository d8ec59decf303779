"""Named checks of the notice app (tested as a role × action matrix in tests/apps/test_notices.py)."""
from __future__ import annotations

from envgov.apps.accounts.models import User

R = User.Role


def can_view_notice(user, notice) -> bool:  # noqa: ANN001
    """A notice is its recipient's alone — not even an administrator reads someone else's."""
    return bool(user and user.is_authenticated and user.is_active and notice.recipient_id == user.pk)


def can_edit_channels(user, district) -> bool:  # noqa: ANN001
    """The district's administrator or coordinator sets the group-chat robot of their own district."""
    if not (user and user.is_authenticated and user.is_active and district is not None):
        return False
    return user.role in (R.ADMIN, R.COORDINATOR) and user.district_id == district.pk
