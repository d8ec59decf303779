from django.urls import path

from envgov.apps.notices import views

urlpatterns = [
    path("", views.notice_centre, name="notice_centre"),
    path("<int:notice_id>/open/", views.notice_open, name="notice_open"),
    path("read-all/", views.notice_read_all, name="notice_read_all"),
    path("preferences/", views.notice_preferences, name="notice_preferences"),
    path("channel/", views.channel_settings, name="notice_channel"),
]
