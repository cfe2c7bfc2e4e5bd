"""System checks of settings that suit development and the demo but never a deployment."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def media_served_by_django(app_configs, **kwargs):
    if getattr(settings, "SERVE_MEDIA", False):
        return [
            Warning(
                "SERVE_MEDIA is on: Django serves uploaded files itself, which is meant for `make run` only.",
                hint="Turn SERVE_MEDIA off and have the web server in front serve MEDIA_ROOT at MEDIA_URL.",
                id="core.W001",
            )
        ]
    return []
