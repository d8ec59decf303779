from django.urls import path

from envgov.apps.online import views

urlpatterns = [
    path("", views.points, name="online_points"),
    path("points/add/", views.point_add, name="online_point_add"),
    path("points/<int:point_id>/", views.point_detail, name="online_point"),
    path("points/<int:point_id>/edit/", views.point_edit, name="online_point_edit"),
    path("points/<int:point_id>/limits/", views.limit_save, name="online_limit_save"),
    path("alerts/", views.alerts, name="online_alerts"),
    path("alerts/import/", views.alert_import, name="online_alert_import"),
    path("alerts/<int:alert_id>/supervise/", views.alert_supervise, name="online_alert_supervise"),
    path("rule/", views.rule_save, name="online_rule_save"),
    path("limits.json", views.limits_download, name="online_limits_json"),
]
