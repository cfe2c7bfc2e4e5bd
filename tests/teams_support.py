"""A vanguard team with a captain, a vice-captain and a member, and everyone around it who must be
refused: a neighbouring team's captain (same community, next grid), a member of the community not
in the team, a member of another community, and a community secretary of elsewhere."""

from __future__ import annotations

from dataclasses import dataclass

from grids.models import Member, TeamMembership, VanguardTeam
from tests.accounts.factories import UserFactory
from tests.grids.factories import Level2GridFactory, MemberFactory, PostFactory

R = TeamMembership.Role


@dataclass
class Teams:
    team: VanguardTeam
    neighbour_team: VanguardTeam
    captain: Member
    vice: Member
    plain: Member  # a member of the team (队员)
    candidate: Member  # registered with the community, not in the team
    stranger: Member  # registered with another community
    neighbour_captain: Member
    neighbour_member: Member
    outsider_user: object  # a secretary of another community


def build_teams(community, grid, other_community) -> Teams:
    next_grid = Level2GridFactory(community=community, name="第四网格")
    team = VanguardTeam.objects.create(grid=grid, name="第三网格党群先锋队")
    neighbour_team = VanguardTeam.objects.create(grid=next_grid, name="第四网格党群先锋队")

    def person(phone: str, name: str, *, at=community, in_grid=grid) -> Member:
        return MemberFactory(
            user=UserFactory(phone=phone, name=name), kind=Member.Kind.COMMUNITY_PARTY, unit=None,
            community=at, grid=in_grid,
        )  # fmt: skip

    captain = person("13900000001", "赵队长")
    vice = person("13900000002", "钱副队长")
    plain = person("13900000003", "孙队员")
    candidate = person("13900000004", "李居民党员")
    stranger = person("13900000005", "周外社区", at=other_community, in_grid=None)
    neighbour_captain = person("13900000006", "吴邻队长", in_grid=next_grid)
    neighbour_member = person("13900000007", "郑邻队员", in_grid=next_grid)
    for member, role, t in [
        (captain, R.CAPTAIN, team),
        (vice, R.VICE_CAPTAIN, team),
        (plain, R.MEMBER, team),
        (neighbour_captain, R.CAPTAIN, neighbour_team),
        (neighbour_member, R.MEMBER, neighbour_team),
    ]:
        TeamMembership.objects.create(team=t, member=member, role=role)
    outsider_user = UserFactory(phone="13900000009", name="外社区书记")
    PostFactory(user=outsider_user, community=other_community)
    return Teams(
        team=team,
        neighbour_team=neighbour_team,
        captain=captain,
        vice=vice,
        plain=plain,
        candidate=candidate,
        stranger=stranger,
        neighbour_captain=neighbour_captain,
        neighbour_member=neighbour_member,
        outsider_user=outsider_user,
    )


def remove_vice(t: Teams) -> None:
    """The captain removes the vice-captain: afterwards the former vice-captain is an outsider."""
    from grids.services.teams import team_member_remove

    team_member_remove(actor=t.captain.user, team=t.team, member=t.vice)
