"""Writing a planned city (``generate_city``) and clearing organisation data before a rerun."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import Q

from accounts.models import User
from grids.citygen.common import ensure_geography
from grids.citygen.plan import CityPlan, plan_city
from grids.citygen.rows import insert
from grids.models import (
    Community,
    Grid,
    Member,
    Pairing,
    Post,
    Registration,
    RegistrationChoice,
    TeamMembership,
    Unit,
    VanguardTeam,
)

BATCH_SIZE = 5000


def has_organisation_data() -> bool:
    """Whether communities, units or members exist (from a generated city or the demo)."""
    return Community.objects.exists() or Unit.objects.exists() or Member.objects.exists()


def wipe_organisation() -> dict[str, int]:
    """Delete every community, grid, unit, member, post, team and registration, and the users
    who were members or held a post (superusers stay). Districts and streets stay: they are the
    real geography and are upserted again. Deletes cascade into other apps' rows as their
    foreign keys say; a protected reference stops the whole reset."""
    people = User.objects.filter(Q(member__isnull=False) | Q(posts__isnull=False)).filter(is_superuser=False).distinct()
    person_ids = list(people.values_list("pk", flat=True))
    deleted: dict[str, int] = {}
    # Bottom-up, so each step finds little left to cascade into and deletes in bulk.
    for model in (RegistrationChoice, Registration, TeamMembership, VanguardTeam, Post, Pairing, Member):
        deleted[model._meta.verbose_name] = model.objects.all().delete()[0]
    deleted["三级网格"] = Grid.objects.filter(level=3).delete()[0]
    deleted["二级网格"] = Grid.objects.all().delete()[0]
    for model in (Community, Unit):
        deleted[model._meta.verbose_name] = model.objects.all().delete()[0]
    removed = 0
    for start in range(0, len(person_ids), BATCH_SIZE):
        removed += User.objects.filter(pk__in=person_ids[start : start + BATCH_SIZE]).delete()[0]
    deleted["用户"] = removed
    return deleted


@transaction.atomic
def generate_city(
    *, scale: float, seed: int, reset: bool = False, progress: Callable[[str, int], None] | None = None
) -> CityPlan:
    """Plan the city in memory, then insert it parents first. Returns the plan (its records now have ids).

    ``progress(label, rows)`` is called after each batch, for a progress bar.
    """
    if reset:
        wipe_organisation()
    districts, streets = ensure_geography()
    plan = plan_city(scale=scale, seed=seed, districts=districts, streets=streets)
    for label, model, recs in plan.batches():
        insert(
            model,
            recs,
            batch_size=BATCH_SIZE,
            progress=(lambda n, label=label: progress(label, n)) if progress else None,
        )
    return plan
