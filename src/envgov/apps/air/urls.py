from django.urls import path

from envgov.apps.air import views, views_parameters

urlpatterns = [
    path("air/", views.air_dashboard, name="air_dashboard"),
    path("air/import/", views.air_import, name="air_import"),
    path("air/import/progress/", views.air_import_progress, name="air_import_progress"),
    path("air/import/template.csv", views.air_import_template, name="air_import_template"),
    path("air/import/errors.csv", views.air_import_errors, name="air_import_errors"),
    path("air/import/<int:import_id>/finish/", views.air_import_finish, name="air_import_finish"),
    path("air/import/<int:import_id>/undo/", views.air_import_undo, name="air_import_undo"),
    path("air/exceptional-days/", views.exceptional_day_add, name="exceptional_day_add"),
    path("air/recompute/", views.recompute, name="air_recompute"),
    path("air/parameters/", views_parameters.air_parameters, name="air_parameters"),
    path("air/parameters/save/", views_parameters.air_parameters_save, name="air_parameters_save"),
]
