from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "tiejun.reminders"
    label = "reminders"
    verbose_name = "提醒与待办"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every installed app may contribute rules in its own `reminder_rules` module, as
        # Django's admin finds `admin` modules; importing one registers its rules.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("reminder_rules")
