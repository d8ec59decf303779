"""Named checks of 通报 (circulars), run as a role × route matrix in tests/apps/test_role_matrix.py.

Who sees a circular: the district's oversight roles (administrator, coordinator, auditor) see its drafts and
published circulars; every other user of the district sees the published ones (which are public anyway).
Who writes: the district's administrator and coordinators generate, publish and set the 文号 prefix.
"""
from __future__ import annotations

from django.db.models import QuerySet

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import allowed

R = User.Role


def _active(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def circulars_for(user: User) -> QuerySet:
    from envgov.apps.circulars.models import Circular

    qs = Circular.objects.all()
    if not _active(user):
        return qs.none()
    if not (user.role == R.ADMIN and user.district_id is None):
        if user.district_id is None:
            return qs.none()
        qs = qs.filter(district_id=user.district_id)
    if not allowed(user, "oversight"):
        qs = qs.filter(status=Circular.Status.PUBLISHED)
    return qs


def sees_drafts(user: User) -> bool:
    return _active(user) and allowed(user, "oversight")


def can_generate(user: User, district) -> bool:  # noqa: ANN001
    """Generate a draft (monthly or on demand): a coordinator or administrator of that district."""
    return (_active(user) and user.role in (R.ADMIN, R.COORDINATOR) and district is not None
            and user.district_id == district.pk)


def can_publish(user: User, circular) -> bool:  # noqa: ANN001
    return (can_generate(user, circular.district) and circular.status == "draft"
            and circulars_for(user).filter(pk=circular.pk).exists())


def can_edit_settings(user: User, district) -> bool:  # noqa: ANN001
    return can_generate(user, district)
