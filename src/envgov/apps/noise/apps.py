from django.apps import AppConfig


class NoiseConfig(AppConfig):
    name = "envgov.apps.noise"
    label = "noise"
    verbose_name = "声环境"

    def ready(self) -> None:
        from envgov.apps.noise.services import NOISE_TARGET_CODES, noise_target_figures
        from envgov.apps.plans import target_figures

        target_figures.register(NOISE_TARGET_CODES, noise_target_figures, note="由声环境功能区监测数据自动计算")
