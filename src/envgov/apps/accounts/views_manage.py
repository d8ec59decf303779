"""District administration pages (管理): users, units (aliases, merge), towns, monitoring stations.

Open to the admin role only (scope rule `admin`); every object is fetched through `scope.managed_*`, so
another district's user, unit, town or station is not found (404). Views parse the form and call the
actions of accounts, geo and monitoring; the actions check the named permissions again.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from envgov.apps.accounts import actions, permissions, throttle
from envgov.apps.accounts import forms_manage as f
from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import (
    managed_stations,
    managed_towns,
    managed_units,
    managed_users,
    scoped,
)
from envgov.apps.geo import actions as town_actions
from envgov.apps.air import actions as station_actions
from envgov.apps.plans.actions import StaleEdit

PAGE_SIZE = 50


def _district_id(request: HttpRequest) -> int:
    """The district the admin manages; a city-wide admin (no district) uses the system back office."""
    if request.user.district_id is None:
        raise PermissionDenied(_("管理页面用于区管理员；未绑定区的账号请使用系统后台"))
    return request.user.district_id


def _attempt(request: HttpRequest, form, call) -> bool:  # noqa: ANN001
    """Run an action; a refusal lands on the form (fields) or the banner (stale edit). True on success."""
    try:
        call()
    except ValidationError as exc:
        f.apply_errors(form, exc)
    except StaleEdit as exc:
        messages.error(request, str(exc))
    else:
        return True
    return False


def _toggle(request: HttpRequest, call, on: str, off: str) -> None:  # noqa: ANN001
    """Deactivate / reactivate from a one-button form (`active`, `version`): `call(active, version)`."""
    form = f.ActiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求不完整，请刷新页面后重试"))
        return
    active = form.cleaned_data["active"]
    if _attempt(request, form, lambda: call(active, form.cleaned_data["version"])):
        messages.success(request, on if active else off)
    for msg in form.non_field_errors():
        messages.error(request, msg)


@scoped("admin")
def manage_index(request: HttpRequest) -> HttpResponse:
    _district_id(request)
    counts = {
        "users": managed_users(request.user).filter(is_active=True).count(),
        "units": managed_units(request.user).count(),
        "towns": managed_towns(request.user).filter(active=True).count(),
        "stations": managed_stations(request.user).filter(active=True).count(),
    }
    return render(request, "manage/index.html", {"counts": counts})


# ---------------------------------------------------------------- users

@scoped("admin")
def user_list(request: HttpRequest) -> HttpResponse:
    district_id = _district_id(request)
    form = f.UserFilterForm(request.GET or None, district_id=district_id)
    users = managed_users(request.user).select_related("unit", "town")
    if form.is_valid():
        d = form.cleaned_data
        if d["role"]:
            users = users.filter(role=d["role"])
        if d["unit"]:
            users = users.filter(unit=d["unit"])
        if d["town"]:
            users = users.filter(town=d["town"])
        if d["active"]:
            users = users.filter(is_active=d["active"] == "1")
        if d["q"]:
            users = users.filter(Q(username__icontains=d["q"]) | Q(first_name__icontains=d["q"]))
    page = Paginator(users.order_by("-is_active", "role", "username"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "manage/user_list.html", {"form": form, "page": page, "query": query.urlencode()})


@scoped("admin")
def user_create(request: HttpRequest) -> HttpResponse:
    district_id = _district_id(request)
    form = f.UserCreateForm(request.POST or None, district_id=district_id)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        out: dict = {}

        def call() -> None:
            out["user"], out["password"] = actions.create_user(
                acting_user=request.user, username=d["username"], name=d["name"], phone=d["phone"], role=d["role"],
                unit=d["unit"], town=d["town"], password=form.chosen_password(), leader_level=d["leader_level"])

        if _attempt(request, form, call):
            messages.success(request, _("已创建用户“%(name)s”") % {"name": out["user"].display_name})
            return _password_shown(request, out["user"], out["password"])
    return render(request, "manage/form.html", {
        "form": form, "title": _("新建用户"), "back": "manage_users", "submit": _("创建")})


def _password_shown(request: HttpRequest, member: User, password: str | None) -> HttpResponse:
    """The one-time password, shown on this response only (not stored, not in a redirect or a message)."""
    if password is None:
        return redirect("manage_user", member_id=member.pk)
    response = render(request, "manage/password_shown.html", {"member": member, "password": password})
    response["Cache-Control"] = "no-store"
    return response


def _member(request: HttpRequest, member_id: int) -> User:
    return get_object_or_404(managed_users(request.user).select_related("unit", "town"), pk=member_id)


@scoped("admin")
def user_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    district_id = _district_id(request)
    initial = {"name": member.first_name, "phone": member.phone, "role": member.role, "unit": member.unit,
               "town": member.town, "leader_level": member.leader_level, "version": member.version}
    form = f.UserEditForm(request.POST or None, initial=initial, district_id=district_id, current_town=member.town)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _attempt(request, form, lambda: actions.update_user(
                member, acting_user=request.user, expected_version=d["version"], name=d["name"], phone=d["phone"],
                role=d["role"], unit=d["unit"], town=d["town"], leader_level=d["leader_level"])):
            messages.success(request, _("已保存"))
            return redirect("manage_user", member_id=member.pk)
    return render(request, "manage/user_edit.html", {
        "member": member, "form": form, "reset_form": f.PasswordResetForm(),
        "throttles": throttle.status_of(member.username),
        "can_manage": permissions.can_manage_user(request.user, member),
        "can_set_active": permissions.can_set_active(request.user, member, not member.is_active),
    })


@scoped("admin")
@require_POST
def user_password(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    form = f.PasswordResetForm(request.POST)
    if form.is_valid():
        out: dict = {}

        def call() -> None:
            out["password"] = actions.reset_password(member, acting_user=request.user,
                                                     password=form.chosen_password())

        if _attempt(request, form, call):
            messages.success(request, _("密码已重置，该用户下次登录时须修改密码"))
            return _password_shown(request, member, out["password"])
    for msg in [m for msgs in form.errors.values() for m in msgs]:
        messages.error(request, msg)
    return redirect("manage_user", member_id=member.pk)


@scoped("admin")
@require_POST
def user_active(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    _toggle(request, lambda active, version: actions.set_active(
        member, acting_user=request.user, active=active, expected_version=version),
        _("已启用该用户"), _("已停用该用户，其填报和审核记录保留"))
    return redirect("manage_user", member_id=member.pk)


@scoped("admin")
@require_POST
def user_unthrottle(request: HttpRequest, member_id: int) -> HttpResponse:
    """解除登录限制: the member may try again at once, from any address."""
    member = _member(request, member_id)
    actions.clear_login_throttle(member, acting_user=request.user)
    messages.success(request, _("已解除该用户的登录限制"))
    return redirect("manage_user", member_id=member.pk)


@scoped("admin")
@require_POST
def user_totp_reset(request: HttpRequest, member_id: int) -> HttpResponse:
    """清除两步验证 (lost phone): the member signs in with the password alone and may enrol again."""
    member = _member(request, member_id)
    actions.reset_totp(member, acting_user=request.user)
    messages.success(request, _("已清除该用户的两步验证"))
    return redirect("manage_user", member_id=member.pk)


# ---------------------------------------------------------------- units

@scoped("admin")
def unit_list(request: HttpRequest) -> HttpResponse:
    _district_id(request)
    units = managed_units(request.user).annotate(
        n_users=Count("user", distinct=True), n_led=Count("led_tasks", distinct=True),
        n_coop=Count("cooperating_tasks", distinct=True),
    ).prefetch_related("aliases").order_by("name")
    q = (request.GET.get("q") or "").strip()
    if q:
        units = units.filter(Q(name__icontains=q) | Q(aliases__alias__icontains=q)).distinct()
    return render(request, "manage/unit_list.html", {"units": units, "q": q})


@scoped("admin")
def unit_create(request: HttpRequest) -> HttpResponse:
    _district_id(request)
    form = f.UnitCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _attempt(request, form, lambda: actions.create_unit(
                acting_user=request.user, name=d["name"], short_name=d["short_name"], category=d["category"],
                aliases=form.alias_list())):
            messages.success(request, _("已创建单位“%(name)s”") % {"name": d["name"]})
            return redirect("manage_units")
    return render(request, "manage/form.html", {
        "form": form, "title": _("新建单位"), "back": "manage_units", "submit": _("创建")})


@scoped("admin")
def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_object_or_404(managed_units(request.user), pk=unit_id)
    initial = {"name": unit.name, "short_name": unit.short_name, "category": unit.category, "version": unit.version,
               "aliases": "\n".join(unit.aliases.order_by("alias").values_list("alias", flat=True))}
    form = f.UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _attempt(request, form, lambda: actions.update_unit(
                unit, acting_user=request.user, expected_version=d["version"], name=d["name"],
                short_name=d["short_name"], category=d["category"], aliases=form.alias_list())):
            messages.success(request, _("已保存"))
            return redirect("manage_units")
    return render(request, "manage/unit_edit.html", {"form": form, "unit": unit})


@scoped("admin")
def unit_merge(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Choose the unit to merge into → a dry run shows what will move → confirm (one transaction)."""
    unit = get_object_or_404(managed_units(request.user), pk=unit_id)
    others = managed_units(request.user).exclude(pk=unit.pk).order_by("name")
    raw = request.POST.get("into") or request.GET.get("into") or ""
    into = others.filter(pk=int(raw)).first() if raw.isdigit() else None
    if raw and into is None:
        messages.error(request, _("请从列表中选择要并入的单位"))
    preview = None
    if into is not None:
        try:
            if request.method == "POST" and request.POST.get("op") == "confirm":
                result = actions.merge_units(unit, into, acting_user=request.user)
                messages.success(request, _("已将“%(merged)s”并入“%(into)s”：改指 %(moved)s 条引用，合并重复 %(dups)s 条")
                                 % {"merged": result.merged_name, "into": into.name, "moved": result.moved,
                                    "dups": result.duplicates})
                return redirect("manage_unit", unit_id=into.pk)
            preview = actions.merge_units(unit, into, acting_user=request.user, dry_run=True)
        except (ValidationError, StaleEdit) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return render(request, "manage/unit_merge.html", {"unit": unit, "others": others, "into": into,
                                                      "preview": preview})


# ---------------------------------------------------------------- towns

@scoped("admin")
def town_list(request: HttpRequest) -> HttpResponse:
    _district_id(request)
    towns = managed_towns(request.user).defer("boundary").annotate(n_users=Count("user", distinct=True),
                                                 n_tasks=Count("tasks", distinct=True)).order_by("-active", "code")
    return render(request, "manage/town_list.html", {"towns": towns})


def _boundary_error(e) -> str:  # noqa: ANN001
    """A located message: 第 N 个要素 · property: reason (the file as a whole: the reason alone)."""
    reason = _(e.template) % dict(e.values) if e.values else _(e.template)
    if e.feature is None:
        return reason
    where = _("第 %(n)s 个要素") % {"n": e.feature}
    return f"{where} · {e.prop}：{reason}" if e.prop else f"{where}：{reason}"


@scoped("admin")
def town_boundaries(request: HttpRequest) -> HttpResponse:
    """Import real town polygons (GeoJSON, WGS84 or GCJ-02), replacing 示意边界 of the towns in the file."""
    from envgov.apps.geo import boundaries
    from envgov.apps.geo.models import District

    district = get_object_or_404(District, pk=_district_id(request))
    posted = request.method == "POST"  # an empty POST is still a submission (POST or None would not bind it)
    form = f.TownBoundaryImportForm(request.POST if posted else None, request.FILES if posted else None)
    errors: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            raw = upload.read(boundaries.MAX_UPLOAD_BYTES + 1)
            reading = boundaries.import_town_boundaries(district, raw, crs=form.cleaned_data["crs"],
                                                        acting_user=request.user, file_name=upload.name)
            errors = [_boundary_error(e) for e in reading.errors]
            if not errors:
                messages.success(request, _("已导入 %(n)s 个街乡镇的边界") % {"n": len(reading.boundaries)})
                return redirect("manage_towns")
    counts = {label: managed_towns(request.user).filter(active=True, boundary_source=k).count()
              for label, k in (("imported", "imported"), ("derived", "derived"), ("none", ""))}
    return render(request, "manage/town_boundaries.html", {
        "form": form, "errors": errors, "counts": counts, "has_district_boundary": district.boundary is not None,
    }, status=422 if request.method == "POST" and (errors or not form.is_valid()) else 200)


def _point(d: dict) -> dict:
    return {k: d.get(k) for k in ("code", "name", "official_name", "kind", "lon", "lat", "town") if k in d}


@scoped("admin")
def town_create(request: HttpRequest) -> HttpResponse:
    _district_id(request)
    form = f.TownCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _attempt(request, form, lambda: town_actions.create_town(acting_user=request.user,
                                                                    data=_point(form.cleaned_data))):
            messages.success(request, _("已创建街乡镇“%(name)s”") % {"name": form.cleaned_data["name"]})
            return redirect("manage_towns")
    return render(request, "manage/form.html", {
        "form": form, "title": _("新建街乡镇"), "back": "manage_towns", "submit": _("创建")})


@scoped("admin")
def town_edit(request: HttpRequest, town_id: int) -> HttpResponse:
    town = get_object_or_404(managed_towns(request.user), pk=town_id)
    initial = {k: getattr(town, k) for k in ("code", "name", "official_name", "kind", "lon", "lat", "version")}
    form = f.TownForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if _attempt(request, form, lambda: town_actions.update_town(
                town, acting_user=request.user, expected_version=form.cleaned_data["version"],
                data=_point(form.cleaned_data))):
            messages.success(request, _("已保存"))
            return redirect("manage_towns")
    return render(request, "manage/town_edit.html", {"form": form, "town": town})


@scoped("admin")
@require_POST
def town_active(request: HttpRequest, town_id: int) -> HttpResponse:
    town = get_object_or_404(managed_towns(request.user), pk=town_id)
    _toggle(request, lambda active, version: town_actions.set_town_active(
        town, acting_user=request.user, active=active, expected_version=version),
        _("已启用"), _("已停用，历史记录保留"))
    return redirect("manage_town", town_id=town.pk)


# ---------------------------------------------------------------- monitoring stations

@scoped("admin")
def station_list(request: HttpRequest) -> HttpResponse:
    _district_id(request)
    stations = managed_stations(request.user).select_related("town").order_by("-active", "code")
    return render(request, "manage/station_list.html", {"stations": stations})


@scoped("admin")
def station_create(request: HttpRequest) -> HttpResponse:
    district_id = _district_id(request)
    form = f.StationCreateForm(request.POST or None, district_id=district_id)
    if request.method == "POST" and form.is_valid():
        if _attempt(request, form, lambda: station_actions.create_station(acting_user=request.user,
                                                                          data=_point(form.cleaned_data))):
            messages.success(request, _("已创建站点“%(name)s”") % {"name": form.cleaned_data["name"]})
            return redirect("manage_stations")
    return render(request, "manage/form.html", {
        "form": form, "title": _("新建监测站点"), "back": "manage_stations", "submit": _("创建")})


@scoped("admin")
def station_edit(request: HttpRequest, station_id: int) -> HttpResponse:
    station = get_object_or_404(managed_stations(request.user), pk=station_id)
    initial = {k: getattr(station, k) for k in ("code", "name", "kind", "town", "lon", "lat", "version")}
    form = f.StationForm(request.POST or None, initial=initial, district_id=station.district_id)
    if request.method == "POST" and form.is_valid():
        if _attempt(request, form, lambda: station_actions.update_station(
                station, acting_user=request.user, expected_version=form.cleaned_data["version"],
                data=_point(form.cleaned_data))):
            messages.success(request, _("已保存"))
            return redirect("manage_stations")
    return render(request, "manage/station_edit.html", {"form": form, "station": station})


@scoped("admin")
@require_POST
def station_active(request: HttpRequest, station_id: int) -> HttpResponse:
    station = get_object_or_404(managed_stations(request.user), pk=station_id)
    _toggle(request, lambda active, version: station_actions.set_station_active(
        station, acting_user=request.user, active=active, expected_version=version),
        _("已启用"), _("已停用，历史数据保留"))
    return redirect("manage_station", station_id=station.pk)
