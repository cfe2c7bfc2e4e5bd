from django.apps import AppConfig


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"
    verbose_name = "报到台账"

    def ready(self):
        from core.transitions import register
        from reporting.machines import SERVICE_RECORD

        register(SERVICE_RECORD)

        from reporting import checks  # noqa: F401 - registers the system checks
