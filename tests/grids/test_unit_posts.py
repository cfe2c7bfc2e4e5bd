"""The unit axis of posts: a unit's party secretary and organiser (单位党组织) — the model's
rule, their scope (their unit's members wherever they serve, nothing of other units nor of the
communities as such) and the organisation API's unit members."""

import pytest
from django.db import IntegrityError, transaction

from core.errors import PermissionDenied
from grids.models import Member, Post, Registration
from grids.permissions import sees_member_phone
from grids.selectors.registration import registrations_for
from grids.selectors.scope import (
    communities_for,
    forget_scope,
    members_for,
    scope_for,
    unit_members,
    units_led_by,
)
from grids.selectors.units import UNIT_DENIED, unit_get_for_viewer, unit_waiting_registrations
from grids.services.posts import post_create
from reporting.models import ServiceRecord
from reporting.services.records import service_record_confirm
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.grids.factories import PostFactory, UnitFactory
from tests.orders.factories import ServiceRequestFactory
from tests.reporting.factories import ServiceRecordFactory
from tests.unit_support import build_unit_world

V1 = "/api/v1"
pytestmark = pytest.mark.django_db


@pytest.fixture
def w(community):
    return build_unit_world(community)


def rejected(**kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(user=UserFactory(), **kwargs)


# --- the model ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["unit_secretary", "unit_organiser"])
def test_unit_roles_need_a_unit_and_no_tree_node(role, district, street, community, grid):
    unit = UnitFactory()
    Post.objects.create(user=UserFactory(), role=role, unit=unit)
    rejected(role=role)
    for node in ({"district": district}, {"street": street}, {"community": community}, {"grid": grid}):
        rejected(role=role, **node)
        rejected(role=role, unit=UnitFactory(), **node)


@pytest.mark.parametrize(
    "role,node",
    [
        ("city_staff", None),
        ("district_staff", "district"),
        ("street_staff", "street"),
        ("secretary", "community"),
        ("first_secretary", "community"),
        ("part_time_member", "community"),
        ("grid_secretary", "grid"),
    ],
)
def test_tree_roles_take_no_unit(role, node, district, street, community, grid):
    nodes = {"district": district, "street": street, "community": community, "grid": grid}
    kwargs = {node: nodes[node]} if node else {}
    rejected(role=role, unit=UnitFactory(), **kwargs)


def test_one_secretary_per_unit_and_one_post_per_person_and_unit():
    unit = UnitFactory()
    user = UserFactory()
    Post.objects.create(user=user, role="unit_secretary", unit=unit)
    rejected(role="unit_secretary", unit=unit)
    # Several organisers, but not the same person twice.
    Post.objects.create(user=UserFactory(), role="unit_organiser", unit=unit)
    Post.objects.create(user=user, role="unit_organiser", unit=unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(user=user, role="unit_organiser", unit=unit)


def test_post_create_service_takes_a_unit_and_names_it():
    unit = UnitFactory(name="韶关市教育局")
    post = post_create(user=UserFactory(), role=Post.Role.UNIT_SECRETARY, unit=unit)
    assert post.node == unit
    assert str(post) == "韶关市教育局单位党组织书记"


def test_the_constraint_message_is_chinese(community):
    post = Post(user=UserFactory(), role=Post.Role.UNIT_SECRETARY, community=community)
    with pytest.raises(Exception) as exc:
        post.full_clean()
    assert "单位党组织书记" in str(exc.value)


# --- the scope ----------------------------------------------------------------------------------


def test_unit_secretary_scope_reaches_the_units_members_across_communities(w):
    scope = scope_for(w.secretary)
    assert scope.unit_ids == {w.unit.pk} and scope.leads_units
    assert scope.is_empty  # no post on the tree
    assert scope.covers_unit(w.unit) and not scope.covers_unit(w.other_unit)
    seen = set(Member.objects.filter(scope.unit_q(None)).values_list("pk", flat=True))
    assert seen == {w.near.pk, w.far.pk, w.waiting.pk}
    assert set(unit_members(w.unit).values_list("pk", flat=True)) == seen
    assert w.near.community_id != w.far.community_id
    assert list(units_led_by(w.secretary)) == [w.unit]
    assert scope_for(w.organiser).covers_unit(w.unit)


def test_unit_secretary_sees_nothing_of_another_unit_nor_of_the_communities(w):
    scope = scope_for(w.secretary)
    assert w.stranger.pk not in set(Member.objects.filter(scope.unit_q(None)).values_list("pk", flat=True))
    assert not scope.covers_community(w.community)
    assert not communities_for(w.secretary).exists()
    assert not members_for(w.secretary).exists()
    assert not registrations_for(w.secretary).exists()
    # The neighbouring unit's secretary does not see this unit's members.
    assert not Member.objects.filter(scope_for(w.neighbour).unit_q(None), unit=w.unit).exists()


def test_tree_posts_give_no_unit_and_city_staff_cover_every_unit(w):
    assert not scope_for(w.community_secretary).leads_units
    assert not scope_for(w.community_secretary).covers_unit(w.unit)
    city = UserFactory()
    PostFactory(user=city, role=Post.Role.CITY_STAFF, community=None)
    assert scope_for(city).covers_unit(w.unit) and scope_for(city).covers_unit(w.other_unit)
    assert not Member.objects.filter(scope_for(city).unit_q(None)).exists()  # the axis is for unit posts


def test_scope_is_forgotten_when_a_unit_post_is_added(w):
    user = UserFactory()
    assert not scope_for(user).leads_units
    PostFactory(user=user, role=Post.Role.UNIT_ORGANISER, community=None, unit=w.other_unit)
    forget_scope(user)
    assert scope_for(user).unit_ids == {w.other_unit.pk}


def test_unit_secretary_cannot_confirm_hours_of_their_own_members(w):
    record = ServiceRecordFactory(member=w.far, community=w.far_community)
    with pytest.raises(PermissionDenied):
        service_record_confirm(record=record, actor=w.secretary, minutes=None, reason="")
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.PENDING


def test_the_unit_access_helper_refuses_in_chinese(w):
    assert unit_get_for_viewer(unit_id=w.unit.pk, viewer=w.organiser) == w.unit
    for viewer in (w.neighbour, w.community_secretary, w.outsider):
        with pytest.raises(PermissionDenied) as exc:
            unit_get_for_viewer(unit_id=w.unit.pk, viewer=viewer)
        assert exc.value.message == UNIT_DENIED
    with pytest.raises(Exception) as exc:
        unit_get_for_viewer(unit_id=w.other_unit.pk + 1000, viewer=w.secretary)
    assert exc.value.message == "单位不存在。"


def test_waiting_registrations_are_the_units_own(w):
    rows = list(unit_waiting_registrations(w.unit))
    assert [r.member_id for r in rows] == [w.waiting.pk]
    assert rows[0].status == Registration.Status.PENDING


def test_unit_secretary_sees_their_members_phones_only(w):
    scope = scope_for(w.secretary)
    assert sees_member_phone(w.secretary, scope, w.far)
    assert not sees_member_phone(w.secretary, scope, w.stranger)


# --- the organisation API ------------------------------------------------------------------------


def test_unit_members_endpoint_for_the_units_party_organisation(w, django_assert_max_num_queries):
    url = f"{V1}/units/{w.unit.pk}/members/"
    with django_assert_max_num_queries(8):
        body = client_for(w.secretary).get(url).json()
    assert {r["id"] for r in body["results"]} == {w.near.pk, w.far.pk, w.waiting.pk}
    # The community's secretary sees those of the unit in their community only, as before.
    body = client_for(w.community_secretary).get(url).json()
    assert {r["id"] for r in body["results"]} == {w.near.pk}


@pytest.mark.parametrize("who", ["neighbour", "outsider"])
def test_unit_members_endpoint_refuses_others(w, who):
    resp = client_for(getattr(w, who)).get(f"{V1}/units/{w.unit.pk}/members/")
    assert resp.status_code == 403
    assert any("\u4e00" <= ch <= "\u9fff" for ch in resp.json()["detail"])


def test_me_lists_the_unit_post(w):
    posts = client_for(w.secretary).get(f"{V1}/me/").json()["posts"]
    assert [(p["role"], p["node_kind"], p["node_id"], p["node_name"]) for p in posts] == [
        ("unit_secretary", "unit", w.unit.pk, "韶关市教育局")
    ]


def test_unit_secretary_reviews_nothing_of_the_community(w):
    """Requests, tasks and registrations of the community stay with the community."""
    ServiceRequestFactory(community=w.community, requester=w.near.user)
    assert client_for(w.community_secretary).get(f"{V1}/requests/").json()["count"] == 1
    c = client_for(w.secretary)
    assert c.get(f"{V1}/requests/").json()["count"] == 0
    registration = Registration.objects.get(member=w.waiting)
    resp = c.post(f"{V1}/registrations/{registration.pk}/place/", {"grid": w.near.grid_id}, format="json")
    assert resp.status_code in (403, 404)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
