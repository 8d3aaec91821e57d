from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "tiejun.org"
    label = "org"
    verbose_name = "组织与党员"
    default_auto_field = "django.db.models.BigAutoField"
