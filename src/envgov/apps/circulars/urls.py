from django.urls import path

from envgov.apps.circulars import views

urlpatterns = [
    path("circulars/", views.circular_list, name="circular_list"),
    path("circulars/generate/", views.circular_generate, name="circular_generate"),
    path("circulars/settings/", views.circular_settings, name="circular_settings"),
    path("circulars/<int:circular_id>/", views.circular_detail, name="circular_detail"),
    path("circulars/<int:circular_id>/publish/", views.circular_publish, name="circular_publish"),
    path("circulars/<int:circular_id>/circular.docx", views.circular_docx, name="circular_docx"),
    path("circulars/<int:circular_id>/circular.xlsx", views.circular_xlsx, name="circular_xlsx"),
    path("circulars/<int:circular_id>/preview.pdf", views.circular_pdf, name="circular_pdf"),
    # public (no login): published circulars only, for the public dashboard page
    path("public/circulars/<int:published_id>/circular.docx", views.circular_public_docx,
         name="circular_public_docx"),
    path("public/circulars/<int:published_id>/circular.pdf", views.circular_public_pdf, name="circular_public_pdf"),
]
