"""Fixtures of the orders tests (the people and places are in ``tests/conftest.py``; helpers that
are not fixtures are in ``tests.orders.support``)."""

import pytest

from orders.models import Task
from tests.orders.factories import ServiceRequestFactory, TaskFactory


@pytest.fixture
def sent(monkeypatch):
    """What would have been delivered to ``notifications.services.notify``, after commit."""
    calls = []
    monkeypatch.setattr("notifications.services.notify", lambda **kw: calls.append(kw))
    return calls


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a directory of this test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def submitted(community, resident):
    return ServiceRequestFactory(community=community, requester=resident)


@pytest.fixture
def task(community, secretary) -> Task:
    return TaskFactory(community=community, created_by=secretary, slots=3)
