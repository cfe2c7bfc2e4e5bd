"""WindowCountPagination answers exactly as Pagination does, in one query instead of two."""

import datetime as dt

import pytest
from django.utils import timezone

from core.api import Pagination
from orders.api.requests import RequestViewSet
from orders.api.tasks import TaskViewSet
from tests.conftest import client_for
from tests.orders.factories import ServiceRequestFactory, TaskFactory

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "?page=2",
    "?page=3",
    "?page=last",
    "?page=4",
    "?page=0",
    "?page=x",
    "?page_size=5&page=3",
    "?page_size=0",
]


def _answers(client, path, monkeypatch, viewset) -> tuple[list, list]:
    joined = [path + (q if "?" not in path else q.replace("?", "&")) for q in QUERIES]
    ours = [(r.status_code, r.json()) for r in (client.get(u) for u in joined)]
    monkeypatch.setattr(viewset, "pagination_class", Pagination)
    theirs = [(r.status_code, r.json()) for r in (client.get(u) for u in joined)]
    return ours, theirs


def test_the_hall_pages_as_before(community, placed, monkeypatch):
    start = timezone.now() + dt.timedelta(days=1)
    for i in range(45):
        TaskFactory(
            community=community, starts_at=start + dt.timedelta(hours=i), ends_at=start + dt.timedelta(hours=i + 1)
        )
    ours, theirs = _answers(client_for(placed.user), "/api/v1/tasks/hall/", monkeypatch, TaskViewSet)
    assert ours == theirs
    assert ours[0][1]["count"] == 45 and len(ours[0][1]["results"]) == 20
    assert ours[4][0] == 404  # past the end


def test_an_empty_hall_and_the_review_queue_page_as_before(community, placed, secretary, resident, monkeypatch):
    ours, theirs = _answers(client_for(placed.user), "/api/v1/tasks/hall/", monkeypatch, TaskViewSet)
    assert ours == theirs and ours[0][1]["count"] == 0
    monkeypatch.undo()
    for _ in range(23):
        ServiceRequestFactory(community=community, requester=resident)
    ours, theirs = _answers(client_for(secretary), "/api/v1/requests/?box=review", monkeypatch, RequestViewSet)
    assert ours == theirs and ours[0][1]["count"] == 23


def test_the_hall_is_one_query_for_page_and_count(community, placed, django_assert_num_queries):
    start = timezone.now() + dt.timedelta(days=1)
    for i in range(25):
        TaskFactory(
            community=community, starts_at=start + dt.timedelta(hours=i), ends_at=start + dt.timedelta(hours=i + 1)
        )
    client = client_for(placed.user)
    client.get("/api/v1/tasks/hall/")  # the unit's pairings are cached from here on
    # The member (narrow), then the page carrying the count: no COUNT of its own.
    with django_assert_num_queries(2):
        body = client.get("/api/v1/tasks/hall/").json()
    assert body["count"] == 25 and body["next"].endswith("page=2")


@pytest.mark.parametrize("page", ["99999999999999999999", "9223372036854775807", "461168601842738791"])
def test_a_page_past_what_sql_can_count_is_404_not_500(community, placed, secretary, page):
    lists = (
        (placed.user, "/api/v1/tasks/hall/?"),
        (secretary, "/api/v1/requests/?box=review&"),
        (secretary, "/api/v1/tasks/?page_size=429&"),  # a queryset list (WindowCountPagination)
    )
    for user, path in lists:
        resp = client_for(user).get(f"{path}page={page}")
        assert resp.status_code == 404 and resp.json()["detail"] == "页码无效。"
