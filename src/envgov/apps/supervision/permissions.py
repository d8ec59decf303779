"""Named checks of 督办, run as a role × action matrix in tests/apps/test_supervision.py.

Who sees an item is the scope queryset's business (accounts.scope.supervision_for: the whole district
for oversight roles, the addressee's own items for its reporters and leaders); these checks answer what
a person may do with an item they can see.
"""
from __future__ import annotations

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import plans_for, supervision_for

R = User.Role
ADDRESSEE_ROLES = (R.UNIT_REPORTER, R.TOWN_REPORTER, R.UNIT_LEADER)  # speak for the unit or town addressed


def _active(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_view(user: User, item) -> bool:  # noqa: ANN001
    return _active(user) and supervision_for(user).filter(pk=item.pk).exists()


def can_open_supervision(user: User, plan) -> bool:  # noqa: ANN001
    """Open a 督办 by hand, or run the daily check: the district's coordinators and administrator."""
    return (_active(user) and user.role in (R.ADMIN, R.COORDINATOR)
            and plans_for(user).filter(pk=plan.pk).exists())


def can_run_daily_check(user: User, plan) -> bool:  # noqa: ANN001
    return can_open_supervision(user, plan)


def can_respond(user: User, item) -> bool:  # noqa: ANN001
    """Answer an item: someone who speaks for the addressee (its reporter, 科室负责人 or 分管领导), while
    the item is not closed."""
    return (_active(user) and user.role in ADDRESSEE_ROLES and item.status != "closed"
            and can_view(user, item))


def can_close_supervision(user: User, item) -> bool:  # noqa: ANN001
    """销号: a coordinator or administrator of the item's district, while it is not closed."""
    return (_active(user) and user.role in (R.ADMIN, R.COORDINATOR) and item.status != "closed"
            and can_view(user, item))


def can_print(user: User, item) -> bool:  # noqa: ANN001
    """The printable 督办单: anyone who can see the item."""
    return can_view(user, item)
