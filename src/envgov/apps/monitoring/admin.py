from django.contrib import admin

from envgov.apps.monitoring.models import AirDaily, ExceptionalDay, ObservationImport, Station


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "district", "town", "is_simulated")
    list_filter = ("kind", "district", "is_simulated")
    search_fields = ("code", "name")


@admin.register(ExceptionalDay)
class ExceptionalDayAdmin(admin.ModelAdmin):
    list_display = ("district", "day", "kind", "note")


@admin.register(ObservationImport)
class ObservationImportAdmin(admin.ModelAdmin):
    list_display = ("uploaded_at", "district", "file_name", "uploaded_by", "state", "appended")
    readonly_fields = ("report",)


@admin.register(AirDaily)
class AirDailyAdmin(admin.ModelAdmin):
    list_display = ("day", "district", "station", "edition", "aqi", "level", "primary_pollutants")
    list_filter = ("district", "edition", "level")
