"""The demo slice of Shaoguan that ``manage.py seed_demo`` loads: real districts and streets,
新华街道's 工业中社区 (the article's community; its 第三网格 ran a fire-safety sweep) and a few
neighbours, nine units, about 200 people, their posts, registrations and vanguard teams.

Idempotent: everything is keyed on a natural key (district code, street/community/grid/unit
name, phone) and only what is missing is created. People are computed from a fixed seed
before anything is written, so a second run finds every row already there.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.pinyin import person_initials
from grids.citygen.common import UNUSABLE_PASSWORD, ensure_geography, party_org_name
from grids.citygen.demo_plan import (
    ACCOUNT,
    ACCOUNTS,
    ARTICLE_COMMUNITY,
    ARTICLE_GRID,
    COMMUNITIES,
    SEED,
    UNITS,
    DemoAccount,
    MemberSpec,
    buildings_per_grid,
    community_spec,
    grid_names,
    plan_people,
)
from grids.models import (
    Community,
    Grid,
    Member,
    Pairing,
    Post,
    Registration,
    RegistrationChoice,
    Skill,
    TeamMembership,
    Unit,
    VanguardTeam,
)


class _Seeder:
    def __init__(self):
        self.now = timezone.now()
        self.rng = random.Random(SEED)

    def run(self) -> None:
        districts, streets = ensure_geography()
        self.communities = self._communities(streets)
        self.grids, self.buildings = self._grids()
        self.units = self._units(districts)
        specs, staff = plan_people(self.rng)
        self.users = self._users(specs, staff)
        self.members = self._members(specs)
        self._registrations(specs)
        self._posts(specs, staff, districts, streets)
        self._teams(specs)

    # --- organisation ---------------------------------------------------------------

    def _communities(self, streets) -> dict[str, Community]:
        out = {}
        for spec in COMMUNITIES:
            community, _ = Community.objects.get_or_create(
                street=streets[(spec.district, spec.street)],
                name=spec.name,
                defaults={
                    "kind": spec.kind,
                    "lat": spec.lat,
                    "lng": spec.lng,
                    "address": spec.address,
                    "households": spec.households,
                    "members_needed": spec.members_needed,
                    "geofence_radius_m": 500 if spec.kind == Community.Kind.URBAN_VILLAGE else 300,
                },
            )
            out[spec.name] = community
        return out

    def _grids(self):
        ids = [c.pk for c in self.communities.values()]
        existing = {(g.community_id, g.level, g.parent_id, g.name): g for g in Grid.objects.filter(community__in=ids)}
        grids: dict[tuple[str, str], Grid] = {}
        new = []
        for spec in COMMUNITIES:
            community = self.communities[spec.name]
            for i, name in enumerate(grid_names(spec)):
                g = existing.get((community.pk, 2, None, name))
                if g is None:
                    kind = Grid.Kind.PROPERTY_COMPOUND if i % 2 else Grid.Kind.RESIDENTIAL_GROUP
                    g = Grid(community=community, level=2, kind=kind, name=name)
                    new.append(g)
                grids[(spec.name, name)] = g
        Grid.objects.bulk_create(new)
        buildings: dict[tuple[str, str, str], Grid] = {}
        new = []
        for spec in COMMUNITIES:
            for i, name in enumerate(grid_names(spec)):
                parent = grids[(spec.name, name)]
                for b in range(1, buildings_per_grid(spec, i) + 1):
                    key = (parent.community_id, 3, parent.pk, f"{b}栋")
                    g = existing.get(key)
                    if g is None:
                        g = Grid(community_id=parent.community_id, level=3, kind=Grid.Kind.BUILDING, parent=parent)
                        g.name = f"{b}栋"
                        new.append(g)
                    buildings[(spec.name, name, f"{b}栋")] = g
        Grid.objects.bulk_create(new)
        return grids, buildings

    def _units(self, districts) -> dict[str, Unit]:
        out = {}
        for name, kind, district, address, lat, lng, paired in UNITS:
            unit, _ = Unit.objects.get_or_create(
                name=name,
                defaults={
                    "kind": kind,
                    "district": districts[district] if district else None,
                    "party_org_name": party_org_name(name, kind),
                    "address": address,
                    "lat": lat,
                    "lng": lng,
                },
            )
            out[name] = unit
            for c in paired:
                Pairing.objects.get_or_create(unit=unit, community=self.communities[c])
        return out

    # --- people ---------------------------------------------------------------------

    def _users(self, specs: list[MemberSpec], staff: dict[str, tuple[str, str]]) -> dict[str, User]:
        wanted = {a.phone: a.name for a in ACCOUNTS}
        wanted |= {s.phone: s.name for s in specs}
        wanted |= {phone: name for name, phone in staff.values()}
        users = {u.phone: u for u in User.objects.filter(phone__in=wanted)}
        staff_phones = {phone for _, phone in staff.values()} | {a.phone for a in ACCOUNTS if a.password is not None}
        new = []
        for phone, name in wanted.items():
            if phone not in users:
                u = User(phone=phone, name=name, password=UNUSABLE_PASSWORD, is_staff=phone in staff_phones)
                u.name_initials = person_initials(name)
                new.append(u)
        for u in User.objects.bulk_create(new):
            users[u.phone] = u
        for account in ACCOUNTS:
            u = users[account.phone]
            admin = account.key == "admin"
            changed = u.name != account.name or u.is_staff != (account.password is not None) or u.is_superuser != admin
            u.name, u.is_staff, u.is_superuser = account.name, account.password is not None, admin
            if account.password and not u.check_password(account.password):
                u.set_password(account.password)
                changed = True
            if changed:
                u.save()
        return users

    def _members(self, specs: list[MemberSpec]) -> dict[str, Member]:
        wjg = ACCOUNT["member"]
        gyz = next(c for c in COMMUNITIES if c.name == ARTICLE_COMMUNITY)
        demo_member = MemberSpec(
            phone=wjg.phone,
            name=wjg.name,
            initials="wjg",
            kind=Member.Kind.IN_SERVICE,
            unit="韶关市教育局",
            skills=[Skill.TEACHER],
            community=gyz.name,
            grid=ARTICLE_GRID,
            building=None,
            home_lat=24.8042,
            home_lng=113.5921,
            home_address="韶关市武江区工业中路30号3栋",
            days_ago=120,
        )
        specs.insert(0, demo_member)
        existing = {m.user.phone: m for m in Member.objects.select_related("user").filter(user__in=self.users.values())}
        new = []
        for s in specs:
            if s.phone in existing:
                continue
            placed = s.status == Registration.Status.PLACED
            grid = self._grid_of(s) if placed else None
            new.append(
                Member(
                    user=self.users[s.phone],
                    kind=s.kind,
                    unit=self.units[s.unit] if s.unit else None,
                    skills=s.skills,
                    home_address=s.home_address,
                    home_lat=s.home_lat,
                    home_lng=s.home_lng,
                    community=grid.community if grid else None,
                    grid=grid,
                    created_at=self.now - timedelta(days=s.days_ago + 3),
                )
            )
        for m in Member.objects.bulk_create(new):
            existing[m.user.phone] = m
        return existing

    def _grid_of(self, s: MemberSpec) -> Grid:
        if s.building:
            return self.buildings[(s.community, s.grid, s.building)]
        return self.grids[(s.community, s.grid)]

    def _registrations(self, specs: list[MemberSpec]) -> None:
        done = set(Registration.objects.filter(member__in=self.members.values()).values_list("member_id", flat=True))
        district_officer = self.users[ACCOUNT["district"].phone]
        regs, choices = [], []
        for s in specs:
            m = self.members[s.phone]
            if m.pk in done:
                continue
            created = self.now - timedelta(days=s.days_ago)
            if s.previous:  # self-selected elsewhere first, then moved by the district
                old = Registration(
                    member=m,
                    community=self.communities[s.previous],
                    grid=self.grids[(s.previous, grid_names(community_spec(s.previous))[0])],
                    status=Registration.Status.ENDED,
                    source=Registration.Source.SELF_SELECTED,
                    decided_by=m.user,
                    created_at=created - timedelta(days=60),
                    placed_at=created - timedelta(days=58),
                    ended_at=created,
                )
                regs.append(old)
                choices.append((old, [s.previous], False))
            adjusted = s.source == Registration.Source.ADJUSTED
            placed = s.status == Registration.Status.PLACED
            reg = Registration(
                member=m,
                community=None if s.status == Registration.Status.UNPLACED else self.communities[s.community],
                grid=self._grid_of(s) if placed else None,
                status=s.status,
                source=s.source,
                decided_by=district_officer if adjusted else m.user,
                note="区委组织部统筹调剂：就近就便、相对均衡" if adjusted else "",
                created_at=created,
                placed_at=created + timedelta(days=2) if placed else None,
            )
            if s.status == Registration.Status.UNPLACED:
                reg.note = "社区报到人数已满，待区里调剂"
            regs.append(reg)
            if not adjusted:
                choices.append((reg, s.choices or [s.community], s.status == Registration.Status.UNPLACED))
        Registration.objects.bulk_create(regs)
        RegistrationChoice.objects.bulk_create(
            RegistrationChoice(
                registration=reg,
                community=self.communities[c],
                rank=rank,
                declined_at=reg.created_at + timedelta(days=1) if declined else None,
            )
            for reg, names, declined in choices
            for rank, c in enumerate(names, start=1)
        )

    # --- posts and teams ------------------------------------------------------------

    def _posts(self, specs, staff, districts, streets) -> None:
        R = Post.Role
        want = [
            (ACCOUNT["secretary"].phone, R.SECRETARY, {"community": self.communities[ARTICLE_COMMUNITY]}),
            (ACCOUNT["street"].phone, R.STREET_STAFF, {"street": streets[("武江区", "新华街道")]}),
            (ACCOUNT["district"].phone, R.DISTRICT_STAFF, {"district": districts["武江区"]}),
            (staff["street:惠民街道"][1], R.STREET_STAFF, {"street": streets[("武江区", "惠民街道")]}),
            (staff["district:浈江区"][1], R.DISTRICT_STAFF, {"district": districts["浈江区"]}),
            (staff["city"][1], R.CITY_STAFF, {}),
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
            and s.phone != ACCOUNT["member"].phone
        ]  # fmt: skip

    @staticmethod
    def _grid_secretary(specs, community: str, grid: str) -> MemberSpec:
        in_grid = [s for s in specs if s.community == community and s.grid == grid and s.status == "placed"]
        in_grid = [s for s in in_grid if s.phone != ACCOUNT["member"].phone]
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


@transaction.atomic
def seed_demo() -> list[DemoAccount]:
    """Load (or top up) the demo slice; return the demo accounts to print."""
    _Seeder().run()
    return ACCOUNTS
