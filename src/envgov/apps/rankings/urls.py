from django.urls import path

from envgov.apps.rankings import views

urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("supervise/", views.supervise, name="ranking_supervise"),
    path("figures/", views.figures, name="ranking_figures"),
    path("towns/<int:rank_town_id>/", views.town, name="ranking_town"),
    path("measures/", views.measures, name="ranking_measures"),
    path("measures/save/", views.measure_save, name="ranking_measure_save"),
    path("measures/import/", views.measure_import, name="ranking_measure_import"),
    path("measures/template.csv", views.measure_template, name="ranking_measure_template"),
    path("settings/", views.settings_page, name="ranking_settings"),
    path("settings/save/", views.settings_save, name="ranking_settings_save"),
]
