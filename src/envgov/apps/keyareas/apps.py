from django.apps import AppConfig


class KeyAreasConfig(AppConfig):
    name = "envgov.apps.keyareas"
    label = "keyareas"
    verbose_name = "重点区域"
