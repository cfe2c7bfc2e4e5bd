"""Registration (报到) and member-profile services: every rule, every transition, reach, concurrency."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from grids.geo import haversine_m, location_to_wgs84, wgs84_to_gcj02
from grids.models import Member, Post, Registration, RegistrationChoice
from grids.selectors.registration import registration_get_for_staff, registrations_for
from grids.selectors.scope import forget_scope
from grids.services.people import member_create, member_profile_update
from grids.services.registration import (
    registration_adjust,
    registration_create,
    registration_decline,
    registration_place,
    registration_withdraw,
)
from tests.accounts.factories import UserFactory
from tests.grids.factories import (
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
def third_community(street):
    return CommunityFactory(street=street, name="风度社区", lat=24.8100, lng=113.5900)


@pytest.fixture
def far_community(db):
    district = DistrictFactory(code="440282", name="南雄市", kind="county_city", lat=25.117, lng=114.309)
    return CommunityFactory(
        street=StreetFactory(district=district, name="雄州街道"), name="永康社区", lat=25.12, lng=114.31
    )


def snapshot():
    """Everything registration services may write, to show a refused call changed nothing."""
    return (
        sorted(Registration.objects.values_list("id", "member_id", "community_id", "grid_id", "status", "source")),
        sorted(RegistrationChoice.objects.values_list("registration_id", "community_id", "rank", "declined_at")),
        sorted(Member.objects.values_list("id", "community_id", "grid_id")),
    )


def register(member, *communities):
    return registration_create(member=member, community_ids=[c.pk for c in communities], actor=member.user)


# --- location ---------------------------------------------------------------------------------


def test_location_gcj02_is_converted_to_wgs84():
    glat, glng = wgs84_to_gcj02(24.8035, 113.5905)
    lat, lng = location_to_wgs84(lat=glat, lng=glng, coord_system="gcj02")
    assert haversine_m(lat, lng, 24.8035, 113.5905) < 1


@pytest.mark.parametrize(
    "lat,lng,system,code,field",
    [
        (24.8, 113.6, "bd09", "invalid", "coord_system"),
        (91, 113.6, "wgs84", "invalid", "location"),
        (float("nan"), 113.6, "wgs84", "invalid", "location"),
        (24.8, float("inf"), "wgs84", "invalid", "location"),
        (23.129, 113.264, "wgs84", "outside_city", "location"),  # Guangzhou
        (0, 0, "gcj02", "outside_city", "location"),
    ],
)
def test_location_refused(lat, lng, system, code, field):
    with pytest.raises(ValidationFailed) as exc:
        location_to_wgs84(lat=lat, lng=lng, coord_system=system)
    assert exc.value.code == code and exc.value.field == field


# --- member profile -----------------------------------------------------------------------


def test_member_create_in_service(db):
    user = UserFactory(name="")
    unit = UnitFactory()
    glat, glng = wgs84_to_gcj02(24.80, 113.59)
    m = member_create(
        user=user,
        kind="in_service",
        unit=unit,
        name=" 刘新 ",
        skills=["lawyer", "teacher", "lawyer"],
        home_address="韶关市武江区工业中路",
        home_lat=glat,
        home_lng=glng,
        coord_system="gcj02",
    )
    m.refresh_from_db()
    user.refresh_from_db()
    assert user.name == "刘新" and user.name_initials == "lx"
    assert m.unit == unit and m.skills == ["teacher", "lawyer"]
    assert haversine_m(m.home_lat, m.home_lng, 24.80, 113.59) < 1


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"kind": "in_service"}, "unit"),
        ({"kind": "mayor"}, "kind"),
        ({"kind": "resident", "skills": ["juggler"]}, "skills"),
        ({"kind": "resident", "home_lat": 24.8}, "lat"),
        ({"kind": "resident", "home_lat": 23.1, "home_lng": 113.2}, "lat"),
        ({"kind": "resident", "name": "   "}, "name"),
        ({"kind": "resident", "name": "长" * 51}, "name"),
    ],
)
def test_member_create_refused_changes_nothing(kwargs, field):
    user = UserFactory(name="张三")
    with pytest.raises(ValidationFailed) as exc:
        member_create(user=user, **kwargs)
    assert exc.value.field == field
    assert not Member.objects.filter(user=user).exists()
    user.refresh_from_db()
    assert user.name == "张三"


def test_member_create_needs_a_name_when_the_user_has_none(db):
    user = UserFactory(name="")
    with pytest.raises(ValidationFailed) as exc:
        member_create(user=user, kind="resident")
    assert exc.value.field == "name"
    m = member_create(user=UserFactory(name="已有名"), kind="veteran_party")
    assert m.user.name == "已有名" and m.unit is None


def test_member_create_twice_conflicts(member):
    with pytest.raises(Conflict) as exc:
        member_create(user=member.user, kind="resident")
    assert exc.value.code == "already_member"
    assert Member.objects.filter(user=member.user).count() == 1


def test_member_profile_update(member):
    glat, glng = wgs84_to_gcj02(24.81, 113.60)
    member_profile_update(
        member=member,
        name="王新名",
        skills=["doctor"],
        home_address="新地址",
        home_lat=glat,
        home_lng=glng,
        coord_system="gcj02",
    )
    member.refresh_from_db()
    assert member.user.name == "王新名" and member.skills == ["doctor"] and member.home_address == "新地址"
    assert haversine_m(member.home_lat, member.home_lng, 24.81, 113.60) < 1


def test_member_profile_update_refused_changes_nothing(member):
    before = (member.user.name, member.skills, member.home_lat, member.home_lng)
    with pytest.raises(ValidationFailed):
        member_profile_update(member=member, name="新名字", skills=["teacher"], home_lat=39.9, home_lng=116.4)
    with pytest.raises(ValidationFailed):
        member_profile_update(member=member, name="新名字", skills=["astronaut"])
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert (member.user.name, member.skills, member.home_lat, member.home_lng) == before


# --- create -------------------------------------------------------------------------------


def test_create_ranks_choices_and_asks_the_first(member, community, other_community, third_community):
    reg = register(member, other_community, community, third_community)
    assert reg.status == "pending" and reg.community == other_community
    assert reg.source == "self_selected" and reg.decided_by == member.user
    assert list(reg.choices.order_by("rank").values_list("community_id", "rank")) == [
        (other_community.pk, 1),
        (community.pk, 2),
        (third_community.pk, 3),
    ]
    member.refresh_from_db()
    assert member.community is None  # not in a community until placed


@pytest.mark.parametrize(
    "picks,message",
    [
        ([], "至少选择一个"),
        (["c", "c"], "不能重复"),
        (["c", "o", "t", "x"], "最多选择 3 个"),
        (["c", 999_999], "不存在"),
    ],
)
def test_create_refused(member, community, other_community, third_community, far_community, picks, message):
    by = {"c": community, "o": other_community, "t": third_community, "x": far_community}
    ids = [by[p].pk if isinstance(p, str) else p for p in picks]
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        registration_create(member=member, community_ids=ids, actor=member.user)
    assert message in exc.value.message and exc.value.field == "communities"
    assert snapshot() == before


def test_create_out_of_reach_changes_nothing(member, community, far_community):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        register(member, community, far_community)
    assert exc.value.code == "out_of_reach" and "永康社区" in exc.value.message
    assert snapshot() == before


def test_create_without_any_location_is_refused(community):
    m = MemberFactory(kind="resident", unit=None, home_lat=None, home_lng=None)
    with pytest.raises(ValidationFailed) as exc:
        register(m, community)
    assert exc.value.code == "no_location"


def test_create_for_someone_else_is_refused(member, community, secretary):
    with pytest.raises(PermissionDenied):
        registration_create(member=member, community_ids=[community.pk], actor=secretary)
    assert not Registration.objects.exists()


def test_create_twice_conflicts(member, community, other_community):
    register(member, community)
    with pytest.raises(Conflict) as exc:
        register(member, other_community)
    assert exc.value.code == "already_registered"
    assert Registration.objects.filter(member=member).count() == 1


# --- reach ------------------------------------------------------------------------------------


def test_reach_by_home(settings, community, far_community):
    settings.REGISTRATION_REACH_KM = 2
    m = MemberFactory(kind="resident", unit=None, home_lat=25.125, home_lng=114.305)  # lives in Nanxiong
    assert register(m, far_community).community == far_community
    other = MemberFactory(kind="resident", unit=None, home_lat=25.125, home_lng=114.305)
    with pytest.raises(ValidationFailed):
        register(other, community)


def test_reach_by_unit_office(settings, far_community):
    settings.REGISTRATION_REACH_KM = 2
    unit = UnitFactory(lat=25.121, lng=114.311)  # office in Nanxiong, home in Wujiang
    m = MemberFactory(unit=unit, home_lat=24.80, home_lng=113.59)
    assert register(m, far_community).community == far_community


def test_reach_by_pairing_even_far_away(settings, far_community):
    settings.REGISTRATION_REACH_KM = 2
    unit = UnitFactory(lat=None, lng=None)
    PairingFactory(unit=unit, community=far_community)
    m = MemberFactory(unit=unit, home_lat=None, home_lng=None)
    assert register(m, far_community).community == far_community


# --- place ------------------------------------------------------------------------------------


def test_place_puts_member_into_the_grid(member, community, grid, secretary):
    reg = register(member, community)
    reg = registration_place(registration=reg, grid=grid, actor=secretary)
    assert reg.status == "placed" and reg.grid == grid and reg.placed_at is not None
    member.refresh_from_db()
    assert (member.community, member.grid) == (community, grid)


def test_place_again_moves_member_within_the_community(member, community, grid, building, secretary):
    reg = registration_place(registration=register(member, community), grid=grid, actor=secretary)
    first_placed = reg.placed_at
    reg = registration_place(registration=reg, grid=building, actor=secretary)
    member.refresh_from_db()
    assert member.grid == building and reg.placed_at == first_placed


def test_place_into_a_grid_of_another_community_changes_nothing(member, community, other_community, secretary):
    reg = register(member, community)
    foreign = Level2GridFactory(community=other_community)
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        registration_place(registration=reg, grid=foreign, actor=secretary)
    assert exc.value.code == "grid_of_other_community" and exc.value.field == "grid"
    assert snapshot() == before


@pytest.mark.parametrize("who", ["outsider", "member", "resident", "grid_secretary"])
def test_place_by_someone_without_the_community_is_refused(request, member, community, grid, who):
    reg = register(member, community)
    if who == "grid_secretary":
        actor = UserFactory()
        PostFactory(user=actor, role=Post.Role.GRID_SECRETARY, community=None, grid=grid)
    elif who == "member":
        actor = member.user
    else:
        actor = request.getfixturevalue(who)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        registration_place(registration=reg, grid=grid, actor=actor)
    assert snapshot() == before


@pytest.mark.parametrize("actor", ["street_officer", "district_officer", "admin_user"])
def test_place_by_higher_staff(request, member, community, grid, actor):
    reg = registration_place(registration=register(member, community), grid=grid, actor=request.getfixturevalue(actor))
    assert reg.status == "placed"


# --- decline ----------------------------------------------------------------------------------


def test_decline_passes_to_the_next_choice_then_unplaced(
    member, community, other_community, third_community, secretary, outsider, street_officer
):
    reg = register(member, community, other_community, third_community)
    reg = registration_decline(registration=reg, actor=secretary, reason="本社区已满")
    assert reg.status == "pending" and reg.community == other_community and reg.note == "本社区已满"
    choice1 = reg.choices.get(rank=1)
    assert choice1.declined_at is not None and reg.choices.filter(declined_at__isnull=True).count() == 2
    # the first community can no longer act on it; the second one can
    with pytest.raises(PermissionDenied):
        registration_decline(registration=reg, actor=secretary)
    reg = registration_decline(registration=reg, actor=outsider)
    assert reg.community == third_community
    reg = registration_decline(registration=reg, actor=street_officer)
    assert reg.status == "unplaced" and reg.community is None
    assert not reg.choices.filter(declined_at__isnull=True).exists()


def test_decline_an_adjusted_registration_leaves_it_unplaced(member, community, district_officer, secretary):
    reg = registration_adjust(member=member, community=community, actor=district_officer)
    assert list(reg.choices.values_list("community_id", "rank")) == [(community.pk, 1)]
    reg = registration_decline(registration=reg, actor=secretary)
    assert reg.status == "unplaced" and reg.community is None
    # still the district's to adjust again, and no other district's
    assert reg in registrations_for(district_officer)
    assert registration_get_for_staff(registration_id=reg.pk, actor=district_officer) == reg
    far = UserFactory()
    PostFactory(
        user=far, role=Post.Role.DISTRICT_STAFF, community=None, district=DistrictFactory(code="440222", name="始兴县")
    )
    assert reg not in registrations_for(far)
    with pytest.raises(PermissionDenied):
        registration_get_for_staff(registration_id=reg.pk, actor=far)


def test_the_next_community_can_place_after_a_decline(member, community, other_community, grid, secretary, outsider):
    reg = registration_decline(registration=register(member, community, other_community), actor=secretary)
    foreign_grid = Level2GridFactory(community=other_community)
    with pytest.raises(PermissionDenied):
        registration_place(registration=reg, grid=grid, actor=secretary)
    reg = registration_place(registration=reg, grid=foreign_grid, actor=outsider)
    member.refresh_from_db()
    assert member.community == other_community and member.grid == foreign_grid


# --- withdraw ---------------------------------------------------------------------------------


def test_withdraw_pending(member, community):
    reg = registration_withdraw(registration=register(member, community), actor=member.user)
    assert reg.status == "withdrawn" and reg.ended_at is not None
    # and the member may register again
    assert register(member, community).status == "pending"


def test_withdraw_placed_leaves_the_community(member, community, grid, secretary):
    reg = registration_place(registration=register(member, community), grid=grid, actor=secretary)
    reg = registration_withdraw(registration=reg, actor=member.user)
    assert reg.status == "ended"
    member.refresh_from_db()
    assert member.community is None and member.grid is None


def test_withdraw_by_someone_else_is_refused(member, community, secretary):
    reg = register(member, community)
    with pytest.raises(PermissionDenied):
        registration_withdraw(registration=reg, actor=secretary)
    reg.refresh_from_db()
    assert reg.status == "pending"


# --- every (status, action) pair ---------------------------------------------------------------

ACTIONS = ["place", "decline", "withdraw"]
ALLOWED = {
    ("pending", "place"): "placed",
    ("placed", "place"): "placed",
    ("pending", "decline"): "unplaced",  # single choice: nobody else to ask
    ("pending", "withdraw"): "withdrawn",
    ("placed", "withdraw"): "ended",
    ("unplaced", "withdraw"): "withdrawn",
}


@pytest.mark.parametrize("status", [s.value for s in Registration.Status])
@pytest.mark.parametrize("verb", ACTIONS)
def test_transition_table(member, community, grid, admin_user, status, verb):
    values = {"member": member, "community": community, "status": status}
    if status == "placed":
        values.update(grid=grid, placed_at=timezone.now())
    if status == "unplaced":
        values["community"] = None
    reg = RegistrationFactory(**values)
    RegistrationChoice.objects.create(registration=reg, community=community, rank=1)
    call = {
        "place": lambda: registration_place(registration=reg, grid=grid, actor=admin_user),
        "decline": lambda: registration_decline(registration=reg, actor=admin_user),
        "withdraw": lambda: registration_withdraw(registration=reg, actor=member.user),
    }[verb]
    expected = ALLOWED.get((status, verb))
    if expected is None:
        with pytest.raises(Conflict) as exc:
            call()
        assert exc.value.code == "illegal_transition"
        reg.refresh_from_db()
        assert reg.status == status
    else:
        assert call().status == expected
        reg.refresh_from_db()
        assert reg.status == expected


# --- adjust (调剂) -----------------------------------------------------------------------------


def test_adjust_records_source_and_who_decided(member, community, other_community, grid, secretary, district_officer):
    old = registration_place(registration=register(member, community), grid=grid, actor=secretary)
    new = registration_adjust(member=member, community=other_community, actor=district_officer, note="就近调剂")
    assert new.source == "adjusted" and new.decided_by == district_officer and new.note == "就近调剂"
    assert new.status == "pending" and new.community == other_community
    old.refresh_from_db()
    assert old.status == "ended" and old.ended_at is not None
    member.refresh_from_db()
    assert member.community is None and member.grid is None  # until the new community places them
    assert Registration.objects.filter(member=member, status__in=Registration.ACTIVE).count() == 1


def test_adjust_an_unplaced_registration(member, community, other_community, secretary, district_officer):
    reg = registration_decline(registration=register(member, community), actor=secretary)
    assert reg.status == "unplaced"
    new = registration_adjust(member=member, community=other_community, actor=district_officer)
    reg.refresh_from_db()
    assert reg.status == "ended" and new.community == other_community


def test_adjust_a_member_without_registration(member, community, district_officer):
    new = registration_adjust(member=member, community=community, actor=district_officer)
    assert new.source == "adjusted" and new.status == "pending"


@pytest.mark.parametrize("who", ["secretary", "street_officer", "member", "resident"])
def test_adjust_only_by_district_or_city(request, member, community, other_community, who):
    register(member, community)
    actor = request.getfixturevalue(who)
    actor = actor.user if who == "member" else actor
    before = snapshot()
    with pytest.raises(PermissionDenied):
        registration_adjust(member=member, community=other_community, actor=actor)
    assert snapshot() == before


def test_adjust_outside_the_officers_district_is_refused(member, community, far_community, district_officer):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        registration_adjust(member=member, community=far_community, actor=district_officer)
    far_officer = UserFactory()
    PostFactory(user=far_officer, role=Post.Role.DISTRICT_STAFF, community=None, district=far_community.street.district)
    register(member, community)
    before = snapshot()
    with pytest.raises(PermissionDenied):  # the member's current community is not theirs
        registration_adjust(member=member, community=far_community, actor=far_officer)
    assert snapshot() == before


def test_adjust_to_where_the_member_is_placed_conflicts(member, community, grid, secretary, district_officer):
    registration_place(registration=register(member, community), grid=grid, actor=secretary)
    with pytest.raises(Conflict):
        registration_adjust(member=member, community=community, actor=district_officer)


def test_city_staff_can_adjust_anywhere(member, community, far_community):
    city = UserFactory()
    PostFactory(user=city, role=Post.Role.CITY_STAFF, community=None)
    register(member, community)
    assert registration_adjust(member=member, community=far_community, actor=city).community == far_community


# --- fetch for staff ------------------------------------------------------------------------


def test_get_for_staff(member, community, secretary, outsider, district_officer):
    reg = register(member, community)
    assert registration_get_for_staff(registration_id=reg.pk, actor=secretary) == reg
    with pytest.raises(PermissionDenied):
        registration_get_for_staff(registration_id=reg.pk, actor=outsider)
    with pytest.raises(NotFound):
        registration_get_for_staff(registration_id=reg.pk + 1000, actor=secretary)
    reg = registration_decline(registration=reg, actor=secretary)
    # unplaced: the district of the chosen community, not its former secretary
    assert registration_get_for_staff(registration_id=reg.pk, actor=district_officer) == reg
    forget_scope(secretary)
    with pytest.raises(PermissionDenied):
        registration_get_for_staff(registration_id=reg.pk, actor=secretary)


# --- concurrency ------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_registrations_make_exactly_one(community, other_community):
    member = MemberFactory()
    barrier = threading.Barrier(2)
    results: list = []

    def attempt(target):
        try:
            barrier.wait(timeout=10)
            reg = registration_create(member=member, community_ids=[target.pk], actor=member.user)
            results.append(("ok", reg.pk))
        except Conflict as exc:
            results.append(("conflict", exc.code))
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(c,)) for c in (community, other_community)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(r[0] for r in results) == ["conflict", "ok"], results
    assert ("conflict", "already_registered") in results
    assert Registration.objects.filter(member=member).count() == 1
    assert RegistrationChoice.objects.filter(registration__member=member).count() == 1
