from django.urls import path

from envgov.apps.disclosure import views

urlpatterns = [
    path("entries/", views.manage, name="disclosure_manage"),
    path("entries/<int:entry_id>/", views.edit, name="disclosure_edit"),
    path("<str:adcode>/", views.public_page, name="disclosure_public"),
]
