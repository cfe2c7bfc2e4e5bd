"""Where a request came from, for the audit trail (``core.audit``)."""

from __future__ import annotations

from core import audit
from core.http import client_ip


def channel_of(path: str) -> str:
    if path.startswith("/api/"):
        return audit.CHANNEL_API
    if path.startswith("/admin/"):
        return audit.CHANNEL_ADMIN
    return audit.CHANNEL_PAGE


class AuditOriginMiddleware:
    """Set the request's origin (channel, address, device) for every audit row it writes.

    The device is the browser's User-Agent until an API token names its own device
    (``accounts.authentication`` calls ``audit.name_device``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit.origin(
            channel=channel_of(request.path_info),
            ip=client_ip(request),
            device=request.META.get("HTTP_USER_AGENT", "")[:200],
            request=request,
        ):
            return self.get_response(request)
