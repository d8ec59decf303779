"""Template context: the signed-in user's role and scope label for the page header."""
from __future__ import annotations


def user_scope(request) -> dict:  # noqa: ANN001
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    scope = user.unit or user.town or user.district
    return {"user_role_label": user.get_role_display(), "user_scope_label": str(scope) if scope else "全市"}


def demo_clock(request) -> dict:  # noqa: ANN001
    from envgov.apps.audit import clock

    return {"pinned_today": clock.today() if clock.is_pinned() else None}


def owed_badge(request) -> dict:  # noqa: ANN001
    """The header's 待办 count — the same function as every page's (envgov.apps.plans.owed), computed only
    when a template shows it."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}

    def count() -> int:
        from envgov.apps.audit import clock
        from envgov.apps.plans import owed

        return owed.owed_count(user, clock.today())

    return {"header_owed_count": count}
