"""The plan ledger (目标任务台账): plans, areas, targets, tasks, parties, progress (督办: envgov.apps.supervision).
The audit log lives in `envgov.apps.audit`.

State changes go through `envgov.apps.plans.actions` (each one atomic and audited); views never
write models directly. Rows that two people may edit at once carry `version` (optimistic locking).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from envgov.apps.plans.fields import FigureField


class Indicator(models.Model):
    """Catalogue of target indicators (pm25_mean, good_day_ratio, …) with their unit and usual direction."""

    code = models.SlugField(_("指标代码"), max_length=60, primary_key=True)
    name = models.CharField(_("指标名称"), max_length=80)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    area_code = models.CharField(_("所属领域"), max_length=30, blank=True)
    default_comparator = models.CharField(_("默认比较"), max_length=2, default="<=")
    computed = models.BooleanField(_("平台自动计算"), default=False, help_text=_("由监测数据计算，无需填报"))

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标目录")
        ordering = ["area_code", "code"]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("已印发")
        CLOSED = "closed", _("已关闭")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("每月")
        QUARTERLY = "quarterly", _("每季度")

    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, related_name="plans", verbose_name=_("区"))
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    report_frequency = models.CharField(
        _("进展填报频次"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    report_due_day = models.PositiveSmallIntegerField(
        _("报送日"), default=5, help_text=_("每期进展在该日前报送（1–31，超过当月天数取月末）")
    )
    report_due_next_month = models.BooleanField(
        _("次月报送"), default=True, help_text=_("勾选：本期结束后的次月该日前报送；不勾选：本期最后一个月该日前报送")
    )
    revision = models.PositiveIntegerField(_("修订号"), default=0, help_text=_("印发后每次修改加一"))
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    source_name = models.CharField(_("来源文件"), max_length=200, blank=True)
    is_simulated = models.BooleanField(_("模拟数据"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("行动计划")
        verbose_name_plural = _("行动计划")
        ordering = ["-year", "district"]
        constraints = [models.UniqueConstraint(fields=["district", "year", "title"], name="uniq_plan")]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class PlanRevision(models.Model):
    """Snapshot of an issued plan before each change, so history is never lost."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("修订号"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    reason = models.CharField(_("修改原因"), max_length=200, blank=True)
    snapshot = models.JSONField(_("修改前快照"))

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="uniq_plan_revision")]


class Area(models.Model):
    """A section of the plan: 蓝天, 碧水, 净土, 应对气候变化, 生态保护, 静音 or a custom one."""

    STANDARD = [
        ("air", "蓝天"), ("water", "碧水"), ("soil", "净土"), ("climate", "应对气候变化"),
        ("ecology", "生态保护"), ("noise", "静音"),
    ]
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas", verbose_name=_("计划"))
    code = models.SlugField(_("代码"), max_length=30)
    name = models.CharField(_("名称"), max_length=50)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("领域")
        verbose_name_plural = _("领域")
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="uniq_area_code")]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    class Comparator(models.TextChoices):
        LE = "<=", _("不高于")
        GE = ">=", _("不低于")
        EQ = "=", _("等于")

    class PeriodKind(models.TextChoices):
        YEAR = "year", _("全年")
        CUMULATIVE = "cumulative", _("累计至")

    class Scope(models.TextChoices):
        DISTRICT = "district", _("全区")
        TOWN = "town", _("街乡镇")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("计划"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="targets", verbose_name=_("领域"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, verbose_name=_("指标"))
    comparator = models.CharField(_("比较"), max_length=2, choices=Comparator.choices)
    value = FigureField(_("目标值"))
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    period_kind = models.CharField(_("期间"), max_length=12, choices=PeriodKind.choices, default=PeriodKind.YEAR)
    period_end = models.DateField(_("累计截止日"), null=True, blank=True)
    period_label = models.CharField(_("期间说明"), max_length=30, blank=True, help_text=_("如“全年”“一季度”"))
    scope = models.CharField(_("范围"), max_length=10, choices=Scope.choices, default=Scope.DISTRICT)
    town = models.ForeignKey("geo.Town", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("街乡镇"))
    flags = models.JSONField(_("标记"), default=list, blank=True, help_text=_("如 扣除沙尘"))
    text = models.TextField(_("原文"), blank=True)
    actual_value = FigureField(_("实际值"), null=True, blank=True)
    actual_as_of = models.DateField(_("实际值截至"), null=True, blank=True)
    actual_source = models.CharField(_("实际值来源"), max_length=200, blank=True)
    # the engine's figures behind actual_value (refresh_air_targets): unrounded statistic, valid days,
    # good/heavy days, period, edition — what the projection (envgov.apps.outlook) starts from
    actual_basis = models.JSONField(_("实际值依据"), default=dict, blank=True)
    # the provider's judgement beside the value (target_figures, decision 0033): 达标 / 预警 / 未达标 and why;
    # blank = judged by the comparator alone
    actual_status = models.CharField(_("实际值判定"), max_length=10, blank=True, choices=[
        ("met", _("达标")), ("warn", _("预警")), ("not_met", _("未达标")), ("unknown", _("待计算"))])
    actual_reason = models.CharField(_("判定说明"), max_length=300, blank=True)
    # a figure the platform cannot compute yet (water, COD, carbon …), entered by a coordinator with its source;
    # a computed actual value takes over when it exists, the entered one is kept beside it
    entered_value = FigureField(_("填报实际值"), null=True, blank=True)
    entered_as_of = models.DateField(_("填报值截至"), null=True, blank=True)
    entered_source = models.CharField(_("填报值来源"), max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("填报人"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("目标指标")
        verbose_name_plural = _("目标指标")
        ordering = ["plan", "area__order", "id"]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.comparator} {self.value}{self.unit}"

    @property
    def effective_value(self):  # noqa: ANN201 - Decimal | None
        """The figure the target is judged on: the computed one where it exists, else the entered one."""
        return self.actual_value if self.actual_value is not None else self.entered_value

    @property
    def uses_entered_value(self) -> bool:
        return self.actual_value is None and self.entered_value is not None

    @property
    def status(self) -> str:
        """met / warn / not_met / unknown: the computing app's judgement of its actual value where it gave
        one (预警 included), else the comparator's (envgov.rules.ledger.target_status)."""
        from envgov.rules.ledger import target_status

        if self.actual_value is not None and self.actual_status in ("met", "warn", "not_met"):
            return self.actual_status
        return target_status(self.comparator, self.value, self.effective_value)

    @property
    def status_label(self) -> str:
        from django.utils.translation import gettext

        from envgov.apps.plans.target_figures import status_word

        return gettext(status_word(self.status))


class Task(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("未开始")
        IN_PROGRESS = "in_progress", _("推进中")
        COMPLETED = "completed", _("已完成")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("计划"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("领域"))
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    code = models.CharField(_("编号"), max_length=40, help_text=_("如 三.(一).7"))
    order = models.PositiveIntegerField(_("序号"), default=0)
    title = models.CharField(_("任务"), max_length=300)
    body = models.TextField(_("任务内容"), blank=True)
    lead_units = models.ManyToManyField(
        "accounts.Unit", related_name="led_tasks", blank=True, verbose_name=_("牵头单位")
    )
    cooperating_units = models.ManyToManyField(
        "accounts.Unit", related_name="cooperating_tasks", blank=True, verbose_name=_("配合单位")
    )
    towns = models.ManyToManyField("geo.Town", related_name="tasks", blank=True, verbose_name=_("街乡镇"))
    all_towns = models.BooleanField(_("各街道乡镇"), default=False)
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    closure_reason = models.TextField(
        _("统筹关闭说明"), blank=True, help_text=_("统筹协调人员未等全部责任方销号即关闭任务时的原因")
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["plan", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="uniq_task_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class TaskParty(models.Model):
    """A responsible party of a task — one lead unit or one town — with its own progress line:
    its reports, quantities achieved, status and 销号. A task is complete when every party is."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("未开始")
        IN_PROGRESS = "in_progress", _("推进中")
        COMPLETED = "completed", _("已完成")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="parties", verbose_name=_("任务"))
    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="task_parties",
        verbose_name=_("责任单位"),
    )
    town = models.ForeignKey(
        "geo.Town", on_delete=models.PROTECT, null=True, blank=True, related_name="task_parties",
        verbose_name=_("责任街乡镇"),
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    completed_on = models.DateField(_("销号日期"), null=True, blank=True)
    removed_on = models.DateField(
        _("移出日期"), null=True, blank=True, help_text=_("计划修改后不再承担该任务；已报的进展保留")
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("责任方")
        verbose_name_plural = _("责任方")
        ordering = ["task", "unit__name", "town__code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], condition=models.Q(unit__isnull=False),
                                    name="uniq_party_unit"),
            models.UniqueConstraint(fields=["task", "town"], condition=models.Q(town__isnull=False),
                                    name="uniq_party_town"),
            models.CheckConstraint(
                condition=(models.Q(unit__isnull=False, town__isnull=True)
                           | models.Q(unit__isnull=True, town__isnull=False)),
                name="party_is_unit_or_town",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} {self.name}"

    @property
    def name(self) -> str:
        return self.unit.name if self.unit_id else self.town.name

    @property
    def is_town(self) -> bool:
        return self.town_id is not None


class Milestone(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("任务"))
    title = models.CharField(_("节点"), max_length=200)
    due_date = models.DateField(_("时限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("时间节点")
        verbose_name_plural = _("时间节点")
        ordering = ["task", "due_date"]


class Quantity(models.Model):
    """A target of a task: a count to accumulate (不少于8组, 200辆) or a rate to reach (不少于15%).

    Achieved, for a count, is the sum of the parties' latest accepted cumulative figures (or of their
    own shares where the plan splits the quantity); for a rate, the lowest party's latest accepted rate —
    a rate is reached by every party, never summed. Computed by envgov.apps.plans.progress only.
    """

    class Kind(models.TextChoices):
        COUNT = "count", _("累计数量")
        RATE = "rate", _("比率")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="quantities", verbose_name=_("任务"))
    name = models.CharField(_("工作量"), max_length=200, help_text=_("原文，如“抽检不少于8组”"))
    unit = models.CharField(_("单位"), max_length=20)
    target_value = FigureField(_("目标量"))
    kind = models.CharField(_("类型"), max_length=5, choices=Kind.choices, default=Kind.COUNT)
    achieved_value = FigureField(_("累计完成"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作量")
        verbose_name_plural = _("工作量")
        ordering = ["task", "id"]

    @property
    def share(self) -> float | None:
        from envgov.apps.plans.progress import ratio

        return ratio(self.achieved_value, self.target_value)


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.report.task.plan_id}/{instance.report_id}/{filename}"


class ProgressReport(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        WITHDRAWN = "withdrawn", _("已撤回")
        ACCEPTED = "accepted", _("已采纳")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports", verbose_name=_("任务"))
    party = models.ForeignKey(
        TaskParty, on_delete=models.PROTECT, null=True, blank=True, related_name="reports", verbose_name=_("责任方")
    )
    period = models.CharField(_("填报期"), max_length=7, help_text=_("YYYY-MM 或 YYYY-Qn"))
    due_on = models.DateField(_("报送时限"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("单位"))
    town = models.ForeignKey("geo.Town", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("街乡镇"))
    narrative = models.TextField(_("进展情况"))
    marks_complete = models.BooleanField(_("申请销号（任务已完成）"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.task.code} {self.period}"

    @property
    def is_late(self) -> bool:
        """First submitted after the period's due date (逾期报送) — recorded, never hidden."""
        first = self.first_submitted_at or self.submitted_at
        return bool(self.due_on and first and first.date() > self.due_on)


class ReportEvent(models.Model):
    """The review history of one report: submitted, returned with reason, withdrawn, resubmitted, accepted."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("提交")
        RESUBMITTED = "resubmitted", _("重新提交")
        WITHDRAWN = "withdrawn", _("撤回")
        RETURNED = "returned", _("退回")
        ACCEPTED = "accepted", _("采纳")

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("操作"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["report", "at", "id"]


class TaskComment(models.Model):
    """A word on a task between the parties and the coordinators (配合单位 included), outside any report."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments", verbose_name=_("任务"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("留言人"))
    body = models.TextField(_("留言"))
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("任务留言")
        verbose_name_plural = _("任务留言")
        ordering = ["task", "at", "id"]


class PartyQuantity(models.Model):
    """One party's line for one quantity: its own share where the plan splits it, and what it achieved."""

    party = models.ForeignKey(TaskParty, on_delete=models.CASCADE, related_name="quantities")
    quantity = models.ForeignKey(Quantity, on_delete=models.CASCADE, related_name="party_lines")
    share_value = FigureField(_("分解量"), null=True, blank=True)
    achieved_value = FigureField(_("累计完成"), null=True, blank=True)

    class Meta:
        verbose_name = _("责任方工作量")
        verbose_name_plural = _("责任方工作量")
        constraints = [models.UniqueConstraint(fields=["party", "quantity"], name="uniq_party_quantity")]

    @property
    def share(self) -> float | None:
        """Achieved against the party's own share; None where the plan does not split the quantity."""
        from envgov.apps.plans.progress import ratio

        return ratio(self.achieved_value, self.share_value)


class QuantityProgress(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="quantities")
    quantity = models.ForeignKey(Quantity, on_delete=models.CASCADE, related_name="progress")
    value = FigureField(_("累计完成"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "quantity"], name="uniq_quantity_progress")]


class Attachment(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic")

    @property
    def is_image(self) -> bool:
        """Shown as a thumbnail on the task page (phone photos of the site)."""
        return self.name.lower().endswith(self.IMAGE_SUFFIXES)


class PlanDraft(models.Model):
    """A plan read from its document by envgov.planio, waiting for a person to review and commit it."""

    class Status(models.TextChoices):
        OPEN = "open", _("待核对")
        COMMITTED = "committed", _("已入台账")
        DISCARDED = "discarded", _("已放弃")

    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    filename = models.CharField(_("文件"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    original_text = models.TextField(_("原文"))
    data = models.JSONField(_("识别结果"), help_text=_("targets/tasks，含原文位置 source_span"))
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    plan = models.ForeignKey(Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("计划导入草稿")
        verbose_name_plural = _("计划导入草稿")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"
