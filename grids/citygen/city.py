"""Writing a planned city (``generate_city``) and clearing organisation data before a rerun."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Q, QuerySet, signals
from django.db.models.deletion import get_candidate_relations_to_delete

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
    # Bottom-up, so that by the time a table is emptied nothing points at it any more.
    for model in (RegistrationChoice, Registration, TeamMembership, VanguardTeam, Post, Pairing, Member):
        deleted[str(model._meta.verbose_name)] = _delete(model.objects.all())
    deleted["三级网格"] = _delete(Grid.objects.filter(level=3))
    deleted["二级网格"] = _delete(Grid.objects.all())
    for model in (Community, Unit):
        deleted[str(model._meta.verbose_name)] = _delete(model.objects.all())
    deleted["用户"] = sum(
        _delete(User.objects.filter(pk__in=person_ids[start : start + BATCH_SIZE]))
        for start in range(0, len(person_ids), BATCH_SIZE)
    )
    return deleted


def _delete(qs: QuerySet) -> int:
    """Delete ``qs`` with one DELETE statement when no row anywhere points at its rows and no one
    listens for deletes: the ORM's collector would fetch all 60,000 rows only to find nothing to
    cascade. Otherwise let the ORM cascade (or refuse, for a protected reference)."""
    model = qs.model
    if not (signals.pre_delete.has_listeners(model) or signals.post_delete.has_listeners(model)):
        pks = qs.values("pk")
        referenced = any(
            rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": pks}).exists()
            for rel in get_candidate_relations_to_delete(model._meta)
        )
        if not referenced:
            return qs._raw_delete(qs.db) or 0
    return qs.delete()[0]


class _Stopped(Exception):
    """Raised in the planner thread when the writer has given up."""


def generate_city(
    *, scale: float, seed: int, reset: bool = False, progress: Callable[[str, int], None] | None = None
) -> CityPlan:
    """Plan the city and insert it, in one transaction. Returns the plan (its records now have ids).

    The planning is pure Python and the inserting mostly the database's work, so they overlap:
    the plan runs in a thread and hands over finished batches (parents before children) through
    a queue, while this thread — the one holding the database connection — writes them.
    ``progress(label, rows)`` is called after each written chunk, for a progress bar.
    """
    with transaction.atomic(), _constraints_checked_as_we_go():
        if reset:
            wipe_organisation()
        districts, streets = ensure_geography()
        batches: queue.Queue = queue.Queue(maxsize=16)
        stop = threading.Event()
        done = object()
        result: list[CityPlan] = []

        def emit(label: str, model: type, recs: list) -> None:
            if stop.is_set():
                raise _Stopped
            batches.put((label, model, recs))

        def produce() -> None:
            try:
                result.append(plan_city(scale=scale, seed=seed, districts=districts, streets=streets, emit=emit))
                batches.put(done)
            except BaseException as exc:  # handed to the writer, which raises it
                batches.put(exc)

        planner = threading.Thread(target=produce, name="citygen-planner", daemon=True)
        planner.start()
        try:
            while (item := batches.get()) is not done:
                if isinstance(item, BaseException):
                    raise item
                label, model, recs = item
                report = (lambda n, label=label: progress(label, n)) if progress else None
                insert(model, recs, batch_size=BATCH_SIZE, progress=report)
        finally:
            stop.set()
            while planner.is_alive():  # unblock a planner waiting on a full queue
                with contextlib.suppress(queue.Empty):
                    batches.get(timeout=0.05)
            planner.join()
    return result[0]


@contextlib.contextmanager
def _constraints_checked_as_we_go():
    """On PostgreSQL, check foreign keys as each batch lands instead of all at commit: the
    checks then overlap with the planning, and a test (which never commits) still runs them."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    # Back to Django's default for whatever else the surrounding transaction does (after an
    # error the transaction is rolled back anyway).
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
