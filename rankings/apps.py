from django.apps import AppConfig


class RankingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rankings"
    verbose_name = "排行榜"

    def ready(self):
        from rankings import checks  # noqa: F401  (registers the system checks)
