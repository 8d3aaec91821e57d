from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tiejun.accounts"
    label = "accounts"
    verbose_name = "账户与安全"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tiejun.accounts import checks, signals  # noqa: F401  (registers checks and receivers)
