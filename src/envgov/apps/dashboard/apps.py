from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "envgov.apps.dashboard"
    label = "dashboard"
    verbose_name = "驾驶舱"
