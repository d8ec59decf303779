from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "envgov.apps.plans"
    label = "plans"
    verbose_name = "行动计划"

    def ready(self) -> None:
        from envgov.apps.plans import signals  # noqa: F401 - parties follow assignments
