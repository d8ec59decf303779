"""Forms of the 通报 pages (validation only; state changes go through actions)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from envgov.apps.circulars.models import Circular

BY_CHOICES = [("concentration", _("按浓度")), ("improvement", _("按同比改善幅度")), ("composite", _("按综合得分"))]


class GenerateForm(forms.Form):
    period = forms.CharField(label=_("期间"), max_length=30)  # the formats are listed on the page
    kind = forms.ChoiceField(label=_("类型"), choices=Circular.Kind.choices, initial=Circular.Kind.MONTHLY)
    by = forms.ChoiceField(label=_("排名方式"), choices=BY_CHOICES, initial="concentration", required=False,
                           help_text=_("月度通报按浓度排名；专项通报可选"))


class SettingsForm(forms.Form):
    organ = forms.CharField(label=_("发文机关"), max_length=100, required=False,
                            help_text=_("发文机关全称，如“北京市通州区生态环境局”；留空则为“区名+生态环境局”"))
    number_prefix = forms.CharField(label=_("文号前缀"), max_length=20, required=False,
                                    help_text=_("发文机关代字，如“通环”，文号写作 通环〔2024〕5号；发布通报前必须填写"))
    recipients = forms.CharField(label=_("主送机关"), max_length=200, required=False,
                                 help_text=_("留空则为“各街道办事处、乡镇人民政府，区有关单位”"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class PublishForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
