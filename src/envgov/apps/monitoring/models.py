"""Monitoring sites and materialised results (daily AQI per site) that the dashboard shows."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Station(models.Model):
    class Kind(models.TextChoices):
        NATIONAL = "national", _("国控站")
        CITY = "city", _("市控站")
        MICRO = "micro", _("微站/小型站")
        WATER = "water", _("水质断面")
        NOISE = "noise", _("噪声点位")

    code = models.CharField(_("站点代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, null=True, blank=True)
    town = models.ForeignKey("geo.Town", on_delete=models.PROTECT, null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    is_simulated = models.BooleanField(_("模拟站点"), default=False)

    class Meta:
        verbose_name = _("监测站点")
        verbose_name_plural = _("监测站点")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
