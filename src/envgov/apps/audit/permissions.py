"""Who may read and export the audit log. Nobody may change it (the model refuses; see models.py)."""
from __future__ import annotations

from envgov.apps.accounts.scope import allowed


def can_view_audit(user) -> bool:  # noqa: ANN001
    """Oversight roles (administrator, coordinator, auditor) read their district's log."""
    return allowed(user, "oversight")


def can_export_audit(user) -> bool:  # noqa: ANN001
    """Whoever may read the log may take it away as .xlsx (the auditor's working copy)."""
    return can_view_audit(user)


def can_change_audit(user) -> bool:  # noqa: ANN001, ARG001
    """No one: the log is append-only, entries are written by the actions only."""
    return False
