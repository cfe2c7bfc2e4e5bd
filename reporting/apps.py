from django.apps import AppConfig


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"
    verbose_name = "报到台账"

    def ready(self):
        from core.transitions import register
        from reporting.machines import SERVICE_RECORD

        register(SERVICE_RECORD)

        from core import exports
        from reporting import checks  # noqa: F401 - registers the system checks
        from reporting.downloads import records_dataset, visits_dataset

        exports.register("records", records_dataset, title="服务记录（时长）", order=20)
        exports.register("visits", visits_dataset, title="到社区报到记录", order=50)
