"""Projects and funds of a district (decision 0034): the project library (项目库) with each project's
engineering emission reductions and the method of every figure, the payments made on it, and the
allocations of special transfer funds to towns. Sums, execution rates and target status are never stored:
`services` computes them (envgov.rules.reductions, envgov.rules.funds)."""
from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from envgov.rules.reductions import METHODS, POLLUTANTS


class Project(models.Model):
    class Area(models.TextChoices):
        # the plan's own section names (plans.Area.STANDARD): the plan's vocabulary, shown as the plan writes it
        AIR = "air", "蓝天"
        WATER = "water", "碧水"
        SOIL = "soil", "净土"
        CLIMATE = "climate", "应对气候变化"
        ECOLOGY = "ecology", "生态保护"
        NOISE = "noise", "静音"
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        RESERVE = "reserve", _("储备")
        APPROVED = "approved", _("已立项")
        BUILDING = "building", _("在建")
        COMPLETED = "completed", _("完工")
        STOPPED = "stopped", _("终止")

    class FundSource(models.TextChoices):
        CENTRAL = "central", _("中央资金")
        MUNICIPAL_TRANSFER = "municipal_transfer", _("市级专项转移支付")
        DISTRICT = "district", _("区级财政")
        TOWN = "town", _("街乡镇自筹")
        SOCIAL = "social", _("社会资本")
        OTHER = "other", _("其他")

    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    code = models.CharField(_("项目编号"), max_length=40)
    name = models.CharField(_("项目名称"), max_length=200)
    area = models.CharField(_("领域"), max_length=10, choices=Area.choices)
    town = models.ForeignKey("geo.Town", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("街乡镇"))
    lead_unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("牵头单位"))
    year = models.PositiveSmallIntegerField(_("实施年度"))
    budget = models.DecimalField(_("预算（万元）"), max_digits=14, decimal_places=4)
    fund_source = models.CharField(_("资金来源"), max_length=20, choices=FundSource.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RESERVE)
    task = models.ForeignKey("plans.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("关联任务"))
    note = models.TextField(_("备注"), blank=True)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目库")
        ordering = ["-year", "code"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="uniq_project_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Reduction(models.Model):
    """One engineering reduction figure of a project: pollutant, tonnes, and how the figure was obtained."""

    POLLUTANT_CHOICES = list(POLLUTANTS.items())
    METHOD_CHOICES = [(k, _(v)) for k, v in METHODS.items()]

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reductions", verbose_name=_("项目"))
    pollutant = models.CharField(_("污染物"), max_length=6, choices=POLLUTANT_CHOICES)
    tonnes = models.DecimalField(_("减排量（吨）"), max_digits=12, decimal_places=3)
    method = models.CharField(_("核算方法"), max_length=20, choices=METHOD_CHOICES)
    basis = models.CharField(_("核算依据"), max_length=300)

    class Meta:
        verbose_name = _("工程减排量")
        verbose_name_plural = _("工程减排量")
        ordering = ["project", "pollutant"]
        constraints = [models.UniqueConstraint(fields=["project", "pollutant"], name="uniq_project_reduction")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_pollutant_display()} {self.tonnes}"


class Payment(models.Model):
    """Money paid on a project (资金拨付/支出), against its budget."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="payments", verbose_name=_("项目"))
    paid_on = models.DateField(_("支付日期"))
    amount = models.DecimalField(_("金额（万元）"), max_digits=14, decimal_places=4)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)

    class Meta:
        verbose_name = _("项目支付")
        verbose_name_plural = _("项目支付")
        ordering = ["project", "paid_on", "pk"]

    def __str__(self) -> str:
        return f"{self.project.code} {self.paid_on} {self.amount}"


class FundAllocation(models.Model):
    """One computed allocation of special transfer funds to towns, kept as computed (inputs and result with
    each town's line of reasoning), so that a later change of factors does not rewrite what was decided."""

    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    rule = models.CharField(_("分配规则"), max_length=30)
    rule_version = models.CharField(_("规则版本"), max_length=10)
    total_yuan = models.BigIntegerField(_("资金总额（元）"))
    weights = models.JSONField(_("权重"), default=dict)
    values = models.JSONField(_("因素值"), default=dict)
    result = models.JSONField(_("分配结果"), default=dict)
    reason = models.CharField(_("依据"), max_length=200)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)

    class Meta:
        verbose_name = _("资金分配")
        verbose_name_plural = _("资金分配")
        ordering = ["-year", "-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def total_wan(self) -> Decimal:
        return Decimal(self.total_yuan) / 10000
