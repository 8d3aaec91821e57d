from django.apps import AppConfig


class LifeConfig(AppConfig):
    name = "tiejun.life"
    label = "life"
    verbose_name = "组织生活"
    default_auto_field = "django.db.models.BigAutoField"
