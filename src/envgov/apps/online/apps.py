from django.apps import AppConfig


class OnlineConfig(AppConfig):
    name = "envgov.apps.online"
    label = "online"
    verbose_name = "在线监控"
