"""达标研判: the district's user-set status parameter and the town targets a district target is split into.
Projections themselves are computed on demand (envgov.engine.projection), never stored."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from envgov.apps.plans.fields import FigureField


class OutlookSetting(models.Model):
    """The 预警 rule's number for a district (envgov.rules.projection.WARN_PROBABILITY), set by a person
    with the reason; absent: the platform default, shown as such."""

    district = models.OneToOneField("geo.District", on_delete=models.CASCADE, related_name="+")
    warn_probability = models.DecimalField(_("预警概率阈值"), max_digits=4, decimal_places=3)
    reason = models.CharField(_("依据"), max_length=200)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                               verbose_name=_("设定人"))
    set_at = models.DateTimeField(_("设定时间"), auto_now=True)

    class Meta:
        verbose_name = _("达标研判参数")
        verbose_name_plural = _("达标研判参数")

    def __str__(self) -> str:
        return f"{self.district} {self.warn_probability}"


class TownTarget(models.Model):
    """One town's share of a district target (目标分解)."""

    class Method(models.TextChoices):
        EQUAL = "equal", _("同全区目标")
        BASELINE = "baseline", _("按基准期等比例分解")
        ENTERED = "entered", _("逐镇填报")

    target = models.ForeignKey("plans.Target", on_delete=models.CASCADE, related_name="town_targets",
                               verbose_name=_("全区目标"))
    town = models.ForeignKey("geo.Town", on_delete=models.PROTECT, related_name="+", verbose_name=_("街乡镇"))
    value = FigureField(_("分解目标值"))
    method = models.CharField(_("分解方式"), max_length=10, choices=Method.choices)
    baseline_value = FigureField(_("基准期数值"), null=True, blank=True)
    baseline_period = models.CharField(_("基准期"), max_length=40, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                               verbose_name=_("设定人"))
    set_at = models.DateTimeField(_("设定时间"), auto_now=True)

    class Meta:
        verbose_name = _("街乡镇分解目标")
        verbose_name_plural = _("街乡镇分解目标")
        ordering = ["target", "town__code"]
        constraints = [models.UniqueConstraint(fields=["target", "town"], name="uniq_town_target")]

    def __str__(self) -> str:
        return f"{self.town} {self.value}"

    @property
    def district_id(self):  # noqa: ANN201 - the audit log's scope
        return self.town.district_id
