from django.urls import path

from envgov.apps.emergency import views

urlpatterns = [
    path("", views.index, name="emergency_index"),
    path("list/", views.entry_list, name="emergency_list"),
    path("list/import/", views.list_import, name="emergency_list_import"),
    path("list/template.csv", views.list_template, name="emergency_list_template"),
    path("measures/", views.measures, name="emergency_measures"),
    path("measures/save/", views.measure_save, name="emergency_measure_save"),
    path("measures/import/", views.measures_import, name="emergency_measures_import"),
    path("forecast/", views.forecast, name="emergency_forecast"),
    path("episodes/<int:episode_id>/", views.episode, name="emergency_episode"),
    path("episodes/<int:episode_id>/checkin/", views.checkin, name="emergency_checkin"),
    path("episodes/<int:episode_id>/end/", views.end, name="emergency_end"),
    path("episodes/<int:episode_id>/report.docx", views.report, name="emergency_report"),
    path("checkins/<int:checkin_id>/photo/", views.checkin_photo, name="emergency_checkin_photo"),
]
