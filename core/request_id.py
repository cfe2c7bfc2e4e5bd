"""One id per request, on every log line it causes: in the web process and in the jobs it queues.

nginx sends ``X-Request-ID`` (its ``$request_id``); without one (``runserver``, a client talking
to gunicorn directly) the middleware makes one. The id is answered back in ``X-Request-ID``, kept
in a context variable while the request runs, and ``RequestIdFilter`` writes it on every log
record as ``request_id``. Celery carries it into the tasks the request queues (``core.jobs``):
it travels in the message's headers and is restored around the task, so a notification's
delivery logs under the id of the request that caused it.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished

HEADER = "X-Request-ID"
# What we accept from the proxy: short, and nothing that could break a log line or a header.
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def current() -> str | None:
    return _current.get()


def new_id() -> str:
    return uuid.uuid4().hex


def accepted(candidate: str | None) -> str | None:
    """``candidate`` if it is a usable id, else None (the caller makes a new one)."""
    return candidate if candidate and _VALID.match(candidate) else None


def bind(request_id: str | None):
    """Make ``request_id`` the current one; returns the token ``unbind`` takes."""
    return _current.set(request_id)


def unbind(token) -> None:
    _current.reset(token)


class RequestIdMiddleware:
    """Takes the proxy's X-Request-ID (or makes one), binds it for the request, answers it.

    The id stays bound until the response is closed (``request_finished``), not only while the
    middleware runs: Django logs a 4xx or 5xx (``django.request``) after the middleware returned,
    and a streamed download logs while it is sent."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accepted(request.headers.get(HEADER)) or new_id()
        request.request_id = request_id
        bind(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _request_done(**kwargs) -> None:
    _current.set(None)


request_finished.connect(_request_done, dispatch_uid="core.request_id.done")


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record ("-" outside a request or a task); never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = _current.get() or "-"
        return True
