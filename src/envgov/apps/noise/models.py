"""Functional-area noise of a district (decision 0035): monitoring points (声环境功能区监测点位), their measured
Leq values, imports, the district's values of the unconfirmed evaluation rules, and the noise-sensitive
building zones (噪声敏感建筑物集中区域) as areas. Levels, attainment and rates are never stored: pages ask
the engine (`envgov.engine.noise`) through `services`."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

CLASS_CHOICES = [("0", _("0类")), ("1", _("1类")), ("2", _("2类")), ("3", _("3类")), ("4a", _("4a类")),
                 ("4b", _("4b类"))]


class NoisePoint(models.Model):
    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    code = models.CharField(_("点位编码"), max_length=60)
    name = models.CharField(_("点位名称"), max_length=80)
    cls = models.CharField(_("功能区类别"), max_length=2, choices=CLASS_CHOICES)
    lon = models.FloatField(_("经度(WGS84)"), null=True, blank=True)
    lat = models.FloatField(_("纬度(WGS84)"), null=True, blank=True)
    town = models.ForeignKey("geo.Town", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("所在街乡镇"))
    town_manual = models.BooleanField(_("街乡镇由人工指定"), default=False)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)
    active = models.BooleanField(_("在用"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("声环境功能区监测点位")
        verbose_name_plural = _("声环境功能区监测点位")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="uniq_noise_point")]

    def __str__(self) -> str:
        return self.name or self.code


class NoiseImport(models.Model):
    """One uploaded file of measurements and its validation report (kept whether accepted or not)."""

    class State(models.TextChoices):
        ACCEPTED = "accepted", _("已入库")
        REFUSED = "refused", _("未通过校验")

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(_("文件"), max_length=200)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices)
    measurements = models.PositiveIntegerField(_("新增测量值"), default=0)
    points_created = models.PositiveIntegerField(_("新增点位"), default=0)
    report = models.JSONField(_("校验报告"), default=dict)

    class Meta:
        verbose_name = _("噪声数据导入")
        verbose_name_plural = _("噪声数据导入")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name


class NoiseMeasurement(models.Model):
    """One measured Leq of a point (one row of an accepted file)."""

    class Period(models.TextChoices):
        DAY = "day", _("昼间")
        NIGHT = "night", _("夜间")

    point = models.ForeignKey(NoisePoint, on_delete=models.CASCADE, related_name="measurements")
    time = models.DateTimeField(_("监测时间"))
    has_clock = models.BooleanField(_("含时刻"), default=True)
    period = models.CharField(_("时段"), max_length=5, choices=Period.choices)
    leq = models.FloatField(_("等效声级 dB(A)"))
    lmax = models.FloatField(_("最大声级 dB(A)"), null=True, blank=True)
    round = models.CharField(_("监测轮次"), max_length=40, blank=True)
    duration = models.FloatField(_("监测时长(min)"), default=1.0)
    source = models.ForeignKey(NoiseImport, on_delete=models.PROTECT, null=True, related_name="+")
    row = models.PositiveIntegerField(_("源文件行号"), null=True)

    class Meta:
        verbose_name = _("噪声测量值")
        verbose_name_plural = _("噪声测量值")
        ordering = ["point", "time"]
        constraints = [models.UniqueConstraint(fields=["point", "time", "period"], name="uniq_noise_measurement")]


class NoiseParameter(models.Model):
    """A district's value for one rule of the noise evaluation the reference marks UNCONFIRMED
    (envgov.standards.noise.parameters); rules without a row use envgov's default."""

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("参数"), max_length=60)
    value = models.JSONField(_("设定值"))
    reason = models.CharField(_("依据"), max_length=200)
    set_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("噪声评价参数")
        verbose_name_plural = _("噪声评价参数")
        constraints = [models.UniqueConstraint(fields=["district", "key"], name="uniq_noise_parameter")]

    def __str__(self) -> str:
        return self.key


class SensitiveZone(models.Model):
    """A 噪声敏感建筑物集中区域 (residential quarter, school, hospital … area), drawn on the noise map."""

    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    name = models.CharField(_("区域名称"), max_length=80)
    kind = models.CharField(_("区域类型"), max_length=40, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    boundary = models.JSONField(_("范围(WGS84 GeoJSON)"))
    source_file = models.CharField(_("来源文件"), max_length=200, blank=True)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)

    class Meta:
        verbose_name = _("噪声敏感建筑物集中区域")
        verbose_name_plural = _("噪声敏感建筑物集中区域")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="uniq_noise_zone")]

    def __str__(self) -> str:
        return self.name
