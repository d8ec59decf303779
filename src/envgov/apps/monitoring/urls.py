from django.urls import path

from envgov.apps.monitoring import views

urlpatterns = [
    path("air/", views.air_dashboard, name="air_dashboard"),
    path("air/import/", views.air_import, name="air_import"),
    path("air/exceptional-days/", views.exceptional_day_add, name="exceptional_day_add"),
    path("air/recompute/", views.recompute, name="air_recompute"),
]
