"""Fixtures and helpers shared by the task and acceptance tests (imported by those modules)."""

import datetime as dt

import pytest

from grids.models import Member
from orders.models import Acceptance, Task
from reporting.services.consent import location_consent_grant
from tests.grids.factories import MemberFactory
from tests.orders.factories import AcceptanceFactory, TaskFactory

# The fixtures (test modules star-import them; helpers are imported by name).
__all__ = ["placed", "sent", "task"]


@pytest.fixture
def sent(monkeypatch):
    """What would have been delivered to ``notifications.services.notify``, after commit."""
    calls = []
    monkeypatch.setattr("notifications.services.notify", lambda **kw: calls.append(kw))
    return calls


@pytest.fixture
def placed(community, grid, member) -> Member:
    """The conftest member, registered with the community (placed in its grid)."""
    member.community, member.grid = community, grid
    member.save(update_fields=["community", "grid"])
    return member


@pytest.fixture
def task(community, secretary) -> Task:
    return TaskFactory(community=community, created_by=secretary, slots=3)


def member_in(community, **kwargs) -> Member:
    return MemberFactory(community=community, **kwargs)


def take(task: Task, member: Member, status: str = Acceptance.Status.ACCEPTED) -> Acceptance:
    """An acceptance row plus the slot it holds (as ``task_accept`` would leave them)."""
    acceptance = AcceptanceFactory(task=task, member=member, status=status)
    Task.objects.filter(pk=task.pk).update(taken=task.taken + 1)
    task.refresh_from_db()
    return acceptance


def consent(member: Member) -> None:
    location_consent_grant(member=member)


def on_site(task: Task) -> dict:
    return {"lat": task.lat, "lng": task.lng, "coord_system": "wgs84"}


def kinds(calls) -> list[str]:
    return [c["kind"] for c in calls]


def recipients(calls, kind: str) -> set[int]:
    return {u.pk for c in calls if c["kind"] == kind for u in c["users"]}


def at(moment: dt.datetime, minutes: int = 0) -> dt.datetime:
    return moment + dt.timedelta(minutes=minutes)
