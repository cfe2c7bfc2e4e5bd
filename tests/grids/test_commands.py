"""manage.py seed_demo and manage.py generate_city."""

import re
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F, Q

from accounts.models import User
from accounts.pinyin import initials, person_initials
from grids.citygen.common import ensure_geography
from grids.citygen.demo_plan import ACCOUNTS, ARTICLE_COMMUNITY, ARTICLE_GRID, STAFF_PASSWORD
from grids.citygen.plan import plan_city
from grids.citygen.scale import BASE_COUNTS, apportion, scaled_counts
from grids.geo import haversine_m, in_city
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
from grids.selectors.registration import registrations_for
from grids.selectors.scope import scope_for

ORG_MODELS = [
    User, District, Street, Community, Grid, Unit, Pairing, Member, Post,
    VanguardTeam, TeamMembership, Registration, RegistrationChoice,
]  # fmt: skip
PHONE = re.compile(r"^1[3-9]\d{9}$")


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # The demo sets four staff passwords; PBKDF2 would spend seconds on them in every test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def row_counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in ORG_MODELS}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_city", *args, stdout=out)
    if connection.vendor == "postgresql":
        # Foreign keys are checked at commit, and a test never commits: check them now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return out.getvalue()


def assert_members_consistent() -> None:
    """Every member's grid belongs to their community; placed registrations agree with the member."""
    assert not Member.objects.filter(grid__isnull=False).exclude(grid__community=F("community")).exists()
    assert not Registration.objects.filter(grid__isnull=False).exclude(grid__community=F("community")).exists()
    placed = Registration.objects.filter(status=Registration.Status.PLACED)
    assert not placed.exclude(member__community=F("community"), member__grid=F("grid")).exists()
    # A member with a community got there through a placed registration.
    assert not Member.objects.filter(community__isnull=False).exclude(registrations__in=placed).exists()
    assert not (
        Registration.objects.filter(status__in=Registration.ACTIVE)
        .values("member")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    assert not Grid.objects.filter(level=3).exclude(parent__level=2, parent__community=F("community")).exists()


# --- seed_demo ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    seed()
    first = row_counts()
    seed()
    assert row_counts() == first
    assert first["Member"] >= 180
    assert first["Unit"] >= 8
    assert first["District"] == 10


@pytest.mark.django_db
def test_seed_demo_registrations_carry_their_history():
    seed()
    for registration in Registration.objects.prefetch_related("events"):
        events = sorted(registration.events.all(), key=lambda e: (e.created_at, e.id))
        assert events[0].from_status == "" and events[0].kind in ("self_selected", "adjusted")
        assert events[-1].to_status == registration.status, registration
    assert Community.objects.filter(name_initials="").count() == 0
    assert Unit.objects.filter(name_initials="").count() == 0


@pytest.mark.django_db
def test_seed_demo_creates_the_article_community_and_real_geography():
    seed()
    community = Community.objects.select_related("street__district").get(name=ARTICLE_COMMUNITY)
    assert community.street.name == "新华街道"
    assert community.street.kind == Street.Kind.SUBDISTRICT
    assert community.street.district.name == "武江区"
    assert community.street.district.code == "440203"
    assert Grid.objects.filter(community=community, level=2, name=ARTICLE_GRID).exists()
    assert Street.objects.get(district__name="武江区", name="西联镇").kind == Street.Kind.TOWN
    assert District.objects.get(name="乐昌市").kind == District.Kind.COUNTY_CITY
    assert District.objects.get(name="始兴县").kind == District.Kind.COUNTY
    assert Community.objects.filter(kind=Community.Kind.URBAN_VILLAGE).exists()
    wujiang = District.objects.get(name="武江区")
    for c in Community.objects.select_related("street__district"):
        d = c.street.district
        assert in_city(c.lat, c.lng)
        assert haversine_m(c.lat, c.lng, d.lat, d.lng) < 2000, c.name
        assert 3 <= c.grids.filter(level=2).count() <= 6, c.name
    for g in Grid.objects.filter(level=2, community__street__district=wujiang):
        assert 2 <= g.children.count() <= 6, g.name
    assert_members_consistent()


@pytest.mark.django_db
def test_seed_demo_accounts_posts_and_passwords():
    out = seed()
    users = {u.phone: u for u in User.objects.filter(phone__in=[a.phone for a in ACCOUNTS])}
    assert {a.phone: a.name for a in ACCOUNTS} == {p: u.name for p, u in users.items()}

    resident = users["13800138001"]
    assert not Member.objects.filter(user=resident).exists()
    assert not resident.is_staff and not resident.has_usable_password()

    member = Member.objects.select_related("unit", "community", "grid").get(user=users["13800138002"])
    assert member.kind == Member.Kind.IN_SERVICE
    assert member.unit.name == "韶关市教育局"
    assert "teacher" in member.skills
    assert (member.community.name, member.grid.name) == (ARTICLE_COMMUNITY, ARTICLE_GRID)
    assert VanguardTeam.objects.filter(grid=member.grid, memberships__member=member).exists()
    assert Registration.objects.get(member=member).status == Registration.Status.PLACED

    captain = users["13800138006"]
    assert not captain.is_staff and not captain.has_usable_password()
    team = VanguardTeam.objects.get(grid__name=ARTICLE_GRID)
    assert team.memberships.get(role=TeamMembership.Role.CAPTAIN).member.user == captain
    assert team.memberships.filter(member=member).exists()  # 王建国 is in the captain's team

    secretary = users["13800138003"]
    assert secretary.is_staff and secretary.check_password(STAFF_PASSWORD)
    assert Post.objects.get(role=Post.Role.SECRETARY, community__name=ARTICLE_COMMUNITY).user == secretary
    street = users["13800138004"]
    assert street.is_staff and street.check_password(STAFF_PASSWORD)
    assert Post.objects.filter(user=street, role=Post.Role.STREET_STAFF, street__name="新华街道").exists()
    district = users["13800138005"]
    assert district.is_staff and district.check_password(STAFF_PASSWORD)
    assert Post.objects.filter(user=district, role=Post.Role.DISTRICT_STAFF, district__name="武江区").exists()
    unit_secretary = users["13800138007"]
    assert unit_secretary.check_password(STAFF_PASSWORD)
    post = Post.objects.get(user=unit_secretary)
    assert (post.role, post.unit.name) == (Post.Role.UNIT_SECRETARY, "韶关市教育局")
    assert post.unit.members.exclude(community=None).values("community").distinct().count() >= 1
    admin = users["13800138000"]
    assert admin.is_superuser and admin.is_staff and admin.check_password("shaoguan-admin")

    for account in ACCOUNTS:
        assert account.phone in out
        assert account.name in out
    assert STAFF_PASSWORD in out and "shaoguan-admin" in out
    assert "验证码" in out
    for url in ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/admin/", "http://127.0.0.1:8000/api/docs/"):
        assert url in out


@pytest.mark.django_db
def test_seed_demo_gives_the_secretary_work_and_keeps_neighbours_apart():
    seed()
    secretary = User.objects.get(phone="13800138003")
    scope = scope_for(secretary)
    assert scope.covers_community(Community.objects.get(name=ARTICLE_COMMUNITY))
    assert not scope.covers_community(Community.objects.get(name="东堤社区"))
    pending = registrations_for(secretary).filter(status=Registration.Status.PENDING)
    assert pending.count() >= 3
    assert set(pending.values_list("community__name", flat=True)) == {ARTICLE_COMMUNITY}
    assert Registration.objects.filter(status=Registration.Status.UNPLACED, community__isnull=True).count() == 1
    adjusted = Registration.objects.filter(source=Registration.Source.ADJUSTED)
    assert adjusted.exists()
    assert set(adjusted.values_list("decided_by__phone", flat=True)) == {"13800138005"}
    # Each demo community has its secretary, first secretary and part-time member.
    for c in Community.objects.all():
        roles = set(c.posts.values_list("role", flat=True))
        assert {Post.Role.SECRETARY, Post.Role.FIRST_SECRETARY, Post.Role.PART_TIME_MEMBER} <= roles, c.name
    # Teams: one captain, one vice-captain, members of more than one kind.
    team = VanguardTeam.objects.get(grid__name=ARTICLE_GRID)
    roles = list(team.memberships.values_list("role", flat=True))
    assert roles.count(TeamMembership.Role.CAPTAIN) == 1
    assert roles.count(TeamMembership.Role.VICE_CAPTAIN) == 1
    captain = team.memberships.get(role=TeamMembership.Role.CAPTAIN).member
    assert Post.objects.filter(user=captain.user, role=Post.Role.GRID_SECRETARY, grid=team.grid).exists()
    assert (
        VanguardTeam.objects.filter(grid__community__name=ARTICLE_COMMUNITY).count()
        == Grid.objects.filter(community__name=ARTICLE_COMMUNITY, level=2).count()
    )
    assert Member.objects.values("kind").distinct().count() == len(Member.Kind)
    phones = list(User.objects.values_list("phone", flat=True))
    assert all(PHONE.match(p) for p in phones)


# --- generate_city: the scaling function -----------------------------------------------


def test_scaled_counts_at_full_scale_are_the_articles():
    assert scaled_counts(1.0) == {**BASE_COUNTS, "districts": 10}


@pytest.mark.parametrize("scale", [0.0001, 0.003, 0.02, 0.1, 0.5, 2.0])
def test_scaled_counts_stay_consistent(scale):
    c = scaled_counts(scale)
    assert c["districts"] == 10
    assert all(v >= 1 for v in c.values())
    assert c["urban_villages"] <= c["communities"] <= c["grids_level2"] <= c["grids_level3"]
    assert c["teams"] <= c["grids_level2"]
    if scale >= 0.02:
        assert c["members"] == round(60_000 * scale)
        assert abs(c["urban_villages"] / c["communities"] - 61 / 295) < 0.05


def test_apportion_keeps_the_total():
    assert apportion(295, [50, 55, 35, 15, 18, 20, 15, 15, 35, 37]) == [50, 55, 35, 15, 18, 20, 15, 15, 35, 37]
    assert sum(apportion(6, [50, 55, 35, 15, 18, 20, 15, 15, 35, 37])) == 6
    assert apportion(3, [1, 1, 1, 1]) == [1, 1, 1, 0]


# --- generate_city: the database ---------------------------------------------------------


def city_snapshot() -> dict:
    """What must come out the same for the same seed (ids aside)."""
    return {
        "counts": row_counts(),
        "users": list(User.objects.order_by("phone").values_list("phone", "name", "name_initials", "is_staff")),
        "communities": list(
            Community.objects.order_by("street__district__code", "street__name", "name").values_list(
                "street__name", "name", "kind", "lat", "lng", "households"
            )
        ),
        "units": list(Unit.objects.order_by("name").values_list("name", "kind", "district__name", "lat", "lng")),
        "members": list(
            Member.objects.order_by("user__phone").values_list(
                "user__phone", "kind", "unit__name", "community__name", "grid__name", "home_lat", "home_lng"
            )
        ),
        "teams": sorted(
            TeamMembership.objects.values_list(
                "team__name", "team__grid__community__name", "member__user__phone", "role"
            )
        ),
    }


@pytest.mark.slow
@pytest.mark.django_db
def test_generate_city_produces_the_scaled_counts():
    out = generate("--scale", "0.02", "--seed", "7")
    expected = scaled_counts(0.02)
    assert District.objects.count() == expected["districts"] == 10
    assert Unit.objects.count() == expected["units"]
    assert Member.objects.count() == expected["members"]
    assert Community.objects.count() == expected["communities"]
    assert Community.objects.filter(kind=Community.Kind.URBAN_VILLAGE).count() == expected["urban_villages"]
    assert Grid.objects.filter(level=2).count() == expected["grids_level2"]
    assert Grid.objects.filter(level=3).count() == expected["grids_level3"]
    assert VanguardTeam.objects.count() == expected["teams"]
    assert "党员/志愿者：1200" in out

    # Every community has a secretary, every street and district its staff.
    assert Post.objects.filter(role=Post.Role.SECRETARY).count() == expected["communities"]
    assert Post.objects.filter(role=Post.Role.DISTRICT_STAFF).values("district").distinct().count() == 10
    assert Post.objects.filter(role=Post.Role.STREET_STAFF).count() == Street.objects.count()
    # Each unit pairs with one to three communities; in-service members come from units.
    pairs = Unit.objects.annotate(n=Count("pairings")).values_list("n", flat=True)
    assert min(pairs) >= 1 and max(pairs) <= 3
    assert not Member.objects.filter(kind=Member.Kind.IN_SERVICE, unit__isnull=True).exists()
    assert Member.objects.filter(kind=Member.Kind.IN_SERVICE).count() > 0.8 * expected["members"]
    # Most members are placed; some wait, a few were adjusted by their district.
    statuses = dict(Registration.objects.values_list("status").annotate(n=Count("id")))
    assert statuses[Registration.Status.PLACED] > 0.85 * expected["members"]
    assert statuses[Registration.Status.PENDING] > 0
    adjusted = Registration.objects.filter(source=Registration.Source.ADJUSTED).select_related(
        "community__street", "decided_by"
    )
    assert adjusted.exists()
    for reg in adjusted:
        assert Post.objects.filter(
            user=reg.decided_by, role=Post.Role.DISTRICT_STAFF, district=reg.community.street.district_id
        ).exists()
    assert_members_consistent()


@pytest.mark.slow
@pytest.mark.django_db
def test_generate_city_places_and_names_things_properly():
    generate("--scale", "0.02", "--seed", "7")
    for c in Community.objects.select_related("street__district"):
        assert in_city(c.lat, c.lng)
        d = c.street.district
        assert haversine_m(c.lat, c.lng, d.lat, d.lng) < 25_000, c.name
        assert c.name.endswith("村" if c.kind == Community.Kind.URBAN_VILLAGE else "社区")
    assert all(in_city(lat, lng) for lat, lng in Member.objects.values_list("home_lat", "home_lng"))
    phones = list(User.objects.values_list("phone", flat=True))
    assert len(phones) == len(set(phones))
    assert all(PHONE.match(p) for p in phones)
    assert not set(phones) & {a.phone for a in ACCOUNTS}
    for name, ini in User.objects.values_list("name", "name_initials"):
        assert ini == person_initials(name), name
    for name, ini in Unit.objects.values_list("name", "name_initials"):
        assert ini == initials(name), name
    assert not User.objects.filter(is_superuser=True).exists()
    assert not any(u.has_usable_password() for u in User.objects.all()[:50])
    # Teams: one captain (the grid secretary) and one vice-captain each, with members of several kinds.
    for team in VanguardTeam.objects.prefetch_related("memberships__member__user"):
        roles = [m.role for m in team.memberships.all()]
        assert roles.count(TeamMembership.Role.CAPTAIN) == 1
        assert roles.count(TeamMembership.Role.VICE_CAPTAIN) == 1
        assert len(roles) >= 3
        captain = next(m.member for m in team.memberships.all() if m.role == TeamMembership.Role.CAPTAIN)
        assert Post.objects.filter(user=captain.user_id, role=Post.Role.GRID_SECRETARY, grid=team.grid_id).exists()
    kinds = set(TeamMembership.objects.values_list("member__kind", flat=True))
    assert len(kinds) >= 3
    # Level-2 grid names are unique in their community; buildings in their grid (the constraints held).
    assert Grid.objects.filter(level=3, parent__isnull=True).count() == 0


@pytest.mark.slow
@pytest.mark.django_db
def test_generate_city_is_deterministic_and_refuses_to_run_twice():
    generate("--scale", "0.02", "--seed", "7", "--quiet")
    first = city_snapshot()

    with pytest.raises(CommandError, match="--reset"):
        generate("--scale", "0.02", "--seed", "7")
    assert row_counts() == first["counts"]

    generate("--scale", "0.02", "--seed", "7", "--reset", "--quiet")
    assert city_snapshot() == first

    generate("--scale", "0.02", "--seed", "8", "--reset", "--quiet")
    other = city_snapshot()
    headline = ("District", "Community", "Grid", "Unit", "Member", "VanguardTeam")
    assert {k: other["counts"][k] for k in headline} == {k: first["counts"][k] for k in headline}
    assert other["users"] != first["users"]


@pytest.mark.slow
@pytest.mark.django_db
def test_generate_city_reset_keeps_other_users_and_the_demo_can_follow():
    bystander = User.objects.create_user("13900000077", name="路人甲")
    admin = User.objects.create_superuser("13900000078", password="x", name="超级管理员")
    seed()
    with pytest.raises(CommandError, match="已有社区"):
        generate("--scale", "0.02", "--seed", "7")
    generate("--scale", "0.02", "--seed", "7", "--reset", "--quiet")
    assert User.objects.filter(pk__in=[bystander.pk, admin.pk]).count() == 2
    assert not Member.objects.filter(user__phone="13800138002").exists()  # the demo's people went with it
    assert Member.objects.count() == scaled_counts(0.02)["members"]
    # The demo slice loads on top of a generated city, and stays idempotent there.
    seed()
    counts = row_counts()
    seed()
    assert row_counts() == counts
    assert Community.objects.filter(name=ARTICLE_COMMUNITY).count() == 1
    assert_members_consistent()


@pytest.mark.django_db
def test_generate_city_rolls_back_everything_when_a_write_fails():
    districts, streets = ensure_geography()
    plan = plan_city(scale=0.02, seed=7, districts=districts, streets=streets)
    taken = plan.members[-1].user.phone  # written late, after the planner has handed over most batches
    User.objects.create_user(taken, name="已注册居民")
    before = row_counts()

    with pytest.raises(CommandError, match="无法清空或写入"):
        generate("--scale", "0.02", "--seed", "7", "--quiet")

    assert row_counts() == before
    assert not any(t.name == "citygen-planner" for t in threading.enumerate())


@pytest.mark.django_db
def test_generate_city_rejects_a_silly_scale():
    with pytest.raises(CommandError, match="--scale"):
        generate("--scale", "0")
    with pytest.raises(CommandError, match="--scale"):
        generate("--scale", "-1")
    assert not Community.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_generate_city_with_copy_keeps_foreign_keys_and_sequences_sound():
    generate("--scale", "0.005", "--seed", "3", "--quiet")
    # Ids came from the sequences, so the next ordinary insert does not collide.
    community = Community.objects.first()
    grid = Grid.objects.create(community=community, level=2, kind=Grid.Kind.RESIDENTIAL_GROUP, name="新增网格")
    assert grid.pk > Grid.objects.exclude(pk=grid.pk).order_by("-pk").first().pk
    user = User.objects.create_user("13900000079", name="新用户")
    assert user.pk > 0
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert Member.objects.filter(Q(grid__isnull=True) | Q(grid__community=F("community"))).count() == (
        Member.objects.count()
    )
