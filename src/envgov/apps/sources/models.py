"""The district's source inventory (污染源清单, decision 0030): one table per kind on a shared abstract base
(district, town, name, address, position, notes), the outfall chain 受纳水体—排污口—排污通道—排污单位, the
annual 执行报告 of permit holders with their audit status, the cleaning records of catering fume cleaners,
and the imports. Rules (fleet ledger, audit sample, soil list dues) are `envgov.rules.sources`; columns and
choices are `envgov.ingest.sources`."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from envgov.ingest import sources as spec


def _choices(pairs) -> list[tuple[str, object]]:  # noqa: ANN001
    return [(v, _(label)) for v, label in pairs]


class Source(models.Model):
    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    town = models.ForeignKey("geo.Town", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在街乡镇"))
    name = models.CharField(_("名称"), max_length=120)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # comparison key of the address (envgov.ingest.sources.normalise_address); the address stays as typed
    address_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    lon = models.FloatField(_("经度(WGS84)"), null=True, blank=True)
    lat = models.FloatField(_("纬度(WGS84)"), null=True, blank=True)
    notes = models.CharField(_("备注"), max_length=500, blank=True)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    KIND = ""

    class Meta:
        abstract = True
        ordering = ["town__name", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def code_value(self) -> str:
        f = spec.KINDS[self.KIND].code_field
        return getattr(self, f, "") if f else ""


class Enterprise(Source):
    KIND = "enterprise"
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    industry = models.CharField(_("行业"), max_length=200, blank=True)
    industry_code = models.CharField(_("行业代码"), max_length=10, blank=True)
    permit_class = models.CharField(_("排污许可管理类别"), max_length=12, blank=True,
                                    choices=_choices(spec.PERMIT_CLASSES))
    permit_number = models.CharField(_("排污许可证编号/登记编号"), max_length=40, blank=True)
    permit_valid_from = models.DateField(_("许可证生效日期"), null=True, blank=True)
    permit_valid_to = models.DateField(_("许可证有效期至"), null=True, blank=True)
    key_industry = models.BooleanField(_("重点行业"), default=False)
    emergency_grade = models.CharField(_("应急减排绩效分级"), max_length=2, blank=True, choices=_choices(spec.GRADES))
    monitoring_points = models.CharField(_("在线监控点位MN"), max_length=300, blank=True)

    class Meta(Source.Meta):
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    @property
    def holds_permit(self) -> bool:
        return self.permit_class in ("key", "simplified") and bool(self.permit_number)


class PermitReport(models.Model):
    """An annual 执行报告 of a permit holder: its due date (data, not code: MEE moves it), its submission and
    the district's audit of it."""

    class Audit(models.TextChoices):
        NONE = "", _("未抽取")
        SELECTED = "selected", _("待审核")
        PASSED = "passed", _("审核通过")
        FAILED = "failed", _("审核不通过")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="reports",
                                   verbose_name=_("企业"))
    year = models.PositiveSmallIntegerField(_("报告年度"))
    due_date = models.DateField(_("提交截止日期"), null=True, blank=True)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    audit_status = models.CharField(_("审核状态"), max_length=10, choices=Audit.choices, blank=True, default="")
    audit_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("排污许可年度执行报告")
        verbose_name_plural = _("排污许可年度执行报告")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="uniq_permit_report_year")]

    @property
    def district_id(self) -> int:
        return self.enterprise.district_id

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.year}"


class ConstructionSite(Source):
    KIND = "site"
    builder = models.CharField(_("建设单位"), max_length=120, blank=True)
    contractor = models.CharField(_("施工单位"), max_length=120, blank=True)
    area_m2 = models.FloatField(_("占地面积（平方米）"), null=True, blank=True)
    stage = models.CharField(_("施工阶段"), max_length=12, blank=True, choices=_choices(spec.SITE_STAGES))
    dust_monitor = models.BooleanField(_("扬尘在线监测"), default=False)
    dust_monitor_mn = models.CharField(_("监测设备编号"), max_length=40, blank=True)
    video = models.BooleanField(_("视频监控"), default=False)
    start_date = models.DateField(_("开工日期"), null=True, blank=True)
    end_date = models.DateField(_("计划完工日期"), null=True, blank=True)

    class Meta(Source.Meta):
        verbose_name = _("建筑工地")
        verbose_name_plural = _("建筑工地")


class CateringUnit(Source):
    KIND = "catering"
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    fume_cleaner = models.BooleanField(_("油烟净化设施"), default=False)
    cleaner_model = models.CharField(_("净化设施型号"), max_length=60, blank=True)

    class Meta(Source.Meta):
        verbose_name = _("餐饮单位")
        verbose_name_plural = _("餐饮单位")

    @property
    def last_cleaned(self):  # noqa: ANN201
        last = self.cleanings.order_by("-cleaned_on").first()
        return last.cleaned_on if last else None


class CleaningRecord(models.Model):
    unit = models.ForeignKey(CateringUnit, on_delete=models.CASCADE, related_name="cleanings",
                             verbose_name=_("餐饮单位"))
    cleaned_on = models.DateField(_("清洗日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("油烟净化设施清洗记录")
        verbose_name_plural = _("油烟净化设施清洗记录")
        ordering = ["-cleaned_on"]
        constraints = [models.UniqueConstraint(fields=["unit", "cleaned_on"], name="uniq_cleaning_day")]

    @property
    def district_id(self) -> int:
        return self.unit.district_id

    def __str__(self) -> str:
        return f"{self.unit.name} {self.cleaned_on}"


class DieselFleet(Source):
    KIND = "fleet"
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    own_vehicles = models.PositiveIntegerField(_("自有车辆数"))
    daily_trips = models.PositiveIntegerField(_("日使用车辆（辆次）"), null=True, blank=True)
    contact = models.CharField(_("联系人"), max_length=60, blank=True)

    class Meta(Source.Meta):
        verbose_name = _("柴油货车用车大户")
        verbose_name_plural = _("柴油货车用车大户")

    @property
    def in_ledger(self) -> bool:
        from envgov.rules.sources import in_fleet_ledger

        return in_fleet_ledger(self.own_vehicles, self.daily_trips)


class NonRoadMachine(Source):
    KIND = "machinery"
    owner = models.CharField(_("所属单位"), max_length=120, blank=True)
    machine_type = models.CharField(_("机械类型"), max_length=40, blank=True)
    registration_code = models.CharField(_("环保登记编码"), max_length=40, blank=True)
    emission_stage = models.CharField(_("排放阶段"), max_length=2, blank=True, choices=_choices(spec.EMISSION_STAGES))
    fuel = models.CharField(_("燃料"), max_length=20, blank=True)
    power_kw = models.FloatField(_("额定功率（千瓦）"), null=True, blank=True)
    made_year = models.PositiveSmallIntegerField(_("生产年份"), null=True, blank=True)

    class Meta(Source.Meta):
        verbose_name = _("非道路移动机械")
        verbose_name_plural = _("非道路移动机械")


class ReceivingWater(models.Model):
    """受纳水体: the river or lake an outfall discharges into (the district's own list, by name)."""

    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    name = models.CharField(_("受纳水体"), max_length=80)

    class Meta:
        verbose_name = _("受纳水体")
        verbose_name_plural = _("受纳水体")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="uniq_receiving_water")]

    def __str__(self) -> str:
        return self.name


class Outfall(Source):
    KIND = "outfall"
    code = models.CharField(_("排污口编码"), max_length=40)
    outfall_type = models.CharField(_("排污口类型"), max_length=40, blank=True)
    receiving_water = models.ForeignKey(ReceivingWater, on_delete=models.PROTECT, related_name="outfalls",
                                        verbose_name=_("受纳水体"))

    class Meta(Source.Meta):
        verbose_name = _("入河排污口")
        verbose_name_plural = _("入河排污口")


class DischargeChannel(models.Model):
    """排污通道: the pipe or ditch from a discharger (排污单位) to an outfall."""

    outfall = models.ForeignKey(Outfall, on_delete=models.CASCADE, related_name="channels", verbose_name=_("排污口"))
    name = models.CharField(_("排污通道"), max_length=80)
    kind = models.CharField(_("通道类型"), max_length=20, blank=True)
    discharger = models.ForeignKey(Enterprise, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="channels", verbose_name=_("排污单位"))

    class Meta:
        verbose_name = _("排污通道")
        verbose_name_plural = _("排污通道")
        ordering = ["name"]

    @property
    def district_id(self) -> int:
        return self.outfall.district_id

    def __str__(self) -> str:
        return self.name


class SoilPlot(Source):
    KIND = "soil"
    plot_code = models.CharField(_("地块编码"), max_length=40, blank=True)
    land_use = models.CharField(_("用地性质"), max_length=40, blank=True)
    area_m2 = models.FloatField(_("面积（平方米）"), null=True, blank=True)
    former_industry = models.CharField(_("原行业"), max_length=60, blank=True)
    status = models.CharField(_("筛查状态"), max_length=12, choices=_choices(spec.SOIL_STATUS))
    priority = models.BooleanField(_("列入优先监管清单"), default=False)
    listed_on = models.DateField(_("列入日期"), null=True, blank=True)
    reviewed_on = models.DateField(_("清单核实日期"), null=True, blank=True)

    class Meta(Source.Meta):
        verbose_name = _("土壤地块")
        verbose_name_plural = _("土壤地块")


class RadiationSource(Source):
    KIND = "radiation"
    licence_number = models.CharField(_("辐射安全许可证号"), max_length=40, blank=True)
    source_class = models.CharField(_("类别"), max_length=10, choices=_choices(spec.RADIATION_CLASSES))
    nuclide_or_device = models.CharField(_("核素/装置名称"), max_length=60, blank=True)
    quantity = models.PositiveIntegerField(_("数量"), null=True, blank=True)

    class Meta(Source.Meta):
        verbose_name = _("辐射源")
        verbose_name_plural = _("辐射源")


class HazardousChemicalSource(Source):
    KIND = "hazchem"
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    chemicals = models.CharField(_("主要危险化学品"), max_length=200, blank=True)
    max_storage_t = models.FloatField(_("最大储存量（吨）"), null=True, blank=True)
    risk_level = models.CharField(_("环境风险等级"), max_length=10, blank=True, choices=_choices(spec.RISK_LEVELS))
    plan_filed = models.BooleanField(_("应急预案备案"), default=False)

    class Meta(Source.Meta):
        verbose_name = _("危险化学品环境风险源")
        verbose_name_plural = _("危险化学品环境风险源")


class SourceImport(models.Model):
    """One uploaded template and its outcome (kept whether accepted or refused)."""

    class State(models.TextChoices):
        ACCEPTED = "accepted", _("已入库")
        REFUSED = "refused", _("未通过校验")

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类别"), max_length=12)
    file_name = models.CharField(_("文件"), max_length=200)
    state = models.CharField(_("结果"), max_length=10, choices=State.choices)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("污染源导入")
        verbose_name_plural = _("污染源导入")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name


MODELS: dict[str, type[Source]] = {m.KIND: m for m in (
    Enterprise, ConstructionSite, CateringUnit, DieselFleet, NonRoadMachine, Outfall, SoilPlot, RadiationSource,
    HazardousChemicalSource)}
