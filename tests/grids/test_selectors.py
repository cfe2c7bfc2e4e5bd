"""Scoping: which nodes each role acts on, and that scoped lists never leak another's rows."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from grids.models import Post, Registration, RegistrationChoice
from grids.selectors.organisation import communities_near
from grids.selectors.registration import (
    communities_in_reach,
    registration_in_scope,
    registrations_for,
    registrations_visible_to,
)
from grids.selectors.scope import (
    communities_for,
    districts_for,
    forget_scope,
    grids_for,
    members_for,
    scope_for,
    streets_for,
    units_for,
)
from tests.accounts.factories import UserFactory
from tests.grids.factories import (
    BuildingFactory,
    CommunityFactory,
    DistrictFactory,
    Level2GridFactory,
    MemberFactory,
    PairingFactory,
    PostFactory,
    RegistrationFactory,
    StreetFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(district, street, community, grid, building, other_community):
    """Two districts; in ours two streets; in 新华街道 two communities, each with grids and members."""
    far_district = DistrictFactory(code="440281", name="乐昌市", kind="county_city", lat=25.13, lng=113.35)
    far_street = StreetFactory(district=far_district, name="乐城街道")
    far_community = CommunityFactory(street=far_street, name="西门社区", lat=25.13, lng=113.35)
    near_street = StreetFactory(district=district, name="西河镇", kind="town")
    near_street_community = CommunityFactory(street=near_street, name="西河社区", lat=24.80, lng=113.57)
    other_grid = Level2GridFactory(community=other_community)
    second_grid = Level2GridFactory(community=community)
    far_grid = Level2GridFactory(community=far_community)
    ns_grid = Level2GridFactory(community=near_street_community)

    def placed(c, g):
        m = MemberFactory(community=c, grid=g)
        reg = RegistrationFactory(member=m, community=c, grid=g, status="placed", placed_at=timezone.now())
        return m, reg

    rows = {
        "district": district,
        "far_district": far_district,
        "street": street,
        "near_street": near_street,
        "far_street": far_street,
        "community": community,
        "other_community": other_community,
        "near_street_community": near_street_community,
        "far_community": far_community,
        "grid": grid,
        "building": building,
        "second_grid": second_grid,
        "other_grid": other_grid,
        "far_grid": far_grid,
    }
    for key, (c, g) in {
        "in_grid": (community, grid),
        "in_building": (community, building),
        "in_second_grid": (community, second_grid),
        "in_other": (other_community, other_grid),
        "in_near_street": (near_street_community, ns_grid),
        "in_far": (far_community, far_grid),
    }.items():
        rows[f"member_{key}"], rows[f"reg_{key}"] = placed(c, g)
    # pending registrations (no member.community yet)
    rows["pending_here"] = RegistrationFactory(community=community)
    rows["pending_other"] = RegistrationFactory(community=other_community)
    rows["pending_far"] = RegistrationFactory(community=far_community)
    return rows


def user_with(role, **node):
    user = UserFactory()
    PostFactory(user=user, role=role, community=node.pop("community", None), **node)
    return user


def names(qs):
    return {str(x) for x in qs}


def ids(qs):
    return {x.pk for x in qs}


# --- scope_for ------------------------------------------------------------------------------


def test_scope_city_staff(city):
    s = scope_for(user_with(Post.Role.CITY_STAFF))
    assert s.city and s.is_staff_scope and not s.is_empty
    for c in ("community", "other_community", "far_community"):
        assert s.covers_community(city[c])


def test_scope_superuser(admin_user, city):
    s = scope_for(admin_user)
    assert s.city
    assert s.covers_community(city["far_community"])


def test_scope_district_staff(city):
    s = scope_for(user_with(Post.Role.DISTRICT_STAFF, district=city["district"]))
    assert s.district_ids == {city["district"].pk} and not s.city
    assert s.covers_community(city["community"]) and s.covers_community(city["near_street_community"])
    assert not s.covers_community(city["far_community"])
    assert s.covers_district(city["district"]) and not s.covers_district(city["far_district"])


def test_scope_street_staff(city):
    s = scope_for(user_with(Post.Role.STREET_STAFF, street=city["street"]))
    assert s.street_ids == {city["street"].pk}
    assert s.covers_community(city["community"]) and s.covers_community(city["other_community"])
    assert not s.covers_community(city["near_street_community"])
    assert not s.covers_district(city["district"])


@pytest.mark.parametrize("role", [Post.Role.SECRETARY, Post.Role.FIRST_SECRETARY, Post.Role.PART_TIME_MEMBER])
def test_scope_community_roles(city, role):
    s = scope_for(user_with(role, community=city["community"]))
    assert s.community_ids == {city["community"].pk} and s.is_staff_scope
    assert s.covers_community(city["community"])
    assert not s.covers_community(city["other_community"])
    assert s.covers_grid(city["grid"]) and s.covers_grid(city["building"])
    assert not s.covers_grid(city["other_grid"])


def test_scope_grid_secretary(city):
    s = scope_for(user_with(Post.Role.GRID_SECRETARY, grid=city["grid"]))
    assert s.grid_ids == {city["grid"].pk}
    assert not s.is_staff_scope and not s.is_empty
    assert not s.covers_community(city["community"])
    assert s.covers_grid(city["grid"]) and s.covers_grid(city["building"])
    assert not s.covers_grid(city["second_grid"])


def test_scope_no_post(resident, member):
    for user in (resident, member.user, AnonymousUser(), None):
        s = scope_for(user)
        assert s.is_empty and not s.city


def test_scope_inactive_user_is_empty(city):
    user = user_with(Post.Role.CITY_STAFF)
    user.is_active = False
    assert scope_for(user).is_empty


def test_scope_is_cached_until_forgotten(community, django_assert_num_queries):
    user = UserFactory()
    assert scope_for(user).is_empty
    PostFactory(user=user, role=Post.Role.SECRETARY, community=community)
    with django_assert_num_queries(0):
        assert scope_for(user).is_empty
    forget_scope(user)
    assert scope_for(user).community_ids == {community.pk}


def test_scope_of_several_posts_is_their_union(city):
    user = user_with(Post.Role.SECRETARY, community=city["community"])
    PostFactory(user=user, role=Post.Role.GRID_SECRETARY, community=None, grid=city["far_grid"])
    forget_scope(user)
    assert ids(members_for(user)) == {
        city[f"member_{k}"].pk for k in ("in_grid", "in_building", "in_second_grid", "in_far")
    }


# --- the scoped lists ------------------------------------------------------------------------


def test_community_secretary_lists(city, secretary):
    assert ids(communities_for(secretary)) == {city["community"].pk}
    assert ids(streets_for(secretary)) == {city["street"].pk}
    assert ids(districts_for(secretary)) == {city["district"].pk}
    assert ids(grids_for(secretary)) == {city["grid"].pk, city["building"].pk, city["second_grid"].pk}
    assert ids(members_for(secretary)) == {
        city["member_in_grid"].pk,
        city["member_in_building"].pk,
        city["member_in_second_grid"].pk,
    }
    assert ids(registrations_for(secretary)) == {
        city["reg_in_grid"].pk,
        city["reg_in_building"].pk,
        city["reg_in_second_grid"].pk,
        city["pending_here"].pk,
    }


def test_outsider_sees_none_of_this_community(city, outsider):
    here = city["community"]
    assert here not in communities_for(outsider)
    assert not members_for(outsider).filter(community=here).exists()
    assert not registrations_for(outsider).filter(community=here).exists()
    assert not grids_for(outsider).filter(community=here).exists()
    assert ids(members_for(outsider)) == {city["member_in_other"].pk}
    assert ids(registrations_for(outsider)) == {city["reg_in_other"].pk, city["pending_other"].pk}


def test_grid_secretary_lists(city):
    user = user_with(Post.Role.GRID_SECRETARY, grid=city["grid"])
    assert ids(members_for(user)) == {city["member_in_grid"].pk, city["member_in_building"].pk}
    assert ids(registrations_for(user)) == {city["reg_in_grid"].pk, city["reg_in_building"].pk}
    assert ids(grids_for(user)) == {city["grid"].pk, city["building"].pk}
    assert ids(communities_for(user)) == {city["community"].pk}


def test_street_staff_lists(city, street_officer):
    assert ids(communities_for(street_officer)) == {city["community"].pk, city["other_community"].pk}
    members = ids(members_for(street_officer))
    assert city["member_in_other"].pk in members and city["member_in_grid"].pk in members
    assert city["member_in_near_street"].pk not in members and city["member_in_far"].pk not in members


def test_district_staff_lists(city, district_officer):
    members = ids(members_for(district_officer))
    assert city["member_in_near_street"].pk in members
    assert city["member_in_far"].pk not in members
    regs = ids(registrations_for(district_officer))
    assert city["pending_far"].pk not in regs and city["pending_other"].pk in regs
    assert ids(streets_for(district_officer)) == {city["street"].pk, city["near_street"].pk}
    assert ids(districts_for(district_officer)) == {city["district"].pk}


def test_city_staff_sees_all(city):
    user = user_with(Post.Role.CITY_STAFF)
    assert city["member_in_far"] in members_for(user)
    assert registrations_for(user).count() == Registration.objects.count()


def test_no_post_sees_nothing(city, resident, member):
    for user in (resident, member.user):
        assert not members_for(user).exists()
        assert not registrations_for(user).exists()
        assert not communities_for(user).exists()
        assert not grids_for(user).exists()
        assert not units_for(user).exists()


def test_unplaced_registration_visible_to_the_chosen_districts_only(city, district_officer):
    reg = RegistrationFactory(community=None, status="unplaced")
    RegistrationChoice.objects.create(registration=reg, community=city["community"], rank=1)
    far_officer = user_with(Post.Role.DISTRICT_STAFF, district=city["far_district"])
    secretary = user_with(Post.Role.SECRETARY, community=city["other_community"])
    assert reg in registrations_for(district_officer)
    assert reg not in registrations_for(far_officer)
    assert reg not in registrations_for(secretary)
    assert registration_in_scope(reg, scope_for(district_officer))
    assert not registration_in_scope(reg, scope_for(far_officer))


def test_registrations_visible_to_member_are_their_own(city):
    mine = city["member_in_grid"]
    assert ids(registrations_visible_to(mine.user)) == {city["reg_in_grid"].pk}
    assert not registrations_visible_to(AnonymousUser()).exists()


def test_units_for(city, secretary, district_officer):
    paired = UnitFactory()
    PairingFactory(unit=paired, community=city["community"])
    district_unit = UnitFactory(district=city["district"])
    far_unit = UnitFactory(district=city["far_district"])
    assert ids(units_for(secretary)) == {paired.pk}
    assert ids(units_for(district_officer)) == {paired.pk, district_unit.pk}
    assert far_unit not in units_for(district_officer)


# --- reach -----------------------------------------------------------------------------------


def test_communities_near_sorted_with_distance(city):
    rows = communities_near(24.8035, 113.5905, radius_m=5000)
    assert rows[0] == city["community"] and rows[0].distance_m < 1
    assert [r.distance_m for r in rows] == sorted(r.distance_m for r in rows)
    assert city["far_community"] not in rows  # Lechang is ~40 km away
    assert rows[0].still_needed == rows[0].members_needed - rows[0].registered
    # placed + pending count as registered
    assert rows[0].registered == 4


def test_communities_in_reach_home_unit_and_pairing(city, settings):
    settings.REGISTRATION_REACH_KM = 1
    unit = UnitFactory(lat=25.13, lng=113.35)  # office in Lechang
    paired = CommunityFactory(street=city["far_street"], name="远方结对社区", lat=24.37, lng=114.07)
    PairingFactory(unit=unit, community=paired)
    m = MemberFactory(unit=unit, home_lat=24.8035, home_lng=113.5905)
    reach = {c.pk: c for c in communities_in_reach(m)}
    assert city["community"].pk in reach  # near home
    assert city["far_community"].pk in reach  # near the office
    assert paired.pk in reach and reach[paired.pk].paired and reach[paired.pk].distance_m is None
    assert city["other_community"].pk in reach  # 0.75 km from home
    assert city["near_street_community"].pk not in reach  # 2.1 km from home, far from the office
    # a member with no location and no unit reaches nothing
    lone = MemberFactory(kind="resident", unit=None, home_lat=None, home_lng=None)
    assert communities_in_reach(lone) == []


def test_scoped_querysets_have_their_joins(city, secretary, django_assert_num_queries):
    list(members_for(secretary))  # warm the scope cache
    with django_assert_num_queries(1):
        for m in members_for(secretary):
            seen = (m.user.name, m.unit and m.unit.name, m.community.street.name, m.grid and m.grid.name)
            assert all(seen)
    with django_assert_num_queries(2):
        for r in registrations_for(secretary):
            seen = (r.member.user.name, r.community.street.district.name, [c.community.name for c in r.choices.all()])
            assert seen[0]


def test_building_members_count_for_their_level2_grid(city):
    user = user_with(Post.Role.GRID_SECRETARY, grid=city["second_grid"])
    extra = BuildingFactory(parent=city["second_grid"])
    m = MemberFactory(community=city["community"], grid=extra)
    assert m in members_for(user)
