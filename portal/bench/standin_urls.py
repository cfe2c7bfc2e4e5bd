"""The project's URLs and the benchmark's stand-in ``/healthz`` (see ``portal.bench.standin``)."""

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.urls import include, path


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    cache.get("bench:healthz")
    return JsonResponse({"status": "ok"})


urlpatterns = [path("healthz", healthz), path("", include("shaoguan.urls"))]
