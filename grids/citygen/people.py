"""Planning the people of the generated city: staff, members and their registrations,
the posts members hold and the vanguard teams."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from datetime import timedelta

from grids.citygen.common import UNUSABLE_PASSWORD, scatter, skills_for
from grids.citygen.rows import (
    ChoiceRec,
    CommunityRec,
    MemberRec,
    MembershipRec,
    PostRec,
    RegistrationRec,
    TeamRec,
    UserRec,
)
from grids.citygen.scale import OTHER_KINDS, OTHER_SHARE
from grids.models import Member, Post, Registration, TeamMembership

FLUSH_EVERY = 5000  # hand members to the writer in batches of this size


class PeopleMixin:
    """Part of the city planner (``grids.citygen.plan``): everyone with a phone number."""

    # --- people ---------------------------------------------------------------------

    def _user(self, *, staff: bool = False) -> UserRec:
        person = self.names.person()
        u = UserRec(
            phone=self.phones.next(),
            name=person.name,
            name_initials=person.initials,
            password=UNUSABLE_PASSWORD,
            is_staff=staff,
            date_joined=self.now - timedelta(days=self.rng.randint(120, 1100)),
        )
        self.plan.users.append(u)
        return u

    def _staff(self) -> None:
        plan, R, now = self.plan, Post.Role, self.now
        for c in plan.communities:
            plan.posts.append(PostRec(user=self._user(staff=True), role=R.SECRETARY, community=c, created_at=now))
        for street in self.streets.values():
            plan.posts.append(PostRec(user=self._user(staff=True), role=R.STREET_STAFF, street=street, created_at=now))
        self.district_staff: dict[str, list[UserRec]] = {}
        for name, district in self.districts.items():
            users = [self._user(staff=True) for _ in range(2)]
            self.district_staff[name] = users
            plan.posts += [PostRec(user=u, role=R.DISTRICT_STAFF, district=district, created_at=now) for u in users]
        for _ in range(3):
            plan.posts.append(PostRec(user=self._user(staff=True), role=R.CITY_STAFF, created_at=now))

    def _members(self) -> None:
        rng, plan = self.rng, self.plan
        total = plan.counts["members"]
        others = round(total * OTHER_SHARE) if total > 1 else 0
        in_service = total - others
        comms = plan.communities
        cum_households = list(itertools.accumulate(c.households for c in comms))
        # Every unit sends at least one member (when there are enough), the rest by unit size.
        units = list(range(len(plan.units)))
        unit_of = units[:in_service] + rng.choices(units, weights=self.unit_weight, k=max(0, in_service - len(units)))
        rng.shuffle(unit_of)
        other_kinds = [k for k, _ in OTHER_KINDS]
        other_weights = [w for _, w in OTHER_KINDS]
        self.placed_in: dict[int, list[MemberRec]] = defaultdict(list)  # community → placed members
        self.placed_in_grid: dict[int, list[MemberRec]] = defaultdict(list)  # level-2 grid → its members
        for i in range(total):
            if i < in_service:
                unit = plan.units[unit_of[i]]
                kind = Member.Kind.IN_SERVICE
                paired = self.unit_pairs[id(unit)]
                if paired and rng.random() < 0.45:
                    home = rng.choice(paired)
                else:
                    near = self.communities_by_district.get(unit.district.name) if unit.district else None
                    home = rng.choice(near) if near else rng.choices(comms, cum_weights=cum_households)[0]
            else:
                unit, paired = None, []
                kind = rng.choices(other_kinds, weights=other_weights)[0]
                home = rng.choices(comms, cum_weights=cum_households)[0]
            user = self._user()
            lat, lng = scatter(rng, home.lat, home.lng, 1500)
            m = MemberRec(
                user=user,
                kind=kind,
                unit=unit,
                skills=json.dumps(skills_for(unit.name if unit else None, rng)),
                home_address=f"{home.address}附近",
                home_lat=lat,
                home_lng=lng,
                created_at=user.date_joined,
            )
            plan.members.append(m)
            self._register(m, home, paired)
            if (i + 1) % FLUSH_EVERY == 0:
                self._flush("users", "members", "registrations", "choices")

    def _register(self, m: MemberRec, home: CommunityRec, paired: list[CommunityRec]) -> None:
        """Most members are placed where they live (or at their unit's paired community);
        some wait for the community, a few were adjusted by the district or wait for it."""
        rng, plan = self.rng, self.plan
        created = m.created_at + timedelta(days=rng.randint(0, 20))
        r = rng.random() if m.kind == Member.Kind.IN_SERVICE else 1.0
        S = Registration.Status
        if r < 0.02:  # has not registered yet
            return
        if r < 0.03:  # every choice declined: waiting for the district to adjust
            reg = RegistrationRec(
                member=m, community=None, grid=None, status=S.UNPLACED, source=Registration.Source.SELF_SELECTED,
                decided_by=m.user, created_at=created, note="所选社区报到人数已满，待区里调剂",
            )  # fmt: skip
            plan.registrations.append(reg)
            plan.choices.append(
                ChoiceRec(registration=reg, community=home, rank=1, declined_at=created + timedelta(days=2))
            )
            return
        if r < 0.08:  # waiting for the community to place them
            reg = RegistrationRec(
                member=m, community=home, grid=None, status=S.PENDING, source=Registration.Source.SELF_SELECTED,
                decided_by=m.user,
                created_at=self.now - timedelta(days=rng.randint(0, 14), minutes=rng.randint(0, 1440)),
            )  # fmt: skip
            plan.registrations.append(reg)
            more = [c for c in self.communities_by_district[home.district_name] if c is not home]
            extra = rng.sample(more, min(len(more), rng.randint(0, 2)))
            plan.choices += [ChoiceRec(registration=reg, community=c, rank=n) for n, c in enumerate([home, *extra], 1)]
            return
        community, source, decided_by = home, Registration.Source.SELF_SELECTED, m.user
        if r < 0.16:  # self-selected first, then adjusted (调剂) by the district
            options = [c for c in (paired or self.communities_by_district[home.district_name]) if c is not home]
            if options:
                old_grid = rng.choice(self.grids_of[id(home)])
                old = RegistrationRec(
                    member=m, community=home, grid=old_grid, status=S.ENDED, source=Registration.Source.SELF_SELECTED,
                    decided_by=m.user,
                    created_at=created, placed_at=created + timedelta(days=3), ended_at=created + timedelta(days=40),
                )  # fmt: skip
                plan.registrations.append(old)
                plan.choices.append(ChoiceRec(registration=old, community=home, rank=1))
                community = rng.choice(options)
                source = Registration.Source.ADJUSTED
                decided_by = rng.choice(self.district_staff[community.district_name])
                created += timedelta(days=40)
        level2 = rng.choice(self.grids_of[id(community)])
        grid = level2
        if m.kind != Member.Kind.IN_SERVICE:  # residents belong to their building
            grid = rng.choice(self.buildings_of[id(level2)])
        m.community, m.grid = community, grid
        reg = RegistrationRec(
            member=m,
            community=community,
            grid=grid,
            status=S.PLACED,
            source=source,
            decided_by=decided_by,
            created_at=created,
            placed_at=created + timedelta(days=rng.randint(1, 10)),
        )
        if source == Registration.Source.ADJUSTED:
            reg.note = "区委组织部统筹调剂：就近就便、相对均衡"
        else:
            plan.choices.append(ChoiceRec(registration=reg, community=community, rank=1))
        plan.registrations.append(reg)
        self.placed_in[id(community)].append(m)
        self.placed_in_grid[id(level2)].append(m)

    # --- posts held by members, and the vanguard teams ---------------------------------

    def _member_posts(self) -> None:
        """First secretary and two part-time members per community from its in-service
        members; a grid secretary on every level-2 grid, party members first."""
        rng, plan, R = self.rng, self.plan, Post.Role
        self.first_secretary: dict[int, MemberRec] = {}
        for c in plan.communities:
            in_service = [m for m in self.placed_in[id(c)] if m.kind == Member.Kind.IN_SERVICE]
            for n, m in enumerate(rng.sample(in_service, min(3, len(in_service)))):
                role = R.FIRST_SECRETARY if n == 0 else R.PART_TIME_MEMBER
                plan.posts.append(PostRec(user=m.user, role=role, community=c, created_at=m.created_at))
                if n == 0:
                    self.first_secretary[id(c)] = m
        self.grid_secretary: dict[int, MemberRec] = {}
        party = (Member.Kind.COMMUNITY_PARTY, Member.Kind.VETERAN_PARTY)
        for g in plan.grids2:
            pool = self.placed_in_grid[id(g)] or self.placed_in[id(g.community)]
            if not pool:
                continue
            preferred = [m for m in pool if m.kind in party]
            m = rng.choice(preferred or pool)
            self.grid_secretary[id(g)] = m
            plan.posts.append(PostRec(user=m.user, role=R.GRID_SECRETARY, grid=g, created_at=m.created_at))

    def _teams(self) -> None:
        """党群先锋队 on as many level-2 grids as the count asks: the grid secretary leads it,
        the community's first secretary is vice-captain, members of every kind join."""
        rng, plan, Role = self.rng, self.plan, TeamMembership.Role
        grids = [plan.grids2[i] for i in sorted(rng.sample(range(len(plan.grids2)), plan.counts["teams"]))]
        everyone = plan.members
        for g in grids:
            created = self.now - timedelta(days=rng.randint(60, 900))
            team = TeamRec(grid=g, name=f"{g.name}党群先锋队", created_at=created)
            plan.teams.append(team)
            captain = self.grid_secretary.get(id(g)) or rng.choice(everyone)
            vice = self.first_secretary.get(id(g.community))
            if vice is None or vice is captain:
                vice = next(m for m in self.placed_in[id(g.community)] + everyone if m is not captain)
            pool = [m for m in self.placed_in_grid[id(g)] if m is not captain and m is not vice]
            if len(pool) < 6:
                pool += [m for m in self.placed_in[id(g.community)] if m is not captain and m is not vice]
            pool = list({id(m): m for m in pool}.values())
            picked = rng.sample(pool, min(len(pool), rng.randint(6, 18)))
            rows = [(captain, Role.CAPTAIN), (vice, Role.VICE_CAPTAIN)] + [(m, Role.MEMBER) for m in picked]
            plan.memberships += [MembershipRec(team=team, member=m, role=role, joined_at=created) for m, role in rows]
