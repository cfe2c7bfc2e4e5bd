"""Reads for a team's page: its members, hours this year, board place and tasks."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from grids.models import TeamMembership, VanguardTeam
from grids.selectors.teams import leader_role, team_memberships
from orders.models import Task
from rankings.selectors.boards import team_entry
from rankings.selectors.published import published_day
from reporting.selectors import confirmed_minutes_by_member

TASKS_SHOWN = 20


@dataclass
class TeamSummary:
    team: VanguardTeam
    role: str | None  # the viewer's role in the team
    year: int
    memberships: list[TeamMembership] = field(default_factory=list)
    minutes: int = 0
    minutes_by_member: dict[int, int] = field(default_factory=dict)
    board: dict | None = None  # the team's row on the teams board, None before a board is built
    board_day: object = None

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def role_label(self) -> str:
        return TeamMembership.Role(self.role).label if self.role else ""


def team_summary(team: VanguardTeam, viewer) -> TeamSummary:
    """Everything the team page shows above its tasks, in a handful of queries whatever its size."""
    year = timezone.localdate().year
    memberships = list(team_memberships(team))
    # The team's hours: confirmed service minutes of its current members this year.
    by_member = confirmed_minutes_by_member([m.member_id for m in memberships], year)
    for m in memberships:
        m.minutes = by_member.get(m.member_id, 0)
        m.hours = round(m.minutes / 60, 1)
    day = published_day()
    return TeamSummary(
        team=team,
        role=leader_role(viewer, team),
        year=year,
        memberships=memberships,
        minutes=sum(by_member.values()),
        minutes_by_member=by_member,
        board=team_entry(team, day) if day is not None else None,
        board_day=day.day if day is not None else None,
    )


def team_tasks(team: VanguardTeam) -> QuerySet[Task]:
    """The tasks whistled to the team, the latest start first."""
    return Task.objects.select_related("community", "grid", "team").filter(team=team).order_by("-starts_at", "-pk")
