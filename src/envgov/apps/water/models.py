"""Surface water of a district (decision 0027): sections (断面), their samples, imports and the user-set
parameters of the compensation rule sets. Classes, attainment and money are never stored: pages ask the
engine (`envgov.engine.water`, `envgov.rules.compensation`) through `services`."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# engine parameter codes stored as columns (the ingest registry's water codes GB 3838 classifies);
# any other code the readers bring (temp, cond, turb, chla, algae) is kept in Sample.extra
VALUE_CODES = ("ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "tn")


class Section(models.Model):
    class Kind(models.TextChoices):
        RIVER = "river", _("河流")
        LAKE = "lake", _("湖库")

    class Level(models.TextChoices):
        NATIONAL = "national", _("国考")
        MUNICIPAL = "municipal", _("市考")
        DISTRICT = "district", _("区考")
        TOWN = "town", _("镇考")
        VILLAGE = "village", _("村")

    class Boundary(models.TextChoices):
        NONE = "", _("非跨界断面")
        DISTRICT = "district", _("区界断面")
        TOWN = "town", _("乡镇界断面")

    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    code = models.CharField(_("断面编码"), max_length=120)
    name = models.CharField(_("断面名称"), max_length=80)
    river = models.CharField(_("河流"), max_length=60, blank=True)
    province = models.CharField(_("省份"), max_length=20, blank=True)
    basin = models.CharField(_("流域"), max_length=40, blank=True)
    kind = models.CharField(_("水体类型"), max_length=6, choices=Kind.choices, default=Kind.RIVER)
    # how the kind was decided: the cnemc-auto rule's sentence, or 用户更正 once a person chose it
    kind_rule = models.CharField(_("类型判定依据"), max_length=80, blank=True)
    kind_manual = models.BooleanField(_("类型由人工指定"), default=False)
    level = models.CharField(_("考核级别"), max_length=10, choices=Level.choices, blank=True)
    target = models.PositiveSmallIntegerField(_("目标类别"), null=True, blank=True,
                                              help_text=_("1–5 即Ⅰ～Ⅴ类；空表示没有目标"))
    boundary = models.CharField(_("跨界类型"), max_length=10, choices=Boundary.choices, blank=True, default="")
    upstream = models.CharField(_("上游（补偿方）"), max_length=60, blank=True)
    downstream = models.CharField(_("下游（受偿方）"), max_length=60, blank=True)
    inflow = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("入境断面"))
    lon = models.FloatField(_("经度(WGS84)"), null=True, blank=True)
    lat = models.FloatField(_("纬度(WGS84)"), null=True, blank=True)
    town = models.ForeignKey("geo.Town", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("所在街乡镇"))
    town_manual = models.BooleanField(_("街乡镇由人工指定"), default=False)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)
    active = models.BooleanField(_("在用"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("水质断面")
        verbose_name_plural = _("水质断面")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="uniq_water_section")]

    def __str__(self) -> str:
        return self.name

    @property
    def target_label(self) -> str:
        from envgov.standards.water.tables import CLASS_LABELS

        return f"{CLASS_LABELS[self.target]}类" if self.target else ""


class WaterImport(models.Model):
    """One uploaded file of water samples and its validation report (kept whether accepted or not)."""

    class State(models.TextChoices):
        ACCEPTED = "accepted", _("已入库")
        REFUSED = "refused", _("未通过校验")

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(_("文件"), max_length=200)
    profile = models.CharField(_("格式"), max_length=20)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices)
    samples = models.PositiveIntegerField(_("新增样品"), default=0)
    sections_created = models.PositiveIntegerField(_("新增断面"), default=0)
    report = models.JSONField(_("校验报告"), default=dict)

    class Meta:
        verbose_name = _("水质数据导入")
        verbose_name_plural = _("水质数据导入")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name


class Sample(models.Model):
    """One sample (one record of a release, or one sampling time of the template) of a section."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="samples")
    time = models.DateTimeField(_("监测时间"))
    source = models.ForeignKey(WaterImport, on_delete=models.PROTECT, null=True, related_name="+")
    row = models.PositiveIntegerField(_("源文件行号"), null=True)
    ph = models.FloatField(null=True)
    do = models.FloatField(null=True)
    codmn = models.FloatField(null=True)
    cod = models.FloatField(null=True)
    bod5 = models.FloatField(null=True)
    nh3n = models.FloatField(null=True)
    tp = models.FloatField(null=True)
    tn = models.FloatField(null=True)
    extra = models.JSONField(default=dict, blank=True)
    published_class = models.PositiveSmallIntegerField(_("发布类别"), null=True)

    class Meta:
        verbose_name = _("水质样品")
        verbose_name_plural = _("水质样品")
        ordering = ["section", "time"]
        indexes = [models.Index(fields=["section", "time"], name="water_sample_section_time")]


class CompensationParameter(models.Model):
    """A district's value of one user-set parameter of a compensation rule set (envgov.rules.compensation:
    the numbers the reference marks UNCONFIRMED). Stored typed as `clean_params` returns it."""

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    rule_set = models.CharField(_("规则集"), max_length=30)
    key = models.CharField(_("参数"), max_length=40)
    value = models.JSONField(_("设定值"))
    reason = models.CharField(_("依据"), max_length=200)
    set_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("补偿参数")
        verbose_name_plural = _("补偿参数")
        constraints = [models.UniqueConstraint(fields=["district", "rule_set", "key"], name="uniq_compensation_parameter")]

    def __str__(self) -> str:
        return f"{self.rule_set} {self.key}"


class WaterParameter(models.Model):
    """A district's value for one water-assessment rule the reference marks UNCONFIRMED
    (envgov.standards.water.parameters); rules without a row use envgov's default."""

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("参数"), max_length=60)
    value = models.JSONField(_("设定值"))
    reason = models.CharField(_("依据"), max_length=200)
    set_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("水质评价参数")
        verbose_name_plural = _("水质评价参数")
        constraints = [models.UniqueConstraint(fields=["district", "key"], name="uniq_water_parameter")]

    def __str__(self) -> str:
        from envgov.standards.water.parameters import BY_KEY

        return str(BY_KEY[self.key].label) if self.key in BY_KEY else self.key
