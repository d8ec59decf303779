"""Town rankings (排名): the district's weighting of its sites by kind, its ranking settings, and the
monthly town measures that are entered rather than measured by the air network (降尘量, TSP, 道路尘负荷).

Computation lives in envgov.engine.towns and envgov.rules.ranking; changes go through
envgov.apps.rankings.actions (checked, audited)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StationKind(models.TextChoices):
    NATIONAL = "national", _("国控站")
    CITY = "city", _("市控站")
    DISTRICT = "district", _("区控站")
    MICRO = "micro", _("微站/小型站")


class SiteWeighting(models.Model):
    """The weight of one kind of station in its town's daily value (no row: weight 1, the plain mean)."""

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+", verbose_name=_("区"))
    kind = models.CharField(_("站点类型"), max_length=10, choices=StationKind.choices)
    weight = models.DecimalField(_("权重"), max_digits=7, decimal_places=3)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("站点权重")
        verbose_name_plural = _("站点权重")
        constraints = [models.UniqueConstraint(fields=["district", "kind"], name="uniq_site_weighting")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.weight}"


class RankingSettings(models.Model):
    """A district's ranking settings; fields left at their defaults are shown as defaults, others as user-set."""

    class WeightingMode(models.TextChoices):
        SITE = "site", _("按站点加权平均")
        KIND = "kind", _("先按类型平均，再按类型加权")

    class PartialMonth(models.TextChoices):
        PROPORTIONAL = "proportional", _("按覆盖天数折算")
        NONE = "none", _("不检查")

    district = models.OneToOneField("geo.District", on_delete=models.CASCADE, related_name="+",
                                    verbose_name=_("区"))
    bottom_n = models.PositiveSmallIntegerField(_("排名靠后标记个数"), default=3)
    min_completeness = models.DecimalField(_("最低数据完整率"), max_digits=4, decimal_places=3, default=0)
    weighting_mode = models.CharField(_("站点加权方式"), max_length=10, choices=WeightingMode.choices,
                                      default=WeightingMode.SITE)
    partial_month = models.CharField(_("不完整月份的有效性"), max_length=15, choices=PartialMonth.choices,
                                     default=PartialMonth.PROPORTIONAL)
    composite = models.JSONField(_("综合排名指标与权重"), default=dict, blank=True)
    change_digits = models.PositiveSmallIntegerField(_("变化率保留小数位数"), default=1)
    composite_digits = models.PositiveSmallIntegerField(_("综合指数保留小数位数"), default=2)
    reason = models.CharField(_("依据"), max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    set_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("排名设置")
        verbose_name_plural = _("排名设置")

    def __str__(self) -> str:
        return str(self.district)


class TownMeasure(models.Model):
    """One town's monthly value of an entered indicator: 降尘量 t/(km²·月), TSP µg/m³, 道路尘负荷 g/m²."""

    class Indicator(models.TextChoices):
        DUSTFALL = "dustfall", _("降尘量")
        TSP = "tsp", _("TSP")
        ROAD_DUST = "road_dust", _("道路尘负荷")

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+", verbose_name=_("区"))
    town = models.ForeignKey("geo.Town", on_delete=models.PROTECT, related_name="measures",
                             verbose_name=_("街乡镇"))
    indicator = models.CharField(_("指标"), max_length=10, choices=Indicator.choices)
    month = models.DateField(_("月份"), help_text=_("该月 1 日"))
    value = models.DecimalField(_("数值"), max_digits=12, decimal_places=4)
    digits = models.PositiveSmallIntegerField(_("小数位数"), default=0, help_text=_("录入值的小数位数，报告时保留同样位数"))
    source = models.CharField(_("数据来源"), max_length=200, blank=True)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("录入人"))
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("街乡镇月度指标")
        verbose_name_plural = _("街乡镇月度指标")
        ordering = ["month", "town__code", "indicator"]
        constraints = [models.UniqueConstraint(fields=["town", "indicator", "month"], name="uniq_town_measure")]

    def __str__(self) -> str:
        return f"{self.town} {self.month:%Y-%m} {self.get_indicator_display()} {self.value}"
