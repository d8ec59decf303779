from django.apps import AppConfig


class WaterConfig(AppConfig):
    name = "envgov.apps.water"
    label = "water"
    verbose_name = "地表水"

    def ready(self) -> None:
        from envgov.apps.plans import target_figures
        from envgov.apps.water.services import WATER_TARGET_CODES, water_target_figures

        target_figures.register(WATER_TARGET_CODES, water_target_figures, note="由水质数据自动计算")
