"""Every change the district administrator makes to users and units: create, edit, reset a password,
deactivate and reactivate (never delete — a person's reports and reviews keep their author), unit
aliases, and merging two units into one.

Each function is atomic, checks the actor with a named check of `accounts.permissions`, refuses stale
edits (optimistic locking on `version`) and writes the audit log. Passwords are never logged.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from envgov.apps.accounts import merge, permissions
from envgov.apps.accounts.models import Unit, UnitAlias, User
from envgov.apps.accounts.scope import require
from envgov.apps.accounts.versioned import save_versioned
from envgov.apps.audit import clock
from envgov.apps.audit import log as audit
from envgov.apps.plans.actions import StaleEdit, _bump  # noqa: F401 - StaleEdit re-exported for the views

R = User.Role
USER_FIELDS = ["username", "first_name", "phone", "role", "leader_level", "district", "unit", "town", "is_active",
               "must_change_password"]
UNIT_FIELDS = ["name", "short_name", "category"]
OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or copied from a screen


def one_time_password() -> str:
    """12 random characters in three groups, e.g. `k7mq-2xhz-9pwa` (about 59 bits)."""
    raw = "".join(secrets.choice(OTP_ALPHABET) for _ in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


def _user_snapshot(user: User) -> dict:
    return audit.snapshot(user, USER_FIELDS)


def _check_binding(role: str, unit: Unit | None, town, district_id: int,  # noqa: ANN001
                   leader_level: int | None = None) -> None:
    """A unit reporter speaks for one unit, a town reporter for one town, a unit leader for one unit or
    one town, all of the district; other roles are bound to neither."""
    errors: dict[str, list[str]] = {}
    if role not in R.values:
        errors["role"] = [_("请选择角色")]
    if role == R.UNIT_LEADER:
        if (unit is None) == (town is None):
            errors["unit"] = [_("单位负责人须选择所属单位或所属街乡镇（二选一）")]
        if leader_level not in User.LeaderLevel.values:
            errors["leader_level"] = [_("单位负责人须选择负责人层级（科室负责人或分管领导）")]
    else:
        if role == R.UNIT_REPORTER and unit is None:
            errors["unit"] = [_("单位填报员须选择所属单位")]
        if role != R.UNIT_REPORTER and unit is not None:
            errors["unit"] = [_("只有单位填报员和单位负责人需要选择所属单位")]
        if role == R.TOWN_REPORTER and town is None:
            errors["town"] = [_("街乡镇填报员须选择所属街乡镇")]
        if role != R.TOWN_REPORTER and town is not None:
            errors["town"] = [_("只有街乡镇填报员和单位负责人需要选择所属街乡镇")]
    if unit is not None and unit.district_id != district_id:
        errors["unit"] = [_("该单位不属于本区")]
    if town is not None and town.district_id != district_id:
        errors["town"] = [_("该街乡镇不属于本区")]
    if town is not None and not getattr(town, "active", True):
        errors.setdefault("town", []).append(_("该街乡镇已停用"))
    if errors:
        raise ValidationError(errors)


def _set_password(user: User, password: str | None) -> str | None:
    """Set the given password (validated) or a generated one; the generated one is returned to be shown once."""
    generated = None
    if not password:
        password = generated = one_time_password()
    else:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    return generated


@transaction.atomic
def create_user(*, acting_user: User, username: str, name: str = "", phone: str = "", role: str,
                unit: Unit | None = None, town=None, password: str | None = None,  # noqa: ANN001
                leader_level: int | None = None) -> tuple[User, str | None]:
    """A new user of the acting admin's district. Returns the user and the one-time password when one was
    generated (shown once, never stored in clear); the user must change it at first sign-in."""
    district_id = acting_user.district_id
    require(permissions.can_assign_role(acting_user, role, district_id), _("您不能在本区以外创建用户或授予该角色"))
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": [_("请填写登录名")]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [_("登录名“%(name)s”已被使用") % {"name": username}]})
    leader_level = leader_level if role == R.UNIT_LEADER else None
    _check_binding(role, unit, town, district_id, leader_level)
    user = User(username=username[:150], first_name=(name or "").strip()[:150], phone=(phone or "").strip()[:20],
                role=role, district_id=district_id, unit=unit, town=town, must_change_password=True,
                leader_level=leader_level)
    generated = _set_password(user, password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ValidationError({"username": [_("登录名“%(name)s”已被使用") % {"name": username}]}) from exc
    audit.record(actor=acting_user, action="user_create", obj=user, after=_user_snapshot(user),
                 note=_("新建用户“%(name)s”（%(role)s）") % {"name": user.display_name, "role": user.get_role_display()})
    return user, generated


@transaction.atomic
def update_user(target: User, *, acting_user: User, expected_version: int, name: str, phone: str, role: str,
                unit: Unit | None = None, town=None, leader_level: int | None = None) -> User:  # noqa: ANN001
    """Change a user's name, phone, role, unit or town (and a unit leader's level)."""
    require(permissions.can_manage_user(acting_user, target), _("您不能管理该用户"))
    require(permissions.can_change_role(acting_user, target, role), _("您不能把自己的管理员角色改掉，也不能授予超出本区的权限"))
    leader_level = leader_level if role == R.UNIT_LEADER else None
    _check_binding(role, unit, town, target.district_id, leader_level)
    before = _user_snapshot(target)
    _bump(User, target.pk, expected_version, _("该用户已被他人修改，您的修改未保存。请刷新页面后再提交。"))
    target.refresh_from_db()
    target.first_name, target.phone = (name or "").strip()[:150], (phone or "").strip()[:20]
    target.role, target.unit, target.town, target.leader_level = role, unit, town, leader_level
    target.save(update_fields=["first_name", "phone", "role", "unit", "town", "leader_level"])
    audit.record(actor=acting_user, action="user_update", obj=target, before=before, after=_user_snapshot(target))
    return target


@transaction.atomic
def reset_password(target: User, *, acting_user: User, password: str | None = None) -> str | None:
    """Set a new password for `target` — the one given, or a generated one-time password (returned, to be
    shown once). Either way the user must choose their own at the next sign-in; their open sessions end."""
    require(permissions.can_reset_password(acting_user, target), _("您不能管理该用户"))
    target = User.objects.select_for_update().get(pk=target.pk)
    generated = _set_password(target, password)
    target.must_change_password = True
    target.save(update_fields=["password", "must_change_password"])
    audit.record(actor=acting_user, action="password_reset", obj=target,
                 note=_("重置密码（系统生成一次性密码）") if generated else _("重置密码（管理员设定）"))
    return generated


@transaction.atomic
def set_active(target: User, *, acting_user: User, active: bool, expected_version: int) -> User:
    """Deactivate (cannot sign in, API tokens stop working, history kept) or reactivate a user."""
    require(permissions.can_set_active(acting_user, target, active), _("您不能停用或启用该用户（也不能停用自己）"))
    return save_versioned(target, {"is_active": active}, acting_user=acting_user, expected_version=expected_version,
                          action="user_activate" if active else "user_deactivate", fields=USER_FIELDS,
                          stale_message=_("该用户已被他人修改，您的修改未保存。请刷新页面后再提交。"))


@transaction.atomic
def change_own_password(user: User, *, new_password: str) -> None:
    """The signed-in user chooses their own password (clears the must-change flag)."""
    require(user.is_authenticated and user.is_active)
    _set_password(user, new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(actor=user, action="password_change", obj=user, note=_("用户修改了自己的密码"))


# ---------------------------------------------------------------- sign-in protection

@transaction.atomic
def clear_login_throttle(target: User, *, acting_user: User) -> int:
    """解除登录限制: forget every failed sign-in counted against `target` (from any address)."""
    from envgov.apps.accounts import throttle

    require(permissions.can_manage_user(acting_user, target), _("您不能管理该用户"))
    cleared = throttle.clear_account(target.username)
    audit.record(actor=acting_user, action="login_unthrottle", obj=target,
                 note=_("解除登录限制（清除 %(n)s 条失败计数）") % {"n": cleared})
    return cleared


def _require_totp_role(user: User) -> None:
    from envgov.rules.security import TOTP_ROLES

    require(user.is_authenticated and user.is_active and user.role in TOTP_ROLES,
            _("两步验证供系统管理员和统筹协调人员使用"))


@transaction.atomic
def enable_totp(user: User, *, secret: str, code: str) -> User:
    """Turn the second factor on with the secret the user was shown, once a code from it checks out."""
    from envgov.apps.accounts import totp

    _require_totp_role(user)
    step = totp.matching_step(secret, code)
    if step is None:
        raise ValidationError({"code": _("验证码不正确，请确认验证器中的时间和密钥后重试")})
    user = User.objects.select_for_update().get(pk=user.pk)
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, clock.now(), step
    user.save(update_fields=["totp_secret", "totp_enabled_at", "totp_last_step"])
    audit.record(actor=user, action="totp_enable", obj=user, note=_("启用两步验证"))
    return user


@transaction.atomic
def disable_totp(user: User, *, code: str) -> User:
    """The user turns their second factor off, proving it with a current code."""
    from envgov.apps.accounts import totp

    require(user.is_authenticated and user.is_active)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.totp_enabled_at:
        raise ValidationError(_("您尚未启用两步验证"))
    if not totp.verify_for_login(user, code):
        raise ValidationError({"code": _("验证码不正确")})
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = "", None, None
    user.save(update_fields=["totp_secret", "totp_enabled_at", "totp_last_step"])
    audit.record(actor=user, action="totp_disable", obj=user, note=_("关闭两步验证"))
    return user


@transaction.atomic
def reset_totp(target: User, *, acting_user: User) -> User:
    """The administrator removes a user's second factor (lost phone); the user may enrol again."""
    require(permissions.can_manage_user(acting_user, target), _("您不能管理该用户"))
    target = User.objects.select_for_update().get(pk=target.pk)
    target.totp_secret, target.totp_enabled_at, target.totp_last_step = "", None, None
    target.save(update_fields=["totp_secret", "totp_enabled_at", "totp_last_step"])
    audit.record(actor=acting_user, action="totp_reset", obj=target, note=_("管理员清除两步验证"))
    return target


# ---------------------------------------------------------------- units

def _clean_aliases(aliases: list[str]) -> list[str]:
    out: list[str] = []
    for a in aliases:
        a = a.strip()
        if a and a not in out:
            out.append(a)
    return out


def _check_unit_names(district_id: int, name: str, aliases: list[str], *, exclude_pk: int | None = None) -> None:
    """A name or alias means one unit only: the importers look names up in one table."""
    errors: dict[str, list[str]] = {}
    others = Unit.objects.filter(district_id=district_id).exclude(pk=exclude_pk)
    if not name:
        errors["name"] = [_("请填写单位规范名称")]
    elif others.filter(name=name).exists():
        errors["name"] = [_("本区已有名为“%(name)s”的单位") % {"name": name}]
    elif UnitAlias.objects.filter(unit__in=others, alias=name).exists():
        owner = UnitAlias.objects.filter(unit__in=others, alias=name).select_related("unit").first().unit
        errors["name"] = [_("“%(name)s”已是单位“%(unit)s”的别名") % {"name": name, "unit": owner.name}]
    alias_errors = []
    for a in aliases:
        if len(a) > 80:
            alias_errors.append(_("别名“%(alias)s”超过 80 个字") % {"alias": a[:20] + "…"})
        elif a == name:
            alias_errors.append(_("别名“%(alias)s”与规范名称相同，无需填写") % {"alias": a})
        elif (owner := others.filter(name=a).first()) is not None:
            alias_errors.append(_("“%(alias)s”是另一个单位的规范名称；若两者是同一单位，请使用“合并单位”") % {"alias": a})
        elif (hit := UnitAlias.objects.filter(unit__in=others, alias=a).select_related("unit").first()) is not None:
            alias_errors.append(_("“%(alias)s”已是单位“%(unit)s”的别名") % {"alias": a, "unit": hit.unit.name})
    if alias_errors:
        errors["aliases"] = alias_errors
    if errors:
        raise ValidationError(errors)


def _unit_snapshot(unit: Unit) -> dict:
    return {**audit.snapshot(unit, UNIT_FIELDS), "aliases": sorted(unit.aliases.values_list("alias", flat=True))}


@transaction.atomic
def create_unit(*, acting_user: User, name: str, short_name: str = "", category: str = "",
                aliases: list[str] | None = None) -> Unit:
    district_id = acting_user.district_id
    require(permissions.can_manage_units(acting_user, district_id), _("您不能管理本区以外的单位"))
    name = (name or "").strip()
    aliases = _clean_aliases(aliases or [])
    _check_unit_names(district_id, name, aliases)
    unit = Unit.objects.create(district_id=district_id, name=name[:80], short_name=(short_name or "").strip()[:30],
                               category=(category or "").strip()[:30])
    UnitAlias.objects.bulk_create([UnitAlias(unit=unit, alias=a) for a in aliases])
    audit.record(actor=acting_user, action="unit_create", obj=unit, after=_unit_snapshot(unit))
    return unit


@transaction.atomic
def update_unit(unit: Unit, *, acting_user: User, expected_version: int, name: str, short_name: str = "",
                category: str = "", aliases: list[str]) -> Unit:
    """Rename a unit and set its aliases (the full list: names not in it are removed)."""
    require(permissions.can_edit_unit(acting_user, unit), _("您不能管理本区以外的单位"))
    name = (name or "").strip()
    aliases = _clean_aliases(aliases)
    _check_unit_names(unit.district_id, name, aliases, exclude_pk=unit.pk)
    before = _unit_snapshot(unit)
    _bump(Unit, unit.pk, expected_version, _("该单位已被他人修改，您的修改未保存。请刷新页面后再提交。"))
    unit.refresh_from_db()
    unit.name, unit.short_name, unit.category = name[:80], (short_name or "").strip()[:30], (category or "").strip()[:30]
    unit.save(update_fields=UNIT_FIELDS)
    unit.aliases.exclude(alias__in=aliases).delete()
    have = set(unit.aliases.values_list("alias", flat=True))
    UnitAlias.objects.bulk_create([UnitAlias(unit=unit, alias=a) for a in aliases if a not in have])
    audit.record(actor=acting_user, action="unit_update", obj=unit, before=before, after=_unit_snapshot(unit))
    return unit


@dataclass
class MergeResult:
    merged_name: str
    into: Unit
    moves: list[merge.Moved] = field(default_factory=list)
    alias_added: bool = False

    @property
    def moved(self) -> int:
        return sum(m.moved for m in self.moves)

    @property
    def duplicates(self) -> int:
        return sum(m.merged for m in self.moves)


def merge_units(merged: Unit, into: Unit, *, acting_user: User, dry_run: bool = False) -> MergeResult:
    """Merge `merged` into `into`: every reference to `merged` (tasks' lead and cooperating units, reports,
    supervision items, users, aliases, party lines — any model pointing at Unit) moves to `into`;
    `merged`'s name becomes an alias of `into`; `merged` is removed. One transaction, one audit entry
    that keeps the merged unit and every merged duplicate row. With `dry_run` everything is done and
    rolled back, so the confirmation page shows exactly what the merge will move."""
    require(permissions.can_merge_units(acting_user, merged, into), _("只能合并本区内两个不同的单位"))
    with transaction.atomic():
        merged = Unit.objects.select_for_update().get(pk=merged.pk)
        into = Unit.objects.select_for_update().get(pk=into.pk)
        before = {"merged_unit": _unit_snapshot(merged)}
        result = MergeResult(merged_name=merged.name, into=into)
        result.moves = merge.repoint(merged, into)
        if merged.name != into.name and not into.aliases.filter(alias=merged.name).exists():
            UnitAlias.objects.create(unit=into, alias=merged.name)
            result.alias_added = True
        Unit.objects.filter(pk=merged.pk).delete()
        _bump(Unit, into.pk, into.version, _("该单位已被他人修改，请刷新页面后再提交。"))
        into.refresh_from_db()
        result.into = into
        after = {
            "into": _unit_snapshot(into),
            "moved": {m.label: m.moved for m in result.moves if m.moved},
            "duplicates_merged": [{"reference": m.label, **row} for m in result.moves for row in m.removed],
        }
        audit.record(actor=acting_user, action="unit_merge", obj=into, before=before, after=after,
                     note=_("单位“%(merged)s”并入“%(into)s”：改指 %(moved)s 条引用，合并重复 %(dups)s 条") % {
                         "merged": merged.name, "into": into.name, "moved": result.moved, "dups": result.duplicates})
        if dry_run:
            transaction.set_rollback(True)
    return result
