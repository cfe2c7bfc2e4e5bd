"""The hall reads a unit's pairings from the cache; pairing or unpairing shows in the next request."""

import pytest

from grids.services.organisation import pairing_create, pairing_delete
from orders.models import Task
from tests.conftest import client_for
from tests.grids.factories import CommunityFactory
from tests.orders.factories import TaskFactory

pytestmark = pytest.mark.django_db


def hall_ids(client) -> set[int]:
    return {row["id"] for row in client.get("/api/v1/tasks/hall/").json()["results"]}


def test_pairing_and_unpairing_show_in_the_next_request(placed):
    elsewhere = CommunityFactory()
    paired_task = TaskFactory(community=elsewhere, visibility=Task.Visibility.PAIRED)
    client = client_for(placed.user)
    assert paired_task.pk not in hall_ids(client)  # the empty list of pairings is now cached
    pairing = pairing_create(unit=placed.unit, community=elsewhere)
    assert paired_task.pk in hall_ids(client)
    pairing_delete(pairing=pairing)
    assert paired_task.pk not in hall_ids(client)
