"""The demo's posts (书记, 街道, 组织部 …) and vanguard teams (党群先锋队) with their members."""

from __future__ import annotations

import random

from grids.citygen.demo_plan import (
    ACCOUNT,
    ARTICLE_COMMUNITY,
    ARTICLE_GRID,
    COMMUNITIES,
    DEMO_UNIT,
    SEED,
    MemberSpec,
    grid_names,
)
from grids.models import Member, Post, Registration, TeamMembership, VanguardTeam


class DemoTeams:
    def _posts(self, specs, staff, districts, streets) -> None:
        R = Post.Role
        want = [
            (ACCOUNT["secretary"].phone, R.SECRETARY, {"community": self.communities[ARTICLE_COMMUNITY]}),
            (ACCOUNT["street"].phone, R.STREET_STAFF, {"street": streets[("武江区", "新华街道")]}),
            (ACCOUNT["district"].phone, R.DISTRICT_STAFF, {"district": districts["武江区"]}),
            (staff["street:惠民街道"][1], R.STREET_STAFF, {"street": streets[("武江区", "惠民街道")]}),
            (staff["district:浈江区"][1], R.DISTRICT_STAFF, {"district": districts["浈江区"]}),
            (staff["city"][1], R.CITY_STAFF, {}),
            (ACCOUNT["unit"].phone, R.UNIT_SECRETARY, {"unit": self.units[DEMO_UNIT]}),
        ]
        for spec in COMMUNITIES:
            community = self.communities[spec.name]
            if spec.name != ARTICLE_COMMUNITY:
                want.append((staff[f"secretary:{spec.name}"][1], R.SECRETARY, {"community": community}))
            first, part_time = self._in_service_of(specs, spec.name)[:2]
            want.append((first.phone, R.FIRST_SECRETARY, {"community": community}))
            want.append((part_time.phone, R.PART_TIME_MEMBER, {"community": community}))
        for spec, grid_name in self._team_grids():
            want.append((self._grid_secretary(specs, spec.name, grid_name).phone, R.GRID_SECRETARY,
                         {"grid": self.grids[(spec.name, grid_name)]}))  # fmt: skip
        for phone, role, node in want:
            Post.objects.get_or_create(user=self.users[phone], role=role, **node)

    def _team_grids(self):
        for spec in COMMUNITIES:
            names = grid_names(spec)
            for name in names if spec.name == ARTICLE_COMMUNITY else names[:1]:
                yield spec, name

    @staticmethod
    def _in_service_of(specs, community: str) -> list[MemberSpec]:
        return [
            s
            for s in specs
            if s.community == community and s.kind == Member.Kind.IN_SERVICE and s.status == Registration.Status.PLACED
            and s.phone not in (ACCOUNT["member"].phone, ACCOUNT["captain"].phone)
        ]  # fmt: skip

    @staticmethod
    def _grid_secretary(specs, community: str, grid: str) -> MemberSpec:
        if (community, grid) == (ARTICLE_COMMUNITY, ARTICLE_GRID):
            # The demo's captain signs in with a known phone (README, 演示账号).
            return next(s for s in specs if s.phone == ACCOUNT["captain"].phone)
        in_grid = [s for s in specs if s.community == community and s.grid == grid and s.status == "placed"]
        in_grid = [s for s in in_grid if s.phone not in (ACCOUNT["member"].phone, ACCOUNT["captain"].phone)]
        party = [s for s in in_grid if s.kind in (Member.Kind.COMMUNITY_PARTY, Member.Kind.VETERAN_PARTY)]
        return (party or in_grid)[0]

    def _teams(self, specs) -> None:
        rng = random.Random(SEED + 1)
        for spec, grid_name in self._team_grids():
            grid = self.grids[(spec.name, grid_name)]
            team, created = VanguardTeam.objects.get_or_create(grid=grid, name=f"{grid_name}党群先锋队")
            if not created and team.memberships.exists():
                continue
            captain = self._grid_secretary(specs, spec.name, grid_name)
            # The vice-captain is the community's first secretary (the article's 双团队).
            vice = next(s for s in self._in_service_of(specs, spec.name) if s.phone != captain.phone)
            in_grid = [s for s in specs if s.community == spec.name and s.grid == grid_name and s.status == "placed"]
            others = [s for s in in_grid if s.phone not in (captain.phone, vice.phone)]
            picked = rng.sample(others, min(len(others), rng.randint(4, 8)))
            demo_member = (
                next(s for s in others if s.phone == ACCOUNT["member"].phone) if grid_name == ARTICLE_GRID else None
            )
            if demo_member and demo_member not in picked:
                picked.append(demo_member)
            rows = [(captain, TeamMembership.Role.CAPTAIN), (vice, TeamMembership.Role.VICE_CAPTAIN)]
            rows += [(s, TeamMembership.Role.MEMBER) for s in picked]
            TeamMembership.objects.bulk_create(
                TeamMembership(team=team, member=self.members[s.phone], role=role) for s, role in rows
            )
