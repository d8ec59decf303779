"""Forms of the ledger pages (validation only; state changes go through actions)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
    attachments = MultipleFileField(label=_("附件（照片、文件）"), required=False, widget=MultipleFileInput())

    def __init__(self, *args, quantities=(), **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.quantity_fields = []
        for q in quantities:
            name = f"q_{q.pk}"
            self.fields[name] = forms.DecimalField(
                label=f"{q.name}（累计完成，{q.unit}，目标 {q.target_value.normalize():f}）",
                min_value=0, required=False, max_digits=14, decimal_places=4,
                # "7", not the stored "7.0000": the reporter edits this figure on a phone
                initial=None if q.achieved_value is None else f"{q.achieved_value.normalize():f}",
            )
            self.quantity_fields.append((q.pk, name))

    def quantity_values(self) -> dict:
        return {qid: self.cleaned_data[name] for qid, name in self.quantity_fields
                if self.cleaned_data.get(name) is not None}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("采纳")), ("return", _("退回"))])
    reason = forms.CharField(label=_("退回原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class RespondForm(forms.Form):
    response = forms.CharField(label=_("整改反馈"), widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class CloseForm(forms.Form):
    note = forms.CharField(label=_("销号说明"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("佐证材料"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class TaskEditForm(forms.Form):
    title = forms.CharField(label=_("任务"), max_length=300)
    body = forms.CharField(label=_("任务内容"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    due_date = forms.DateField(label=_("完成时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("修改原因"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class LedgerImportForm(forms.Form):
    file = forms.FileField(label=_("台账 Excel 文件（.xlsx）"))
