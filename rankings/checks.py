"""System checks of the rankings settings (run at start-up by every manage.py command)."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register()
def ranking_weights(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """rankings.E001: every ``RANKING_WEIGHT_*`` is a whole number of at least 1."""
    from rankings import scoring

    try:
        scoring.weights()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), hint="例如 RANKING_WEIGHT_HOURS=1。", id="rankings.E001")]
    return []
