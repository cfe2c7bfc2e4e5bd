"""The whole city, computed in Python before anything is written (``generate_city``).

``plan_city`` returns plain records (``grids.citygen.rows``) that point at each other;
``grids.citygen.city`` inserts them parents first. Everything comes from one
``random.Random(seed)``, in a fixed order, so a seed always gives the same names, phones,
coordinates and counts.
"""

from __future__ import annotations

import itertools
import json
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from grids.citygen.common import (
    UNUSABLE_PASSWORD,
    NameMaker,
    PhoneMaker,
    cn_number,
    community_short,
    load,
    party_org_name,
    scatter,
    short_name,
    skills_for,
)
from grids.citygen.rows import (
    ChoiceRec,
    CommunityRec,
    GridRec,
    MemberRec,
    MembershipRec,
    PairingRec,
    PostRec,
    RegistrationRec,
    TeamRec,
    UnitRec,
    UserRec,
)
from grids.geo import geography
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

# The city as the article counts it (scale 1.0).
BASE_COUNTS = {
    "units": 1795,
    "members": 60_000,
    "communities": 295,
    "urban_villages": 61,
    "grids_level2": 1091,
    "grids_level3": 9162,
    "teams": 986,
}
DISTRICT_COUNT = 10

# How the 295 communities spread over the districts: the three urban districts and the two
# county-level cities hold most of them.
DISTRICT_WEIGHTS = {
    "武江区": 50, "浈江区": 55, "曲江区": 35, "始兴县": 15, "仁化县": 18,
    "翁源县": 20, "乳源瑶族自治县": 15, "新丰县": 15, "乐昌市": 35, "南雄市": 37,
}  # fmt: skip
URBAN_DISTRICTS = {"武江区", "浈江区", "曲江区"}
# Names the demo slice uses; the generator leaves them free so seed_demo can run on top of a city.
DEMO_COMMUNITY_WORDS = {"工业中", "工业东", "东堤", "百旺", "西河", "惠民南", "芙蓉", "五里亭", "东联"}

OTHER_KINDS = [
    (Member.Kind.COMMUNITY_PARTY, 40),
    (Member.Kind.VETERAN_PARTY, 25),
    (Member.Kind.YOUTH_LEAGUE, 15),
    (Member.Kind.RESIDENT, 15),
    (Member.Kind.SECURITY_GUARD, 5),
]
OTHER_SHARE = 0.12  # members who are not in-service party members (they join vanguard teams)


def scaled_counts(scale: float) -> dict[str, int]:
    """The counts ``generate_city --scale`` produces: each article figure times ``scale``,
    rounded, at least 1; always 10 districts. Kept consistent: every community has a level-2
    grid, every level-2 grid a building, at most one team per level-2 grid."""
    counts = {k: max(1, round(v * scale)) for k, v in BASE_COUNTS.items()}
    counts["districts"] = DISTRICT_COUNT
    counts["urban_villages"] = min(counts["urban_villages"], counts["communities"])
    counts["grids_level2"] = max(counts["grids_level2"], counts["communities"])
    counts["grids_level3"] = max(counts["grids_level3"], counts["grids_level2"])
    counts["teams"] = min(counts["teams"], counts["grids_level2"])
    return counts


def estimated_rows(counts: dict[str, int], streets: int = 101) -> int:
    """About how many rows a plan with these counts writes (for the progress bar's total)."""
    members, communities = counts["members"], counts["communities"]
    staff = communities + streets + 2 * DISTRICT_COUNT + 3
    return int(
        members * (1 + 1 + 1.04 + 1.03)  # users, members, registrations, choices
        + staff * 2  # their users and posts
        + communities * 4
        + counts["grids_level2"] * 2
        + counts["grids_level3"]
        + counts["units"] * 3  # units and their pairings
        + counts["teams"] * 15  # teams and their members
    )


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder), deterministically."""
    s = sum(weights)
    quotas = [total * w / s for w in weights]
    out = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def multinomial(rng: random.Random, n: int, weights: list[float]) -> list[int]:
    counts = [0] * len(weights)
    for i in rng.choices(range(len(weights)), weights=weights, k=n):
        counts[i] += 1
    return counts


@dataclass
class CityPlan:
    counts: dict[str, int]
    communities: list[CommunityRec] = field(default_factory=list)
    grids2: list[GridRec] = field(default_factory=list)
    grids3: list[GridRec] = field(default_factory=list)
    units: list[UnitRec] = field(default_factory=list)
    pairings: list[PairingRec] = field(default_factory=list)
    users: list[UserRec] = field(default_factory=list)
    members: list[MemberRec] = field(default_factory=list)
    registrations: list[RegistrationRec] = field(default_factory=list)
    choices: list[ChoiceRec] = field(default_factory=list)
    posts: list[PostRec] = field(default_factory=list)
    teams: list[TeamRec] = field(default_factory=list)
    memberships: list[MembershipRec] = field(default_factory=list)

    def batches(self):
        """(label, model, records) for every table, in an order that inserts parents first."""
        return [(label, model, getattr(self, name)) for name, (label, model) in TABLES.items()]


# Plan attribute → (label for the progress bar, model).
TABLES = {
    "communities": ("社区", Community),
    "grids2": ("二级网格", Grid),
    "grids3": ("三级网格", Grid),
    "units": ("单位", Unit),
    "pairings": ("结对包联", Pairing),
    "users": ("用户", User),
    "members": ("党员", Member),
    "registrations": ("报到", Registration),
    "choices": ("报到志愿", RegistrationChoice),
    "posts": ("职务", Post),
    "teams": ("先锋队", VanguardTeam),
    "memberships": ("先锋队队员", TeamMembership),
}
# Emit = Callable[[label, model, records], None]: receives records as soon as they are complete
# and their parents have been emitted, so a writer can insert while the rest is being planned.
Emit = Callable[[str, type, list], None]
FLUSH_EVERY = 5000


class _Planner:
    def __init__(
        self,
        scale: float,
        seed: int,
        districts: dict[str, District],
        streets: dict[tuple[str, str], Street],
        emit: Emit | None,
    ):
        self.emit = emit
        self.sent: dict[str, int] = {}
        self.rng = random.Random(seed)
        self.plan = CityPlan(scaled_counts(scale))
        self.districts = districts
        self.streets = streets
        self.names = NameMaker(self.rng)
        self.phones = PhoneMaker(self.rng)
        self.now = timezone.now()

    def run(self) -> CityPlan:
        self._places()
        self._communities()
        self._flush("communities")
        self._grids()
        self._flush("grids2", "grids3")
        self._units()
        self._flush("units", "pairings")
        self._staff()
        self._flush("users", "posts")
        self._members()
        self._flush("users", "members", "registrations", "choices")
        self._member_posts()
        self._teams()
        self._flush("posts", "teams", "memberships")
        return self.plan

    def _flush(self, *names: str) -> None:
        """Emit what was added to these tables since the last flush."""
        if self.emit is None:
            return
        for name in names:
            recs = getattr(self.plan, name)
            start = self.sent.get(name, 0)
            if start < len(recs):
                label, model = TABLES[name]
                self.emit(label, model, recs[start:])
                self.sent[name] = len(recs)

    # --- places ---------------------------------------------------------------------

    def _places(self) -> None:
        """A location for every street/town: subdistricts and the county seat near the
        district's centre, other towns farther out."""
        rng = self.rng
        self.street_loc: dict[tuple[str, str], tuple[float, float]] = {}
        self.street_weight: dict[tuple[str, str], float] = {}
        for spec in geography()["districts"]:
            lat, lng = spec["centre"]
            has_subdistricts = any(s.endswith("街道") for s in spec["streets"])
            for i, name in enumerate(spec["streets"]):
                central = name.endswith("街道") or (i == 0 and not has_subdistricts)
                if central:
                    loc = scatter(rng, lat, lng, 2500)
                else:
                    far = 12_000 if spec["name"] in URBAN_DISTRICTS else 20_000
                    loc = scatter(rng, lat, lng, far)
                self.street_loc[(spec["name"], name)] = loc
                self.street_weight[(spec["name"], name)] = 5.0 if central else 1.0

    def _communities(self) -> None:
        rng, counts = self.rng, self.plan.counts
        words = [w for w in load("names.json")["community_words"] if w not in DEMO_COMMUNITY_WORDS]
        rng.shuffle(words)
        names = _unique_names(words)
        specs = geography()["districts"]
        per_district = apportion(counts["communities"], [DISTRICT_WEIGHTS[d["name"]] for d in specs])
        slots: list[tuple[str, str]] = []
        for spec, n in zip(specs, per_district, strict=True):
            keys = [(spec["name"], s) for s in spec["streets"]]
            for key, k in zip(keys, apportion(n, [self.street_weight[key] for key in keys]), strict=True):
                slots += [key] * k
        # Urban villages: mostly in the three urban districts (weighted sampling without replacement).
        keys = [rng.random() ** (1 / (3.0 if d in URBAN_DISTRICTS else 1.0)) for d, _ in slots]
        villages = set(sorted(range(len(slots)), key=lambda i: -keys[i])[: counts["urban_villages"]])
        per_member = counts["members"] / counts["communities"]
        for i, (d, s) in enumerate(slots):
            village = i in villages
            word = next(names)
            street = self.streets[(d, s)]
            lat, lng = scatter(rng, *self.street_loc[(d, s)], 1500 if street.kind == Street.Kind.TOWN else 1200)
            road = rng.choice(load("names.json")["road_words"])
            name = f"{word}村" if village else f"{word}社区"
            c = CommunityRec(
                district_name=d,
                street=street,
                name=name,
                name_initials=self.names.initials_of(name),
                kind=Community.Kind.URBAN_VILLAGE if village else Community.Kind.COMMUNITY,
                address=f"韶关市{d}{s}{word}{'村委会' if village else road + str(rng.randint(1, 188)) + '号'}",
                lat=lat,
                lng=lng,
                geofence_radius_m=500 if village else 300,
                households=rng.randint(400, 2000) if village else rng.randint(1500, 6000),
                members_needed=max(10, round(per_member * rng.uniform(0.8, 1.2) / 10) * 10),
            )
            self.plan.communities.append(c)

    def _grids(self) -> None:
        rng, counts, plan = self.rng, self.plan.counts, self.plan
        comms = plan.communities
        per_comm = multinomial(rng, counts["grids_level2"] - len(comms), [c.households for c in comms])
        self.grids_of: dict[int, list[Grid]] = {}
        for c, extra in zip(comms, per_comm, strict=True):
            short = community_short(c.name)
            village = c.kind == Community.Kind.URBAN_VILLAGE
            grids = []
            for n in range(1, extra + 2):
                kind = Grid.Kind.RESIDENTIAL_GROUP
                if not village and rng.random() < 0.45:
                    kind = Grid.Kind.PROPERTY_COMPOUND
                grids.append(GridRec(community=c, level=2, kind=kind, name=f"{short}第{cn_number(n)}网格"))
            self.grids_of[id(c)] = grids
            plan.grids2 += grids
        weights = [rng.uniform(0.5, 1.5) for _ in plan.grids2]
        per_grid = multinomial(rng, counts["grids_level3"] - len(plan.grids2), weights)
        self.buildings_of: dict[int, list[Grid]] = {}
        for g, extra in zip(plan.grids2, per_grid, strict=True):
            b = [
                GridRec(community=g.community, level=3, kind=Grid.Kind.BUILDING, parent=g, name=f"{n}栋")
                for n in range(1, extra + 2)
            ]
            self.buildings_of[id(g)] = b
            plan.grids3 += b

    # --- units ----------------------------------------------------------------------

    def _unit_pool(self) -> list[tuple[str, str, str | None, tuple[str, str] | None]]:
        """(name, kind, district, street) for every unit the generator can name."""
        data = load("units.json")
        pool = [(name, kind, None, None) for name, kind in data["city"]]
        specs = geography()["districts"]
        for spec in specs:
            d = spec["name"]
            police = f"韶关市公安局{short_name(d)}分局" if d in URBAN_DISTRICTS else f"{d}公安局"
            for tpl, kind in data["district"]:
                pool.append((tpl.format(d=d, s=short_name(d), p=police), kind, d, None))
        for spec in specs:
            d = spec["name"]
            for t in spec["streets"]:
                gov = "办事处" if t.endswith("街道") else "人民政府"
                for tpl, kind in data["street"]:
                    pool.append((tpl.format(d=d, t=t, gov=gov), kind, d, (d, t)))
        for n in range(4, 100):  # more schools, when a scale above 1 asks for more units
            for spec in specs:
                pool.append((f"{spec['name']}第{cn_number(n)}小学", "P", spec["name"], None))
        return pool

    def _units(self) -> None:
        rng, plan = self.rng, self.plan
        pool = self._unit_pool()
        n = plan.counts["units"]
        picked = sorted(rng.sample(range(len(pool)), min(n, len(pool))))
        chosen = [pool[i] for i in picked]
        for k in range(n - len(chosen)):  # beyond every name above: numbered branches
            name, kind, d, s = pool[k % len(pool)]
            chosen.append((f"{name}第{k // len(pool) + 2}分部", kind, d, s))
        kinds = {
            "G": Unit.Kind.GOVERNMENT_ORGAN,
            "S": Unit.Kind.STATE_OWNED_ENTERPRISE,
            "P": Unit.Kind.PUBLIC_INSTITUTION,
        }
        city_lat, city_lng = geography()["city"]["centre"]
        by_district: dict[str, list[CommunityRec]] = defaultdict(list)
        by_street: dict[int, list[CommunityRec]] = defaultdict(list)
        for c in plan.communities:
            by_district[c.district_name].append(c)
            by_street[id(c.street)].append(c)
        self.unit_weight: list[float] = []
        self.unit_pairs: dict[int, list[CommunityRec]] = {}
        for name, k, d, s in chosen:
            kind = kinds[k]
            if s is not None:
                lat, lng = scatter(rng, *self.street_loc[s], 1000)
                candidates = by_street.get(id(self.streets[s])) or by_district.get(d) or plan.communities
                weight = 0.5
            elif d is not None:
                lat, lng = scatter(rng, self.districts[d].lat, self.districts[d].lng, 2500)
                candidates = by_district.get(d) or plan.communities
                weight = 1.5
            else:
                lat, lng = scatter(rng, city_lat, city_lng, 3000)
                candidates = plan.communities
                weight = 3.0
            unit = UnitRec(
                name=name,
                name_initials=self.names.initials_of(name),
                kind=kind,
                district=self.districts[d] if d else None,
                party_org_name=party_org_name(name, kind, small=s is not None),
                address=f"韶关市{d or ''}{s[1] if s else ''}{rng.choice(load('names.json')['road_words'])}"
                f"{rng.randint(1, 300)}号",
                lat=lat,
                lng=lng,
            )
            plan.units.append(unit)
            self.unit_weight.append(weight * rng.uniform(0.5, 1.5))
            paired = rng.sample(candidates, min(len(candidates), rng.randint(1, 3)))
            self.unit_pairs[id(unit)] = paired
            created = self.now - timedelta(days=rng.randint(200, 1200))
            plan.pairings += [PairingRec(unit=unit, community=c, created_at=created) for c in paired]
        self.communities_by_district = by_district

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


def _unique_names(words: list[str]):
    """Community name stems: each word once, then with 东/西/南/北/新, then numbered."""
    yield from words
    for suffix in "东西南北新中":
        for w in words:
            yield w + suffix
    n = 2
    while True:
        for w in words:
            yield f"{w}{cn_number(n)}"
        n += 1


def plan_city(
    *,
    scale: float,
    seed: int,
    districts: dict[str, District],
    streets: dict[tuple[str, str], Street],
    emit: Emit | None = None,
) -> CityPlan:
    """Plan the city. It reads nothing from the database (``districts`` and ``streets`` are
    passed in), so it can run in a thread while ``emit`` hands finished records to a writer."""
    return _Planner(scale, seed, districts, streets, emit).run()
