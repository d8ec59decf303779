from django.apps import AppConfig


class OutlookConfig(AppConfig):
    name = "envgov.apps.outlook"
    label = "outlook"
    verbose_name = "达标研判"
