from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from envgov.apps.accounts.models import ApiToken, Unit, UnitAlias, User


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    extra = 1


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "district", "category")
    list_filter = ("district",)
    search_fields = ("name", "aliases__alias")
    inlines = [UnitAliasInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "role", "district", "unit", "town", "is_active")
    list_filter = ("role", "district")
    fieldsets = BaseUserAdmin.fieldsets + (("范围", {"fields": ("role", "district", "unit", "town", "phone")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "created_at", "last_used_at", "revoked")
    readonly_fields = ("key_hash",)
