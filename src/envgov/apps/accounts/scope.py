"""Who may see and do what. Every view and API operation declares one rule from RULES (the role-matrix
test fails for any route without one); object-level scope is applied with the queryset helpers below,
so an object outside a user's scope is simply not found (404), never shown.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from envgov.apps.accounts.models import User

R = User.Role
ALL_ROLES = frozenset(R.values)
# rule name → roles allowed through the gate (object scope is narrowed further by the querysets)
RULES: dict[str, frozenset[str]] = {
    "public": frozenset(),  # no login needed (login page, language switch, health)
    "any_user": ALL_ROLES,  # any signed-in user, content narrowed to their scope
    "reporter": frozenset({R.UNIT_REPORTER, R.TOWN_REPORTER}),
    # those who speak for the unit or town a 督办 is addressed to: its reporters and its leaders
    "addressee": frozenset({R.UNIT_REPORTER, R.TOWN_REPORTER, R.UNIT_LEADER}),
    "reviewer": frozenset({R.ADMIN, R.COORDINATOR}),
    "oversight": frozenset({R.ADMIN, R.COORDINATOR, R.AUDITOR}),
    "admin": frozenset({R.ADMIN}),
}


def allowed(user, rule: str) -> bool:
    if rule == "public":
        return True
    return bool(user and user.is_authenticated and user.is_active and user.role in RULES[rule])


def scoped(rule: str) -> Callable:
    """Mark a page view with its access rule and enforce it (login redirect, then 403)."""
    if rule not in RULES:
        raise ValueError(f"unknown scope rule {rule!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
            if rule != "public":
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if not allowed(request.user, rule):
                    raise PermissionDenied("您没有权限访问此页面")
            return view(request, *args, **kwargs)

        wrapper.scope_rule = rule  # type: ignore[attr-defined]
        return wrapper

    return decorate


def sees_whole_district(user: User) -> bool:
    return user.role in (R.ADMIN, R.COORDINATOR, R.AUDITOR)


def plans_for(user: User) -> QuerySet:
    from envgov.apps.plans.models import Plan

    qs = Plan.objects.all()
    if user.role == R.ADMIN and user.district_id is None:
        return qs
    if user.district_id is None:
        return qs.none()
    qs = qs.filter(district_id=user.district_id)
    if not sees_whole_district(user):
        qs = qs.exclude(status=Plan.Status.DRAFT)  # reporters see issued plans only
    return qs


def speaks_for_unit(user: User) -> bool:
    """A unit reporter, or a unit leader bound to a unit (a leader bound to a town speaks for the town)."""
    return user.role == R.UNIT_REPORTER or (user.role == R.UNIT_LEADER and user.unit_id is not None)


def speaks_for_town(user: User) -> bool:
    return user.role == R.TOWN_REPORTER or (user.role == R.UNIT_LEADER and user.unit_id is None)


def task_scope_q(user: User, prefix: str = "") -> Q:
    """Q narrowing tasks (or rows pointing at tasks via `prefix`) to the user's unit or town."""
    p = prefix
    if speaks_for_unit(user):
        if user.unit_id is None:
            return Q(pk__in=[])
        return Q(**{f"{p}lead_units": user.unit_id}) | Q(**{f"{p}cooperating_units": user.unit_id})
    if speaks_for_town(user):
        if user.town_id is None:
            return Q(pk__in=[])
        return Q(**{f"{p}towns": user.town_id}) | Q(**{f"{p}all_towns": True})
    return Q()


def tasks_for(user: User) -> QuerySet:
    from envgov.apps.plans.models import Task

    qs = Task.objects.filter(plan__in=plans_for(user))
    if sees_whole_district(user):
        return qs
    return qs.filter(task_scope_q(user)).distinct()


def reports_for(user: User) -> QuerySet:
    """Progress reports a user may read: whole district for oversight, own unit's/town's for reporters."""
    from envgov.apps.plans.models import ProgressReport

    qs = ProgressReport.objects.filter(task__plan__in=plans_for(user))
    return _own_rows(user, qs, "unit_id", "town_id")


def supervision_for(user: User) -> QuerySet:
    from envgov.apps.supervision.models import SupervisionItem

    qs = SupervisionItem.objects.filter(plan__in=plans_for(user))
    return _own_rows(user, qs, "addressee_unit_id", "addressee_town_id")


def _own_rows(user: User, qs: QuerySet, unit_field: str, town_field: str) -> QuerySet:
    """Reporters and unit leaders see the rows of their own unit or town; oversight roles see them all."""
    if speaks_for_unit(user):
        return qs.filter(**{unit_field: user.unit_id}) if user.unit_id else qs.none()
    if speaks_for_town(user):
        return qs.filter(**{town_field: user.town_id}) if user.town_id else qs.none()
    return qs


def require(cond: bool, message: str = "您没有权限执行此操作") -> None:
    if not cond:
        raise PermissionDenied(message)


def api_scoped(rule: str) -> Callable:
    """Mark an API operation with its access rule and enforce the role gate (403 JSON via the API's
    PermissionDenied handler). Authentication itself (session or bearer token → 401) is the API's job;
    the object scope is applied by the operation with the querysets above (outside scope → 404)."""
    if rule not in RULES:
        raise ValueError(f"unknown scope rule {rule!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
            if rule != "public" and not allowed(getattr(request, "auth", None) or request.user, rule):
                raise PermissionDenied("您没有权限使用此接口")
            return view(request, *args, **kwargs)

        wrapper.scope_rule = rule  # type: ignore[attr-defined]
        return wrapper

    return decorate


def audit_for(user: User) -> QuerySet:
    """Audit entries a user may read: their district's, for the oversight roles (all, for an administrator
    without a district); nobody else's."""
    from envgov.apps.audit.models import AuditLog

    qs = AuditLog.objects.all()
    if not allowed(user, "oversight"):
        return qs.none()
    if user.role == R.ADMIN and user.district_id is None:
        return qs
    return qs.filter(district_id=user.district_id) if user.district_id else qs.none()


# ---------------------------------------------------------------- district administration (manage pages)
# An admin manages the users, units, towns and stations of their own district; anything else is not found.

def managed_users(user: User) -> QuerySet:
    if user.role != R.ADMIN or user.district_id is None:
        return User.objects.none()
    return User.objects.filter(district_id=user.district_id)


def managed_units(user: User) -> QuerySet:
    from envgov.apps.accounts.models import Unit

    if user.role != R.ADMIN or user.district_id is None:
        return Unit.objects.none()
    return Unit.objects.filter(district_id=user.district_id)


def managed_towns(user: User) -> QuerySet:
    from envgov.apps.geo.models import Town

    if user.role != R.ADMIN or user.district_id is None:
        return Town.objects.none()
    return Town.objects.filter(district_id=user.district_id)


def managed_stations(user: User) -> QuerySet:
    from envgov.apps.air.models import Station

    if user.role != R.ADMIN or user.district_id is None:
        return Station.objects.none()
    return Station.objects.filter(district_id=user.district_id)
