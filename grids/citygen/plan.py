"""The whole city, computed in Python before anything is written (``generate_city``).

``plan_city`` returns plain records (``grids.citygen.rows``) that point at each other;
``grids.citygen.city`` inserts them parents first. Everything comes from one
``random.Random(seed)``, in a fixed order, so a seed always gives the same names, phones,
coordinates and counts.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import User
from grids.citygen.common import NameMaker, PhoneMaker
from grids.citygen.people import PeopleMixin
from grids.citygen.places import PlacesMixin
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
from grids.citygen.scale import scaled_counts
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


class _Planner(PlacesMixin, PeopleMixin):
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
