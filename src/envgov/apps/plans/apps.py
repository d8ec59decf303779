from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "envgov.apps.plans"
    label = "plans"
    verbose_name = "行动计划"
