"""Accounts in the Django admin. Units, their aliases and API tokens are read-only (they change on the
management pages and the token page, through audited actions). Users stay editable here — the admin
site is how a city-wide administrator creates district administrators — but every save and every
password set here writes the audit log and bumps the user's version, like the management pages; users
are never deleted (deactivate instead: their reports and reviews keep their author)."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from envgov.apps.accounts.models import ApiToken, LoginThrottle, Unit, UnitAlias, User
from envgov.apps.audit import log as audit
from envgov.web.admin_readonly import ReadOnlyAdmin, ReadOnlyTabularInline

ADMIN_USER_FIELDS = ["username", "first_name", "last_name", "email", "phone", "role", "district", "unit", "town",
                     "is_active", "is_staff", "is_superuser", "must_change_password", "groups", "user_permissions"]


class UnitAliasInline(ReadOnlyTabularInline):
    model = UnitAlias


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "district", "category")
    list_filter = ("district",)
    search_fields = ("name", "aliases__alias")
    inlines = [UnitAliasInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "role", "district", "unit", "town", "is_active")
    list_filter = ("role", "district")
    fieldsets = BaseUserAdmin.fieldsets + (("范围", {"fields": ("role", "district", "unit", "town", "phone")}),)
    actions = None

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def save_model(self, request, obj, form, change):  # noqa: ANN001
        before = audit.snapshot(User.objects.get(pk=obj.pk), ADMIN_USER_FIELDS) if change else None
        if change:
            obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        if change:
            obj.refresh_from_db(fields=["version"])
        request._envgov_user_before = before  # the admin instance is shared between threads: keep it on the request

    def save_related(self, request, form, formsets, change):  # noqa: ANN001
        super().save_related(request, form, formsets, change)  # groups and permissions are saved here
        before = getattr(request, "_envgov_user_before", None)
        obj = form.instance
        audit.record(actor=request.user, action="user_update" if change else "user_create", obj=obj,
                     before=before, after=audit.snapshot(obj, ADMIN_USER_FIELDS), note=_("系统后台"))

    @transaction.atomic
    def user_change_password(self, request, id, form_url=""):  # noqa: A002, ANN001, ANN201
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            User.objects.filter(pk=user.pk).update(version=F("version") + 1)
            audit.record(actor=request.user, action="password_reset", obj=user, note=_("系统后台设定密码"))
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("user", "name", "created_at", "last_used_at", "revoked")


@admin.register(LoginThrottle)
class LoginThrottleAdmin(ReadOnlyAdmin):
    """Failed sign-ins being counted; cleared by the owner's next sign-in or on the user's management page."""

    list_display = ("scope", "username", "address", "failures", "first_failure_at", "last_failure_at")
    list_filter = ("scope",)
    search_fields = ("username", "address")
