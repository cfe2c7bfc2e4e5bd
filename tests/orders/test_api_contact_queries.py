"""The PIPL contact rule answers a whole list of followed requests in a fixed number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import RequestFollower
from tests.conftest import client_for
from tests.orders.factories import ServiceRequestFactory, TaskFactory


def _follow(n, user, community, secretary):
    for _ in range(n):
        task = TaskFactory(community=community, created_by=secretary)
        req = ServiceRequestFactory(community=community, task=task, status="approved")
        RequestFollower.objects.create(request=req, user=user)


def test_followed_requests_list_does_not_query_per_row(resident, community, secretary):
    client = client_for(resident)
    _follow(2, resident, community, secretary)
    client.get("/api/v1/requests/?box=mine")  # the first call also reads the caller's posts
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/requests/?box=mine").status_code == 200
    _follow(8, resident, community, secretary)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/requests/?box=mine")
    assert response.status_code == 200
    assert response.json()["count"] == 10
    assert len(many) == len(few)
