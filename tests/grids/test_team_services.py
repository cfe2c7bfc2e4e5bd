"""Captains run their team: who may add and remove members, what is refused, the audit rows and
the notices (grids.services.teams)."""

import pytest

from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.models import AuditEntry
from grids.models import TeamMembership
from grids.selectors.teams import team_ids_of_member
from grids.services.teams import team_leave, team_member_add, team_member_remove
from notifications.models import Notification
from tests.teams_support import build_teams, remove_vice

pytestmark = pytest.mark.django_db
R = TeamMembership.Role


@pytest.fixture
def t(community, grid, other_community):
    return build_teams(community, grid, other_community)


def in_team(t, member) -> bool:
    return TeamMembership.objects.filter(team=t.team, member=member).exists()


# --- adding ------------------------------------------------------------------------------------


@pytest.mark.parametrize("leader", ["captain", "vice"])
def test_a_leader_adds_a_community_member_by_phone(t, leader, django_capture_on_commit_callbacks):
    actor = getattr(t, leader).user
    with django_capture_on_commit_callbacks(execute=True):
        membership = team_member_add(actor=actor, team=t.team, phone="+86 139-0000-0004")
    assert membership.member == t.candidate and membership.role == R.MEMBER
    row = AuditEntry.objects.get(object_type="grids.teammembership", object_id=str(membership.pk))
    assert row.action == AuditEntry.Action.CREATED and row.actor_id == actor.pk
    assert "添加队员" in row.note
    notice = Notification.objects.get(user=t.candidate.user)
    assert notice.kind == "team_joined" and t.team.name in notice.title
    assert not Notification.objects.filter(user=actor).exists()


@pytest.mark.parametrize("who", ["neighbour_captain", "plain", "candidate", "stranger", "outsider", "removed"])
def test_nobody_else_may_add(t, who):
    if who == "removed":
        remove_vice(t)
        actor = t.vice.user
    elif who == "outsider":
        actor = t.outsider_user
    else:
        actor = getattr(t, who).user
    with pytest.raises(PermissionDenied) as exc:
        team_member_add(actor=actor, team=t.team, phone=t.candidate.user.phone)
    assert exc.value.code == "not_team_leader"
    assert not in_team(t, t.candidate)


def test_only_members_registered_with_the_team_grids_community(t):
    with pytest.raises(ValidationFailed) as exc:
        team_member_add(actor=t.captain.user, team=t.team, phone=t.stranger.user.phone)
    assert exc.value.code == "not_in_community" and exc.value.field == "phone"
    assert "工业中社区" in exc.value.message
    assert not in_team(t, t.stranger)


@pytest.mark.parametrize(
    ("phone", "code"), [("12345", "invalid_phone"), ("13912345678", "no_member"), ("13800000001x", "invalid_phone")]
)
def test_a_bad_or_unknown_phone_is_refused(t, phone, code):
    with pytest.raises(ValidationFailed) as exc:
        team_member_add(actor=t.captain.user, team=t.team, phone=phone)
    assert exc.value.code == code
    assert TeamMembership.objects.filter(team=t.team).count() == 3


def test_adding_someone_twice_is_a_conflict(t):
    with pytest.raises(Conflict) as exc:
        team_member_add(actor=t.captain.user, team=t.team, phone=t.plain.user.phone)
    assert exc.value.code == "already_in_team"


def test_a_member_of_a_neighbouring_team_may_join_this_one_too(t):
    team_member_add(actor=t.captain.user, team=t.team, phone=t.neighbour_member.user.phone)
    assert in_team(t, t.neighbour_member)
    assert set(team_ids_of_member(t.neighbour_member.pk)) == {t.team.pk, t.neighbour_team.pk}


# --- removing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("leader", ["captain", "vice"])
def test_a_leader_removes_a_member(t, leader, django_capture_on_commit_callbacks):
    actor = getattr(t, leader).user
    pk = TeamMembership.objects.get(team=t.team, member=t.plain).pk
    assert team_ids_of_member(t.plain.pk) == [t.team.pk]  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        team_member_remove(actor=actor, team=t.team, member=t.plain)
    assert not in_team(t, t.plain)
    assert team_ids_of_member(t.plain.pk) == []  # the cache forgot
    row = AuditEntry.objects.get(object_type="grids.teammembership", object_id=str(pk))
    assert row.action == AuditEntry.Action.DELETED and row.actor_id == actor.pk
    assert row.changes["member_id"][0] == t.plain.pk
    assert Notification.objects.get(user=t.plain.user).kind == "team_removed"


def test_the_captain_may_remove_the_vice_captain(t):
    remove_vice(t)
    assert not in_team(t, t.vice)


@pytest.mark.parametrize("leader", ["captain", "vice"])
def test_nobody_removes_themself(t, leader):
    me = getattr(t, leader)
    with pytest.raises(PermissionDenied) as exc:
        team_member_remove(actor=me.user, team=t.team, member=me)
    assert exc.value.code == "cannot_remove_self"
    assert in_team(t, me)


def test_the_vice_captain_cannot_remove_the_captain(t):
    with pytest.raises(PermissionDenied) as exc:
        team_member_remove(actor=t.vice.user, team=t.team, member=t.captain)
    assert exc.value.code == "cannot_remove_captain"
    assert in_team(t, t.captain)


@pytest.mark.parametrize("who", ["neighbour_captain", "plain", "candidate", "stranger", "outsider", "removed"])
def test_nobody_else_may_remove(t, who):
    if who == "removed":
        remove_vice(t)
        actor = t.vice.user
    elif who == "outsider":
        actor = t.outsider_user
    else:
        actor = getattr(t, who).user
    victim = t.captain if who == "plain" else t.plain
    with pytest.raises(PermissionDenied):
        team_member_remove(actor=actor, team=t.team, member=victim)
    assert in_team(t, victim)
    assert not AuditEntry.objects.filter(object_type="grids.teammembership", action="deleted", actor_id=actor.pk)


def test_removing_someone_not_in_the_team(t):
    with pytest.raises(NotFound):
        team_member_remove(actor=t.captain.user, team=t.team, member=t.neighbour_member)
    assert TeamMembership.objects.filter(team=t.neighbour_team, member=t.neighbour_member).exists()


# --- leaving -----------------------------------------------------------------------------------


def test_a_member_leaves_and_the_leaders_are_told(t, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        team_leave(actor=t.plain.user, team=t.team)
    assert not in_team(t, t.plain)
    assert {n.user_id for n in Notification.objects.filter(kind="team_left")} == {t.captain.user_id, t.vice.user_id}
    assert AuditEntry.objects.filter(object_type="grids.teammembership", action="deleted", actor_id=t.plain.user_id)


def test_the_captain_cannot_leave_and_strangers_have_nothing_to_leave(t):
    with pytest.raises(PermissionDenied):
        team_leave(actor=t.captain.user, team=t.team)
    with pytest.raises(NotFound):
        team_leave(actor=t.candidate.user, team=t.team)
    assert in_team(t, t.captain)
