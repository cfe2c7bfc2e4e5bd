"""Compiled representations (core.rows) give exactly DRF's own output, row for row."""

import datetime as dt

import pytest
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.rows import CompiledRepresentation, generic_representation
from grids.models import RegistrationChoice
from grids.selectors.people import member_of, posts_of
from grids.selectors.registration import active_registration
from orders.models import RequestPhoto
from orders.selectors.requests import pending_requests_for
from orders.selectors.tasks import task_hall
from orders.serializers.requests import RequestOut
from orders.serializers.tasks import TaskOut
from portal.serializers import MeOut
from rankings.serializers import BoardOut, MyEntryOut
from tests.grids.factories import RegistrationFactory
from tests.orders.factories import ServiceRequestFactory, TaskFactory

pytestmark = pytest.mark.django_db


def _context(user) -> dict:
    request = Request(APIRequestFactory().get("/api/v1/", HTTP_HOST="testserver"))
    request.user = user
    return {"request": request}


def _same(serializer_class, instance, user, **kwargs):
    serializer = serializer_class(context=_context(user), **kwargs)
    compiled = serializer.to_representation(instance)
    assert compiled == generic_representation(serializer_class(context=_context(user), **kwargs), instance)
    assert list(compiled) == list(generic_representation(serializer, instance))  # the same key order
    return compiled


def test_hall_rows_match_drf(community, grid, placed):
    TaskFactory(community=community, grid=grid, lat=community.lat, lng=community.lng + 0.01)
    TaskFactory(community=community, grid=None, skills_wanted=["医疗"], description="")
    rows = list(task_hall(placed))
    assert len(rows) == 2
    outputs = [_same(TaskOut, row, placed.user) for row in rows]
    assert {o["grid_name"] for o in outputs} == {grid.name, None}  # a missing grid is its default
    assert all(isinstance(o["distance_m"], int) for o in outputs)
    # The whole list, as the view renders it.
    many = TaskOut(rows, many=True, context=_context(placed.user)).data
    assert [dict(r) for r in many] == outputs


def test_request_rows_match_drf_for_who_sees_the_contact_and_who_does_not(
    community, grid, resident, secretary, street_officer
):
    ServiceRequestFactory(community=community, grid=grid, requester=resident)
    photographed = ServiceRequestFactory(community=community, requester=resident, preferred_time=None)
    RequestPhoto.objects.create(request=photographed, image="requests/a.jpg", width=4, height=3)
    for viewer in (secretary, street_officer, resident):
        rows = list(pending_requests_for(secretary).prefetch_related("photos"))
        outputs = [_same(RequestOut, row, viewer) for row in rows]
        assert {o["contact_visible"] for o in outputs} == {viewer != street_officer}
    photo = next(o for o in outputs if o["photos"])["photos"][0]
    assert photo["url"] == "http://testserver/media/requests/a.jpg"


def test_board_body_matches_drf():
    entry = {
        "rank": 1,
        "city_rank": 1,
        "district_rank": None,
        "subject_id": 7,
        "district_id": None,
        "name": "王党员",
        "detail": "市直单位",
        "score": 12.5,
        "per_capita": None,
        "headcount": None,
        "hours": 1.5,
        "minutes": 90,
        "services": 2,
        "outcomes": 1,
        "likes": 3,
        "movement": {"kind": "up", "change": 2, "label": "↑2"},
    }
    body = {
        "board": "members",
        "name": "全市党员Top50",
        "day": dt.date(2026, 11, 30),
        "period": "2026年1月1日至11月30日",
        "district": None,
        "ranked_by": "score",
        "tie_rule": "同分时…",
        "count": 1,
        "results": [entry, {**entry, "subject_id": 8, "movement": {"kind": "new", "change": 0, "label": "新上榜"}}],
    }
    out = _same(BoardOut, body, None)
    assert out["day"] == "2026-11-30"
    mine = {**entry, "scope": "city", "in_top": True, "gap": None}
    _same(MyEntryOut, mine, None)


def test_me_matches_drf(community, grid, placed, secretary):
    registration = RegistrationFactory(member=placed, community=community)
    RegistrationChoice.objects.create(registration=registration, community=community, rank=1)
    for user in (placed.user, secretary):
        member = member_of(user)
        body = {
            "user": user,
            "member": member,
            "posts": list(posts_of(user)),
            "active_registration": active_registration(member) if member else None,
            "unread_count": 0,
            "subscribe_template_ids": ["tmpl-1"],
        }
        out = _same(MeOut, body, user)
        if member is not None:
            assert out["active_registration"]["choices"][0]["community_name"] == community.name
    assert out["member"] is None and out["posts"][0]["node_kind"] == "community"


class _Strict(CompiledRepresentation, serializers.Serializer):
    required = serializers.CharField(source="missing")


class _Optional(CompiledRepresentation, serializers.Serializer):
    name = serializers.CharField()
    nickname = serializers.CharField(required=False)
    alias = serializers.CharField(source="nickname", allow_null=True)


def test_missing_sources_behave_as_in_drf():
    with pytest.raises(AttributeError):
        _Strict().to_representation(object())
    assert _same(_Optional, {"name": "王"}, None) == {"name": "王", "alias": None}


class _Times(CompiledRepresentation, serializers.Serializer):
    at = serializers.DateTimeField()
    own_format = serializers.DateTimeField(source="at", format="%Y年%m月%d日 %H:%M")
    utc = serializers.DateTimeField(source="at", default_timezone=dt.UTC)
    maybe = serializers.DateTimeField(allow_null=True)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
@pytest.mark.parametrize(
    "at",
    [
        dt.datetime(2026, 3, 31, 15, 30, tzinfo=dt.UTC),  # 23:30 in Beijing, Z in UTC
        dt.datetime(2026, 3, 31, 15, 30, 0, 125000, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        dt.datetime(2026, 3, 31, 15, 30),  # naive: DRF makes it aware in the current zone
    ],
)
def test_datetimes_match_drf_in_the_current_zone(zone, at):
    from django.utils import timezone

    with timezone.override(zone):
        row = {"at": at, "maybe": None}
        serializer = _Times()
        assert serializer.to_representation(row) == generic_representation(_Times(), row)
