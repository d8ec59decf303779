"""Forms of the ledger pages (validation only; state changes go through actions)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from envgov.apps.plans.bounds import BoundedDateField, FigureFormField, VersionField
from envgov.apps.plans.progress import figure


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):  # noqa: ANN001
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ProgressForm(forms.Form):
    narrative = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 4}))
    marks_complete = forms.BooleanField(label=_("任务已全部完成，申请销号"), required=False)
    attachments = MultipleFileField(
        label=_("附件（照片、文件）"), required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,.pdf,.doc,.docx,.xls,.xlsx"}),
    )

    def __init__(self, *args, quantities=(), party=None, reopened=None, **kwargs):  # noqa: ANN001, ANN002, ANN003
        """`party`: the reporter's own line (its figures prefill the form); `reopened`: a returned or
        withdrawn report of the period, whose text, figures and completion request come back as they were."""
        if reopened is not None and not args:
            kwargs.setdefault("initial", {"narrative": reopened.narrative, "marks_complete": reopened.marks_complete})
        super().__init__(*args, **kwargs)
        own = {line.quantity_id: line for line in party.quantities.all()} if party is not None else {}
        again = {qp.quantity_id: qp.value for qp in reopened.quantities.all()} if reopened is not None else {}
        self.quantity_fields = []
        for q in quantities:
            name = f"q_{q.pk}"
            line = own.get(q.pk)
            value = again.get(q.pk, line.achieved_value if line is not None else None)
            target = line.share_value if line is not None and line.share_value else q.target_value
            what = _("比率") if q.kind == q.Kind.RATE else _("累计完成")
            self.fields[name] = FigureFormField(
                label=f"{q.name}（{what}，{q.unit}，{_('目标')} {figure(target)}）", required=False,
                # "7", not the stored "7.0000": the reporter edits this figure on a phone
                initial=None if value is None or not value.is_finite() else figure(value),
            )
            self.quantity_fields.append((q.pk, name))

    def quantity_values(self) -> dict:
        return {qid: self.cleaned_data[name] for qid, name in self.quantity_fields
                if self.cleaned_data.get(name) is not None}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("采纳")), ("return", _("退回"))])
    reason = forms.CharField(label=_("退回原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = VersionField()


class CommentForm(forms.Form):
    body = forms.CharField(label=_("留言"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class CloseTaskForm(forms.Form):
    reason = forms.CharField(label=_("关闭原因"), widget=forms.Textarea(attrs={"rows": 2}))
    version = VersionField()


class TaskEditForm(forms.Form):
    """A task's text, deadline, assignment and quantities, as the coordinator edits them after issue.

    Quantities are rows q{n}_name / q{n}_value / q{n}_unit (n = the quantity's pk, or `new` for one to
    add); a party's own share of a quantity is share_{qpk}_{partypk} (blank = not split)."""

    title = forms.CharField(label=_("任务"), max_length=300)
    body = forms.CharField(label=_("任务内容"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    due_date = BoundedDateField(label=_("完成时限"), required=False)
    lead_units = forms.ModelMultipleChoiceField(label=_("牵头单位"), queryset=None, required=False,
                                                widget=forms.SelectMultiple(attrs={"size": 6}))
    cooperating_units = forms.ModelMultipleChoiceField(label=_("配合单位"), queryset=None, required=False,
                                                       widget=forms.SelectMultiple(attrs={"size": 6}))
    all_towns = forms.BooleanField(label=_("各街道乡镇（全部）"), required=False)
    towns = forms.ModelMultipleChoiceField(label=_("街乡镇"), queryset=None, required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 6}))
    reason = forms.CharField(label=_("修改原因"), required=False)
    version = VersionField()

    def __init__(self, *args, task, **kwargs):  # noqa: ANN001, ANN002, ANN003
        from envgov.apps.accounts.models import Unit
        from envgov.apps.geo.models import Town

        if not args:
            kwargs.setdefault("initial", {
                "title": task.title, "body": task.body, "due_date": task.due_date, "version": task.version,
                "lead_units": list(task.lead_units.all()), "cooperating_units": list(task.cooperating_units.all()),
                "towns": list(task.towns.all()), "all_towns": task.all_towns,
            })
        super().__init__(*args, **kwargs)
        district = task.plan.district
        units = Unit.objects.filter(district=district).order_by("name")
        self.fields["lead_units"].queryset = units
        self.fields["cooperating_units"].queryset = units
        self.fields["towns"].queryset = Town.objects.filter(district=district).order_by("code")
        self.task = task
        self.quantity_rows = []
        self.parties = list(task.parties.filter(removed_on__isnull=True).select_related("unit", "town"))
        for q in list(task.quantities.all()) + [None]:
            key = str(q.pk) if q else "new"
            self.fields[f"q{key}_name"] = forms.CharField(
                label=_("工作量"), max_length=200, required=False, initial=q.name if q else "")
            self.fields[f"q{key}_value"] = FigureFormField(
                label=_("目标量"), required=False,
                initial=figure(q.target_value) if q and q.target_value.is_finite() else None)
            self.fields[f"q{key}_unit"] = forms.CharField(
                label=_("单位"), max_length=20, required=False, initial=q.unit if q else "")
            shares = []
            if q is not None and len(self.parties) > 1:
                current = {line.party_id: line.share_value for line in q.party_lines.all()}
                for p in self.parties:
                    name = f"share_{q.pk}_{p.pk}"
                    value = current.get(p.pk)
                    self.fields[name] = FigureFormField(
                        label=p.name, required=False,
                        initial=None if value is None or not value.is_finite() else figure(value))
                    shares.append(name)
            self.quantity_rows.append({"key": key, "quantity": q, "shares": shares})

    def clean(self):  # noqa: ANN201
        data = super().clean()
        for row in self.quantity_rows:
            k = row["key"]
            name, value = (data.get(f"q{k}_name") or "").strip(), data.get(f"q{k}_value")
            if k == "new" and not name and value is None:
                continue
            if row["quantity"] is not None and not name and value is None:
                continue  # emptied: the quantity is removed (refused by the action if it has reports)
            if not name:
                self.add_error(f"q{k}_name", _("请填写工作量名称"))
            if value is None or value <= 0:
                self.add_error(f"q{k}_value", _("目标量须大于 0"))
        return data

    def quantity_edits(self) -> list:
        from envgov.apps.plans.actions import QuantityEdit

        out = []
        for row in self.quantity_rows:
            k, d = row["key"], self.cleaned_data
            name, value = (d.get(f"q{k}_name") or "").strip(), d.get(f"q{k}_value")
            if not name and value is None:
                continue
            shares = None
            if row["shares"]:
                shares = {int(f.rsplit("_", 1)[1]): d.get(f) for f in row["shares"]}
            out.append(QuantityEdit(pk=row["quantity"].pk if row["quantity"] else None, name=name,
                                    unit=d.get(f"q{k}_unit") or "", target_value=value, shares=shares))
        return out

    def quantity_fields(self) -> list:
        """Bound fields per quantity row, for the template."""
        return [{"key": r["key"], "quantity": r["quantity"], "name": self[f"q{r['key']}_name"],
                 "value": self[f"q{r['key']}_value"], "unit": self[f"q{r['key']}_unit"],
                 "shares": [self[f] for f in r["shares"]]} for r in self.quantity_rows]


class LedgerImportForm(forms.Form):
    file = forms.FileField(label=_("台账 Excel 文件（.xlsx）"))


class TargetActualForm(forms.Form):
    value = FigureFormField(label=_("实际值"), minimum=None)
    as_of = BoundedDateField(label=_("截至日期"))
    source = forms.CharField(label=_("数据来源"), max_length=200,
                             help_text=_("如 市生态环境局水环境质量月报、区统计局"))
    version = VersionField()


class ReportingForm(forms.Form):
    report_frequency = forms.ChoiceField(label=_("进展填报频次"), choices=())
    report_due_day = forms.IntegerField(label=_("报送日"), min_value=1, max_value=31)
    report_due_next_month = forms.BooleanField(label=_("次月报送"), required=False,
                                               help_text=_("不勾选：本期最后一个月该日前报送"))
    version = VersionField()

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        from envgov.apps.plans.models import Plan

        super().__init__(*args, **kwargs)
        self.fields["report_frequency"].choices = Plan.Frequency.choices
