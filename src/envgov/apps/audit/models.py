"""The append-only audit log: who changed what, when, from which values to which.

The subject of an entry is generic (content type + object id + the name it had then), so every app
writes to the same log; `district` and `plan_id` are plain filter columns (a plan may be closed or
renamed, the entry stays as it was written).
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ANN003 - append-only
        raise PermissionDenied("审计日志只能追加，不能修改")

    def delete(self):
        raise PermissionDenied("审计日志只能追加，不能删除")

    def for_object(self, obj: models.Model) -> "AuditLogQuerySet":
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


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

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_subject_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    @property
    def object_type(self) -> str:
        """The subject's model name (progressreport, task, …)."""
        return self.content_type.model

    def save(self, *args, **kwargs):  # noqa: ANN002, ANN003
        if self.pk is not None:
            raise PermissionDenied("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: ANN002, ANN003
        raise PermissionDenied("审计日志只能追加，不能删除")
