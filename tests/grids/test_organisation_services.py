"""Organisation, post and team services: computed values, refused writes, deletes."""

import pytest

from core.errors import Conflict, ValidationFailed
from grids.models import Community, Grid, Pairing, Post, TeamMembership, Unit, VanguardTeam
from grids.services.organisation import (
    community_create,
    community_delete,
    community_update,
    district_update,
    grid_create,
    grid_delete,
    pairing_create,
    pairing_delete,
    street_update,
    unit_create,
    unit_update,
)
from grids.services.people import member_enrol, member_update
from grids.services.posts import (
    post_create,
    post_delete,
    post_update,
    team_create,
    team_membership_add,
    team_membership_remove,
    team_membership_update,
    team_update,
)
from tests.accounts.factories import UserFactory
from tests.grids.factories import MemberFactory, UnitFactory

pytestmark = pytest.mark.django_db


# --- pinyin initials follow the name ----------------------------------------------------------


def test_community_create_computes_initials(street):
    community = community_create(street=street, name="西河社区", lat=24.80, lng=113.58)
    assert Community.objects.get(pk=community.pk).name_initials == "xhsq"


def test_community_update_of_the_name_updates_its_initials(community):
    community_update(community=community, name="东堤社区二")
    community.refresh_from_db()
    assert (community.name, community.name_initials) == ("东堤社区二", "ddsqe")


def test_community_update_of_other_fields_keeps_initials(community):
    before = community.name_initials
    community_update(community=community, households=4000)
    community.refresh_from_db()
    assert (community.households, community.name_initials) == (4000, before)


def test_unit_create_and_rename_compute_initials(db):
    unit = unit_create(name="韶关市教育局", kind=Unit.Kind.GOVERNMENT_ORGAN)
    assert Unit.objects.get(pk=unit.pk).name_initials == "sgsjyj"
    unit_update(unit=unit, name="韶关市卫生健康局")
    unit.refresh_from_db()
    assert unit.name_initials == "sgswsjkj"


# --- refused writes change nothing -------------------------------------------------------------


def test_update_of_an_unknown_field_is_refused(community):
    with pytest.raises(ValidationFailed) as exc:
        community_update(community=community, name_initials="xx")
    assert exc.value.code == "unknown_field"


def test_duplicate_name_is_a_conflict(community, other_community):
    with pytest.raises(Conflict):
        community_update(community=other_community, name=community.name)
    other_community.refresh_from_db()
    assert other_community.name == "东堤社区"


def test_deleting_a_node_with_children_is_refused(community, grid):
    with pytest.raises(Conflict) as exc:
        community_delete(community=community)
    assert exc.value.code == "protected"
    assert Community.objects.filter(pk=community.pk).exists()


def test_grid_create_and_delete(community):
    grid = grid_create(community=community, level=2, kind=Grid.Kind.RESIDENTIAL_GROUP, name="第九网格")
    building = grid_create(community=community, level=3, kind=Grid.Kind.BUILDING, name="1栋", parent=grid)
    assert building.parent == grid
    with pytest.raises(Conflict):  # a building under a level-2 grid is refused
        grid_create(community=community, level=2, kind=Grid.Kind.BUILDING, name="错层")
    grid_delete(grid=building)
    assert not Grid.objects.filter(pk=building.pk).exists()


def test_district_and_street_update(district, street):
    district_update(district=district, lat=24.8)
    street_update(street=street, name="新华街道二")
    street.refresh_from_db()
    assert street.name == "新华街道二"


def test_pairing_create_twice_is_a_conflict_and_delete(community):
    unit = UnitFactory()
    pairing = pairing_create(unit=unit, community=community)
    with pytest.raises(Conflict):
        pairing_create(unit=unit, community=community)
    pairing_delete(pairing=pairing)
    assert not Pairing.objects.exists()


# --- posts, teams, members -----------------------------------------------------------------


def test_post_create_update_delete(community, other_community):
    user = UserFactory()
    post = post_create(user=user, role=Post.Role.PART_TIME_MEMBER, community=community)
    post_update(post=post, community=other_community)
    post.refresh_from_db()
    assert post.community == other_community
    with pytest.raises(Conflict):  # a community post needs its community
        post_create(user=user, role=Post.Role.SECRETARY)
    post_delete(post=post)
    assert not Post.objects.filter(user=user).exists()


def test_team_and_memberships(grid):
    team = team_create(grid=grid, name="第三网格党群先锋队")
    team_update(team=team, name="先锋队")
    captain, other = MemberFactory(), MemberFactory()
    membership = team_membership_add(team=team, member=captain, role=TeamMembership.Role.CAPTAIN)
    with pytest.raises(Conflict):  # one captain per team
        team_membership_add(team=team, member=other, role=TeamMembership.Role.CAPTAIN)
    team_membership_update(membership=membership, role=TeamMembership.Role.VICE_CAPTAIN)
    membership.refresh_from_db()
    assert membership.role == TeamMembership.Role.VICE_CAPTAIN
    team_membership_remove(membership=membership)
    assert VanguardTeam.objects.get(pk=team.pk).name == "先锋队"
    assert not TeamMembership.objects.exists()


def test_member_enrol_and_update(community, grid):
    member = member_enrol(user=UserFactory(), kind="resident", community=community, grid=grid)
    member_update(member=member, skills=["doctor"], home_address="新地址")
    member.refresh_from_db()
    assert (member.skills, member.home_address, member.grid) == (["doctor"], "新地址", grid)
