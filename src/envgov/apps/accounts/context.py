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
