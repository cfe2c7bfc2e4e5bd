"""What a process that serves needs before it starts: a secret key of its own.

Called by ``shaoguan.wsgi`` and ``shaoguan.asgi`` (so gunicorn, uvicorn and ``runserver``) once
Django is set up, and by the Celery worker and beat as they start (``shaoguan.celery``).
``manage.py`` commands do not call it: they run on the development key.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger("shaoguan")

MISSING_SECRET_KEY = (
    "SECRET_KEY is not set (or is a key published in the repository) and DEBUG is off: "
    "refusing to serve. Set the SECRET_KEY environment variable to a long random value of this "
    "deployment's own, e.g. the output of "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`; or DEBUG=1 on a development machine."
)


def require_own_secret_key() -> None:
    """Raise ImproperlyConfigured (and log it) when serving without DEBUG on no key of its own."""
    if settings.DEBUG or settings.SECRET_KEY not in settings.PUBLISHED_SECRET_KEYS:
        return
    logger.critical(MISSING_SECRET_KEY)
    raise ImproperlyConfigured(MISSING_SECRET_KEY)
