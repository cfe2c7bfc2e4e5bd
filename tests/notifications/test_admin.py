"""The inbox admin: superusers only, read-only, list pages with a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Delivery, Notification
from notifications.services import notifications_deliver, notify
from tests.accounts.factories import UserFactory


def changelist(model):
    return reverse(f"admin:notifications_{model._meta.model_name}_changelist")


def _make(n):
    rows = notify(users=[UserFactory() for _ in range(n)], kind="x", title="提醒")
    notifications_deliver(notification_ids=[r.pk for r in rows])


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize("model", [Notification, Delivery])
def test_changelist_flat_for_superuser(settings, client, admin_user, model):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"  # not a cache shared with others
    client.force_login(admin_user)
    _make(2)
    client.get(changelist(model))
    few, n_few = _count(client, changelist(model))
    _make(6)
    many, n_many = _count(client, changelist(model))
    assert n_many == n_few + 6 and many == few
    obj = model.objects.first()
    url = reverse(f"admin:notifications_{model._meta.model_name}_change", args=[obj.pk])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("model", [Notification, Delivery])
def test_staff_without_superuser_cannot_read_inboxes(client, secretary, model):
    secretary.is_staff = True
    secretary.save()
    client.force_login(secretary)
    assert client.get(changelist(model)).status_code == 403


def test_send_again_action(client, admin_user, resident):
    (n,) = notify(users=[resident], kind="x", title="提醒")
    client.force_login(admin_user)
    client.post(changelist(Notification), {"action": "send_again", "_selected_action": [n.pk]})
    assert Delivery.objects.get(notification=n).status == "sent"
