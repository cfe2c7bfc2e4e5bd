"""Rate limits on the sign-in endpoints, kept in the cache (Redis in production).

Rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``: ``code_ip`` and ``code_phone`` for
sending codes, ``token_ip`` for signing in. The service adds its own one-code-per-minute
rule per number on top of these.
"""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ValidationError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.phone import normalize_phone


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


class _IPThrottle(SimpleRateThrottle):
    def get_ident(self, request):
        return client_ip(request) or "unknown"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class CodeIPThrottle(_IPThrottle):
    """Codes sent from one address."""

    scope = "code_ip"


class TokenIPThrottle(_IPThrottle):
    """Sign-in attempts (code or password) from one address."""

    scope = "token_ip"


class CodePhoneThrottle(SimpleRateThrottle):
    """Codes sent to one number, however it is written (+86, spaces) and from wherever."""

    scope = "code_phone"

    def get_cache_key(self, request, view):
        data = request.data
        raw = data.get("phone") if hasattr(data, "get") else None
        if not isinstance(raw, str):
            return None  # nothing to key on; the serializer will refuse the request
        try:
            phone = normalize_phone(raw)
        except ValidationError:
            return None
        return self.cache_format % {"scope": self.scope, "ident": phone}
