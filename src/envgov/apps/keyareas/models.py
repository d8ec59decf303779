"""Station-centred key areas (重点区域精细化管控, decision 0038): one area per national or municipal air station,
a circle of a diameter around a centre (the station's point unless one is given) or a drawn polygon; the
strict-control zones (严控区) inside it; the district's user-set emission factors and measure shares; the
monthly ledger of the sources inside; the check-offs of the site measures each zone requires. The rule
(diameter, zones, measures, the estimate arithmetic) is `envgov.rules.keyareas`; geometry `envgov.geo.areas`."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from envgov.rules import keyareas as rule


class KeyArea(models.Model):
    class Shape(models.TextChoices):
        CIRCLE = "circle", _("圆形（按直径）")
        POLYGON = "polygon", _("绘制/导入的多边形")

    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    station = models.OneToOneField("monitoring.Station", on_delete=models.PROTECT, related_name="key_area",
                                   verbose_name=_("监测站点"))
    name = models.CharField(_("名称"), max_length=80)
    shape = models.CharField(_("范围形状"), max_length=8, choices=Shape.choices, default=Shape.CIRCLE)
    diameter_m = models.FloatField(_("直径（米）"), default=rule.DEFAULT_DIAMETER_M)
    # the circle's centre when the station has no position (or another point is wanted); empty: the station's
    centre_lon = models.FloatField(_("中心经度(WGS84)"), null=True, blank=True)
    centre_lat = models.FloatField(_("中心纬度(WGS84)"), null=True, blank=True)
    polygon = models.JSONField(_("多边形范围"), null=True, blank=True)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("重点区域")
        verbose_name_plural = _("重点区域")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def centre(self) -> tuple[float, float] | None:
        if self.centre_lon is not None and self.centre_lat is not None:
            return self.centre_lon, self.centre_lat
        if self.station.lon is not None and self.station.lat is not None:
            return self.station.lon, self.station.lat
        return None

    def geometry(self):  # noqa: ANN201
        """The area as a shapely geometry; None when a circle has no centre."""
        from envgov.geo import areas

        if self.shape == self.Shape.POLYGON:
            return areas.area_of(self.polygon) if self.polygon else None
        c = self.centre
        return areas.circle(c[0], c[1], self.diameter_m) if c else None


class StrictZone(models.Model):
    """严控区: a polygon inside (or reaching past) a key area; it wins over the key area (rule.zone_of)."""

    key_area = models.ForeignKey(KeyArea, on_delete=models.CASCADE, related_name="zones", verbose_name=_("重点区域"))
    name = models.CharField(_("名称"), max_length=80)
    polygon = models.JSONField(_("范围"))
    source_file = models.CharField(_("来源文件"), max_length=200, blank=True)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)

    class Meta:
        verbose_name = _("严控区")
        verbose_name_plural = _("严控区")
        ordering = ["key_area", "pk"]

    @property
    def district_id(self) -> int:
        return self.key_area.district_id

    def __str__(self) -> str:
        return self.name


class KeyAreaParameter(models.Model):
    """A district's value of one user-set number: `factor:<source kind>` (吨/活动单位·月) or `cut:<measure>`
    (reduction share 0–1). No row: not set (no default exists)."""

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("参数"), max_length=40)
    value = models.FloatField(_("设定值"))
    reason = models.CharField(_("依据"), max_length=200)
    set_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)
    is_simulated = models.BooleanField(_("模拟参数"), default=False)

    class Meta:
        verbose_name = _("重点区域测算参数")
        verbose_name_plural = _("重点区域测算参数")
        constraints = [models.UniqueConstraint(fields=["district", "key"], name="uniq_keyarea_parameter")]

    def __str__(self) -> str:
        from envgov.apps.keyareas.services import parameter_label

        return parameter_label(self.key)


class LedgerMonth(models.Model):
    """One month's ledger of the sources inside the key areas; refreshing it again rebuilds its rows."""

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    month = models.CharField(_("月份"), max_length=7)
    refreshed_at = models.DateTimeField(_("更新时间"))
    refreshed_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("重点区域污染源台账")
        verbose_name_plural = _("重点区域污染源台账")
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["district", "month"], name="uniq_keyarea_ledger_month")]

    def __str__(self) -> str:
        return self.month


class LedgerRow(models.Model):
    ledger = models.ForeignKey(LedgerMonth, on_delete=models.CASCADE, related_name="rows")
    key_area = models.ForeignKey(KeyArea, on_delete=models.CASCADE, related_name="+", verbose_name=_("重点区域"))
    source_kind = models.CharField(_("类别"), max_length=12)
    source_id = models.PositiveIntegerField()
    source_name = models.CharField(_("名称"), max_length=120)
    town = models.ForeignKey("geo.Town", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在街乡镇"))
    zone = models.CharField(_("分区"), max_length=8)
    activity = models.FloatField(_("活动水平"), null=True)
    activity_unit = models.CharField(_("活动水平单位"), max_length=20, blank=True)
    factor = models.FloatField(_("排放系数"), null=True)
    emission_t = models.FloatField(_("月排放量（吨）"), null=True)
    space_t = models.FloatField(_("减排空间（吨）"), null=True)
    reason = models.CharField(_("说明"), max_length=300, blank=True)  # msgid …
    values = models.JSONField(default=dict, blank=True)  # … and its values
    open_measures = models.JSONField(default=list, blank=True)  # codes of the zone's measures not checked off

    class Meta:
        verbose_name = _("重点区域台账行")
        verbose_name_plural = _("重点区域台账行")
        ordering = ["key_area__name", "zone", "source_kind", "source_name"]
        constraints = [models.UniqueConstraint(fields=["ledger", "key_area", "source_kind", "source_id"],
                                               name="uniq_keyarea_ledger_row")]


class MeasureCheck(models.Model):
    """A construction site's check-off of one site measure (落实): who, when, a note. Unchecking keeps the row."""

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey("sources.ConstructionSite", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("建筑工地"))
    measure = models.CharField(_("措施"), max_length=20)
    done = models.BooleanField(_("已落实"), default=False)
    checked_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("确认人"))
    checked_at = models.DateTimeField(_("确认时间"), null=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("工地措施落实")
        verbose_name_plural = _("工地措施落实")
        constraints = [models.UniqueConstraint(fields=["site", "measure"], name="uniq_keyarea_measure_check")]

    def __str__(self) -> str:
        text = next((m.text for m in rule.SITE_MEASURES if m.code == self.measure), self.measure)
        return f"{self.site}：{text}"
