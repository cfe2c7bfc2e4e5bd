"""Captains run their vanguard team (党群先锋队) themselves: add members, remove them; a member
may leave. Every change is a line in the audit trail and a notice to the member concerned.

Adding is direct, not an invitation the member must accept. A vanguard team is the grid party
organisation's own team (its captain is the grid's party secretary, its vice-captain the first
secretary), and organising the party members and volunteers registered in the grid's community
is that organisation's everyday work — as the community places a member into a grid without
asking them. What a grid secretary expects is to type a neighbour's number at a meeting and see
them in the team at once, not to chase an acceptance. The member is protected in three ways: only
a member registered with the team grid's community can be added (no stranger from across the
city), they are told at once in their inbox, and they can leave with one tap on 我的 → 我的先锋队
(``team_leave``). Joining reveals nothing new about them: the captain already typed their number.

Who may act: the team's captain or vice-captain, nobody else (a neighbouring team's captain, a
plain member and staff are refused; the admin keeps its own full access). Neither may remove
themself or the captain; a captain cannot leave (the organisation names a new one in the admin).
The team row is locked while a change is checked and written, so two leaders acting at once
queue and the second sees the first's result.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.phone import normalize_phone
from core import audit
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from grids.models import Member, TeamMembership, VanguardTeam
from grids.selectors.teams import NOT_LEADER, leader_role
from notifications.services import notify_on_commit

R = TeamMembership.Role
MY_TEAMS_URL = "/me/teams/"
TEAM_URL = "/teams/{team_id}/"


def _lock_team(team: VanguardTeam) -> VanguardTeam:
    return VanguardTeam.objects.select_for_update(of=("self",)).select_related("grid__community").get(pk=team.pk)


def _require_leader(actor, team: VanguardTeam) -> str:
    role = leader_role(actor, team)
    if role is None:
        raise PermissionDenied(NOT_LEADER, code="not_team_leader")
    return role


def _actor_label(actor, role: str) -> str:
    return f"{R(role).label}{actor.name or ''}"


@transaction.atomic
def team_member_add(*, actor, team: VanguardTeam, phone: str) -> TeamMembership:
    """The captain or vice-captain adds a member, found by phone, to the team (as 队员)."""
    team = _lock_team(team)
    role = _require_leader(actor, team)
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code="invalid_phone", field="phone") from None
    member = Member.objects.select_related("user").filter(user__phone=phone, user__is_active=True).first()
    if member is None:
        raise ValidationFailed("该手机号还没有党员/志愿者资料，请对方先在平台填写。", code="no_member", field="phone")
    community = team.grid.community
    if member.community_id != community.pk:
        raise ValidationFailed(
            f"{member.user.name or '该党员'}未在{community.name}报到，只能添加在本社区报到的党员/志愿者。",
            code="not_in_community",
            field="phone",
        )
    if TeamMembership.objects.filter(team=team, member=member).exists():
        raise Conflict(f"{member.user.name or '该党员'}已经是本队队员。", code="already_in_team")
    try:
        with transaction.atomic():
            membership = TeamMembership.objects.create(
                team=team, member=member, role=R.MEMBER, joined_at=timezone.now()
            )
    except IntegrityError as exc:  # the unique (team, member) pair, if the lock was bypassed
        raise Conflict(f"{member.user.name or '该党员'}已经是本队队员。", code="already_in_team") from exc
    audit.record(
        audit.Action.CREATED,
        obj=membership,
        actor=actor,
        changes=audit.diff({}, audit.snapshot(membership)),
        note=f"{_actor_label(actor, role)}添加队员",
    )
    notify_on_commit(
        [member.user],
        kind="team_joined",
        title=f"您已加入{team.name}",
        body=f"{_actor_label(actor, role)}将您加入了“{team.name}”（{community.name}）。"
        "本队的任务会出现在您的任务大厅；如不愿参加，可在“我的先锋队”中退出。",
        url=MY_TEAMS_URL,
        skip=actor,
    )
    membership.team, membership.member = team, member
    return membership


@transaction.atomic
def team_member_remove(*, actor, team: VanguardTeam, member: Member) -> None:
    """The captain or vice-captain removes a member; never themself, never the captain.

    Slots the member already holds on the team's tasks stay theirs: they were taken while the
    member belonged to the team, and withdrawing is the member's own decision.
    """
    team = _lock_team(team)
    role = _require_leader(actor, team)
    membership = TeamMembership.objects.filter(team=team, member=member).select_related("member__user").first()
    if membership is None:
        raise NotFound("该党员不在本队。", code="not_in_team")
    if membership.member.user_id == actor.pk:
        raise PermissionDenied("不能把自己移出先锋队。", code="cannot_remove_self")
    if membership.role == R.CAPTAIN:
        raise PermissionDenied("不能移除队长。", code="cannot_remove_captain")
    audit.record(
        audit.Action.DELETED,
        obj=membership,
        actor=actor,
        changes=audit.diff(audit.snapshot(membership), {}),
        note=f"{_actor_label(actor, role)}移除队员",
    )
    membership.delete()
    notify_on_commit(
        [membership.member.user],
        kind="team_removed",
        title=f"您已不在{team.name}",
        body=f"{_actor_label(actor, role)}将您移出了“{team.name}”。您已接的任务不受影响。",
        url=MY_TEAMS_URL,
        skip=actor,
    )


@transaction.atomic
def team_leave(*, actor, team: VanguardTeam) -> None:
    """A member leaves a team of their own accord (the captain cannot: the organisation first
    names a new one). The team's leaders are told."""
    team = _lock_team(team)
    membership = (
        TeamMembership.objects.filter(team=team, member__user_id=getattr(actor, "pk", None))
        .select_related("member__user")
        .first()
    )
    if membership is None:
        raise NotFound("您不在该先锋队。", code="not_in_team")
    if membership.role == R.CAPTAIN:
        raise PermissionDenied("队长不能退出先锋队，请先由组织部门更换队长。", code="captain_cannot_leave")
    audit.record(
        audit.Action.DELETED,
        obj=membership,
        actor=actor,
        changes=audit.diff(audit.snapshot(membership), {}),
        note="队员本人退出",
    )
    membership.delete()
    leaders = TeamMembership.objects.filter(team=team, role__in=[R.CAPTAIN, R.VICE_CAPTAIN]).select_related(
        "member__user"
    )
    notify_on_commit(
        [m.member.user for m in leaders],
        kind="team_left",
        title=f"{actor.name or '一名队员'}退出了{team.name}",
        body=f"{actor.name or '一名队员'}已自行退出“{team.name}”。",
        url=TEAM_URL.format(team_id=team.pk),
        skip=actor,
    )
