"""What the platform reads off an HTTP request, the same way everywhere."""

from __future__ import annotations

import ipaddress

from rest_framework.settings import api_settings


def client_ip(request) -> str | None:
    """The address the request came from.

    ``X-Forwarded-For`` is believed only when ``NUM_PROXIES`` says how many proxies of ours
    sit in front (then the entry they appended is taken); otherwise anyone could dodge the
    per-IP limits by sending a new header with every request.
    """
    raw = request.META.get("REMOTE_ADDR")
    num_proxies = api_settings.NUM_PROXIES
    xff = request.META.get("HTTP_X_FORWARDED_FOR")
    if num_proxies and xff:
        addrs = [a.strip() for a in xff.split(",")]
        raw = addrs[-min(num_proxies, len(addrs))]
    try:
        return str(ipaddress.ip_address((raw or "").strip()))
    except ValueError:
        return None
