"""Rate limits on sign-in, and the client's address they are keyed on.

Rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``: ``token_ip`` for signing in, a DRF
throttle kept in the cache (Redis in production); ``code_ip`` and ``code_phone`` for sending
codes, which are not cache throttles: ``accounts.send_limits`` counts them in the database,
atomically per number and per address, for the API and the page alike.
"""

from __future__ import annotations

import ipaddress
from typing import NamedTuple

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


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


class TokenIPThrottle(_IPThrottle):
    """Sign-in attempts (code or password) from one address."""

    scope = "token_ip"


class Rate(NamedTuple):
    count: int
    seconds: int


class _ConfiguredRate(SimpleRateThrottle):
    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()


def configured_rate(scope: str) -> Rate:
    """The rate configured for ``scope`` ("5/hour"), read and parsed as DRF's throttles read theirs."""
    rate = _ConfiguredRate(scope)
    return Rate(rate.num_requests, rate.duration)
