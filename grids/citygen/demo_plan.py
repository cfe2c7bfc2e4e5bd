"""What the demo slice holds (``manage.py seed_demo``): its accounts, communities, units and
people. ``plan_people`` computes every person from a fixed seed, before anything is written."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from grids.citygen.common import NameMaker, cn_number, community_short, scatter, skills_for
from grids.models import Community, Member, Registration, Unit

SEED = 2026
STAFF_PASSWORD = "shaoguan2026"
ADMIN_PASSWORD = "shaoguan-admin"
SIGN_IN_BY_CODE = "手机号 + 验证码（演示环境的登录页直接显示验证码）"
ARTICLE_COMMUNITY = "工业中社区"
ARTICLE_GRID = "工业中第三网格"
DEMO_UNIT = "韶关市教育局"  # the demo member's unit; its party secretary is a demo account


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
    DemoAccount("captain", "先锋队队长（工业中第三网格党群先锋队）", "赵红梅", "13800138006"),
    DemoAccount("secretary", "社区书记（工业中社区）", "陈志强", "13800138003", STAFF_PASSWORD),
    DemoAccount("street", "街道工作人员（新华街道）", "刘海燕", "13800138004", STAFF_PASSWORD),
    DemoAccount("district", "区委组织部（武江区）", "黄文斌", "13800138005", STAFF_PASSWORD),
    DemoAccount("unit", "单位党组织书记（韶关市教育局）", "张丽华", "13800138007", STAFF_PASSWORD),
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


def community_spec(name: str) -> CommunitySpec:
    return next(c for c in COMMUNITIES if c.name == name)
