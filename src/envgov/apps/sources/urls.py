from django.urls import path

from envgov.apps.sources import views

urlpatterns = [
    path("", views.sources_home, name="sources_home"),
    path("add/", views.source_add, name="sources_add"),
    path("import/", views.source_import, name="sources_import"),
    path("template.xlsx", views.source_template, name="sources_template"),
    path("export.xlsx", views.source_export, name="sources_export"),
    path("duplicates/", views.source_duplicates, name="sources_duplicates"),
    path("permit-audit/", views.permit_audit, name="sources_permit_audit"),
    *views.detail_routes(),
]
