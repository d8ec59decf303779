"""Read-only in the admin: stations change on the management pages, imports and daily results come from
the import service, exceptional days from the dashboard (all audited) — see envgov.web.admin_readonly."""
from django.contrib import admin

from envgov.apps.air.models import AirDaily, ExceptionalDay, ObservationImport, Station
from envgov.web.admin_readonly import ReadOnlyAdmin


@admin.register(Station)
class StationAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "district", "town", "is_simulated")
    list_filter = ("kind", "district", "is_simulated")
    search_fields = ("code", "name")


@admin.register(ExceptionalDay)
class ExceptionalDayAdmin(ReadOnlyAdmin):
    list_display = ("district", "day", "kind", "note", "marked_by", "marked_at")


@admin.register(ObservationImport)
class ObservationImportAdmin(ReadOnlyAdmin):
    list_display = ("uploaded_at", "district", "file_name", "uploaded_by", "state", "appended")


@admin.register(AirDaily)
class AirDailyAdmin(ReadOnlyAdmin):
    list_display = ("day", "district", "station", "edition", "aqi", "level", "primary_pollutants")
    list_filter = ("district", "edition", "level")
