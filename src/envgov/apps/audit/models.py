"""The append-only audit log: who changed what, when, from which values to which.

The subject of an entry is generic (content type + object id + the name it had then), so every app
writes to the same log; `district` (who may read it) and `plan_id` are plain filter columns (a plan may be
closed or renamed, the entry stays as it was written).

Append-only: a saved entry cannot be saved again or deleted, the querysets refuse update, delete,
bulk_create and bulk_update, and on PostgreSQL a trigger refuses UPDATE and DELETE (migration 0004).
Each entry carries the previous entry's hash (`envgov.apps.audit.chain`); entries are appended under the
lock of the single `AuditHead` row, so the chain is a line, and the head remembers its end (a deleted
last entry shows too). `envgov audit verify` checks it (`envgov.apps.audit.verify`).
"""
from __future__ import annotations

import json

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from envgov.apps.audit import chain

REFUSE_CHANGE = _("审计日志只能追加，不能修改")
REFUSE_DELETE = _("审计日志只能追加，不能删除")


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied(REFUSE_CHANGE)

    def bulk_update(self, objs, fields, batch_size=None):  # noqa: ANN001
        raise PermissionDenied(REFUSE_CHANGE)

    def bulk_create(self, objs, *args, **kwargs):  # noqa: ANN001
        raise PermissionDenied(_("审计日志逐条追加（每条带上一条的哈希），不能批量写入"))

    def delete(self):
        raise PermissionDenied(REFUSE_DELETE)

    def _raw_delete(self, using):  # noqa: ANN001 - cascades and fast deletes use this
        raise PermissionDenied(REFUSE_DELETE)

    def for_object(self, obj: models.Model) -> AuditLogQuerySet:
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class AuditHead(models.Model):
    """The end of the chain (one row, pk=1): appending locks it, so entries are chained one after another."""

    length = models.PositiveBigIntegerField(default=0)
    last_id = models.PositiveBigIntegerField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, blank=True, default=chain.GENESIS)

    class Meta:
        verbose_name = _("审计链末端")
        verbose_name_plural = _("审计链末端")


class AuditLog(models.Model):
    """Append-only record of every change: who, when, what, before/after."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("操作人"),
    )
    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("区"))
    plan_id = models.PositiveBigIntegerField(_("计划"), null=True, blank=True, db_index=True)
    action = models.CharField(_("操作"), max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("对象类型"))
    object_id = models.CharField(_("对象"), max_length=40)
    object_repr = models.CharField(_("对象名称"), max_length=300, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    prev_hash = models.CharField(_("上一条哈希"), max_length=64, blank=True, default="")
    hash = models.CharField(_("哈希"), max_length=64, blank=True, default="")

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        base_manager_name = "objects"
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_subject_idx")]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    @property
    def object_type(self) -> str:
        """The subject's model name (progressreport, task, …)."""
        return self.content_type.model

    def chained_fields(self) -> dict:
        ct = ContentType.objects.get_for_id(self.content_type_id)
        return chain.entry_fields(
            at=self.at, actor_id=self.actor_id, district_id=self.district_id, plan_id=self.plan_id,
            action=self.action, subject_type=f"{ct.app_label}.{ct.model}", object_id=self.object_id,
            object_repr=self.object_repr, before=self.before, after=self.after, note=self.note)

    def save(self, *args, **kwargs):  # noqa: ANN002, ANN003
        if self.pk is not None or self._state.adding is False:
            raise PermissionDenied(REFUSE_CHANGE)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        # stored as read back: what is hashed is exactly what a later verification will load
        self.before = _as_stored(self.before)
        self.after = _as_stored(self.after)
        with transaction.atomic(using=using):
            head = _locked_head(using)
            self.prev_hash = head.last_hash
            self.hash = chain.link_hash(self.chained_fields(), self.prev_hash)
            super().save(*args, **kwargs)
            AuditHead.objects.using(using).filter(pk=head.pk).update(
                length=F("length") + 1, last_id=self.pk, last_hash=self.hash)

    def delete(self, *args, **kwargs):  # noqa: ANN002, ANN003
        raise PermissionDenied(REFUSE_DELETE)


def _as_stored(value):  # noqa: ANN001, ANN202
    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _locked_head(using: str) -> AuditHead:
    """Lock the chain's end for this transaction: an UPDATE takes the row lock on PostgreSQL and the write
    lock on SQLite, so a second writer waits here until the first has committed its entry."""
    heads = AuditHead.objects.using(using)
    if not heads.filter(pk=1).update(length=F("length")):
        heads.get_or_create(pk=1)
        heads.filter(pk=1).update(length=F("length"))
    return heads.get(pk=1)
