from django.contrib import admin

from envgov.apps.plans.models import Area, Indicator, Milestone, Plan, Quantity, Target, Task


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("year", "district", "title", "status", "revision", "is_simulated")
    inlines = [AreaInline]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class QuantityInline(admin.TabularInline):
    model = Quantity
    extra = 0


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "plan", "area", "due_date", "status")
    list_filter = ("plan", "area", "status")
    search_fields = ("code", "title")
    filter_horizontal = ("lead_units", "cooperating_units", "towns")
    inlines = [MilestoneInline, QuantityInline]


admin.site.register(Indicator)
admin.site.register(Target)

