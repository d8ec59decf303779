"""Read-only in the admin: plans, tasks and targets change through envgov.apps.plans.actions only
(audit, version, revision) — see envgov.web.admin_readonly."""
from django.contrib import admin

from envgov.apps.plans.models import Area, Indicator, Milestone, Plan, Quantity, Target, Task
from envgov.web.admin_readonly import ReadOnlyAdmin, ReadOnlyTabularInline


class AreaInline(ReadOnlyTabularInline):
    model = Area


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("year", "district", "title", "status", "revision", "is_simulated")
    inlines = [AreaInline]


class MilestoneInline(ReadOnlyTabularInline):
    model = Milestone


class QuantityInline(ReadOnlyTabularInline):
    model = Quantity


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "plan", "area", "due_date", "status")
    list_filter = ("plan", "area", "status")
    search_fields = ("code", "title")
    inlines = [MilestoneInline, QuantityInline]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "unit", "area_code")


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ("plan", "indicator", "comparator", "value")
