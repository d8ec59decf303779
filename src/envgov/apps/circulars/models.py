"""通报 (circulars): the monthly (and on-demand) ranking circular of a district's streets and townships.

A circular is generated as a draft from the rankings (envgov.apps.rankings.services.rank_towns); what it says
is kept as plain content (envgov.reports.circular.CircularContent.as_dict), so publishing — which gives it
its 发文字号 and 成文日期 — rebuilds the .docx/.xlsx from what was reviewed, not from data that moved since.
Published circulars are public (the dashboard's public page lists them)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CircularSettings(models.Model):
    """The district's 发文机关 and 文号 prefix. No default prefix: which organ code a bureau uses (通环…) is
    its own, so publishing waits until someone sets it."""

    district = models.OneToOneField("geo.District", on_delete=models.CASCADE, related_name="circular_settings",
                                    verbose_name=_("区"))
    organ = models.CharField(_("发文机关"), max_length=100, blank=True,
                             help_text=_("发文机关全称，如“北京市通州区生态环境局”；留空则为“区名+生态环境局”"))
    number_prefix = models.CharField(_("文号前缀"), max_length=20, blank=True,
                                     help_text=_("发文机关代字，如“通环”，文号写作 通环〔2024〕5号"))
    recipients = models.CharField(_("主送机关"), max_length=200, blank=True,
                                  help_text=_("留空则为“各街道办事处、乡镇人民政府，区有关单位”"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("通报设置")
        verbose_name_plural = _("通报设置")

    def __str__(self) -> str:
        return f"{self.district} {self.number_prefix}"


class Circular(models.Model):
    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("月度通报")
        ON_DEMAND = "on_demand", _("专项通报")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="circulars",
                                 verbose_name=_("区"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.MONTHLY)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    period = models.CharField(_("期间"), max_length=30)  # rankings' period key: 2024-03, 2024-Q1, 2024-ytd…
    period_label = models.CharField(_("期间名称"), max_length=60)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    title = models.CharField(_("标题"), max_length=300)
    year = models.PositiveSmallIntegerField(_("文号年份"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("文号序号"), null=True, blank=True)
    number = models.CharField(_("文号"), max_length=60, blank=True)
    signed_on = models.DateField(_("成文日期"), null=True, blank=True)
    content = models.JSONField(_("内容"), default=dict)
    docx = models.FileField(_("Word 文件"), upload_to="circulars/", blank=True)
    xlsx = models.FileField(_("Excel 文件"), upload_to="circulars/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("生成时间"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["district", "period"], condition=Q(kind="monthly"),
                                    name="circular_one_monthly_per_period"),
            models.UniqueConstraint(fields=["district", "year", "sequence"], condition=Q(sequence__isnull=False),
                                    name="circular_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number or self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED
