from django.urls import path

from envgov.apps.projects import views

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("add/", views.project_add, name="project_add"),
    path("<int:project_id>/", views.project_detail, name="project_detail"),
    path("<int:project_id>/edit/", views.project_edit, name="project_edit"),
    path("<int:project_id>/payments/", views.project_payment, name="project_payment"),
    path("import/", views.project_import, name="project_import"),
    path("import/template.xlsx", views.project_template, name="project_template"),
    path("export.xlsx", views.project_export, name="project_export"),
    path("reductions/", views.project_reductions, name="project_reductions"),
    path("funds/", views.fund_list, name="fund_list"),
    path("funds/new/", views.fund_add, name="fund_add"),
    path("funds/<int:allocation_id>/", views.fund_detail, name="fund_detail"),
]
