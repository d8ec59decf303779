from django.urls import path

from envgov.apps.supervision import views

urlpatterns = [
    path("plans/<int:plan_id>/supervision/", views.supervision_board, name="supervision_board"),
    path("plans/<int:plan_id>/supervision/new/", views.supervision_open, name="supervision_open"),
    path("plans/<int:plan_id>/supervision/check/", views.run_daily_check, name="run_daily_check"),
    path("supervision/<int:item_id>/", views.supervision_detail, name="supervision_detail"),
    path("supervision/<int:item_id>/sheet.docx", views.supervision_sheet, name="supervision_sheet"),
    path("supervision/<int:item_id>/evidence/", views.evidence_download, name="evidence_download"),
    path("supervision/photos/<int:photo_id>/", views.photo_download, name="supervision_photo"),
]
