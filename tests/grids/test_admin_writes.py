"""The grids admin writes through the services: saves, deletes and inlines."""

import pytest
from django.urls import reverse

from grids.models import Community, Pairing, Post, Registration, RegistrationChoice, TeamMembership, Unit
from grids.services import organisation
from grids.services.registration import registration_create, registration_place
from tests.grids.factories import MemberFactory, PairingFactory, UnitFactory, VanguardTeamFactory

pytestmark = pytest.mark.django_db

WHEN = {"created_at_0": "2026-01-05", "created_at_1": "09:00:00"}


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def add_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def delete_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def community_form(community, **changes):
    data = {
        "street": community.street_id,
        "name": community.name,
        "kind": community.kind,
        "address": community.address,
        "lat": community.lat,
        "lng": community.lng,
        "geofence_radius_m": community.geofence_radius_m,
        "households": community.households,
        "members_needed": community.members_needed,
    }
    return data | changes


@pytest.fixture
def sec(secretary):
    secretary.is_staff = True
    secretary.save(update_fields=["is_staff"])
    return secretary


@pytest.fixture
def spy(monkeypatch):
    """Records the calls of the named services (still calling them)."""
    calls = []

    def watch(module, name):
        real = getattr(module, name)

        def wrapper(**kwargs):
            calls.append(name)
            return real(**kwargs)

        monkeypatch.setattr(module, name, wrapper)

    watch.calls = calls
    return watch


def test_admin_edit_of_a_community_name_updates_its_initials(client, sec, community, spy):
    spy(organisation, "community_update")
    client.force_login(sec)
    response = client.post(change_url(community), community_form(community, name="西河社区"))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    community.refresh_from_db()
    assert (community.name, community.name_initials) == ("西河社区", "xhsq")
    assert spy.calls == ["community_update"]


def test_admin_add_of_a_community_and_a_unit_computes_initials(client, admin_user, street, spy):
    spy(organisation, "community_create")
    spy(organisation, "unit_create")
    client.force_login(admin_user)
    response = client.post(
        add_url(Community),
        {"street": street.pk, "name": "西河社区", "kind": "community", "lat": 24.8, "lng": 113.58,
         "geofence_radius_m": 300, "households": 100, "members_needed": 50},
    )  # fmt: skip
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert Community.objects.get(name="西河社区").name_initials == "xhsq"
    response = client.post(add_url(Unit), {"name": "韶关市教育局", "kind": "government_organ"})
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert Unit.objects.get(name="韶关市教育局").name_initials == "sgsjyj"
    assert spy.calls == ["community_create", "unit_create"]


def test_admin_edit_with_nothing_changed_writes_nothing(client, sec, community, spy):
    spy(organisation, "community_update")
    client.force_login(sec)
    response = client.post(change_url(community), community_form(community))
    assert response.status_code == 302
    assert spy.calls == []


def test_admin_refuses_a_pairing_moved_out_of_scope(client, sec, community, other_community):
    client.force_login(sec)
    response = client.post(change_url(community), community_form(community, street=other_community.street_id))
    assert response.status_code == 302  # the same street: still in scope
    # A community secretary cannot move a pairing's community out of their subtree.
    pairing = PairingFactory(community=community)
    response = client.post(change_url(pairing), {"unit": pairing.unit_id, "community": other_community.pk, **WHEN})
    assert response.status_code in (200, 403)
    pairing.refresh_from_db()
    assert pairing.community == community


def test_admin_delete_goes_through_the_service(client, admin_user, community, spy):
    spy(organisation, "pairing_delete")
    pairing = PairingFactory(community=community)
    client.force_login(admin_user)
    response = client.post(delete_url(pairing), {"post": "yes"})
    assert response.status_code == 302
    assert not Pairing.objects.filter(pk=pairing.pk).exists()
    assert spy.calls == ["pairing_delete"]


def test_admin_bulk_delete_goes_through_the_service(client, admin_user, community, other_community, spy):
    spy(organisation, "pairing_delete")
    unit = UnitFactory()
    pairings = [PairingFactory(unit=unit, community=community), PairingFactory(unit=unit, community=other_community)]
    client.force_login(admin_user)
    response = client.post(
        changelist(Pairing),
        {"action": "delete_selected", "_selected_action": [p.pk for p in pairings], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Pairing.objects.exists()
    assert spy.calls == ["pairing_delete", "pairing_delete"]


def test_admin_post_goes_through_the_service(client, sec, community, monkeypatch):
    from grids.admin import posts

    calls = []
    real = posts.post_create
    monkeypatch.setattr(posts, "post_create", lambda **kw: calls.append(kw) or real(**kw))
    user = MemberFactory(community=community).user  # staff pick among the people of their subtree
    client.force_login(sec)
    response = client.post(
        add_url(Post), {"user": user.pk, "role": Post.Role.PART_TIME_MEMBER, "community": community.pk, **WHEN}
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert [c["user"] for c in calls] == [user]


def test_admin_team_inline_goes_through_the_membership_services(client, sec, grid, monkeypatch):
    from grids.admin import posts

    calls = []
    for name in ("team_membership_add", "team_membership_update", "team_membership_remove"):
        real = getattr(posts, name)
        monkeypatch.setattr(posts, name, lambda _real=real, _name=name, **kw: calls.append(_name) or _real(**kw))
    team = VanguardTeamFactory(grid=grid)
    captain, leaving = (MemberFactory(community=grid.community, grid=grid) for _ in range(2))
    kept = TeamMembership.objects.create(team=team, member=captain, role=TeamMembership.Role.MEMBER)
    gone = TeamMembership.objects.create(team=team, member=leaving, role=TeamMembership.Role.MEMBER)
    newcomer = MemberFactory(community=grid.community, grid=grid)
    client.force_login(sec)
    response = client.post(
        change_url(team),
        {
            "grid": grid.pk,
            "name": team.name,
            **WHEN,
            "memberships-TOTAL_FORMS": "3",
            "memberships-INITIAL_FORMS": "2",
            "memberships-0-id": kept.pk,
            "memberships-0-team": team.pk,
            "memberships-0-member": captain.pk,
            "memberships-0-role": TeamMembership.Role.CAPTAIN,
            "memberships-0-joined_at_0": "2026-01-05",
            "memberships-0-joined_at_1": "09:00:00",
            "memberships-1-id": gone.pk,
            "memberships-1-team": team.pk,
            "memberships-1-member": leaving.pk,
            "memberships-1-role": TeamMembership.Role.MEMBER,
            "memberships-1-joined_at_0": "2026-01-05",
            "memberships-1-joined_at_1": "09:00:00",
            "memberships-1-DELETE": "on",
            "memberships-2-team": team.pk,
            "memberships-2-member": newcomer.pk,
            "memberships-2-role": TeamMembership.Role.MEMBER,
            "memberships-2-joined_at_0": "2026-01-05",
            "memberships-2-joined_at_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.context and response.context["inline_admin_formsets"][0].formset.errors
    assert sorted(calls) == ["team_membership_add", "team_membership_remove", "team_membership_update"]
    assert dict(team.memberships.values_list("member_id", "role")) == {
        captain.pk: TeamMembership.Role.CAPTAIN,
        newcomer.pk: TeamMembership.Role.MEMBER,
    }


def test_registration_admin_shows_its_history(client, admin_user, member, community, grid, secretary):
    registration = registration_create(member=member, community_ids=[community.pk], actor=member.user)
    registration_place(registration=registration, grid=grid, actor=secretary)
    client.force_login(admin_user)
    page = client.get(change_url(registration)).content.decode()
    assert "报到进度" in page and "自选报到" in page and "已编入网格" in page
    assert Registration.objects.get().events.count() == 2
    assert RegistrationChoice.objects.count() == 1


def test_registration_history_costs_the_same_queries_however_long(
    client, admin_user, member, community, grid, building, secretary
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    registration = registration_create(member=member, community_ids=[community.pk], actor=member.user)
    registration_place(registration=registration, grid=grid, actor=secretary)
    client.force_login(admin_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(change_url(registration)).status_code == 200
        return len(ctx.captured_queries)

    short = queries()
    for target in (building, grid, building, grid):  # moved between grids: four more events
        registration_place(registration=registration, grid=target, actor=secretary)
    assert registration.events.count() == 6
    assert queries() == short


def test_a_save_the_service_refuses_comes_back_as_a_form_error(client, sec, community, monkeypatch):
    """Not a server error: the form again, with the service's message on its field, nothing saved."""
    from core.errors import ValidationFailed

    def refuse(**kwargs):
        raise ValidationFailed("该街道下已有同名社区。", field="name")

    monkeypatch.setattr(organisation, "community_update", refuse)
    client.force_login(sec)
    response = client.post(change_url(community), community_form(community, name="西河社区"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"name": ["该街道下已有同名社区。"]}
    community.refresh_from_db()
    assert community.name != "西河社区"
