"""The hall's page is written straight from the query's values (``hall_rows_out``): it must be
``TaskOut`` of the same tasks, key for key and value for value, whatever the row holds."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from grids.services.organisation import pairing_create
from orders.models import Task
from orders.selectors.tasks import task_hall, task_hall_page
from orders.serializers.tasks import TaskOut, hall_rows_out
from tests.conftest import client_for
from tests.grids.factories import CommunityFactory, TeamMembershipFactory, VanguardTeamFactory
from tests.orders.factories import TaskFactory

V = Task.Visibility
pytestmark = pytest.mark.django_db

NO_FILTERS = dict(lat=None, lng=None, duty=None, date=None, max_distance_m=None)


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.fixture
def hall_world(placed, community, grid):
    """Tasks of every shape the hall shows: with and without a grid, in and out of working hours,
    a paired community's, a team's, with skills and with an odd title."""
    elsewhere = CommunityFactory(name="风采社区", lat=24.79, lng=113.58)
    pairing_create(unit=placed.unit, community=elsewhere)
    team = VanguardTeamFactory(grid=grid, name="红棉先锋队")
    TeamMembershipFactory(team=team, member=placed)
    weekday = next(d for d in range(1, 8) if (timezone.localdate() + dt.timedelta(days=d)).weekday() < 5)
    TaskFactory(
        community=community, grid=grid, starts_at=_at(2, 19), ends_at=_at(2, 21), skills_wanted=["电工", "医生"]
    )
    TaskFactory(community=community, grid=None, starts_at=_at(weekday, 10), ends_at=_at(weekday, 12), taken=1)
    TaskFactory(community=elsewhere, visibility=V.PAIRED, starts_at=_at(3, 8), ends_at=_at(3, 9), title="=1+1")
    TaskFactory(community=community, visibility=V.TEAM, team=team, starts_at=_at(4, 18), ends_at=_at(4, 20))
    return placed


def _plain(data) -> list:
    return json.loads(json.dumps(data))  # what the renderer sends: ordered dicts and lazy text made plain


@pytest.mark.parametrize("origin", [None, (24.80, 113.60)])
def test_the_hall_rows_are_taskout_of_the_same_tasks(hall_world, origin):
    filters = dict(NO_FILTERS)
    if origin:
        filters.update(lat=origin[0], lng=origin[1])
    rows, total = task_hall_page(hall_world, limit=20, offset=0, **filters)
    expected = TaskOut(list(task_hall(hall_world, **filters)), many=True).data
    assert total == 4 and len(rows) == 4
    assert _plain(hall_rows_out(rows)) == _plain(expected)
    assert {row["team_name"] for row in _plain(expected)} == {None, "红棉先锋队"}
    assert any(row["warning"] for row in _plain(expected)) and any(row["grid__name"] is None for row in rows)


def test_the_api_hall_answers_the_same_rows(hall_world):
    body = client_for(hall_world.user).get("/api/v1/tasks/hall/").json()
    expected = TaskOut(list(task_hall(hall_world, **NO_FILTERS)), many=True).data
    assert body["count"] == 4
    assert body["results"] == _plain(expected)


def test_the_last_page_by_name_goes_through_taskout(hall_world):
    """``?page=last`` is numbered by the queryset fallback, which gives tasks, not rows."""
    body = client_for(hall_world.user).get("/api/v1/tasks/hall/?page=last").json()
    assert [row["id"] for row in body["results"]] == [t.pk for t in task_hall(hall_world, **NO_FILTERS)]
