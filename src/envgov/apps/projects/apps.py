from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "envgov.apps.projects"
    label = "projects"
    verbose_name = "项目资金库"

    def ready(self) -> None:
        from envgov.apps.plans import target_figures
        from envgov.apps.projects.services import REDUCTION_TARGET_CODES, reduction_target_figures

        target_figures.register(REDUCTION_TARGET_CODES, reduction_target_figures, note="由项目库工程减排量自动汇总")
