"""One edit of a versioned row, the way every management action makes it: compare-and-set on `version`
(the later of two concurrent saves is refused), set the fields, save them, audit before → after."""
from __future__ import annotations

from django.db import models

from envgov.apps.audit import log as audit
from envgov.apps.plans.actions import _bump


def save_versioned(obj: models.Model, changes: dict, *, acting_user, expected_version: int, action: str,  # noqa: ANN001
                   fields: list[str], stale_message: str) -> models.Model:
    """Call inside the action's transaction, after its permission check; `fields` are the audited ones."""
    before = audit.snapshot(obj, fields)
    _bump(type(obj), obj.pk, expected_version, stale_message)
    obj.refresh_from_db()
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(changes))
    audit.record(actor=acting_user, action=action, obj=obj, before=before, after=audit.snapshot(obj, fields))
    return obj
