"""Forms of the district administration pages. They only parse input; the rules (who may hold which
role, which names a unit may take) are checked by the actions, whose located messages land on the
fields here via `apply_errors`."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from envgov.apps.accounts.models import User
from envgov.apps.geo.models import Town
from envgov.apps.air.models import Station


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put an action's refusal on the fields it names (the rest on top of the form)."""
    if hasattr(exc, "message_dict"):
        for name, msgs in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, msgs)
    else:
        form.add_error(None, exc.messages)


class _Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


def _unit_town_fields(form: forms.Form, district_id: int | None, current_town=None) -> None:  # noqa: ANN001
    from envgov.apps.accounts.models import Unit

    form.fields["unit"].queryset = Unit.objects.filter(district_id=district_id).order_by("name")
    towns = Town.objects.filter(district_id=district_id)
    active = towns.filter(active=True)
    if current_town is not None:  # a user of a town deactivated later still shows their town
        active = towns.filter(pk=current_town.pk) | active
    form.fields["town"].queryset = active.order_by("code")


class UserFilterForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), required=False, choices=[("", _("全部角色")), *User.Role.choices])
    unit = forms.ModelChoiceField(label=_("所属单位"), required=False, queryset=None, empty_label=_("全部单位"))
    town = forms.ModelChoiceField(label=_("所属街乡镇"), required=False, queryset=None, empty_label=_("全部街乡镇"))
    active = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部")), ("1", _("在用")), ("0", _("已停用"))])
    q = forms.CharField(label=_("姓名或登录名"), required=False, max_length=50)

    def __init__(self, *args, district_id: int | None = None, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        from envgov.apps.accounts.models import Unit

        self.fields["unit"].queryset = Unit.objects.filter(district_id=district_id).order_by("name")
        self.fields["town"].queryset = Town.objects.filter(district_id=district_id).order_by("code")


class UserBindingForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=150, required=False)
    phone = forms.CharField(label=_("手机"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=User.Role.choices)
    unit = forms.ModelChoiceField(label=_("所属单位（单位填报员必选）"), required=False, queryset=None)
    town = forms.ModelChoiceField(label=_("所属街乡镇（街乡镇填报员必选）"), required=False, queryset=None)
    leader_level = forms.TypedChoiceField(label=_("负责人层级（单位负责人必选）"), required=False, coerce=int,
                                          empty_value=None, choices=[("", "—"), *User.LeaderLevel.choices])

    def __init__(self, *args, district_id: int | None = None, current_town=None, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        _unit_town_fields(self, district_id, current_town)


class PasswordChoiceMixin(forms.Form):
    password_mode = forms.ChoiceField(
        label=_("密码"), widget=forms.RadioSelect, initial="generate",
        choices=[("generate", _("系统生成一次性密码（只显示一次）")), ("set", _("由我设定"))],
    )
    password = forms.CharField(label=_("设定的密码（选“由我设定”时填写）"), required=False,
                               widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password_mode") == "set" and not data.get("password"):
            self.add_error("password", _("请填写要设定的密码，或选择由系统生成"))
        return data

    def chosen_password(self) -> str | None:
        return self.cleaned_data["password"] if self.cleaned_data["password_mode"] == "set" else None


class UserCreateForm(UserBindingForm, PasswordChoiceMixin):
    username = forms.CharField(label=_("登录名"), max_length=150)
    field_order = ["username", "name", "phone", "role", "unit", "town", "leader_level", "password_mode", "password"]


class UserEditForm(UserBindingForm, _Versioned):
    pass


class PasswordResetForm(PasswordChoiceMixin):
    pass


class UnitForm(_Versioned):
    name = forms.CharField(label=_("规范名称"), max_length=80, help_text=_("不带“区”前缀的规范名称，如“发展改革委”"))
    short_name = forms.CharField(label=_("简称"), max_length=30, required=False)
    category = forms.CharField(label=_("类别"), max_length=30, required=False)
    aliases = forms.CharField(
        label=_("别名（每行一个）"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("计划文件和 Excel 台账中该单位的其他写法，如“区发改委”；导入时按规范名称和别名匹配"),
    )
    field_order = ["name", "short_name", "category", "aliases"]

    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["aliases"].splitlines() if line.strip()]


class UnitCreateForm(UnitForm):
    version = None


class _PointForm(forms.Form):
    lon = forms.FloatField(label=_("经度(WGS84)"), required=False)
    lat = forms.FloatField(label=_("纬度(WGS84)"), required=False)


class TownForm(_PointForm, _Versioned):
    code = forms.CharField(label=_("区划代码（12位）"), max_length=12)
    name = forms.CharField(label=_("名称"), max_length=50)
    official_name = forms.CharField(label=_("正式名称"), max_length=80, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=Town.Kind.choices)
    field_order = ["code", "name", "official_name", "kind", "lon", "lat"]


class TownCreateForm(TownForm):
    version = None


class StationForm(_PointForm, _Versioned):
    code = forms.CharField(label=_("站点代码"), max_length=40)
    name = forms.CharField(label=_("名称"), max_length=80)
    kind = forms.ChoiceField(label=_("类型"), choices=Station.Kind.choices)
    town = forms.ModelChoiceField(label=_("所在街乡镇"), required=False, queryset=None)
    field_order = ["code", "name", "kind", "town", "lon", "lat"]

    def __init__(self, *args, district_id: int | None = None, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = Town.objects.filter(district_id=district_id).order_by("code")


class StationCreateForm(StationForm):
    version = None


class ActiveForm(_Versioned):
    active = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")


class TownBoundaryImportForm(forms.Form):
    """A GeoJSON file of town polygons and the coordinate system it is in (decision 0018)."""

    file = forms.FileField(label=_("边界文件（GeoJSON）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json"}))
    crs = forms.ChoiceField(label=_("坐标系"), widget=forms.RadioSelect, choices=[
        ("wgs84", _("WGS84（GPS、天地图、OpenStreetMap）")),
        ("gcj02", _("GCJ-02（高德、腾讯地图），导入时转换为 WGS84")),
    ])
