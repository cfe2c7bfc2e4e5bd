"""Helpers of the page tests: a signed-in browser, a page's query count, its HTML."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def browser_for(user) -> Client:
    """A browser signed in as ``user`` (anonymous for ``None``)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page_queries(client: Client, url: str) -> int:
    """Queries of one page view, not counting the session store (cached; a cache miss reads
    the database, which has nothing to do with the page)."""
    client.get(url)  # warm the session cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len([q for q in ctx.captured_queries if "django_session" not in q["sql"]])


def html(response) -> str:
    return response.content.decode()
