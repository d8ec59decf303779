from django.apps import AppConfig


class RankingsConfig(AppConfig):
    name = "envgov.apps.rankings"
    label = "rankings"
    verbose_name = "街乡镇排名"
