"""What a district enters for ecology, carbon and soil (decision 0036): per year the five EI component indices
(HJ 192-2015), the CO2 emissions and GDP, and the soil safe-use ledger counts. EI, grades, changes, intensities,
declines and rates are never stored: pages and targets ask the engines (`envgov.engine.ecology`, `.carbon`,
`.soil`) through `services`."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from envgov.apps.plans.fields import FigureField


class _Entered(models.Model):
    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+", verbose_name=_("区"))
    year = models.PositiveSmallIntegerField(_("年份"))
    source = models.CharField(_("数据来源"), max_length=200, blank=True)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)
    entered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+",
                                   verbose_name=_("录入人"))
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True
        ordering = ["year"]


class EcologyIndex(_Entered):
    """The five component indices of one year (as published by the monitoring centre, or computed elsewhere)."""

    class Constraint(models.TextChoices):
        NONE = "", _("无")
        DOWNGRADE_ONE = "downgrade_one", _("降一级")
        NOT_EXCELLENT_OR_GOOD = "not_excellent_or_good", _("不能为优、良")

    biological_abundance = models.FloatField(_("生物丰度指数"))
    vegetation_cover = models.FloatField(_("植被覆盖指数"))
    water_network_density = models.FloatField(_("水网密度指数"))
    land_stress = models.FloatField(_("土地胁迫指数"))
    pollution_load = models.FloatField(_("污染负荷指数"))
    constraint = models.CharField(_("环境限制"), max_length=30, choices=Constraint.choices, blank=True, default="")

    class Meta(_Entered.Meta):
        verbose_name = _("生态环境状况分指数")
        verbose_name_plural = _("生态环境状况分指数")
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="uniq_ecology_index_year")]

    def __str__(self) -> str:
        return f"{self.year}"


class CarbonYear(_Entered):
    """CO2 emissions (t) and GDP (10⁴ yuan, comparable prices of the base year) of one year."""

    co2 = FigureField(_("二氧化碳排放量（吨）"))
    gdp = FigureField(_("地区生产总值（万元，基准年可比价）"))

    class Meta(_Entered.Meta):
        verbose_name = _("碳排放与地区生产总值")
        verbose_name_plural = _("碳排放与地区生产总值")
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="uniq_carbon_year")]

    def __str__(self) -> str:
        return f"{self.year}"


class CarbonSetting(models.Model):
    """The district's base year of the carbon-intensity decline (the plan's 较20xx年 wins where it names one)."""

    district = models.OneToOneField("geo.District", on_delete=models.CASCADE, related_name="+")
    base_year = models.PositiveSmallIntegerField(_("基准年"))
    set_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    set_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("碳排放强度基准年")
        verbose_name_plural = _("碳排放强度基准年")

    def __str__(self) -> str:
        return f"{self.base_year}"


class FarmlandLedger(_Entered):
    """受污染耕地安全利用台账 of one year: the areas B, C, D, E of the accounting method (one unit)."""

    as_of = models.DateField(_("统计截至"))
    unit = models.CharField(_("面积单位"), max_length=10, default="亩")
    b = FigureField(_("B 轻微污染耕地落实优先保护类措施面积"))
    c = FigureField(_("C 轻中度污染耕地落实安全利用措施且农产品达标面积"))
    d = FigureField(_("D 重度污染耕地落实严格管控措施面积"))
    e = FigureField(_("E 受污染耕地总面积"))

    class Meta(_Entered.Meta):
        verbose_name = _("受污染耕地安全利用台账")
        verbose_name_plural = _("受污染耕地安全利用台账")
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="uniq_farmland_ledger_year")]

    def __str__(self) -> str:
        return f"{self.year}"


class ConstructionLedger(_Entered):
    """重点建设用地安全利用台账 of one year: plots reused in the year and those that met the requirements."""

    as_of = models.DateField(_("统计截至"))
    safe_plots = models.PositiveIntegerField(_("安全利用地块数"))
    reused_plots = models.PositiveIntegerField(_("再开发利用地块数"))
    basis = models.CharField(_("核算口径"), max_length=200, blank=True,
                             help_text=_("分子、分母各指什么（核算方法未核实，按本区口径填写）"))

    class Meta(_Entered.Meta):
        verbose_name = _("重点建设用地安全利用台账")
        verbose_name_plural = _("重点建设用地安全利用台账")
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="uniq_construction_ledger_year")]

    def __str__(self) -> str:
        return f"{self.year}"


class EcologyParameter(models.Model):
    """A district's value of one user-set rule (envgov.standards.ecology.parameters, envgov.rules.ecology_targets)."""

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("参数"), max_length=60)
    value = models.JSONField(_("设定值"))
    reason = models.CharField(_("依据"), max_length=200)
    set_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("生态碳土壤参数")
        verbose_name_plural = _("生态碳土壤参数")
        constraints = [models.UniqueConstraint(fields=["district", "key"], name="uniq_ecology_parameter")]

    def __str__(self) -> str:
        return self.key
