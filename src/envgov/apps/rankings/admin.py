"""Read-only in the admin: settings, weights and measures change on the rankings pages (checked, audited)
— see envgov.web.admin_readonly."""
from django.contrib import admin

from envgov.apps.rankings.models import RankingSettings, SiteWeighting, TownMeasure
from envgov.web.admin_readonly import ReadOnlyAdmin


@admin.register(RankingSettings)
class RankingSettingsAdmin(ReadOnlyAdmin):
    list_display = ("district", "bottom_n", "min_completeness", "weighting_mode", "set_by", "set_at")


@admin.register(SiteWeighting)
class SiteWeightingAdmin(ReadOnlyAdmin):
    list_display = ("district", "kind", "weight", "set_by", "set_at")


@admin.register(TownMeasure)
class TownMeasureAdmin(ReadOnlyAdmin):
    list_display = ("month", "district", "town", "indicator", "value", "is_simulated", "entered_by")
    list_filter = ("district", "indicator", "is_simulated")
