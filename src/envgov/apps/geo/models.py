"""Administrative geography: districts and their towns (街道/乡镇) with official codes."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    """A district (区) — the tenant of a plan. `adcode` is the 6-digit administrative code (GB/T 2260)."""

    adcode = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    # GeoJSON geometry (Polygon / MultiPolygon), WGS84 lon/lat degrees; no PostGIS (decision 0018)
    boundary = models.JSONField(_("边界(WGS84)"), null=True, blank=True)

    class Meta:
        verbose_name = _("区")
        verbose_name_plural = _("区")
        ordering = ["adcode"]

    def __str__(self) -> str:
        return self.name


class Town(models.Model):
    """A street (街道) or township (乡/镇); `code` is the 12-digit statistical division code."""

    class BoundarySource(models.TextChoices):
        NONE = "", _("无边界")
        DERIVED = "derived", _("示意边界")
        IMPORTED = "imported", _("导入边界")

    class Kind(models.TextChoices):
        STREET = "street", _("街道")
        TOWN = "town", _("镇")
        TOWNSHIP = "township", _("乡")
        OTHER = "other", _("地区/其他")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="towns", verbose_name=_("区"))
    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    official_name = models.CharField(_("正式名称"), max_length=80, blank=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    lon = models.FloatField(_("中心经度(WGS84)"), null=True, blank=True)
    lat = models.FloatField(_("中心纬度(WGS84)"), null=True, blank=True)
    active = models.BooleanField(_("在用"), default=True, help_text=_("停用后不再出现在新用户的选项中，历史记录保留"))
    # GeoJSON geometry (Polygon / MultiPolygon), WGS84; `derived`: Voronoi cell of the centre point clipped to
    # the district (示意边界, approximate); `imported`: uploaded by a person (decision 0018)
    boundary = models.JSONField(_("边界(WGS84)"), null=True, blank=True)
    boundary_source = models.CharField(_("边界来源"), max_length=10, choices=BoundarySource.choices, blank=True,
                                       default=BoundarySource.NONE)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("街道乡镇")
        verbose_name_plural = _("街道乡镇")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="uniq_town_name_in_district")]

    def __str__(self) -> str:
        return self.name
