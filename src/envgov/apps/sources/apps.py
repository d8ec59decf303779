from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "envgov.apps.sources"
    label = "sources"
    verbose_name = "污染源清单"
