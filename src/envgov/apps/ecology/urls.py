from django.urls import path

from envgov.apps.ecology import views

urlpatterns = [
    path("", views.ecology, name="ecology"),
    path("indices/", views.ei_save, name="ecology_ei_save"),
    path("indices/import/", views.ei_import, name="ecology_ei_import"),
    path("indices/template.csv", views.ei_template, name="ecology_ei_template"),
    path("carbon/", views.carbon_save, name="ecology_carbon_save"),
    path("carbon/base-year/", views.base_year_save, name="ecology_base_year_save"),
    path("soil/farmland/", views.farmland_save, name="ecology_farmland_save"),
    path("soil/construction/", views.construction_save, name="ecology_construction_save"),
    path("parameters/", views.parameters_save, name="ecology_parameters_save"),
]
