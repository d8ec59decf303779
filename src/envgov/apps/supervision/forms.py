"""Forms of the 督办 pages (validation only; state changes go through actions)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from envgov.apps.accounts.models import Unit
from envgov.apps.geo.models import Town
from envgov.apps.plans.bounds import BoundedDateField, VersionField
from envgov.apps.plans.forms import MultipleFileField, MultipleFileInput


class RespondForm(forms.Form):
    response = forms.CharField(label=_("整改反馈"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)
    photos = MultipleFileField(
        label=_("现场照片或材料（可多选，可直接拍照）"), required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,.pdf,.doc,.docx,.xls,.xlsx"}),
    )
    version = VersionField()


class CloseForm(forms.Form):
    note = forms.CharField(label=_("销号说明"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    evidence = forms.FileField(label=_("佐证材料"), required=False)
    version = VersionField()


class OpenForm(forms.Form):
    """A 督办 opened by hand (a site inspection, a complaint, a leader's instruction)."""

    title = forms.CharField(label=_("督办事项"), max_length=300)
    detail = forms.CharField(label=_("问题和要求"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             max_length=8000)
    addressee_unit = forms.ModelChoiceField(label=_("督办单位"), queryset=Unit.objects.none(), required=False)
    addressee_town = forms.ModelChoiceField(label=_("督办街乡镇"), queryset=Town.objects.none(), required=False)
    task = forms.ModelChoiceField(label=_("关联任务（可不选）"), queryset=None, required=False)
    due_date = BoundedDateField(label=_("反馈时限"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, plan, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["addressee_unit"].queryset = Unit.objects.filter(district_id=plan.district_id).order_by("name")
        self.fields["addressee_town"].queryset = (Town.objects.filter(district_id=plan.district_id, active=True)
                                                  .order_by("code"))
        self.fields["task"].queryset = plan.tasks.order_by("order", "id")
        self.fields["task"].label_from_instance = lambda t: f"{t.code} {t.title}"[:80]
