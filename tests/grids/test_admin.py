"""The grids admin: every page renders, list pages cost a fixed number of queries, search by
pinyin initials and phone, scoping by post, and the actions that call the services."""

import itertools

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
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
    DistrictFactory,
    Level2GridFactory,
    MemberFactory,
    PairingFactory,
    PostFactory,
    RegistrationFactory,
    StreetFactory,
    TeamMembershipFactory,
    UnitFactory,
    VanguardTeamFactory,
)

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Every factory user gets a password; the production hasher would make these tests crawl.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


GRID_MODELS = [
    District,
    Street,
    Community,
    Grid,
    Unit,
    Pairing,
    Member,
    Post,
    VanguardTeam,
    Registration,
    RegistrationChoice,
]
READ_ONLY = {Registration, RegistrationChoice}
WHEN = {"created_at_0": "2026-01-05", "created_at_1": "09:00:00"}  # a post's appointment time


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def add_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def shown(response) -> set[int]:
    return {obj.pk for obj in response.context["cl"].result_list}


def staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def sec(secretary):
    return staff(secretary)


@pytest.fixture
def out(outsider):
    return staff(outsider)


@pytest.fixture
def placed(community, grid):
    """王建国, placed in this community's grid, with his registration and two choices."""
    m = MemberFactory(user=UserFactory(phone="13712340123", name="王建国"), community=community, grid=grid)
    reg = RegistrationFactory(
        member=m, community=community, grid=grid, status=Registration.Status.PLACED, placed_at=timezone.now()
    )
    RegistrationChoice.objects.create(registration=reg, community=community, rank=1)
    return m


@pytest.fixture
def pending(community, other_community):
    """A registration waiting for this community, with another community as second choice."""
    reg = RegistrationFactory(member=MemberFactory(user=UserFactory(name="李待编")), community=community)
    RegistrationChoice.objects.create(registration=reg, community=community, rank=1)
    RegistrationChoice.objects.create(registration=reg, community=other_community, rank=2)
    return reg


# --- row builders for the query-count tests (rows inside the secretary's community) ---------


def _district(ctx):
    n = next(_seq)
    d = DistrictFactory(code=f"45{n:04d}", name=f"测试区{n}")
    StreetFactory(district=d)


def _street(ctx):
    CommunityFactory(street=StreetFactory(district=ctx["district"]))


def _community(ctx):
    c = CommunityFactory(street=ctx["street"])
    MemberFactory(community=c, grid=Level2GridFactory(community=c))


def _grid(ctx):
    g = Level2GridFactory(community=ctx["community"])
    BuildingFactory(parent=g)
    MemberFactory(community=ctx["community"], grid=g)


def _unit(ctx):
    u = UnitFactory(district=ctx["district"])
    MemberFactory(unit=u, community=ctx["community"])
    PairingFactory(unit=u, community=ctx["community"])


def _pairing(ctx):
    PairingFactory(community=ctx["community"])


def _member(ctx):
    m = MemberFactory(community=ctx["community"], grid=ctx["grid"])
    RegistrationFactory(member=m, community=ctx["community"])


def _post(ctx):
    PostFactory(role=Post.Role.PART_TIME_MEMBER, community=ctx["community"])


def _team(ctx):
    team = VanguardTeamFactory(grid=ctx["grid"])
    TeamMembershipFactory(team=team, role=TeamMembership.Role.CAPTAIN, member__community=ctx["community"])
    TeamMembershipFactory(team=team)


def _registration(ctx):
    reg = RegistrationFactory(community=ctx["community"])
    RegistrationChoice.objects.create(registration=reg, community=ctx["community"], rank=1)
    RegistrationChoice.objects.create(registration=reg, community=ctx["other_community"], rank=2)


def _user(ctx):
    MemberFactory(community=ctx["community"])


BUILDERS = {
    District: _district,
    Street: _street,
    Community: _community,
    Grid: _grid,
    Unit: _unit,
    Pairing: _pairing,
    Member: _member,
    Post: _post,
    VanguardTeam: _team,
    Registration: _registration,
    RegistrationChoice: _registration,
    User: _user,
}


@pytest.fixture
def ctx(district, street, community, grid, other_community):
    return {
        "district": district,
        "street": street,
        "community": community,
        "grid": grid,
        "other_community": other_community,
    }


# --- every page renders for a superuser -----------------------------------------------------


def test_every_grids_model_is_registered():
    for model in GRID_MODELS:
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", GRID_MODELS, ids=lambda m: m.__name__)
def test_superuser_changelist_add_and_change_pages(client, admin_user, ctx, model):
    BUILDERS[model](ctx)
    client.force_login(admin_user)
    response = client.get(changelist(model))
    assert response.status_code == 200
    assert shown(response)
    assert client.get(add_url(model)).status_code == (403 if model in READ_ONLY else 200)
    obj = model.objects.first()
    assert client.get(change_url(obj)).status_code == 200


def test_changelist_is_in_chinese(client, admin_user, ctx):
    _community(ctx)
    client.force_login(admin_user)
    html = client.get(changelist(Community)).content.decode()
    for label in ("党员/志愿者数", "网格数", "待编入报到", "区/县(市)", "街道/镇"):
        assert label in html


# --- list pages cost the same whatever the number of rows -------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize("who", ["admin", "secretary"])
@pytest.mark.parametrize("model", [*GRID_MODELS, User], ids=lambda m: m.__name__)
def test_changelist_queries_do_not_grow_with_rows(settings, client, admin_user, sec, ctx, model, who):
    # Sessions straight from the database: a cache shared with other processes (Redis) could
    # drop the cached session between the two measurements and add a query.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    user = admin_user if who == "admin" else sec
    client.force_login(user)
    url = changelist(model)
    for _ in range(3):
        BUILDERS[model](ctx)
    client.get(url)  # warm caches (content types, sessions)
    few, rows_few = _count(client, url)
    for _ in range(12):
        BUILDERS[model](ctx)
    many, rows_many = _count(client, url)
    assert rows_many > rows_few or model in (District, Street, Community) and who == "secretary"
    assert many == few, f"{model.__name__}: {few} queries for {rows_few} rows, {many} for {rows_many}"


# --- search -----------------------------------------------------------------------------------


def test_member_search_by_pinyin_initials_and_phone(client, admin_user, placed, ctx):
    _member(ctx)
    client.force_login(admin_user)
    assert shown(client.get(changelist(Member), {"q": "wjg"})) == {placed.pk}
    assert shown(client.get(changelist(Member), {"q": "1234012"})) == {placed.pk}
    assert shown(client.get(changelist(Member), {"q": "王建"})) == {placed.pk}
    assert shown(client.get(changelist(Member), {"q": "zzzz"})) == set()


def test_registration_search_by_initials(client, admin_user, placed, pending):
    client.force_login(admin_user)
    assert shown(client.get(changelist(Registration), {"q": "wjg"})) == {placed.registrations.get().pk}
    assert shown(client.get(changelist(Registration), {"q": "ldb"})) == {pending.pk}


def test_community_and_unit_search_by_initials(client, admin_user, community, other_community):
    unit = UnitFactory(name="韶关市教育局")
    client.force_login(admin_user)
    assert shown(client.get(changelist(Community), {"q": "gyz"})) == {community.pk}
    assert shown(client.get(changelist(Unit), {"q": "sgsjyj"})) == {unit.pk}


def test_filters_by_district_street_community_and_unit(client, admin_user, placed, other_community):
    elsewhere = MemberFactory(community=other_community)
    client.force_login(admin_user)
    url = changelist(Member)
    assert shown(client.get(url, {"community": placed.community_id})) == {placed.pk}
    assert shown(client.get(url, {"community": other_community.pk})) == {elsewhere.pk}
    assert shown(client.get(url, {"street": other_community.street_id})) == {placed.pk, elsewhere.pk}
    assert shown(client.get(url, {"district": placed.community.street.district_id})) == {placed.pk, elsewhere.pk}
    assert shown(client.get(url, {"unit": placed.unit_id})) == {placed.pk}
    assert client.get(url, {"community": "abc"}).status_code == 302  # bad lookup: back to the plain list


# --- scoping -----------------------------------------------------------------------------------


def test_secretary_sees_own_community_only(client, sec, placed, pending, other_community, grid):
    elsewhere = MemberFactory(community=other_community)
    other_grid = Level2GridFactory(community=other_community)
    client.force_login(sec)
    assert shown(client.get(changelist(Member))) == {placed.pk, pending.member_id}
    assert elsewhere.pk not in shown(client.get(changelist(Member)))
    assert shown(client.get(changelist(Registration))) == {placed.registrations.get().pk, pending.pk}
    assert shown(client.get(changelist(Grid))) == {grid.pk}
    assert other_grid.pk not in shown(client.get(changelist(Grid)))
    assert shown(client.get(changelist(Community))) == {placed.community_id}
    assert client.get(change_url(placed)).status_code == 200


def test_secretary_filter_sidebar_lists_only_own_nodes(client, sec, community, other_community):
    far = CommunityFactory(street=StreetFactory(district=DistrictFactory(code="440204", name="浈江区")))
    client.force_login(sec)
    response = client.get(changelist(Member))
    specs = {spec.parameter_name: spec for spec in response.context["cl"].filter_specs if hasattr(spec, "path")}
    assert {int(pk) for pk, _ in specs["community"].lookup_choices} == {community.pk}
    assert far.street.district_id not in {int(pk) for pk, _ in specs["district"].lookup_choices}


def test_outsider_does_not_see_this_community(client, out, placed, pending, grid, community):
    client.force_login(out)
    assert placed.pk not in shown(client.get(changelist(Member)))
    assert pending.member_id not in shown(client.get(changelist(Member)))
    regs = shown(client.get(changelist(Registration)))
    assert placed.registrations.get().pk not in regs
    assert pending.pk not in regs  # only ranked second: not theirs until this community declines
    assert grid.pk not in shown(client.get(changelist(Grid)))
    assert community.pk not in shown(client.get(changelist(Community)))
    assert placed.user_id not in shown(client.get(changelist(User)))


def test_outsider_gets_no_change_pages(client, out, placed, grid, community):
    team = VanguardTeamFactory(grid=grid)
    post = PostFactory(role=Post.Role.PART_TIME_MEMBER, community=community)
    client.force_login(out)
    for obj in (placed, grid, community, team, post, placed.registrations.get()):
        response = client.get(change_url(obj))
        assert response.status_code in (302, 403, 404), obj
        if response.status_code == 302:
            assert response.url == reverse("admin:index")


def test_outsider_cannot_post_changes(client, out, placed, community, grid, other_community):
    client.force_login(out)
    response = client.post(
        change_url(community), {"street": community.street_id, "name": "被改名", "kind": "community", "lat": 24.8}
    )
    assert response.status_code in (302, 403, 404)
    community.refresh_from_db()
    assert community.name == "工业中社区"

    response = client.post(
        change_url(placed),
        {"user": placed.user_id, "kind": "resident", "skills": "[]", "community": other_community.pk},
    )
    assert response.status_code in (302, 403, 404)
    placed.refresh_from_db()
    assert (placed.kind, placed.community_id) == (Member.Kind.IN_SERVICE, community.pk)

    response = client.post(reverse("admin:grids_grid_delete", args=[grid.pk]), {"post": "yes"})
    assert response.status_code in (302, 403, 404)
    assert Grid.objects.filter(pk=grid.pk).exists()


def test_outsider_autocomplete_leaves_out_this_community(client, out, sec, placed, grid, community):
    def autocomplete(model_name, field_name, term=""):
        params = {"app_label": "grids", "model_name": model_name, "field_name": field_name, "term": term}
        response = client.get(reverse("admin:autocomplete"), params)
        assert response.status_code == 200
        return {int(r["id"]) for r in response.json()["results"]}

    client.force_login(out)
    assert placed.pk not in autocomplete("teammembership", "member", "王")
    assert grid.pk not in autocomplete("vanguardteam", "grid")
    assert community.pk not in autocomplete("grid", "community")
    assert placed.user_id not in {int(i) for i in autocomplete("member", "user", "王")}

    client.force_login(sec)  # the same queries find them for their own secretary
    assert placed.pk in autocomplete("teammembership", "member", "wjg")
    assert grid.pk in autocomplete("vanguardteam", "grid")
    assert community.pk in autocomplete("grid", "community")
    assert placed.user_id in autocomplete("member", "user", "13712340123")


def test_outsider_cannot_pick_this_community_in_a_form(client, out, community, other_community):
    client.force_login(out)
    response = client.post(
        add_url(Grid), {"community": community.pk, "level": 2, "kind": "residential_group", "name": "越界网格"}
    )
    assert response.status_code == 200  # the form comes back with an error
    assert response.context["adminform"].form.errors["community"]
    assert not Grid.objects.filter(name="越界网格").exists()


def test_staff_without_post_sees_nothing(client, placed, community):
    nobody = UserFactory(is_staff=True)
    client.force_login(nobody)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert not [app for app in index.context["app_list"] if app["app_label"] == "grids"]
    for model in (*GRID_MODELS, User):
        assert client.get(changelist(model)).status_code == 403, model
    assert client.get(change_url(placed)).status_code in (302, 403)


def test_secretary_cannot_edit_nodes_above_or_create_posts_above(client, sec, street, community):
    client.force_login(sec)
    assert client.get(change_url(street)).status_code == 200  # may look
    response = client.post(change_url(street), {"district": street.district_id, "name": "改名街道", "kind": "town"})
    assert response.status_code == 403
    street.refresh_from_db()
    assert street.name == "新华街道"

    # A street post at their own street: the street is visible, but the post would be above them.
    response = client.post(add_url(Post), {"user": sec.pk, "role": Post.Role.STREET_STAFF, "street": street.pk, **WHEN})
    assert response.status_code == 403, response.context and response.context["adminform"].form.errors
    assert not Post.objects.filter(role=Post.Role.STREET_STAFF).exists()
    response = client.post(add_url(Post), {"user": sec.pk, "role": Post.Role.CITY_STAFF, **WHEN})
    assert response.status_code == 403
    assert not Post.objects.filter(role=Post.Role.CITY_STAFF).exists()


def test_secretary_appoints_part_time_member_in_own_community(client, sec, placed, community):
    client.force_login(sec)
    response = client.post(
        add_url(Post), {"user": placed.user_id, "role": Post.Role.PART_TIME_MEMBER, "community": community.pk, **WHEN}
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert Post.objects.filter(user=placed.user, role=Post.Role.PART_TIME_MEMBER, community=community).exists()


def test_secretary_edits_own_member_and_community(client, sec, placed, community, grid):
    client.force_login(sec)
    response = client.post(
        change_url(placed),
        {
            "user": placed.user_id,
            "kind": "in_service",
            "unit": placed.unit_id,
            "skills": '["doctor"]',
            "home_address": "新地址",
            "home_lat": "",
            "home_lng": "",
            "community": community.pk,
            "grid": grid.pk,
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    placed.refresh_from_db()
    assert (placed.skills, placed.home_address) == (["doctor"], "新地址")


def test_registration_is_read_only(client, admin_user, pending):
    client.force_login(admin_user)
    response = client.post(change_url(pending), {"status": "placed", "note": "改"})
    assert response.status_code == 403
    pending.refresh_from_db()
    assert (pending.status, pending.note) == (Registration.Status.PENDING, "")
    assert client.get(change_url(pending)).status_code == 200  # viewable
    assert "code_hash" not in client.get(change_url(pending)).content.decode()


# --- actions call the services -----------------------------------------------------------------


def test_decline_action_moves_registration_to_next_choice(client, sec, pending, other_community):
    client.force_login(sec)
    response = client.post(
        changelist(Registration),
        {"action": "decline", "_selected_action": [pending.pk], "reason": "本社区名额已满"},
        follow=True,
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.community_id == other_community.pk
    assert pending.note == "本社区名额已满"
    assert RegistrationChoice.objects.get(registration=pending, rank=1).declined_at is not None
    assert "已婉拒 1 条报到" in response.content.decode()


def test_decline_action_reports_service_error_and_changes_nothing(client, sec, placed):
    reg = placed.registrations.get()
    client.force_login(sec)
    response = client.post(changelist(Registration), {"action": "decline", "_selected_action": [reg.pk]}, follow=True)
    reg.refresh_from_db()
    assert (reg.status, reg.community_id) == (Registration.Status.PLACED, placed.community_id)
    assert "不能婉拒" in response.content.decode()


def test_outsider_cannot_decline_this_community_registration(client, out, pending, community):
    client.force_login(out)
    client.post(changelist(Registration), {"action": "decline", "_selected_action": [pending.pk]})
    pending.refresh_from_db()
    assert pending.community_id == community.pk


def test_adjust_action_creates_adjusted_registration(client, district_officer, placed, other_community):
    officer = staff(district_officer)
    old = placed.registrations.get()
    client.force_login(officer)
    page = client.get(changelist(Member))
    assert other_community in page.context["action_form"].fields["community"].queryset
    response = client.post(
        changelist(Member),
        {"action": "adjust", "_selected_action": [placed.pk], "community": other_community.pk, "note": "就近调剂"},
        follow=True,
    )
    assert "已将 1 名党员调剂到东堤社区" in response.content.decode()
    old.refresh_from_db()
    assert old.status == Registration.Status.ENDED
    new = Registration.objects.get(member=placed, status=Registration.Status.PENDING)
    assert (new.community_id, new.source, new.decided_by_id, new.note) == (
        other_community.pk,
        Registration.Source.ADJUSTED,
        officer.pk,
        "就近调剂",
    )


def test_adjust_action_refused_for_a_secretary(client, sec, placed, other_community):
    client.force_login(sec)
    page = client.get(changelist(Member))
    assert not page.context["action_form"].fields["community"].queryset.exists()
    response = client.post(
        changelist(Member),
        {"action": "adjust", "_selected_action": [placed.pk], "community": other_community.pk},
        follow=True,
    )
    assert "请选择要调剂到的社区" in response.content.decode()
    assert placed.registrations.get().status == Registration.Status.PLACED
    assert not Registration.objects.filter(source=Registration.Source.ADJUSTED).exists()


def test_secretary_index_lists_grids_models(client, sec):
    client.force_login(sec)
    index = client.get(reverse("admin:index"))
    grids_app = next(app for app in index.context["app_list"] if app["app_label"] == "grids")
    names = {m["object_name"] for m in grids_app["models"]}
    assert {"Member", "Registration", "Grid", "VanguardTeam", "Post"} <= names


def test_secretary_creates_team_with_captain_inline(client, sec, placed, grid, other_community):
    elsewhere = MemberFactory(community=other_community)
    client.force_login(sec)

    def post(member):
        return client.post(
            add_url(VanguardTeam),
            {
                "grid": grid.pk,
                "name": f"先锋队{member.pk}",
                "created_at_0": "2026-01-05",
                "created_at_1": "09:00:00",
                "memberships-TOTAL_FORMS": "1",
                "memberships-INITIAL_FORMS": "0",
                "memberships-0-member": member.pk,
                "memberships-0-role": TeamMembership.Role.CAPTAIN,
                "memberships-0-joined_at_0": "2026-01-05",
                "memberships-0-joined_at_1": "09:00:00",
            },
        )

    response = post(placed)
    assert response.status_code == 302, response.context and response.context["inline_admin_formsets"][0].formset.errors
    team = VanguardTeam.objects.get(name=f"先锋队{placed.pk}")
    assert team.memberships.get().member == placed
    # A member of another community is not a valid choice for this secretary.
    response = post(elsewhere)
    assert response.status_code == 200
    assert not VanguardTeam.objects.filter(name=f"先锋队{elsewhere.pk}").exists()


def test_grid_secretary_sees_own_grid_only(client, community, grid, building, placed):
    other_grid = Level2GridFactory(community=community)
    in_building = MemberFactory(community=community, grid=building)
    next_door = MemberFactory(community=community, grid=other_grid)
    user = UserFactory(is_staff=True)
    PostFactory(user=user, role=Post.Role.GRID_SECRETARY, community=None, grid=grid)
    client.force_login(user)
    assert shown(client.get(changelist(Member))) == {placed.pk, in_building.pk}
    assert shown(client.get(changelist(Grid))) == {grid.pk, building.pk}
    assert shown(client.get(changelist(Community))) == {community.pk}  # may look at it ...
    assert client.post(change_url(community), {"name": "改名"}).status_code == 403  # ... not change it
    assert client.get(change_url(next_door)).status_code == 302
