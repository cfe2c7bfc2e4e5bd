"""What the demo slice and the city generator share: name parts, phones, places, the real geography."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from accounts.pinyin import initials, surname_initials
from grids.geo import geography
from grids.models import District, Skill, Street, Unit

DATA = Path(__file__).resolve().parent.parent / "data"

# District.Kind for the kinds written in shaoguan-geography.json.
DISTRICT_KINDS = {
    "district": District.Kind.DISTRICT,
    "county": District.Kind.COUNTY,
    "county-level city": District.Kind.COUNTY_CITY,
}

# An unusable password (Django's own marker is "!" + random text): generated people sign in
# with a one-time code, and hashing 60,000 random passwords would cost minutes.
UNUSABLE_PASSWORD = "!"

_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 13 → 十三, 21 → 二十一 (what grid names use, 第三网格); up to 99, then digits."""
    if n < 1 or n > 99:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _CN_DIGITS[ones]
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return f"{head}十{_CN_DIGITS[ones] if ones else ''}"


@cache
def load(name: str) -> dict:
    return json.loads((DATA / name).read_text("utf-8"))


def street_kind(name: str) -> str:
    return Street.Kind.SUBDISTRICT if name.endswith("街道") else Street.Kind.TOWN


def short_name(district_name: str) -> str:
    """武江区 → 武江, 乳源瑶族自治县 → 乳源, 乐昌市 → 乐昌."""
    for suffix in ("瑶族自治县", "区", "县", "市"):
        if district_name.endswith(suffix):
            return district_name[: -len(suffix)]
    return district_name


def community_short(name: str) -> str:
    """工业中社区 → 工业中, 西河村 → 西河 (the prefix of its grids' names)."""
    for suffix in ("社区", "村"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def ensure_geography() -> tuple[dict[str, District], dict[tuple[str, str], Street]]:
    """Upsert the 10 districts and their listed streets/towns; keyed on code and (district, name)."""
    districts: dict[str, District] = {}
    streets: dict[tuple[str, str], Street] = {}
    existing_d = {d.code: d for d in District.objects.all()}
    existing_s = {(s.district_id, s.name): s for s in Street.objects.all()}
    for spec in geography()["districts"]:
        lat, lng = spec["centre"]
        fields = {"name": spec["name"], "kind": DISTRICT_KINDS[spec["kind"]], "lat": lat, "lng": lng}
        d = existing_d.get(spec["code"])
        if d is None:
            d = District.objects.create(code=spec["code"], **fields)
        elif any(getattr(d, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(d, k, v)
            d.save()
        districts[d.name] = d
        missing = []
        for street_name in spec["streets"]:
            s = existing_s.get((d.pk, street_name))
            if s is None:
                s = Street(district=d, name=street_name, kind=street_kind(street_name))
                missing.append(s)
            streets[(d.name, street_name)] = s
        Street.objects.bulk_create(missing)
    return districts, streets


# --- people ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    initials: str
    female: bool


class NameMaker:
    """Deterministic Chinese names from a seeded ``random.Random``.

    Initials are built from the parts (surname, given name), each run through
    ``accounts.pinyin.initials`` once and cached: the same function ``User.save`` uses, at a
    fraction of the cost of converting 60,000 whole names.
    """

    def __init__(self, rng: random.Random):
        data = load("names.json")
        self.rng = rng
        self.surnames = [s for s, _ in data["surnames"]]
        self.cum_weights = []
        total = 0
        for _, w in data["surnames"]:
            total += w
            self.cum_weights.append(total)
        self.male = data["male_chars"]
        self.female = data["female_chars"]
        self._initials: dict[str, str] = {}

    def initials_of(self, text: str) -> str:
        got = self._initials.get(text)
        if got is None:
            got = self._initials[text] = initials(text)
        return got

    def given_initials(self, given: str) -> str:
        # Character by character: the given names are random pairs, not words.
        return "".join(self.initials_of(ch) for ch in given)

    def person(self, female: bool | None = None) -> Person:
        rng = self.rng
        if female is None:
            female = rng.random() < 0.45
        chars = self.female if female else self.male
        surname = rng.choices(self.surnames, cum_weights=self.cum_weights)[0]
        given = rng.choice(chars) if rng.random() < 0.2 else rng.choice(chars) + rng.choice(chars)
        return Person(surname + given, surname_initials(surname) + self.given_initials(given), female)


class PhoneMaker:
    """Distinct, valid mainland mobile numbers.

    The last eight digits are ``(i * A + offset) mod 10^8`` for the i-th number: A is odd and
    not a multiple of 5, so the map is a bijection and no two numbers collide whatever the
    prefixes. Prefixes 137, 138 and 139 are left out: the demo accounts and test fixtures live there.
    """

    PREFIXES = ("130", "131", "132", "133", "135", "136", "150", "151", "152", "153", "155", "156",
                "157", "158", "159", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189",
                "198", "199")  # fmt: skip
    _A = 48_271

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.offset = rng.randrange(10**8)
        self.i = 0

    def next(self) -> str:
        self.i += 1
        suffix = (self.i * self._A + self.offset) % 10**8
        return f"{self.rng.choice(self.PREFIXES)}{suffix:08d}"


# --- places ---------------------------------------------------------------------------


def scatter(rng: random.Random, lat: float, lng: float, radius_m: float) -> tuple[float, float]:
    """A point uniformly inside a circle of ``radius_m`` around (lat, lng), kept inside the city bounds."""
    r = radius_m * math.sqrt(rng.random())
    theta = rng.random() * 2 * math.pi
    dlat = (r * math.cos(theta)) / 111_320
    dlng = (r * math.sin(theta)) / (111_320 * math.cos(math.radians(lat)))
    b = geography()["city"]["bounds_wgs84"]
    new_lat = min(max(lat + dlat, b["lat_min"] + 0.01), b["lat_max"] - 0.01)
    new_lng = min(max(lng + dlng, b["lng_min"] + 0.01), b["lng_max"] - 0.01)
    return round(new_lat, 6), round(new_lng, 6)


# --- units ----------------------------------------------------------------------------

# What a unit's members are likely to be good at, by words in its name (first match wins).
_UNIT_SKILLS = (
    (("医院", "卫生", "保健", "疾病", "医疗"), (Skill.DOCTOR, Skill.NURSE)),
    (("心理",), (Skill.PSYCHOLOGIST, Skill.SOCIAL_WORKER)),
    (("教育", "学校", "学院", "中学", "小学", "幼儿园"), (Skill.TEACHER,)),
    (("司法", "法院", "检察"), (Skill.LAWYER,)),
    (("公安", "派出所", "消防"), (Skill.POLICE,)),
    (("民政", "残疾人", "妇女", "福利", "社会工作", "退役军人"), (Skill.SOCIAL_WORKER,)),
    (("供电", "发电", "钢铁"), (Skill.ELECTRICIAN,)),
    (("水务", "自来水", "燃气"), (Skill.PLUMBER,)),
    (("数据", "信息", "移动", "电信", "联通", "科学技术"), (Skill.IT,)),
    (("财政", "审计", "统计", "银行", "税务", "信用", "医疗保障"), (Skill.ACCOUNTANT,)),
    (("交通", "公交", "公共汽车", "邮政"), (Skill.DRIVER,)),
    (("广播", "日报", "融媒体", "宣传", "博物馆"), (Skill.PHOTOGRAPHER,)),
    (("外事", "商务", "旅游"), (Skill.TRANSLATOR,)),
)
_SKILL_ORDER = list(Skill.values)


@cache
def trade_skills(unit_name: str | None) -> tuple[str, ...]:
    for words, skills in _UNIT_SKILLS:
        if unit_name and any(w in unit_name for w in words):
            return skills
    return ()


def skills_for(unit_name: str | None, rng: random.Random) -> list[str]:
    """One or two skills: the unit's trade most of the time, plus now and then something else."""
    picked: set[str] = set()
    trade = trade_skills(unit_name)
    if trade and rng.random() < 0.8:
        picked.add(rng.choice(trade))
    if not picked or rng.random() < 0.3:
        picked.add(rng.choice(_SKILL_ORDER))
    return sorted(picked, key=_SKILL_ORDER.index)


def party_org_name(unit_name: str, kind: str, small: bool = False) -> str:
    if small:
        return f"中共{unit_name}支部委员会"
    if kind == Unit.Kind.GOVERNMENT_ORGAN:
        return f"中共{unit_name}机关委员会"
    if kind == Unit.Kind.STATE_OWNED_ENTERPRISE:
        return f"中共{unit_name}委员会"
    return f"中共{unit_name}总支部委员会"
