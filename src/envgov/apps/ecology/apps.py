from django.apps import AppConfig


class EcologyConfig(AppConfig):
    """Ecology (EI per HJ 192-2015), carbon intensity and soil safe-use ledgers of a district (decision 0036)."""

    name = "envgov.apps.ecology"
    label = "ecology"
    verbose_name = "生态、碳排放与土壤"

    def ready(self) -> None:
        from envgov.apps.ecology.services import TARGET_CODES, target_figures as provider
        from envgov.apps.plans import target_figures

        target_figures.register(TARGET_CODES, provider, note="由生态、碳排放和土壤台账自动计算")
