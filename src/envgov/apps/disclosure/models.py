"""信息公开 (decision 0039): the drinking-water safety entries a coordinator publishes on the district's public
page. Air quality by town and the published circulars are not stored here: the page reads them where they
live (the rankings' town figures through the dashboard's services, and `circulars`)."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DrinkingWaterNotice(models.Model):
    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"), max_length=4000)
    published_on = models.DateField(_("发布日期"))
    published = models.BooleanField(_("已公开"), default=False)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)
    updated_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("饮用水安全信息")
        verbose_name_plural = _("饮用水安全信息")
        ordering = ["-published_on", "-pk"]

    def __str__(self) -> str:
        return self.title
