"""Helpers shared by the orders API tests."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

V1 = "/api/v1"


def cn(text) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text))


def assert_error(resp, status, code=None, field=None):
    assert resp.status_code == status, resp.content.decode()
    body = resp.json()
    assert isinstance(body["detail"], str) and cn(body["detail"]), body
    if code:
        assert body["code"] == code, body
    if field:
        assert field in body["fields"], body
    return body


def results(resp):
    assert resp.status_code == 200, resp.content.decode()
    return resp.json()["results"]


def evening(days: int = 1, hour: int = 19) -> dt.datetime:
    """``hour``:00 local time ``days`` from today (19:00 is outside working hours)."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200, resp.content.decode()
    return len(ctx.captured_queries)
