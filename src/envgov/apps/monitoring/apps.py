from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "envgov.apps.monitoring"
    label = "monitoring"
    verbose_name = "监测数据"
