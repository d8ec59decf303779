"""Re-point every reference from one row to another, generically: whatever model holds a foreign key
(or a many-to-many link, or a one-to-one) to the row's model is found from the model's own meta, so a
model added later is covered without being named here.

The references are read from `_meta.get_fields(include_hidden=True)`: the reverse side of every foreign
key, including those declared with `related_name="+"` and the rows of many-to-many link tables (whose
foreign keys are hidden). `Unit._meta.related_objects` lists the same relations minus the hidden ones.

A row whose re-pointing would break a unique constraint (the target already has the same link — a task
that names both units, a party line for both) is merged into the row that already exists: its own
references move there first (the same procedure, one level down), then it is removed; its content is
returned so the caller can keep it in the audit log.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext as _

MAX_DEPTH = 3


@dataclass
class Moved:
    """What happened to the references held by one foreign key."""

    label: str  # app_label.Model.field
    model: str  # verbose name of the model holding the reference (the owner's, for a link table)
    field: str  # verbose name of the field
    moved: int = 0
    merged: int = 0  # rows that collided with an existing row of the target and were merged into it
    removed: list[dict] = field(default_factory=list)  # snapshot of each merged row, for the audit log


def references(model: type[models.Model]) -> list[tuple[type[models.Model], models.Field]]:
    """(model, foreign key) of every foreign key pointing at `model`, link tables included."""
    out = []
    for rel in model._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one):
            out.append((rel.related_model, rel.field))
    return sorted(out, key=lambda mf: (mf[0]._meta.label, mf[1].name))


def _describe(holder: type[models.Model], fk: models.Field) -> tuple[str, str]:
    """Verbose names a person understands: a link table is described by its many-to-many field."""
    meta = holder._meta
    if meta.auto_created:  # Task_lead_units → 任务 · 牵头单位
        owner = meta.auto_created
        m2m = next(f for f in owner._meta.many_to_many if f.remote_field.through is holder)
        return str(owner._meta.verbose_name), str(m2m.verbose_name)
    return str(meta.verbose_name), str(fk.verbose_name)


def _unique_sets(holder: type[models.Model], fk: models.Field) -> list[tuple[tuple[str, ...], Q | None]]:
    sets: list[tuple[tuple[str, ...], Q | None]] = []
    if fk.unique:
        sets.append(((fk.name,), None))
    for together in holder._meta.unique_together:
        if fk.name in together:
            sets.append((tuple(together), None))
    for c in holder._meta.constraints:
        if isinstance(c, models.UniqueConstraint) and c.fields and fk.name in c.fields:
            sets.append((tuple(c.fields), c.condition))
    return sets


def _collision(row: models.Model, fk: models.Field, target_pk, sets) -> models.Model | None:  # noqa: ANN001
    """The row of the target that `row`, re-pointed, would duplicate under one of the unique sets."""
    holder = type(row)
    manager = holder._base_manager
    for fields, condition in sets:
        lookup = {fk.attname: target_pk}
        for name in fields:
            if name == fk.name:
                continue
            other = holder._meta.get_field(name)
            value = getattr(row, other.attname)
            if value is None:  # NULLs never collide
                break
            lookup[other.attname] = value
        else:
            qs = manager.filter(**lookup).exclude(pk=row.pk)
            if condition is not None:
                if not manager.filter(pk=row.pk).filter(condition).exists():
                    continue
                qs = qs.filter(condition)
            hit = qs.order_by("pk").first()
            if hit is not None:
                return hit
    return None


def _snapshot(row: models.Model) -> dict:
    from envgov.apps.audit.log import snapshot

    return {"id": row.pk, **{k: v for k, v in snapshot(row).items() if k != "id"}}


def repoint(source: models.Model, target: models.Model, *, depth: int = 0) -> list[Moved]:
    """Move every reference to `source` onto `target` (same model). Call inside a transaction."""
    if depth > MAX_DEPTH:
        raise ValidationError(_("重复记录嵌套过深，无法自动合并，请联系系统维护人员"))
    report: list[Moved] = []
    for holder, fk in references(type(source)):
        manager = holder._base_manager
        rows = list(manager.filter(**{fk.attname: source.pk}).order_by("pk"))
        if not rows:
            continue
        model_name, field_name = _describe(holder, fk)
        entry = Moved(f"{holder._meta.label}.{fk.name}", model_name, field_name)
        sets = _unique_sets(holder, fk)
        plain = []
        for row in rows:
            hit = _collision(row, fk, target.pk, sets) if sets else None
            if hit is None:
                plain.append(row.pk)
                continue
            for sub in repoint(row, hit, depth=depth + 1):  # the duplicate's own references go to the kept row
                report.append(sub)
            entry.removed.append({**_snapshot(row), "kept": hit.pk})
            manager.filter(pk=row.pk).delete()
            entry.merged += 1
        if plain:
            updates = {fk.attname: target.pk}
            if any(f.name == "version" for f in holder._meta.concrete_fields):
                updates["version"] = F("version") + 1  # an edit opened before the merge is refused
            manager.filter(pk__in=plain).update(**updates)
            entry.moved = len(plain)
        report.append(entry)
    return report
