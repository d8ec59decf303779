"""Writing the append-only audit log, and the field snapshots it records.

`record` is the one way an entry is written; its district (the scope of who may read it) comes from the
plan, else the subject's own district, else the actor's."""
from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from envgov.apps.audit.models import AuditLog


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Concrete field values (and M2M ids) of a row, JSON-safe."""
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        out[f.name] = _plain(getattr(obj, f.attname))
    if obj.pk is not None:
        for f in obj._meta.many_to_many:
            if fields is not None and f.name not in fields:
                continue
            out[f.name] = sorted(getattr(obj, f.name).values_list("pk", flat=True))
    return out


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[dict, dict]:
    """Only the keys that changed, so the log shows exactly what moved."""
    before, after = before or {}, after or {}
    keys = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k) and k != "version"]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record(
    *, actor, action: str, obj: models.Model, before: dict | None = None, after: dict | None = None,  # noqa: ANN001
    plan=None, note: str = "",  # noqa: ANN001
) -> AuditLog:
    if before is not None and after is not None:
        before, after = diff(before, after)
    actor = actor if getattr(actor, "pk", None) else None
    district_id = (getattr(plan, "district_id", None) or getattr(obj, "district_id", None)
                   or getattr(actor, "district_id", None))
    return AuditLog.objects.create(
        actor=actor,
        district_id=district_id,
        plan_id=getattr(plan, "pk", None),
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=before,
        after=after,
        note=note[:300],
    )
