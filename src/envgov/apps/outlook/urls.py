from django.urls import path

from envgov.apps.outlook import views

urlpatterns = [
    path("", views.outlook_list, name="outlook_list"),
    path("settings/", views.outlook_settings, name="outlook_settings"),
    path("targets/<int:target_id>/", views.outlook_detail, name="outlook_detail"),
    path("targets/<int:target_id>/towns/", views.outlook_towns, name="outlook_towns"),
]
