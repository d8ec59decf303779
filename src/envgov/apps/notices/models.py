"""Notices (通知): what a person is told — in the app, by e-mail, and in the district's group chat.

A notice is written once per (recipient, kind, key): the same fact is never noticed twice. Its title and
body are stored as sent (the e-mail and the group message carry the same words). State changes go through
`envgov.apps.notices.actions`.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    class Kind(models.TextChoices):
        REPORT_DUE = "report_due", _("填报即将截止")
        REPORT_RETURNED = "report_returned", _("进展被退回")
        SUPERVISION_OPENED = "supervision_opened", _("新督办")
        SUPERVISION_ESCALATED = "supervision_escalated", _("督办升级")
        TASK_EDITED = "task_edited", _("任务调整")
        LOGIN_THROTTLED = "login_throttled", _("登录失败提醒")
        EMERGENCY_WARNING = "emergency_warning", _("重污染预警")
        COMPLAINT_ASSIGNED = "complaint_assigned", _("接诉即办派单")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices", verbose_name=_("接收人")
    )
    kind = models.CharField(_("类别"), max_length=30, choices=Kind.choices)
    key = models.CharField(_("去重键"), max_length=120, help_text=_("同一接收人、同一类别、同一键只通知一次"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    links = models.JSONField(_("相关链接"), default=list, blank=True, help_text=_("[{label, url}]，如每项欠报任务"))
    subject_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("通知时间"), db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True,
                                      help_text=_("即时邮件或每日摘要发出的时间"))

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "kind", "key"], name="uniq_notice_fact")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_unread")]

    def __str__(self) -> str:
        return self.title


class NoticePreference(models.Model):
    """How one person wants to be told. No row = immediate, e-mail on (when they have an address)."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", _("即时")
        DIGEST = "digest", _("每日摘要")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preference", verbose_name=_("用户")
    )
    delivery = models.CharField(_("邮件方式"), max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    email = models.BooleanField(_("发送邮件"), default=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")


class DistrictChannel(models.Model):
    """The district's group-chat robot (企业微信 / 钉钉 群机器人, or a generic JSON webhook)."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")
        GENERIC = "generic", _("通用 JSON 接口")

    district = models.OneToOneField(
        "geo.District", on_delete=models.CASCADE, related_name="notice_channel", verbose_name=_("区")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.WECOM)
    webhook_url = models.URLField(_("Webhook 地址"), max_length=500, blank=True)
    secret = models.CharField(_("加签密钥"), max_length=200, blank=True,
                              help_text=_("钉钉机器人安全设置选“加签”时填写；其他情况留空"))
    enabled = models.BooleanField(_("启用"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("区通知渠道")
        verbose_name_plural = _("区通知渠道")

    def __str__(self) -> str:
        return f"{self.district} {self.get_kind_display()}"
