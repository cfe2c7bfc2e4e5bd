"""
ASGI config for shaoguan project.

It exposes the ASGI callable as a module-level variable named ``application``; without DEBUG
it refuses to load on no SECRET_KEY of the deployment's own (``shaoguan.serving``).

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/asgi/
"""

import os

from django.core.asgi import get_asgi_application

from shaoguan.serving import require_own_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaoguan.settings")

application = get_asgi_application()
require_own_secret_key()  # after set-up, so the message also goes through the configured log
