"""System checks of the rankings' settings: the star thresholds must parse and increase."""

from django.core.checks import Error, register

from rankings.stars import thresholds


@register()
def star_thresholds(app_configs, **kwargs):
    try:
        thresholds()
    except ValueError as exc:
        return [
            Error(
                f"STAR_THRESHOLDS 设置有误：{exc}",
                hint="示例：10/2/0/0,20/4/1/1,40/4/3/5,60/4/6/10",
                id="rankings.E002",
            )
        ]
    return []
