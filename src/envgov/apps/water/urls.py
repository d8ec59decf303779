from django.urls import path

from envgov.apps.water import views

urlpatterns = [
    path("", views.sections, name="water_sections"),
    path("sections/add/", views.section_add, name="water_section_add"),
    path("sections/<int:section_id>/", views.section_detail, name="water_section"),
    path("sections/<int:section_id>/edit/", views.section_edit, name="water_section_edit"),
    path("parameters/", views.water_parameters_save, name="water_parameters_save"),
    path("import/", views.water_import, name="water_import"),
    path("import/template.csv", views.water_import_template, name="water_import_template"),
    path("compensation/", views.compensation, name="water_compensation"),
    path("compensation.xlsx", views.compensation_xlsx, name="water_compensation_xlsx"),
    path("compensation/parameters/", views.compensation_parameters, name="water_compensation_parameters"),
]
