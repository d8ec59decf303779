"""接诉即办 of a district (decision 0032): 12345 / 12369 work orders, their imports, the district's category
keyword rules and the user-set parameters of the 三率 rule (`envgov.rules.complaints`). Rates, categories by
the rules and repeated addresses are never stored: pages ask the rules evaluator through `services`."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintImport(models.Model):
    """One uploaded work-order file and its validation report (kept whether accepted or not)."""

    class State(models.TextChoices):
        ACCEPTED = "accepted", _("已入库")
        REFUSED = "refused", _("未通过校验")

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(_("文件"), max_length=200)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices)
    created = models.PositiveIntegerField(_("新增工单"), default=0)
    updated = models.PositiveIntegerField(_("补充工单"), default=0)
    unchanged = models.PositiveIntegerField(_("已入库未变"), default=0)
    report = models.JSONField(_("校验报告"), default=dict)

    class Meta:
        verbose_name = _("工单导入")
        verbose_name_plural = _("工单导入")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name


class WorkOrder(models.Model):
    """One 12345 / 12369 work order (a reopened order is a new row pointing at the one it reopens)."""

    class Channel(models.TextChoices):
        NONE = "", _("未注明")
        HOTLINE_12345 = "12345", "12345"
        HOTLINE_12369 = "12369", "12369"

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    number = models.CharField(_("工单编号"), max_length=60)
    channel = models.CharField(_("受理渠道"), max_length=5, choices=Channel.choices, blank=True, default="")
    dispatched_at = models.DateTimeField(_("派单时间"))
    unit_written = models.CharField(_("承办单位（工单原文）"), max_length=80, blank=True)
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("承办单位"))
    deadline = models.DateField(_("办结时限"), null=True, blank=True)
    limit_hours = models.FloatField(_("响应时限（小时）"), null=True, blank=True)
    town = models.ForeignKey("geo.Town", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("街乡镇"))
    town_manual = models.BooleanField(_("街乡镇由人工指定"), default=False)
    address = models.CharField(_("诉求地址"), max_length=300, blank=True)
    content = models.TextField(_("诉求内容"), blank=True)
    category = models.CharField(_("诉求类别（填写）"), max_length=30, blank=True,
                                help_text=_("空：按本区类别规则判定"))
    responded_at = models.DateTimeField(_("签收/联系时间"), null=True, blank=True)
    reply = models.TextField(_("办理答复"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    resolved = models.BooleanField(_("解决情况"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True, default="")
    reopen_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reopenings",
                                  verbose_name=_("重启自"))
    reopen_of_number = models.CharField(_("原工单编号"), max_length=60, blank=True)
    source = models.ForeignKey(ComplaintImport, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    row = models.PositiveIntegerField(_("源文件行号"), null=True, blank=True)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("接诉即办工单")
        verbose_name_plural = _("接诉即办工单")
        ordering = ["-dispatched_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["district", "number"], name="uniq_complaint_number")]
        indexes = [models.Index(fields=["district", "dispatched_at"], name="complaint_district_time")]

    def __str__(self) -> str:
        return self.number

    @property
    def stage(self) -> str:
        if self.resolved is not None or self.satisfaction:
            return "visited"
        if self.replied_at:
            return "replied"
        if self.responded_at:
            return "signed"
        if self.unit_id:
            return "assigned"
        return "new"


STAGE_WORDS = {"new": _("待派单"), "assigned": _("待签收"), "signed": _("办理中"), "replied": _("已答复"),
               "visited": _("已回访")}


class CategoryRuleSet(models.Model):
    """The district's keyword rules (ordered: the first category with a keyword in the text decides)."""

    district = models.OneToOneField("geo.District", on_delete=models.CASCADE, related_name="+")
    rules = models.JSONField(_("规则"), default=list, help_text=_("[{category, keywords: [...]}]，按顺序匹配"))
    updated_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("诉求类别规则")
        verbose_name_plural = _("诉求类别规则")

    def __str__(self) -> str:
        return str(_("诉求类别规则"))


class ComplaintParameter(models.Model):
    """A district's value of one user-set parameter of the 三率 rule (`envgov.rules.complaints.PARAMETERS`)."""

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("参数"), max_length=40)
    value = models.JSONField(_("设定值"))
    reason = models.CharField(_("依据"), max_length=200)
    set_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("三率参数")
        verbose_name_plural = _("三率参数")
        constraints = [models.UniqueConstraint(fields=["district", "key"], name="uniq_complaint_parameter")]

    def __str__(self) -> str:
        from envgov.rules.complaints import PARAMETERS

        p = PARAMETERS.by_key.get(self.key)
        return str(p.label) if p else self.key


class RepeatFollowUp(models.Model):
    """A repeated address of a month turned into a 督办 (one per district, month and address)."""

    district = models.ForeignKey("geo.District", on_delete=models.CASCADE, related_name="+")
    month = models.CharField(_("月份"), max_length=7)
    address_key = models.CharField(_("地址"), max_length=300)
    address = models.CharField(_("诉求地址"), max_length=300)
    orders = models.JSONField(_("工单"), default=list)
    item = models.ForeignKey("supervision.SupervisionItem", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("督办事项"))
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("重复投诉督办")
        verbose_name_plural = _("重复投诉督办")
        constraints = [models.UniqueConstraint(fields=["district", "month", "address_key"], name="uniq_complaint_repeat")]

    def __str__(self) -> str:
        return f"{self.month} {self.address}"
