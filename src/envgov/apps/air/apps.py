from django.apps import AppConfig


class AirConfig(AppConfig):
    """Air monitoring (stations, daily results, imports, parameters). Monitoring is organised by medium:
    air here, `water` and `noise` in apps of their own (decision 0037). The label stays "monitoring", the
    tables' and migrations' name, so no row moves."""

    name = "envgov.apps.air"
    label = "monitoring"
    verbose_name = "空气质量"

    def ready(self) -> None:
        from envgov.apps.air.services import AIR_TARGET_KEYS, air_target_figures
        from envgov.apps.plans import target_figures

        target_figures.register(AIR_TARGET_KEYS, air_target_figures, note="由监测数据自动计算")
