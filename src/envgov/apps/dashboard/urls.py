from django.urls import path

from envgov.apps.dashboard import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("public/<str:adcode>/", views.public_page, name="public_district"),
]
