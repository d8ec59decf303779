"""Forms of the notice pages (validation only; state changes go through actions)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from envgov.apps.notices.models import DistrictChannel, NoticePreference


class PreferenceForm(forms.Form):
    delivery = forms.ChoiceField(label=_("邮件方式"), choices=NoticePreference.Delivery.choices,
                                 widget=forms.RadioSelect)
    email = forms.BooleanField(label=_("通过邮件通知我"), required=False)


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=DistrictChannel.Kind.choices)
    webhook_url = forms.URLField(label=_("Webhook 地址"), required=False, max_length=500, assume_scheme="https",
                                 help_text=_("在群设置 → 群机器人中添加机器人后复制的地址"))
    secret = forms.CharField(label=_("加签密钥"), required=False, max_length=200,
                             widget=forms.PasswordInput(render_value=False),
                             help_text=_("钉钉机器人选“加签”时填写；留空则保留已保存的密钥"))
    enabled = forms.BooleanField(label=_("启用"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
