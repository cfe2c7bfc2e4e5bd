"""The WSGI application the load benchmark serves when the project has no ``/healthz`` of its own:
the project's URLs plus a stand-in health check (database ``SELECT 1`` and a cache round trip)
answered through the same middleware, so its phase still measures a minimal request.

Used only by ``bench_api``, never deployed.
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaoguan.settings")
settings.ROOT_URLCONF = "portal.bench.standin_urls"
application = get_wsgi_application()
