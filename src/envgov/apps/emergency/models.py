"""Heavy-pollution emergency response (重污染应急, decision 0031): the district's emergency-reduction list
(应急减排清单), its measure table (行业 × 绩效分级 × 预警级别 → 措施), warning episodes started from a
forecast through `envgov.rules.alerts`, the action sheet frozen when a warning starts, and the inspection
check-ins of the episode. Levels and measures are never computed here: `services` asks the rules."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

GRADE_CHOICES = [("A+", _("A+级")), ("A", _("A级")), ("leading", _("引领性企业")), ("B", _("B级")),
                 ("C", _("C级")), ("D", _("D级")), ("livelihood", _("民生保障类"))]
LEVEL_CHOICES = [("blue", _("蓝色预警")), ("yellow", _("黄色预警")), ("orange", _("橙色预警")), ("red", _("红色预警"))]


class ListEntry(models.Model):
    """An enterprise or construction site on the district's emergency-reduction list."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        SITE = "site", _("工地")

    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.ENTERPRISE)
    name = models.CharField(_("名称"), max_length=120)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    town = models.ForeignKey("geo.Town", on_delete=models.PROTECT, related_name="+", verbose_name=_("街乡镇"))
    industry = models.CharField(_("行业"), max_length=60, blank=True)
    grade = models.CharField(_("绩效分级"), max_length=10, choices=GRADE_CHOICES)
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("行业主管部门"))
    measures_yellow = models.TextField(_("黄色预警措施（清单载明）"), blank=True)
    measures_orange = models.TextField(_("橙色预警措施（清单载明）"), blank=True)
    measures_red = models.TextField(_("红色预警措施（清单载明）"), blank=True)
    active = models.BooleanField(_("在清单内"), default=True)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("应急减排清单对象")
        verbose_name_plural = _("应急减排清单")
        ordering = ["town__name", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "credit_code"], condition=~models.Q(credit_code=""),
                                               name="uniq_emergency_credit_code")]

    def __str__(self) -> str:
        return self.name

    def own_measure(self, level: str) -> str:
        return getattr(self, f"measures_{level}", "") or ""


class ListImport(models.Model):
    """One uploaded list file and its validation report (kept whether accepted or not)."""

    class Kind(models.TextChoices):
        LIST = "list", _("应急减排清单")
        MEASURES = "measures", _("减排措施表")

    class State(models.TextChoices):
        ACCEPTED = "accepted", _("已入库")
        REFUSED = "refused", _("未通过校验")

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("内容"), max_length=10, choices=Kind.choices, default=Kind.LIST)
    file_name = models.CharField(_("文件"), max_length=200)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    report = models.JSONField(_("校验报告"), default=dict)

    class Meta:
        verbose_name = _("应急清单导入")
        verbose_name_plural = _("应急清单导入")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name


class MeasureRule(models.Model):
    """One row of the district's measure table (user-set; sources.md §3): what units of `grade` in
    `industry` (empty: every industry without its own row) do at `level`."""

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    industry = models.CharField(_("行业"), max_length=60, blank=True)
    grade = models.CharField(_("绩效分级"), max_length=10, choices=GRADE_CHOICES)
    level = models.CharField(_("预警级别"), max_length=10, choices=LEVEL_CHOICES)
    text = models.TextField(_("措施"))
    cut_percent = models.DecimalField(_("减排比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    set_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("减排措施")
        verbose_name_plural = _("减排措施表")
        ordering = ["industry", "grade", "level", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class Episode(models.Model):
    """A warning started by the district (启动预警): the level, days and reasons the rules gave for the
    forecast, and the action sheet (任务单) as issued, frozen in `sheet`."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("预警中")
        ENDED = "ended", _("已解除")

    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    plan_id = models.CharField(_("预案"), max_length=30)
    level = models.CharField(_("预警级别"), max_length=10, choices=LEVEL_CHOICES)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("预计结束日期"))
    reasons = models.JSONField(_("启动条件"), default=list)
    phases = models.JSONField(_("级别变化"), default=list)
    forecast = models.JSONField(_("预报"), default=list)
    parameters = models.JSONField(_("参数"), default=list)
    sheet = models.JSONField(_("任务单"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+",
                                   verbose_name=_("启动人"))
    started_at = models.DateTimeField(_("启动时间"))
    ended_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("解除人"))
    ended_on = models.DateField(_("解除日期"), null=True, blank=True)
    ended_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    end_note = models.CharField(_("解除说明"), max_length=300, blank=True)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("预警过程")
        verbose_name_plural = _("预警过程")
        ordering = ["-start", "-pk"]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d} {self.get_level_display()}"


class CheckIn(models.Model):
    """An inspection check-in (巡查打卡) at a unit of the episode's action sheet."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="checkins", verbose_name=_("预警过程"))
    entry = models.ForeignKey(ListEntry, on_delete=models.PROTECT, related_name="+", verbose_name=_("企业/工地"))
    at = models.DateTimeField(_("巡查时间"))
    complied = models.BooleanField(_("措施已落实"))
    note = models.CharField(_("情况说明"), max_length=500, blank=True)
    photo = models.FileField(_("现场照片"), upload_to="emergency/%Y/%m/", blank=True)
    inspector = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+",
                                  verbose_name=_("巡查人"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("巡查打卡")
        verbose_name_plural = _("巡查打卡")
        ordering = ["-at", "-pk"]

    @property
    def district_id(self) -> int:
        return self.episode.district_id

    def __str__(self) -> str:
        return f"{self.entry} {self.at:%Y-%m-%d %H:%M}"
