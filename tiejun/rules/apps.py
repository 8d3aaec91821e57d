from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "tiejun.rules"
    label = "rules"
    verbose_name = "规则表"
    default_auto_field = "django.db.models.BigAutoField"
