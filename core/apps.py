from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "公共"

    def ready(self):
        # Celery's signal handlers (request id, failure log) for every process that sets Django up.
        from core import jobs  # noqa: F401
