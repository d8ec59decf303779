"""Monitoring sites and materialised results (daily AQI per site) that the dashboard shows."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Station(models.Model):
    class Kind(models.TextChoices):
        NATIONAL = "national", _("国控站")
        CITY = "city", _("市控站")
        DISTRICT = "district", _("区控站")
        MICRO = "micro", _("微站/小型站")
        WATER = "water", _("水质断面")
        NOISE = "noise", _("噪声点位")

    code = models.CharField(_("站点代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, null=True, blank=True,
                                 verbose_name=_("区"))
    town = models.ForeignKey("geo.Town", on_delete=models.PROTECT, null=True, blank=True,
                             verbose_name=_("所在街乡镇"))
    # True once a person chose the town: placement by boundary (point-in-polygon) leaves it alone
    town_manual = models.BooleanField(_("街乡镇由人工指定"), default=False)
    lon = models.FloatField(_("经度(WGS84)"), null=True, blank=True)
    lat = models.FloatField(_("纬度(WGS84)"), null=True, blank=True)
    is_simulated = models.BooleanField(_("模拟站点"), default=False)
    active = models.BooleanField(_("在用"), default=True, help_text=_("停用的站点保留历史数据"))
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("监测站点")
        verbose_name_plural = _("监测站点")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class AirDaily(models.Model):
    """Materialised daily AQI (HJ 633) of a station, or of the district's station set (`station` NULL)."""

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, null=True, blank=True, related_name="daily")
    day = models.DateField(_("日期"))
    edition = models.CharField(_("标准版本"), max_length=10)
    aqi = models.PositiveSmallIntegerField(_("AQI"), null=True)
    level = models.PositiveSmallIntegerField(_("级别"), null=True)
    primary_pollutants = models.CharField(_("首要污染物"), max_length=40, blank=True)
    # the engine's valid AQI day (every indicator valid, or AQI > 100 with some missing); NULL: older rows
    valid = models.BooleanField(_("有效日"), null=True)
    pm25 = models.FloatField(null=True)
    pm10 = models.FloatField(null=True)
    so2 = models.FloatField(null=True)
    no2 = models.FloatField(null=True)
    co = models.FloatField(null=True)
    o3_8h = models.FloatField(null=True)

    class Meta:
        verbose_name = _("空气质量日报")
        verbose_name_plural = _("空气质量日报")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["district", "station", "day"], name="uniq_air_daily"),
            models.UniqueConstraint(fields=["district", "day"], condition=models.Q(station__isnull=True),
                                    name="uniq_air_daily_district"),
        ]


class ExceptionalDay(models.Model):
    """A day the coordinator marks as affected by an exceptional event (沙尘), for 扣除沙尘 targets."""

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=20, default="沙尘")
    note = models.CharField(_("依据"), max_length=200, blank=True)
    marked_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("标记人"))  # empty only for days marked before this was kept
    marked_at = models.DateTimeField(_("标记时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("异常事件日")
        verbose_name_plural = _("异常事件日")
        constraints = [models.UniqueConstraint(fields=["district", "day", "kind"], name="uniq_exceptional_day")]

    def __str__(self) -> str:
        return f"{self.kind} {self.day:%Y-%m-%d}"


class ObservationImport(models.Model):
    """One uploaded file of observations and its validation report (kept whether accepted or not).

    Created before the file is read, in state 未完成; 已入库 only once the lake write AND the refresh of the
    daily results and targets have both finished (docs/decisions/0012). `accepted` mirrors that state."""

    class State(models.TextChoices):
        PENDING = "pending", _("未完成")
        ACCEPTED = "accepted", _("已入库")
        REFUSED = "refused", _("未通过校验")
        UNDONE = "undone", _("已撤销")

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(_("文件"), max_length=200)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    accepted = models.BooleanField(_("已入库"), default=False)
    appended = models.PositiveIntegerField(_("新增记录"), default=0)
    report = models.JSONField(_("校验报告"), default=dict)
    lake_import_id = models.CharField(_("数据湖提交"), max_length=40, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # progress of a long file, read by the import page while the upload is being processed
    progress_token = models.CharField(max_length=32, blank=True, db_index=True)
    rows_read = models.PositiveBigIntegerField(_("已读行数"), default=0)
    progress = models.FloatField(_("进度"), default=0.0, help_text=_("0–1，按已读字节计"))

    class Meta:
        verbose_name = _("监测数据导入")
        verbose_name_plural = _("监测数据导入")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.file_name


class AirParameter(models.Model):
    """A district's value for one air rule that the reference marks UNCONFIRMED
    (envgov.standards.air.parameters); rules without a row use envgov's default."""

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("参数"), max_length=60)
    value = models.JSONField(_("设定值"))
    reason = models.CharField(_("依据"), max_length=200)
    set_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("标准参数")
        verbose_name_plural = _("标准参数")
        constraints = [models.UniqueConstraint(fields=["district", "key"], name="uniq_air_parameter")]

    def __str__(self) -> str:
        from envgov.standards.air.parameters import BY_KEY

        return BY_KEY[self.key].label if self.key in BY_KEY else self.key
