"""Every rule the database holds for the organisation, checked against the database itself.

Rows are written with ``objects.create`` / ``.update()``, which skip Python validation, so a
passing test means the database (a CHECK, a unique index or a trigger) refused the row.
Each refusal has a twin that the database accepts, so the tests cannot pass vacuously.
"""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from grids.models import (
    Community,
    District,
    Grid,
    Member,
    Pairing,
    Post,
    Registration,
    RegistrationChoice,
    Street,
    TeamMembership,
    Unit,
    VanguardTeam,
)
from tests.accounts.factories import UserFactory
from tests.grids.factories import (
    BuildingFactory,
    CommunityFactory,
    Level2GridFactory,
    MemberFactory,
    RegistrationFactory,
    TeamMembershipFactory,
    UnitFactory,
    VanguardTeamFactory,
)

pytestmark = pytest.mark.django_db


def rejected(fn, *args, **kwargs):
    """Run ``fn`` in a savepoint and assert the database refuses it; nothing is left behind."""
    with pytest.raises(IntegrityError), transaction.atomic():
        fn(*args, **kwargs)


# --- accounts.User -----------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["12800000000", "1380000000", "abcdefghijk", "", "23800000000", "1380000000a"])
def test_user_phone_must_be_mainland_mobile(phone):
    rejected(User.objects.create, phone=phone)
    assert not User.objects.filter(phone=phone).exists()


def test_user_phone_check_accepts_a_mobile_and_rejects_an_update_to_junk():
    user = User.objects.create(phone="13912345678")
    rejected(User.objects.filter(pk=user.pk).update, phone="0751-12345")
    user.refresh_from_db()
    assert user.phone == "13912345678"


def test_user_phone_unique():
    User.objects.create(phone="13912345678")
    rejected(User.objects.create, phone="13912345678")


# --- districts, streets, communities -------------------------------------------------------


def test_district_code_and_name_unique(district):
    rejected(District.objects.create, code=district.code, name="别的区", kind="district", lat=24.8, lng=113.6)
    rejected(District.objects.create, code="440299", name=district.name, kind="district", lat=24.8, lng=113.6)
    District.objects.create(code="440299", name="别的区", kind="district", lat=24.8, lng=113.6)


def test_street_name_unique_within_district(street):
    rejected(Street.objects.create, district=street.district, name=street.name, kind="subdistrict")
    other = District.objects.create(code="440204", name="浈江区", kind="district", lat=24.8, lng=113.6)
    Street.objects.create(district=other, name=street.name, kind="subdistrict")


def test_community_name_unique_within_street(community):
    rejected(Community.objects.create, street=community.street, name=community.name, lat=24.8, lng=113.6)
    Community.objects.create(street=community.street, name="另一个社区", lat=24.8, lng=113.6)


@pytest.mark.parametrize(
    "lat,lng",
    [(91, 113.6), (-90.5, 113.6), (24.8, 181), (24.8, -180.1)],
    ids=["lat>90", "lat<-90", "lng>180", "lng<-180"],
)
def test_community_latlng_valid(street, lat, lng):
    rejected(Community.objects.create, street=street, name="坐标错", lat=lat, lng=lng)


@pytest.mark.parametrize("radius,ok", [(19, False), (20, True), (5000, True), (5001, False)])
def test_community_geofence_sane(street, radius, ok):
    create = lambda: Community.objects.create(  # noqa: E731
        street=street, name="围栏", lat=24.8, lng=113.6, geofence_radius_m=radius
    )
    if ok:
        create()
    else:
        rejected(create)


# --- grids: CHECK and unique ---------------------------------------------------------------


def test_grid_level2_with_parent_rejected(community, grid):
    rejected(Grid.objects.create, community=community, level=2, kind="residential_group", parent=grid, name="x")


def test_grid_level2_building_kind_rejected(community):
    rejected(Grid.objects.create, community=community, level=2, kind="building", name="x")


def test_grid_level3_without_parent_rejected(community):
    rejected(Grid.objects.create, community=community, level=3, kind="building", name="x")


def test_grid_level3_must_be_building(community, grid):
    rejected(Grid.objects.create, community=community, level=3, kind="property_compound", parent=grid, name="x")
    Grid.objects.create(community=community, level=3, kind="building", parent=grid, name="x")


def test_grid_level4_rejected(community, grid):
    rejected(Grid.objects.create, community=community, level=4, kind="building", parent=grid, name="x")


def test_grid_level2_name_unique_in_community(community, grid, other_community):
    rejected(Grid.objects.create, community=community, level=2, kind="residential_group", name=grid.name)
    Grid.objects.create(community=other_community, level=2, kind="residential_group", name=grid.name)


def test_grid_building_name_unique_under_parent(community, grid, building):
    rejected(Grid.objects.create, community=community, level=3, kind="building", parent=grid, name=building.name)
    sibling = Level2GridFactory(community=community)
    Grid.objects.create(community=community, level=3, kind="building", parent=sibling, name=building.name)


# --- grids: triggers -----------------------------------------------------------------------


def test_trigger_building_parent_in_other_community_rejected_on_insert(grid, other_community):
    rejected(Grid.objects.create, community=other_community, level=3, kind="building", parent=grid, name="9栋")
    assert not Grid.objects.filter(name="9栋").exists()


def test_trigger_building_parent_must_be_level2_on_insert(community, building):
    rejected(Grid.objects.create, community=community, level=3, kind="building", parent=building, name="9栋")


def test_trigger_building_community_change_rejected_on_update(building, other_community):
    rejected(Grid.objects.filter(pk=building.pk).update, community=other_community)
    building.refresh_from_db()
    assert building.community_id != other_community.pk


def test_trigger_building_reparent_to_other_community_rejected_on_update(building, other_community):
    foreign = Level2GridFactory(community=other_community)
    rejected(Grid.objects.filter(pk=building.pk).update, parent=foreign)
    # Re-parenting within the community is fine.
    sibling = Level2GridFactory(community=building.community)
    Grid.objects.filter(pk=building.pk).update(parent=sibling)


def test_trigger_building_reparent_under_a_building_rejected(community, grid, building):
    other = BuildingFactory(parent=grid)
    rejected(Grid.objects.filter(pk=building.pk).update, parent=other)


def test_trigger_level2_cannot_leave_its_buildings(grid, building, other_community):
    rejected(Grid.objects.filter(pk=grid.pk).update, community=other_community)
    grid.refresh_from_db()
    assert grid.community_id == building.community_id


def test_trigger_level2_without_buildings_may_move(community, other_community):
    empty = Level2GridFactory(community=community)
    Grid.objects.filter(pk=empty.pk).update(community=other_community)
    empty.refresh_from_db()
    assert empty.community_id == other_community.pk


# --- units and pairings ------------------------------------------------------------------------


def test_unit_name_unique():
    unit = UnitFactory()
    rejected(Unit.objects.create, name=unit.name, kind="government_organ")


@pytest.mark.parametrize("lat,lng", [(24.8, None), (None, 113.6)])
def test_unit_latlng_both_or_neither(lat, lng):
    rejected(Unit.objects.create, name="半个坐标局", kind="government_organ", lat=lat, lng=lng)
    Unit.objects.create(name="没有坐标局", kind="government_organ", lat=None, lng=None)


def test_pairing_unique(community):
    unit = UnitFactory()
    Pairing.objects.create(unit=unit, community=community)
    rejected(Pairing.objects.create, unit=unit, community=community)


# --- members ---------------------------------------------------------------------------------


def test_member_in_service_needs_unit():
    rejected(Member.objects.create, user=UserFactory(), kind="in_service", unit=None)
    Member.objects.create(user=UserFactory(), kind="resident", unit=None)


def test_member_in_service_unit_cannot_be_removed_by_update(member):
    rejected(Member.objects.filter(pk=member.pk).update, unit=None)


def test_member_grid_needs_community(grid):
    rejected(Member.objects.create, user=UserFactory(), kind="resident", grid=grid, community=None)


@pytest.mark.parametrize("lat,lng", [(24.8, None), (None, 113.6)])
def test_member_home_latlng_both_or_neither(lat, lng):
    rejected(Member.objects.create, user=UserFactory(), kind="resident", home_lat=lat, home_lng=lng)


def test_member_one_per_user(member):
    rejected(Member.objects.create, user=member.user, kind="resident")


def test_trigger_member_grid_in_member_community_on_insert(grid, other_community, community):
    rejected(Member.objects.create, user=UserFactory(), kind="resident", community=other_community, grid=grid)
    Member.objects.create(user=UserFactory(), kind="resident", community=community, grid=grid)


def test_trigger_member_grid_in_member_community_on_update(member, community, grid, other_community):
    Member.objects.filter(pk=member.pk).update(community=community, grid=grid)
    rejected(Member.objects.filter(pk=member.pk).update, community=other_community)
    foreign = Level2GridFactory(community=other_community)
    rejected(Member.objects.filter(pk=member.pk).update, grid=foreign)
    member.refresh_from_db()
    assert (member.community_id, member.grid_id) == (community.pk, grid.pk)


# --- posts -----------------------------------------------------------------------------------


@pytest.fixture
def nodes(district, street, community, grid):
    return {"district": district, "street": street, "community": community, "grid": grid}


ROLE_NODE = {
    "city_staff": None,
    "district_staff": "district",
    "street_staff": "street",
    "secretary": "community",
    "first_secretary": "community",
    "part_time_member": "community",
    "grid_secretary": "grid",
}


@pytest.mark.parametrize("role", list(ROLE_NODE))
@pytest.mark.parametrize("node", [None, "district", "street", "community", "grid"])
def test_post_node_matches_role(nodes, role, node):
    kwargs = {node: nodes[node]} if node else {}
    create = lambda: Post.objects.create(user=UserFactory(), role=role, **kwargs)  # noqa: E731
    if ROLE_NODE[role] == node:
        create()
    else:
        rejected(create)


def test_post_two_nodes_rejected(community, grid):
    rejected(Post.objects.create, user=UserFactory(), role="secretary", community=community, grid=grid)


def test_post_unknown_role_rejected(community):
    rejected(Post.objects.create, user=UserFactory(), role="mayor", community=community)


def test_post_unique_per_user_role_node(district, street, community, grid):
    user = UserFactory()
    Post.objects.create(user=user, role="city_staff")
    rejected(Post.objects.create, user=user, role="city_staff")
    for role, node in [("district_staff", {"district": district}), ("street_staff", {"street": street})]:
        Post.objects.create(user=user, role=role, **node)
        rejected(Post.objects.create, user=user, role=role, **node)
    Post.objects.create(user=user, role="part_time_member", community=community)
    rejected(Post.objects.create, user=user, role="part_time_member", community=community)
    Post.objects.create(user=user, role="grid_secretary", grid=grid)
    rejected(Post.objects.create, user=user, role="grid_secretary", grid=grid)


def test_one_secretary_per_community(secretary, community, other_community):
    rejected(Post.objects.create, user=UserFactory(), role="secretary", community=community)
    # Other community roles may be held by several people.
    Post.objects.create(user=UserFactory(), role="first_secretary", community=community)
    Post.objects.create(user=UserFactory(), role="first_secretary", community=community)
    Post.objects.create(user=UserFactory(), role="secretary", community=other_community)


# --- vanguard teams --------------------------------------------------------------------------


def test_team_name_unique_in_grid(grid):
    team = VanguardTeamFactory(grid=grid)
    rejected(VanguardTeam.objects.create, grid=grid, name=team.name)


def test_team_member_once(grid):
    m = TeamMembershipFactory(team=VanguardTeamFactory(grid=grid))
    rejected(TeamMembership.objects.create, team=m.team, member=m.member, role="member")


@pytest.mark.parametrize("role", ["captain", "vice_captain"])
def test_one_captain_and_one_vice_captain_per_team(grid, role):
    team = VanguardTeamFactory(grid=grid)
    TeamMembershipFactory(team=team, role=role)
    rejected(TeamMembership.objects.create, team=team, member=MemberFactory(), role=role)
    # Plain members are unlimited, and the other leading role is still free.
    TeamMembershipFactory(team=team, role="member")
    TeamMembershipFactory(team=team, role="member")
    other = "vice_captain" if role == "captain" else "captain"
    TeamMembershipFactory(team=team, role=other)


def test_second_captain_by_update_rejected(grid):
    team = VanguardTeamFactory(grid=grid)
    TeamMembershipFactory(team=team, role="captain")
    plain = TeamMembershipFactory(team=team, role="member")
    rejected(TeamMembership.objects.filter(pk=plain.pk).update, role="captain")


# --- registrations -----------------------------------------------------------------------------


@pytest.mark.parametrize("active", ["pending", "placed", "unplaced"])
def test_one_active_registration_per_member(member, community, grid, active):
    extra = {"grid": grid, "placed_at": timezone.now()} if active == "placed" else {}
    community_or_none = None if active == "unplaced" else community
    Registration.objects.create(member=member, community=community_or_none, status=active, **extra)
    rejected(Registration.objects.create, member=member, community=community, status="pending")


def test_ended_registrations_do_not_count_as_active(member, community):
    for status in ["withdrawn", "ended", "withdrawn"]:
        Registration.objects.create(member=member, community=community, status=status)
    Registration.objects.create(member=member, community=community, status="pending")
    assert Registration.objects.filter(member=member).count() == 4


def test_reactivating_a_second_registration_by_update_rejected(member, community):
    Registration.objects.create(member=member, community=community, status="pending")
    old = Registration.objects.create(member=member, community=community, status="withdrawn")
    rejected(Registration.objects.filter(pk=old.pk).update, status="pending")


@pytest.mark.parametrize(
    "fields",
    [
        {"grid": None, "placed_at": "now"},
        {"grid": "grid", "placed_at": None},
        {"grid": "grid", "placed_at": "now", "community": None},
    ],
    ids=["no-grid", "no-placed-at", "no-community"],
)
def test_placed_registration_has_grid_community_and_time(member, community, grid, fields):
    values = {"community": community, "grid": grid, "placed_at": timezone.now()}
    for k, v in fields.items():
        values[k] = {"now": timezone.now(), "grid": grid}.get(v, v) if v is not None else None
    rejected(Registration.objects.create, member=member, status="placed", **values)


def test_pending_registration_has_community_and_no_grid(member, community, grid):
    rejected(Registration.objects.create, member=member, community=None, status="pending")
    rejected(Registration.objects.create, member=member, community=community, grid=grid, status="pending")


def test_registration_grid_needs_community(member, grid):
    rejected(Registration.objects.create, member=member, community=None, grid=grid, status="ended")


def test_trigger_registration_grid_in_its_community_on_insert(member, grid, other_community):
    rejected(
        Registration.objects.create,
        member=member,
        community=other_community,
        grid=grid,
        status="placed",
        placed_at=timezone.now(),
    )
    assert not Registration.objects.exists()


def test_trigger_registration_grid_in_its_community_on_update(member, community, grid, other_community):
    reg = Registration.objects.create(
        member=member, community=community, grid=grid, status="placed", placed_at=timezone.now()
    )
    rejected(Registration.objects.filter(pk=reg.pk).update, community=other_community)
    rejected(Registration.objects.filter(pk=reg.pk).update, grid=Level2GridFactory(community=other_community))
    reg.refresh_from_db()
    assert (reg.community_id, reg.grid_id) == (community.pk, grid.pk)


def test_registration_choices_rank_and_community_unique(member, community, other_community):
    reg = RegistrationFactory(member=member, community=community)
    RegistrationChoice.objects.create(registration=reg, community=community, rank=1)
    rejected(RegistrationChoice.objects.create, registration=reg, community=other_community, rank=1)
    rejected(RegistrationChoice.objects.create, registration=reg, community=community, rank=2)
    RegistrationChoice.objects.create(registration=reg, community=other_community, rank=2)


@pytest.mark.parametrize("rank,ok", [(0, False), (1, True), (3, True), (4, False)])
def test_registration_choice_rank_1_to_3(member, community, rank, ok):
    reg = RegistrationFactory(member=member, community=community)
    create = lambda: RegistrationChoice.objects.create(registration=reg, community=community, rank=rank)  # noqa: E731
    if ok:
        create()
    else:
        rejected(create)


def test_building_factory_and_community_factory_are_consistent():
    """The factories the other tests rely on produce rows the database accepts."""
    b = BuildingFactory()
    assert b.community_id == b.parent.community_id
    assert CommunityFactory().name_initials
