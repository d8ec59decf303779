"""在线监控 (decision 0040): online-monitoring points (HJ 212 MN), their permit limits, the alerts the HJ 212
core raises (exceedances and data flags, envgov.ingest.hj212.server.Receiver.alerts_for) and the district's
rule that turns a lasting exceedance into a 督办. Values are never stored here: they live in the observation
lake (kind "online", site = MN), as the receiver writes them.

The enterprise is kept as text (name and 统一社会信用代码) plus the town, so that the sources app's enterprise
inventory can be linked later without moving a row."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MonitoringPoint(models.Model):
    class Kind(models.TextChoices):
        """HJ 212 system codes (Table 5) of pollution sources a district receives."""

        GAS = "31", _("废气（大气环境污染源）")
        WATER = "32", _("废水（地表水体环境污染源）")
        DUST = "39", _("工地扬尘")
        OTHER = "", _("其他")

    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    mn = models.CharField(_("设备唯一标识 MN"), max_length=40)
    name = models.CharField(_("点位名称"), max_length=100)
    kind = models.CharField(_("点位类型"), max_length=2, choices=Kind.choices, blank=True, default="")
    enterprise_name = models.CharField(_("企业名称"), max_length=200, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    town = models.ForeignKey("geo.Town", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("所在街乡镇"))
    is_simulated = models.BooleanField(_("模拟数据"), default=False)
    active = models.BooleanField(_("在用"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("在线监控点位")
        verbose_name_plural = _("在线监控点位")
        ordering = ["name", "mn"]
        constraints = [models.UniqueConstraint(fields=["district", "mn"], name="uniq_online_point_mn")]

    def __str__(self) -> str:
        return f"{self.name}（{self.mn}）"


class PermitLimit(models.Model):
    """A permit limit of one pollutant at one point. Real-time limits are checked on `-Rtd` of CN 2011
    packets, hourly ones on `-Avg` of CN 2061 packets (by the HJ 212 core); daily limits are registered and
    shown, not yet checked (the receiver does not store CN 2031 daily data, decision 0028)."""

    class Averaging(models.TextChoices):
        REALTIME = "realtime", _("实时值")
        HOURLY = "hourly", _("小时均值")
        DAILY = "daily", _("日均值")

    point = models.ForeignKey(MonitoringPoint, on_delete=models.CASCADE, related_name="limits",
                              verbose_name=_("点位"))
    code = models.CharField(_("污染物编码"), max_length=20)
    averaging = models.CharField(_("均值类型"), max_length=10, choices=Averaging.choices, default=Averaging.HOURLY)
    max_value = models.FloatField(_("上限"), null=True, blank=True)
    min_value = models.FloatField(_("下限"), null=True, blank=True, help_text=_("如 pH 的下限；多数污染物留空"))
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    source = models.CharField(_("依据"), max_length=200, blank=True, help_text=_("排污许可证编号或排放标准"))

    class Meta:
        verbose_name = _("许可限值")
        verbose_name_plural = _("许可限值")
        ordering = ["point", "code", "averaging"]
        constraints = [models.UniqueConstraint(fields=["point", "code", "averaging"], name="uniq_online_limit")]

    def __str__(self) -> str:
        return f"{self.point.mn} {self.code} {self.get_averaging_display()}"


class Alert(models.Model):
    """One alert record of the HJ 212 core (an exceedance or a data flag other than N) for a known point.
    The same record read twice is one row (uniq_online_alert)."""

    class Kind(models.TextChoices):
        EXCEEDANCE = "exceedance", _("超标")
        DATA_FLAG = "data_flag", _("数据标记")

    class Status(models.TextChoices):
        NEW = "new", _("待处理")
        SUPERVISED = "supervised", _("已转督办")

    point = models.ForeignKey(MonitoringPoint, on_delete=models.CASCADE, related_name="alerts",
                              verbose_name=_("点位"))
    kind = models.CharField(_("报警类型"), max_length=10, choices=Kind.choices)
    cn = models.CharField(_("命令编码"), max_length=4, blank=True)
    code = models.CharField(_("污染物编码"), max_length=20)
    field = models.CharField(_("字段"), max_length=40, blank=True, help_text=_("如 w01018-Avg；数据标记为空"))
    time = models.DateTimeField(_("数据时间"))
    value = models.FloatField(_("监测值"), null=True, blank=True)
    limit = models.FloatField(_("限值"), null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    flag = models.CharField(_("数据标记"), max_length=2, blank=True)
    reason = models.CharField(_("说明"), max_length=300)
    limit_source = models.CharField(_("限值依据"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.NEW)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("在线监控报警")
        verbose_name_plural = _("在线监控报警")
        ordering = ["-time", "-pk"]
        constraints = [models.UniqueConstraint(fields=["point", "kind", "code", "field", "time", "cn"],
                                               name="uniq_online_alert")]
        indexes = [models.Index(fields=["point", "time"], name="online_alert_point_time")]

    def __str__(self) -> str:
        from django.utils import timezone

        return f"{self.point.name} {timezone.localtime(self.time):%Y-%m-%d %H:%M} {self.describe}"[:300]

    @property
    def describe(self) -> str:
        """The alert in words, without the CP field's code suffix (-Avg, -Rtd)."""
        from envgov.ingest.hj212 import DATA_FLAGS

        if self.kind == self.Kind.DATA_FLAG:
            meaning = _(DATA_FLAGS.get(self.flag, "未知数据标记"))
            return str(_("%(code)s 数据标记 %(flag)s（%(meaning)s）") % {"code": self.code, "flag": self.flag,
                                                                   "meaning": meaning})
        what = _("实时值") if self.field.endswith("-Rtd") else _("小时均值") if self.cn == "2061" else _("监测值")
        side = _("低于") if self.limit is not None and self.value is not None and self.value < self.limit else _("高于")
        return str(_("%(code)s %(what)s %(value)s%(unit)s，%(side)s限值 %(limit)s%(unit)s")
                   % {"code": self.code, "what": what, "value": f"{self.value:g}" if self.value is not None else "—",
                      "unit": self.unit, "side": side, "limit": f"{self.limit:g}" if self.limit is not None else "—"})

    @property
    def district_id(self) -> int:
        return self.point.district_id


class AlertRule(models.Model):
    """The district's rule: an hourly exceedance of one pollutant at one point lasting `consecutive_hours`
    hours in a row opens a 督办 by itself. No number is built in: empty means the rule is off."""

    district = models.OneToOneField("geo.District", on_delete=models.CASCADE, related_name="+")
    consecutive_hours = models.PositiveSmallIntegerField(_("连续超标小时数"), null=True, blank=True,
                                                         help_text=_("空：不自动转督办"))
    reason = models.CharField(_("依据"), max_length=200, blank=True)
    set_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    set_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("自动转督办规则")
        verbose_name_plural = _("自动转督办规则")

    def __str__(self) -> str:
        return str(_("自动转督办规则"))
