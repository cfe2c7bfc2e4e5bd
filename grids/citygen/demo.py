"""The demo slice of Shaoguan that ``manage.py seed_demo`` loads: real districts and streets,
新华街道's 工业中社区 (the article's community; its 第三网格 ran a fire-safety sweep) and a few
neighbours, nine units, about 200 people, their posts, registrations and vanguard teams.

Idempotent: everything is keyed on a natural key (district code, street/community/grid/unit
name, phone) and only what is missing is created. People are computed from a fixed seed
before anything is written, so a second run finds every row already there.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.pinyin import initials
from grids.citygen.common import (
    UNUSABLE_PASSWORD,
    NameMaker,
    cn_number,
    community_short,
    ensure_geography,
    party_org_name,
    scatter,
    skills_for,
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

SEED = 2026
STAFF_PASSWORD = "shaoguan2026"
ADMIN_PASSWORD = "shaoguan-admin"
SIGN_IN_BY_CODE = "手机号 + 验证码（DEBUG 模式下登录页直接显示验证码）"
ARTICLE_COMMUNITY = "工业中社区"
ARTICLE_GRID = "工业中第三网格"


@dataclass(frozen=True)
class DemoAccount:
    key: str
    role: str
    name: str
    phone: str
    password: str | None = None


ACCOUNTS = [
    DemoAccount("resident", "居民", "李秀英", "13800138001"),
    DemoAccount("member", "在职党员", "王建国", "13800138002"),
    DemoAccount("secretary", "社区书记（工业中社区）", "陈志强", "13800138003", STAFF_PASSWORD),
    DemoAccount("street", "街道工作人员（新华街道）", "刘海燕", "13800138004", STAFF_PASSWORD),
    DemoAccount("district", "区委组织部（武江区）", "黄文斌", "13800138005", STAFF_PASSWORD),
    DemoAccount("admin", "系统管理员", "管理员", "13800138000", ADMIN_PASSWORD),
]
ACCOUNT = {a.key: a for a in ACCOUNTS}


@dataclass(frozen=True)
class CommunitySpec:
    district: str
    street: str
    name: str
    kind: str
    lat: float
    lng: float
    address: str
    households: int
    members_needed: int
    grids: int
    members: int


C, V = Community.Kind.COMMUNITY, Community.Kind.URBAN_VILLAGE
COMMUNITIES = [
    CommunitySpec("武江区", "新华街道", "工业中社区", C, 24.8035, 113.5905, "韶关市武江区工业中路28号", 3860, 220, 5, 48),
    CommunitySpec("武江区", "新华街道", "工业东社区", C, 24.8050, 113.5950, "韶关市武江区工业东路16号", 3120, 200, 4, 20),
    CommunitySpec("武江区", "新华街道", "东堤社区", C, 24.8060, 113.5930, "韶关市武江区东堤中路9号", 2980, 200, 4, 22),
    CommunitySpec("武江区", "新华街道", "百旺社区", C, 24.7985, 113.5840, "韶关市武江区百旺路5号", 2540, 180, 3, 18),
    CommunitySpec("武江区", "新华街道", "西河村", V, 24.7900, 113.5780, "韶关市武江区西河镇西河村委会", 1460, 120, 3, 16),
    CommunitySpec("武江区", "惠民街道", "惠民南社区", C, 24.7850, 113.5920, "韶关市武江区惠民南路33号", 3350, 200, 4, 18),
    CommunitySpec("武江区", "惠民街道", "芙蓉社区", C, 24.7800, 113.5850, "韶关市武江区芙蓉新城芙蓉大道8号", 4210, 220, 4, 16),
    CommunitySpec("浈江区", "东河街道", "五里亭社区", C, 24.8120, 113.6180, "韶关市浈江区五里亭路12号", 3680, 200, 4, 20),
    CommunitySpec("浈江区", "车站街道", "东联社区", C, 24.7960, 113.6050, "韶关市浈江区站前路21号", 2760, 180, 3, 18),
]  # fmt: skip

G, S, P = Unit.Kind.GOVERNMENT_ORGAN, Unit.Kind.STATE_OWNED_ENTERPRISE, Unit.Kind.PUBLIC_INSTITUTION
# name, kind, district (None: 市直), address, lat, lng, paired communities
UNITS = [
    ("韶关市委组织部", G, None, "韶关市浈江区风度北路市委大院", 24.8132, 113.5978, ["工业中社区", "东堤社区"]),
    ("韶关市教育局", G, None, "韶关市浈江区解放路58号", 24.8095, 113.5996, ["工业中社区", "百旺社区"]),
    ("韶关市第一人民医院", P, None, "韶关市浈江区东堤南路3号", 24.8021, 113.6012, ["工业东社区", "五里亭社区"]),
    ("韶关市司法局", G, None, "韶关市浈江区南郊路18号", 24.8003, 113.6055, ["西河村", "惠民南社区"]),
    ("韶关市公安局武江分局", G, "武江区", "韶关市武江区沿江路16号", 24.7962, 113.5861, ["工业中社区", "西河村"]),
    ("韶关供电局", S, None, "韶关市浈江区解放路66号", 24.8088, 113.6021, ["芙蓉社区", "东联社区"]),
    ("武江区民政局", G, "武江区", "韶关市武江区惠民北路2号", 24.7901, 113.5893, ["百旺社区", "惠民南社区"]),
    ("韶关学院", P, None, "韶关市浈江区大学路288号", 24.7826, 113.6268, ["东联社区", "五里亭社区"]),
    ("浈江区卫生健康局", G, "浈江区", "韶关市浈江区十里亭路9号", 24.8082, 113.6148, ["五里亭社区"]),
]  # fmt: skip

OTHER_KINDS = [
    (Member.Kind.COMMUNITY_PARTY, 4),
    (Member.Kind.VETERAN_PARTY, 3),
    (Member.Kind.YOUTH_LEAGUE, 2),
    (Member.Kind.RESIDENT, 3),
    (Member.Kind.SECURITY_GUARD, 1),
]


@dataclass
class MemberSpec:
    phone: str
    name: str
    initials: str
    kind: str
    unit: str | None
    skills: list[str]
    community: str | None
    grid: str | None  # a level-2 grid's name
    building: str | None  # a building under ``grid``
    home_lat: float
    home_lng: float
    home_address: str
    status: str | None = Registration.Status.PLACED
    source: str = Registration.Source.SELF_SELECTED
    choices: list[str] = field(default_factory=list)
    previous: str | None = None  # the community an adjusted member was moved from
    days_ago: int = 30


def grid_names(spec: CommunitySpec) -> list[str]:
    short = community_short(spec.name)
    return [f"{short}第{cn_number(i)}网格" for i in range(1, spec.grids + 1)]


def buildings_per_grid(spec: CommunitySpec, index: int) -> int:
    return 2 + (len(spec.name) * 3 + index * 5) % 5  # 2–6, fixed per grid


def plan_people(rng: random.Random) -> tuple[list[MemberSpec], dict[str, tuple[str, str]]]:
    """Every demo member, and the names/phones of staff without a member profile."""
    names = NameMaker(rng)
    by_community = {c.name: c for c in COMMUNITIES}
    paired: dict[str, list[str]] = {c.name: [] for c in COMMUNITIES}
    for unit_name, *_, communities in UNITS:
        for c in communities:
            paired[c].append(unit_name)
    unit_names = [u[0] for u in UNITS]
    other_kinds = [k for k, _ in OTHER_KINDS]
    other_weights = [w for _, w in OTHER_KINDS]
    phones = (f"137000{n:05d}" for n in range(1, 100_000))
    specs: list[MemberSpec] = []

    def member(spec: CommunitySpec, kind: str, unit: str | None, grid_index: int, **extra) -> MemberSpec:
        person = names.person()
        grids = grid_names(spec)
        grid = grids[grid_index % len(grids)]
        building = None
        if kind != Member.Kind.IN_SERVICE:  # residents live in a building; in-service members join the grid
            building = f"{rng.randint(1, buildings_per_grid(spec, grid_index % len(grids)))}栋"
        lat, lng = scatter(rng, spec.lat, spec.lng, 800)
        return MemberSpec(
            phone=next(phones),
            name=person.name,
            initials=person.initials,
            kind=kind,
            unit=unit,
            skills=skills_for(unit, rng),
            community=spec.name,
            grid=grid,
            building=building,
            home_lat=lat,
            home_lng=lng,
            home_address=f"{spec.address[:-3] if spec.address.endswith('号') else spec.address}附近小区",
            days_ago=rng.randint(20, 400),
            **extra,
        )

    wujiang = [c for c in COMMUNITIES if c.district == "武江区"]
    for spec in COMMUNITIES:
        for i in range(spec.members):
            if i < 2 or rng.random() < 0.65:
                # The first two in-service members become first secretary and part-time member.
                unit = rng.choice(paired[spec.name]) if rng.random() < 0.7 else rng.choice(unit_names)
                s = member(spec, Member.Kind.IN_SERVICE, unit, i)
                if spec.district == "武江区" and i >= 2 and i % 9 == 4:
                    s.source = Registration.Source.ADJUSTED
                    s.previous = wujiang[(wujiang.index(spec) + 1) % len(wujiang)].name
            else:
                kind = rng.choices(other_kinds, weights=other_weights)[0]
                s = member(spec, kind, None, i)
            specs.append(s)

    gyz = by_community[ARTICLE_COMMUNITY]
    for i in range(4):  # waiting for the secretary of 工业中社区 to place them
        unit = rng.choice(paired[gyz.name])
        s = member(gyz, Member.Kind.IN_SERVICE, unit, i, status=Registration.Status.PENDING)
        s.choices = [gyz.name] + (["东堤社区"] if i % 2 else [])
        s.grid = s.building = None
        s.days_ago = i + 1
        specs.append(s)
    s = member(by_community["百旺社区"], Member.Kind.IN_SERVICE, "韶关市司法局", 0, status=Registration.Status.UNPLACED)
    s.choices, s.grid, s.building, s.days_ago = ["百旺社区"], None, None, 6
    specs.append(s)

    staff: dict[str, tuple[str, str]] = {}
    for n, key in enumerate(
        [f"secretary:{c.name}" for c in COMMUNITIES if c.name != ARTICLE_COMMUNITY]
        + ["street:惠民街道", "district:浈江区", "city"],
        start=1,
    ):
        staff[key] = (names.person().name, f"137000{90000 + n:05d}")
    return specs, staff


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
                    "geofence_radius_m": 500 if spec.kind == V else 300,
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
                u.name_initials = initials(name)
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
                    grid=self.grids[(s.previous, grid_names(_spec(s.previous))[0])],
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


def _spec(name: str) -> CommunitySpec:
    return next(c for c in COMMUNITIES if c.name == name)


@transaction.atomic
def seed_demo() -> list[DemoAccount]:
    """Load (or top up) the demo slice; return the demo accounts to print."""
    _Seeder().run()
    return ACCOUNTS
