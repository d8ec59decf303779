from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "envgov.apps.monitoring"
    label = "monitoring"
    verbose_name = "监测数据"

    def ready(self) -> None:
        from envgov.apps.monitoring.services import AIR_TARGET_KEYS, air_target_figures
        from envgov.apps.plans import target_figures

        target_figures.register(AIR_TARGET_KEYS, air_target_figures, note="由监测数据自动计算")
