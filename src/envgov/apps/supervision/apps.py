from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "envgov.apps.supervision"
    label = "supervision"
    verbose_name = "督办"
