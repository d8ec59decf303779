from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "envgov.apps.complaints"
    label = "complaints"
    verbose_name = "接诉即办"
