"""Template context: the unread-notice count of the page header (one COUNT query per page)."""
from __future__ import annotations


def unread_notices(request) -> dict:  # noqa: ANN001
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    from envgov.apps.notices.models import Notice

    return {"unread_notices": Notice.objects.filter(recipient=user, read_at__isnull=True).count()}
