from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "envgov.apps.accounts"
    label = "accounts"
    verbose_name = "账户与单位"
