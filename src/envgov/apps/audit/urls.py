from django.urls import path

from envgov.apps.audit import views

urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
    path("plans/<int:plan_id>/audit/", views.plan_audit, name="audit_view"),
]
