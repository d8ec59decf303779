from django.urls import path

from envgov.apps.keyareas import views

urlpatterns = [
    path("", views.home, name="keyareas_home"),
    path("add/", views.area_add, name="keyareas_add"),
    path("areas/<int:keyarea_id>/", views.area_detail, name="keyareas_area"),
    path("areas/<int:keyarea_id>/edit/", views.area_edit, name="keyareas_area_edit"),
    path("areas/<int:keyarea_id>/zones/", views.zones_import, name="keyareas_zones_import"),
    path("areas/<int:keyarea_id>/polygon/", views.area_polygon, name="keyareas_area_polygon"),
    path("parameters/", views.parameters_save, name="keyareas_parameters"),
    path("refresh/", views.refresh, name="keyareas_refresh"),
    path("ledger.xlsx", views.ledger_xlsx, name="keyareas_xlsx"),
    path("sites/<int:site_id>/", views.site_detail, name="keyareas_site"),
]
