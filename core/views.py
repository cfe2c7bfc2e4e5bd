"""Error pages: JSON in the API's error shape under ``/api/``, Chinese pages elsewhere."""

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

_API_PREFIX = "/api/"


def _api_error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(request, exception=None):
    if request.path.startswith(_API_PREFIX):
        return _api_error(400, "invalid", "请求有误。")
    return render(request, "portal/errors/400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    if request.path.startswith(_API_PREFIX):
        return _api_error(403, "permission_denied", "您没有执行该操作的权限。")
    return render(request, "portal/errors/403.html", status=403)


def page_not_found(request, exception=None):
    if request.path.startswith(_API_PREFIX):
        return _api_error(404, "not_found", "未找到。")
    return render(request, "portal/errors/404.html", status=404)


@requires_csrf_token
def server_error(request):
    if request.path.startswith(_API_PREFIX):
        return _api_error(500, "server_error", "服务器开小差了，请稍后再试。")
    # A bare template: whatever broke may also break the base layout's context.
    return render(request, "portal/errors/500.html", status=500)


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """``/favicon.ico``, which browsers ask for on pages that name no icon (the admin's): the
    pages' own icon, the file in ``static/`` (read once)."""
    global _favicon
    if _favicon is None:
        with open(finders.find(FAVICON), "rb") as f:
            _favicon = f.read()
    return HttpResponse(_favicon, content_type="image/svg+xml")


FAVICON = "img/favicon.svg"
_favicon: bytes | None = None
