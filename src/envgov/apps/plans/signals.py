"""Parties follow a task's assignment whatever path changed it (actions, loader, Excel import, admin):
one rule, kept here, instead of a sync call that each writer might forget."""
from __future__ import annotations

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from envgov.apps.plans.models import Quantity, Task


def _sync(task: Task) -> None:
    from envgov.apps.audit import clock
    from envgov.apps.plans import progress

    progress.sync_parties(task, clock.today())


@receiver(m2m_changed, sender=Task.lead_units.through)
@receiver(m2m_changed, sender=Task.towns.through)
def assignment_changed(sender, instance, action, reverse, **kwargs):  # noqa: ANN001, ANN003
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # unit.led_tasks.add(task) or town.tasks.add(...): every task touched
        for task in Task.objects.filter(pk__in=kwargs.get("pk_set") or []):
            _sync(task)
    else:
        _sync(instance)


@receiver(post_save, sender=Task)
def task_saved(sender, instance: Task, created: bool, update_fields=None, **kwargs):  # noqa: ANN001, ANN003
    if created or update_fields is None or "all_towns" in update_fields:
        _sync(instance)


@receiver(post_save, sender=Quantity)
def quantity_saved(sender, instance: Quantity, created: bool, **kwargs):  # noqa: ANN001, ANN003
    if created:
        _sync(instance.task)
