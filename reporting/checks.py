"""System checks of the ledger's settings: the working hours must parse."""

from django.core.checks import Error, register

from reporting.workdays import working_hours


@register()
def working_hours_setting(app_configs, **kwargs):
    try:
        working_hours()
    except ValueError as exc:
        return [
            Error(
                f"WORKING_HOURS 设置有误：{exc}",
                hint="示例：09:00-17:00 或 08:30-12:00,14:30-17:30",
                id="reporting.E001",
            )
        ]
    return []
