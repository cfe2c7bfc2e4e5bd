"""The unread badge on the 我的 tab of every page."""

from notifications.models import Notification


def _badge(client) -> str:
    html = client.get("/").content.decode()
    start = html.find("app-tabbar__badge")
    return "" if start < 0 else html[start : html.find("</span>", start)]


def test_the_me_tab_shows_the_unread_count(client, resident):
    client.force_login(resident)
    assert _badge(client) == ""
    Notification.objects.bulk_create(Notification(user=resident, kind="t", title="通知") for _ in range(3))
    assert _badge(client).endswith(">3")
    Notification.objects.filter(user=resident).update(read_at="2026-01-01T00:00:00Z")
    assert _badge(client) == ""


def test_more_than_99_reads_99_plus(client, resident):
    client.force_login(resident)
    Notification.objects.bulk_create(Notification(user=resident, kind="t", title="通知") for _ in range(120))
    assert _badge(client).endswith(">99+")


def test_anonymous_pages_read_no_count(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        client.get("/login/")
