from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "envgov.apps.accounts"
    label = "accounts"
    verbose_name = "账户与单位"

    def ready(self) -> None:
        from envgov.apps.accounts.login import install_admin_login

        install_admin_login()
