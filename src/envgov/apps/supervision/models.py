"""督办: items opened by the daily check (overdue, lagging) or by hand, answered by the party they are
addressed to (text and photos), escalated when unanswered, closed with evidence (销号).

The item table keeps the name it had in the plans app (plans_supervisionitem), so no row moved.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from envgov.apps.plans.models import Attachment


class SupervisionItem(models.Model):
    """督办事项."""

    class Source(models.TextChoices):
        OVERDUE = "overdue", _("逾期未完成")
        LAGGING = "lagging", _("进度滞后")
        MANUAL = "manual", _("人工督办")
        RANKING = "ranking", _("排名靠后")
        ONLINE = "online", _("在线监控报警")

    class Status(models.TextChoices):
        OPEN = "open", _("督办中")
        RESPONDED = "responded", _("已反馈")
        CLOSED = "closed", _("已销号")

    class Level(models.IntegerChoices):
        """Who is asked to answer (envgov.rules.ledger.ESCALATION_LEVELS, by index)."""

        STAFF = 0, _("经办人员")
        SECTION_HEAD = 1, _("科室负责人")
        DEPUTY_IN_CHARGE = 2, _("分管领导")

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="supervision_items",
                             verbose_name=_("计划"))
    task = models.ForeignKey(
        "plans.Task", on_delete=models.CASCADE, null=True, blank=True, related_name="supervision_items",
        verbose_name=_("任务"),
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    addressee_unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("督办单位")
    )
    addressee_town = models.ForeignKey(
        "geo.Town", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("督办街乡镇")
    )
    party = models.ForeignKey(
        "plans.TaskParty", on_delete=models.SET_NULL, null=True, blank=True, related_name="supervision_items",
        verbose_name=_("责任方"),
    )
    period = models.CharField(_("检查期"), max_length=7, blank=True, help_text=_("发现问题的填报期"))
    # what exactly was found, for causes other than a task's (排名靠后: indicator, ranking method and period,
    # e.g. "pm25:concentration:2024-03"); one item per town and cause (uniq_supervision_ranking)
    cause_key = models.CharField(_("督办原因"), max_length=60, blank=True)
    # the online-monitoring alert a 在线监控报警 item was opened for (one item per alert)
    online_alert = models.OneToOneField(
        "online.Alert", on_delete=models.SET_NULL, null=True, blank=True, related_name="supervision_item",
        verbose_name=_("在线监控报警"),
    )
    reopens = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reopened_by",
        verbose_name=_("重新督办自"),
    )
    reopen_reason = models.TextField(_("重新督办原因"), blank=True)
    title = models.CharField(_("事项"), max_length=300)
    detail = models.TextField(_("说明"), blank=True)
    opened_on = models.DateField(_("发起日期"))
    due_date = models.DateField(_("反馈时限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    escalation_level = models.PositiveSmallIntegerField(_("督办层级"), choices=Level.choices, default=Level.STAFF)
    escalated_on = models.DateField(_("升级日期"), null=True, blank=True)
    response = models.TextField(_("整改反馈"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    closure_note = models.TextField(_("销号说明"), blank=True)
    closure_evidence = models.FileField(_("销号佐证"), upload_to="supervision/", blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        db_table = "plans_supervisionitem"
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["status", "due_date"]
        constraints = [
            # one item per (task, party, cause, period) from the daily check, even if two checks race
            models.UniqueConstraint(fields=["task", "party", "source", "period"], condition=~Q(source="manual"),
                                    name="uniq_supervision_cause_period"),
            # one 排名靠后 item per plan, town and ranking (indicator, method, period), even if two people click
            models.UniqueConstraint(fields=["plan", "addressee_town", "cause_key"], condition=Q(source="ranking"),
                                    name="uniq_supervision_ranking"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def addressee(self):  # noqa: ANN201 - a Unit or a Town
        return self.addressee_unit or self.addressee_town

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class SupervisionEvent(models.Model):
    """One step of an item's life, shown on its page as a timeline: who did what, when, at which level."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("发起督办")
        REOPENED = "reopened", _("重新督办")
        ESCALATED = "escalated", _("逾期未反馈，升级督办")
        RESPONDED = "responded", _("反馈整改情况")
        CLOSED = "closed", _("销号")

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="events",
                             verbose_name=_("督办事项"))
    kind = models.CharField(_("环节"), max_length=10, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("督办层级"), choices=SupervisionItem.Level.choices, default=0)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("办理人"))
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["at", "id"]


class SupervisionPhoto(models.Model):
    """A photo or document sent with a response (taken on a phone at the site, usually)."""

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="photos",
                             verbose_name=_("督办事项"))
    event = models.ForeignKey(SupervisionEvent, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="photos")
    file = models.FileField(_("文件"), upload_to="supervision/responses/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    IMAGE_SUFFIXES = Attachment.IMAGE_SUFFIXES
    is_image = Attachment.is_image  # shown as a thumbnail, as a progress report's photos are

    class Meta:
        verbose_name = _("反馈照片")
        verbose_name_plural = _("反馈照片")
        ordering = ["uploaded_at", "id"]
