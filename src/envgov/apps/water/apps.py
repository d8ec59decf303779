from django.apps import AppConfig


class WaterConfig(AppConfig):
    name = "envgov.apps.water"
    label = "water"
    verbose_name = "地表水"
