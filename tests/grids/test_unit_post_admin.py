"""Posts with a unit in the admin: the superuser appoints a unit's party secretary, a district's
organisation department the posts of its district's units; a wrong node is refused in Chinese
and nothing is saved; the post list's queries stay flat."""

import pytest
from django.urls import reverse

from grids.models import Post
from tests.accounts.factories import UserFactory
from tests.grids.factories import PostFactory, UnitFactory

pytestmark = pytest.mark.django_db
WHEN = {"created_at_0": "2026-01-05", "created_at_1": "09:00:00"}
ADD = reverse("admin:grids_post_add")
LIST = reverse("admin:grids_post_changelist")


@pytest.fixture
def officer(district_officer):
    district_officer.is_staff = True
    district_officer.save(update_fields=["is_staff"])
    return district_officer


def test_superuser_appoints_a_unit_secretary(client, admin_user):
    unit, user = UnitFactory(name="韶关市教育局"), UserFactory()
    client.force_login(admin_user)
    resp = client.post(ADD, {"user": user.pk, "role": Post.Role.UNIT_SECRETARY, "unit": unit.pk, **WHEN})
    assert resp.status_code == 302, resp.context and resp.context["adminform"].form.errors
    post = Post.objects.get(user=user)
    assert (post.role, post.unit) == (Post.Role.UNIT_SECRETARY, unit)
    html = client.get(LIST).content.decode()
    assert "韶关市教育局" in html and "单位党组织书记" in html


def test_a_unit_role_on_a_community_is_refused_in_chinese(client, admin_user, community):
    user = UserFactory()
    client.force_login(admin_user)
    resp = client.post(ADD, {"user": user.pk, "role": Post.Role.UNIT_ORGANISER, "community": community.pk, **WHEN})
    assert resp.status_code == 200
    assert "单位党组织书记、组织委员只填单位" in resp.content.decode()
    resp = client.post(
        ADD, {"user": user.pk, "role": Post.Role.SECRETARY, "community": community.pk, "unit": UnitFactory().pk, **WHEN}
    )
    assert resp.status_code == 200
    assert not Post.objects.filter(user=user).exists()


def test_district_officer_handles_the_posts_of_their_districts_units(client, officer, district):
    ours, citywide = UnitFactory(district=district), UnitFactory(district=None)
    theirs = PostFactory(role=Post.Role.UNIT_SECRETARY, community=None, unit=citywide)
    client.force_login(officer)
    user = UserFactory()
    resp = client.post(ADD, {"user": officer.pk, "role": Post.Role.UNIT_ORGANISER, "unit": ours.pk, **WHEN})
    assert resp.status_code == 302, resp.context and resp.context["adminform"].form.errors
    assert Post.objects.filter(user=officer, unit=ours).exists()
    # A unit outside the district is not theirs to staff, nor to see.
    resp = client.post(ADD, {"user": officer.pk, "role": Post.Role.UNIT_SECRETARY, "unit": citywide.pk, **WHEN})
    assert resp.status_code in (200, 403)
    assert not Post.objects.filter(user=officer, unit=citywide).exists()
    assert not Post.objects.filter(user=user).exists()
    assert str(theirs.user) not in client.get(LIST).content.decode()


def test_post_list_queries_stay_flat(client, admin_user, django_assert_max_num_queries):
    client.force_login(admin_user)
    PostFactory(role=Post.Role.UNIT_SECRETARY, community=None, unit=UnitFactory())
    with django_assert_max_num_queries(30) as few:
        assert client.get(LIST).status_code == 200
    for _ in range(10):
        PostFactory(role=Post.Role.UNIT_ORGANISER, community=None, unit=UnitFactory())
        PostFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST).status_code == 200
