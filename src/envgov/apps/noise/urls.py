from django.urls import path

from envgov.apps.noise import views

urlpatterns = [
    path("", views.overview, name="noise_overview"),
    path("map/", views.noise_map, name="noise_map"),
    path("points/add/", views.point_add, name="noise_point_add"),
    path("points/<int:noise_point_id>/", views.point_detail, name="noise_point"),
    path("points/<int:noise_point_id>/edit/", views.point_edit, name="noise_point_edit"),
    path("import/", views.noise_import, name="noise_import"),
    path("import/template.csv", views.noise_import_template, name="noise_import_template"),
    path("zones/", views.zones, name="noise_zones"),
    path("parameters/", views.parameters_save, name="noise_parameters_save"),
]
