"""The API's ``me/``: the account, the volunteer profile, posts, the registration, unread count."""

import pytest

from grids.models import Post, Registration
from tests.conftest import client_for
from tests.grids.factories import PostFactory

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


@pytest.fixture
def pending(member, community, other_community):
    """The ``member`` fixture's registration: 工业中社区 first, then 东堤社区."""
    resp = client_for(member.user).post(
        f"{V1}/registrations/", {"communities": [community.pk, other_community.pk]}, format="json"
    )
    assert resp.status_code == 201, resp.content
    return Registration.objects.get(pk=resp.json()["id"])


# --- me/ ------------------------------------------------------------------------------------------


def test_me_for_a_resident(resident):
    body = client_for(resident).get(f"{V1}/me/").json()
    assert body["user"]["phone"] == "13800000001" and body["user"]["name"] == "李居民"
    assert body["member"] is None and body["posts"] == [] and body["active_registration"] is None
    assert body["unread_count"] == 0


def test_me_for_a_member_with_registration(member, pending, community):
    body = client_for(member.user).get(f"{V1}/me/").json()
    assert body["member"]["id"] == member.pk
    reg = body["active_registration"]
    assert reg["id"] == pending.pk and reg["status"] == "pending" and reg["community_name"] == "工业中社区"
    assert [c["rank"] for c in reg["choices"]] == [1, 2]


def test_me_posts(secretary, community, grid, street, district):
    PostFactory(user=secretary, role=Post.Role.GRID_SECRETARY, community=None, grid=grid)
    PostFactory(user=secretary, role=Post.Role.DISTRICT_STAFF, community=None, district=district)
    PostFactory(user=secretary, role=Post.Role.CITY_STAFF, community=None)
    posts = {p["role"]: p for p in client_for(secretary).get(f"{V1}/me/").json()["posts"]}
    assert posts["secretary"]["role_label"] == "社区书记"
    assert (posts["secretary"]["node_kind"], posts["secretary"]["node_id"]) == ("community", community.pk)
    assert posts["secretary"]["node_name"] == "工业中社区"
    assert (posts["grid_secretary"]["node_kind"], posts["grid_secretary"]["node_name"]) == ("grid", "第三网格")
    assert (posts["district_staff"]["node_kind"], posts["district_staff"]["node_id"]) == ("district", district.pk)
    assert (posts["city_staff"]["node_kind"], posts["city_staff"]["node_id"]) == ("city", None)
    assert posts["city_staff"]["node_name"] == "韶关市"
