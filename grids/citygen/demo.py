"""The demo slice of Shaoguan that ``manage.py seed_demo`` loads: real districts and streets,
新华街道's 工业中社区 (the article's community; its 第三网格 ran a fire-safety sweep) and a few
neighbours, nine units, about 200 people, their posts, registrations and vanguard teams.

Idempotent: everything is keyed on a natural key (district code, street/community/grid/unit
name, phone) and only what is missing is created. People are computed from a fixed seed
before anything is written, so a second run finds every row already there.
"""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from grids.citygen.common import ensure_geography
from grids.citygen.demo_organisation import DemoOrganisation
from grids.citygen.demo_people import DemoPeople
from grids.citygen.demo_plan import ACCOUNTS, SEED, DemoAccount, plan_people
from grids.citygen.demo_teams import DemoTeams


class _Seeder(DemoOrganisation, DemoPeople, DemoTeams):
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


@transaction.atomic
def seed_demo() -> list[DemoAccount]:
    """Load (or top up) the demo slice; return the demo accounts to print."""
    _Seeder().run()
    return ACCOUNTS
