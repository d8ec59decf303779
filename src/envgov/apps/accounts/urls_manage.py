"""管理 — the district administrator's pages (mounted at /manage/)."""
from django.urls import path

from envgov.apps.accounts import views_manage as v

urlpatterns = [
    path("", v.manage_index, name="manage_index"),
    path("users/", v.user_list, name="manage_users"),
    path("users/new/", v.user_create, name="manage_user_create"),
    path("users/<int:member_id>/", v.user_edit, name="manage_user"),
    path("users/<int:member_id>/password/", v.user_password, name="manage_user_password"),
    path("users/<int:member_id>/active/", v.user_active, name="manage_user_active"),
    path("users/<int:member_id>/unthrottle/", v.user_unthrottle, name="manage_user_unthrottle"),
    path("users/<int:member_id>/two-factor-reset/", v.user_totp_reset, name="manage_user_totp_reset"),
    path("units/", v.unit_list, name="manage_units"),
    path("units/new/", v.unit_create, name="manage_unit_create"),
    path("units/<int:unit_id>/", v.unit_edit, name="manage_unit"),
    path("units/<int:unit_id>/merge/", v.unit_merge, name="manage_unit_merge"),
    path("towns/", v.town_list, name="manage_towns"),
    path("towns/new/", v.town_create, name="manage_town_create"),
    path("towns/boundaries/", v.town_boundaries, name="manage_town_boundaries"),
    path("towns/<int:town_id>/", v.town_edit, name="manage_town"),
    path("towns/<int:town_id>/active/", v.town_active, name="manage_town_active"),
    path("stations/", v.station_list, name="manage_stations"),
    path("stations/new/", v.station_create, name="manage_station_create"),
    path("stations/<int:station_id>/", v.station_edit, name="manage_station"),
    path("stations/<int:station_id>/active/", v.station_active, name="manage_station_active"),
]
