"""System checks of the sign-in settings."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def signin_code_not_shown(app_configs, **kwargs):
    if getattr(settings, "SIGNIN_SHOW_CODE", False):
        return [
            Error(
                "SIGNIN_SHOW_CODE is on: the sign-in page and POST /api/v1/auth/code/ show the code just "
                "sent, so anyone can sign in as anyone.",
                hint="Turn SIGNIN_SHOW_CODE off; it is for the demo (`make run`) only.",
                id="accounts.E001",
            )
        ]
    return []
