from django.apps import AppConfig


class EmergencyConfig(AppConfig):
    name = "envgov.apps.emergency"
    label = "emergency"
    verbose_name = "重污染应急"
