"""The Django admin shows the record; it does not change it. Domain rows (plans, tasks, targets,
monitoring, units, tokens) change only through their actions, which check scope, write the audit log,
bump the version and keep the revision; an admin form would do none of that. So their admin classes
are read-only: list, search and detail views stay (useful to the operator), add/change/delete are off.

The supervision app, when it gets its admin, can use the same `ReadOnlyAdmin`.
"""
from __future__ import annotations

from django.contrib import admin


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201 - inlines pass obj
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    actions = None  # not even "delete selected"


class ReadOnlyTabularInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
