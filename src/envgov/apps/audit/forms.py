from __future__ import annotations

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from envgov.apps.accounts.models import User
from envgov.apps.audit.present import ACTIONS


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class TypeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: ContentType) -> str:
        model = obj.model_class()
        return str(model._meta.verbose_name) if model is not None else obj.model


class AuditFilterForm(forms.Form):
    """Filters of the audit page and its export; choices come from the entries the user may read."""

    actor = UserChoice(label=_("操作人"), queryset=User.objects.none(), required=False, empty_label=_("全部"))
    object_type = TypeChoice(label=_("对象类型"), queryset=ContentType.objects.none(), required=False,
                             empty_label=_("全部"))
    action = forms.ChoiceField(label=_("操作"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, entries: QuerySet, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(data, *args, **kwargs)
        self.fields["actor"].queryset = User.objects.filter(
            pk__in=entries.exclude(actor=None).values("actor")).order_by("username")
        self.fields["object_type"].queryset = ContentType.objects.filter(pk__in=entries.values("content_type"))
        present = set(entries.order_by().values_list("action", flat=True).distinct())
        self.fields["action"].choices = [("", _("全部"))] + [
            (code, label) for code, label in ACTIONS.items() if code in present]

    def clean(self):  # noqa: ANN201
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data

    def apply(self, entries: QuerySet) -> QuerySet:
        d = self.cleaned_data
        if d.get("actor"):
            entries = entries.filter(actor=d["actor"])
        if d.get("object_type"):
            entries = entries.filter(content_type=d["object_type"])
        if d.get("action"):
            entries = entries.filter(action=d["action"])
        if d.get("date_from"):
            entries = entries.filter(at__date__gte=d["date_from"])
        if d.get("date_to"):
            entries = entries.filter(at__date__lte=d["date_to"])
        return entries
