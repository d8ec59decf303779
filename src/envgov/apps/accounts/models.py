"""People and organisations: users with a role and a scope, units (委办局) with their aliases, API tokens."""
from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    """A responsible body of the district (委办局, 分局, 公司…). Aliases map the many ways plans name it."""

    district = models.ForeignKey("geo.District", on_delete=models.PROTECT, related_name="units", verbose_name=_("区"))
    name = models.CharField(_("规范名称"), max_length=80, help_text=_("不带“区”前缀的规范名称，如“发展改革委”"))
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    category = models.CharField(_("类别"), max_length=30, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="uniq_unit_name_in_district")]

    def __str__(self) -> str:
        return self.name


class UnitAlias(models.Model):
    """Another spelling of a unit's name (区发改委 → 发展改革委)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("单位"))
    alias = models.CharField(_("别名"), max_length=80)

    class Meta:
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")
        constraints = [models.UniqueConstraint(fields=["unit", "alias"], name="uniq_unit_alias")]

    def __str__(self) -> str:
        return f"{self.alias} → {self.unit.name}"


class User(AbstractUser):
    """A person with exactly one role; reporters and unit leaders are bound to their unit or town."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("系统管理员")
        COORDINATOR = "coordinator", _("统筹协调（生态文明办/生态环境局）")
        UNIT_REPORTER = "unit_reporter", _("单位填报员")
        TOWN_REPORTER = "town_reporter", _("街乡镇填报员")
        AUDITOR = "auditor", _("只读审计")
        UNIT_LEADER = "unit_leader", _("单位负责人（科室负责人/分管领导）")

    class LeaderLevel(models.IntegerChoices):
        """Which step of an unanswered 督办's escalation reaches a unit leader (envgov.rules.ledger)."""

        SECTION_HEAD = 1, _("科室负责人")
        DEPUTY_IN_CHARGE = 2, _("分管领导")

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.AUDITOR)
    district = models.ForeignKey(
        "geo.District", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("所属区")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("所属单位"))
    town = models.ForeignKey("geo.Town", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("所属街乡镇"))
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    leader_level = models.PositiveSmallIntegerField(
        _("负责人层级"), choices=LeaderLevel.choices, null=True, blank=True,
        help_text=_("单位负责人：逾期未反馈的督办升级到哪一级时通知本人"),
    )
    must_change_password = models.BooleanField(
        _("下次登录须修改密码"), default=False, help_text=_("管理员重置密码后置位，用户改密后清除")
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    # optional second factor (TOTP) for administrators and coordinators; see accounts.totp
    totp_secret = models.CharField(max_length=64, blank=True, editable=False)
    totp_enabled_at = models.DateTimeField(_("两步验证启用时间"), null=True, blank=True, editable=False)
    totp_last_step = models.BigIntegerField(null=True, blank=True, editable=False)  # a code is used once

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for API clients. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户"))
    name = models.CharField(_("用途"), max_length=80)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(_("已吊销"), default=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple["ApiToken", str]:
        """Create a token; the clear key is returned once and never stored."""
        key = "egv_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, key_hash=cls.hash_key(key)), key


class LoginThrottle(models.Model):
    """Failed sign-in attempts counted under one key (see envgov.rules.security): an account from one
    address (`pair`), an address across accounts (`address`), an account from anywhere (`account`), or bad
    API tokens from an address (`token`). Rows are deleted when the owner signs in or an administrator
    clears them; a count is forgotten after the policy's quiet period."""

    class Scope(models.TextChoices):
        PAIR = "pair", _("账号+来源地址")
        ADDRESS = "address", _("来源地址")
        ACCOUNT = "account", _("账号")
        TOKEN = "token", _("API 令牌来源地址")

    scope = models.CharField(max_length=10, choices=Scope.choices)
    username = models.CharField(max_length=150, blank=True)  # lower-cased; empty for address scopes
    address = models.CharField(max_length=64, blank=True)  # empty for the account scope
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField()
    last_failure_at = models.DateTimeField()

    class Meta:
        verbose_name = _("登录限制")
        verbose_name_plural = _("登录限制")
        constraints = [models.UniqueConstraint(fields=["scope", "username", "address"], name="uniq_login_throttle")]
        indexes = [models.Index(fields=["username"], name="login_throttle_user")]
