"""The inbox API and the unread count on ``me/``; the whole OpenAPI schema builds without warnings."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def inbox(user, n):
    return [Notification.objects.create(user=user, kind="k", title=f"消息{i}") for i in range(n)]


def test_list_read_and_read_all(resident):
    rows = inbox(resident, 3)
    c = client_for(resident)
    assert c.get(f"{V1}/me/").json()["unread_count"] == 3
    listed = c.get(f"{V1}/notifications/").json()["results"]
    assert [r["id"] for r in listed] == [n.pk for n in reversed(rows)]
    resp = c.post(f"{V1}/notifications/{rows[0].pk}/read/")
    assert resp.status_code == 200 and resp.json()["is_read"], resp.content.decode()
    first_read = resp.json()["read_at"]
    assert c.post(f"{V1}/notifications/{rows[0].pk}/read/").json()["read_at"] == first_read
    assert len(c.get(f"{V1}/notifications/?unread=true").json()["results"]) == 2
    resp = c.post(f"{V1}/notifications/read-all/")
    assert resp.json() == {"updated": 2, "unread_count": 0}
    assert c.get(f"{V1}/me/").json()["unread_count"] == 0


def test_someone_elses_notification_is_404_and_unchanged(resident, outsider):
    (note,) = inbox(resident, 1)
    c = client_for(outsider)
    assert c.get(f"{V1}/notifications/").json()["results"] == []
    assert c.post(f"{V1}/notifications/{note.pk}/read/").status_code == 404
    assert c.post(f"{V1}/notifications/read-all/").json()["updated"] == 0
    note.refresh_from_db()
    assert note.read_at is None


def test_anonymous_401(api, resident):
    (note,) = inbox(resident, 1)
    assert api.get(f"{V1}/notifications/").status_code == 401
    assert api.post(f"{V1}/notifications/{note.pk}/read/").status_code == 401
    assert api.post(f"{V1}/notifications/read-all/").status_code == 401


@pytest.mark.parametrize("path", ["notifications/abc/read/", "notifications/999999999999999999999/read/"])
def test_junk_ids_are_404(resident, path):
    assert client_for(resident).post(f"{V1}/{path}").status_code == 404


def test_inbox_query_count_is_flat(resident):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client_for(resident).get(f"{V1}/notifications/?page_size=100").status_code == 200
        return len(ctx.captured_queries)

    inbox(resident, 3)
    few = count()
    inbox(resident, 10)
    assert count() == few


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text()
    for path in [
        "/api/v1/requests/",
        "/api/v1/requests/nearby/",
        "/api/v1/requests/{id}/approve/",
        "/api/v1/tasks/hall/",
        "/api/v1/tasks/{id}/suggestions/",
        "/api/v1/acceptances/{id}/check-in/",
        "/api/v1/service-records/{id}/confirm/",
        "/api/v1/escalations/{id}/assign/",
        "/api/v1/notifications/read-all/",
        "/api/v1/visits/",
        "/api/v1/departments/",
    ]:
        assert f"{path}:" in text, path


def test_schema_endpoint_serves(resident):
    resp = client_for(resident).get("/api/schema/", {"format": "json"})
    assert resp.status_code == 200
    assert "/api/v1/tasks/hall/" in resp.json()["paths"]
