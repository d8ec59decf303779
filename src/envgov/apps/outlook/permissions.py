"""Named checks of 达标研判. Projections of a district's targets are read by its oversight roles
(administrator, coordinators, auditors); the status parameter and town decomposition are set by its
administrator and coordinators."""
from __future__ import annotations

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import plans_for

R = User.Role


def _active(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_view_projection(user: User, target) -> bool:  # noqa: ANN001
    return (_active(user) and user.role in (R.ADMIN, R.COORDINATOR, R.AUDITOR)
            and plans_for(user).filter(pk=target.plan_id).exists())


def can_decompose(user: User, target) -> bool:  # noqa: ANN001
    """Split a district target into town targets: the district's administrator and coordinators."""
    return (_active(user) and user.role in (R.ADMIN, R.COORDINATOR)
            and plans_for(user).filter(pk=target.plan_id).exists())


def can_set_parameters(user: User, district) -> bool:  # noqa: ANN001
    district_id = getattr(district, "pk", district)
    return (_active(user) and user.role in (R.ADMIN, R.COORDINATOR) and district_id is not None
            and user.district_id == district_id)
