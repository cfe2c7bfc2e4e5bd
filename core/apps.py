from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "公共"

    def ready(self):
        # The system checks, and Celery's signal handlers (request id, failure log) for every
        # process that sets Django up.
        from core import checks, jobs  # noqa: F401
