"""System checks of the rankings settings (run at start-up by every manage.py command): the board
weights are whole numbers of at least 1, and the star thresholds parse and increase."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register()
def ranking_weights(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """rankings.E001: every ``RANKING_WEIGHT_*`` is a whole number of at least 1."""
    from rankings import scoring

    errors = []
    for name, value in scoring.configured_weights().items():
        if name not in scoring.DEFAULT_WEIGHTS:
            continue
        try:
            scoring.weight(name, value)
        except ImproperlyConfigured as exc:
            variable = scoring.WEIGHT_VARIABLES[name]
            hint = f"例如 {variable}={scoring.DEFAULT_WEIGHTS[name]}（默认值）。"
            errors.append(checks.Error(str(exc), hint=hint, id="rankings.E001"))
    return errors


@checks.register()
def star_thresholds(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """rankings.E002: ``STAR_THRESHOLDS`` parse and increase."""
    from rankings.stars import thresholds

    try:
        thresholds()
    except ValueError as exc:
        return [
            checks.Error(
                f"STAR_THRESHOLDS 设置有误：{exc}",
                hint="示例：10/2/0/0,20/4/1/1,40/4/3/5,60/4/6/10",
                id="rankings.E002",
            )
        ]
    return []
