"""The state machines' one way of changing state.

Each app declares its machines in its ``machines.py`` — the model, its allowed-transitions table
and the event model that records every change — and registers them from ``AppConfig.ready``.
``transition`` checks the table, locks the row, saves with ``update_fields`` and writes an event
row (kind, from, to, actor, time, reason). The event rows are the audit trail, the status timeline
residents see and the history of a member's registration and hours. Pages, API, admin and jobs
change a status only through here.

``transition_many`` and ``record_created_many`` are the same for many rows at once (a bulk
acceptance, an import): one UPDATE and two inserts whatever the number of rows (COPY on
PostgreSQL, ``core.copy``), writing event and audit rows that are, row for row, those the
one-by-one calls write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from core import audit
from core.copy import insert_many
from core.errors import Conflict


@dataclass(frozen=True)
class StateMachine:
    model: type[models.Model]
    event_model: type[models.Model]
    event_fk: str  # the event model's foreign key to ``model``
    allowed: Mapping[str, frozenset[str]]

    def __post_init__(self):
        statuses = {value for value, _ in self.model.Status.choices}
        if set(self.allowed) != statuses:
            raise ValueError(f"{self.model.__name__}: the transitions table must list every status once")
        for targets in self.allowed.values():
            if not set(targets) <= statuses:
                raise ValueError(f"{self.model.__name__}: a transition leads to an unknown status")


# model → its machine, filled by ``register`` from each app's ``ready()``.
MACHINES: dict[type[models.Model], StateMachine] = {}
# model → its allowed-transitions table (the same tables, keyed for reading).
ALLOWED: dict[type[models.Model], Mapping[str, frozenset[str]]] = {}


def register(*machines: StateMachine) -> None:
    for machine in machines:
        MACHINES[machine.model] = machine
        ALLOWED[machine.model] = machine.allowed


def table(rows: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """An allowed-transitions table from ``{from: [to, …]}``."""
    return {str(k): frozenset(str(v) for v in targets) for k, targets in rows.items()}


def can_transition(obj: models.Model, to: str) -> bool:
    return to in MACHINES[type(obj)].allowed.get(obj.status, ())


def illegal(obj: models.Model, to: str) -> Conflict:
    labels = dict(type(obj).Status.choices)
    return Conflict(
        f"当前状态为“{labels.get(obj.status, obj.status)}”，不能变为“{labels.get(to, to)}”。",
        code="illegal_transition",
    )


def lock(obj_or_model, pk: int | None = None):
    """Re-read a row under ``SELECT … FOR UPDATE`` (only its own table, never outer-joined ones)."""
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return model.objects.select_for_update(of=("self",)).get(pk=pk if pk is not None else obj_or_model.pk)


def transition(
    obj: models.Model,
    to: str,
    *,
    actor=None,
    note: str = "",
    kind: str = "",
    fields: Iterable[str] = (),
    locked: bool = False,
    event: Mapping[str, object] | None = None,
    **changes,
):
    """Move ``obj`` to status ``to``, applying ``changes`` too; return the saved, locked row.

    ``locked=True`` when the caller already holds the row lock inside this transaction (and
    passes that very instance). ``event``: values for the event row's own fields beyond the
    common ones (a correction's minutes before and after). Raises
    ``Conflict(code="illegal_transition")`` otherwise.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition() must run inside transaction.atomic()")
    row = obj if locked else lock(obj)
    if not can_transition(row, to):
        raise illegal(row, to)
    before = row.status
    saved = ["status", *changes.keys(), *fields]
    old = audit.values_of(row, saved)
    row.status = to
    for name, value in changes.items():
        setattr(row, name, value)
    row.save(update_fields=saved)
    changed = audit.diff(old, audit.values_of(row, saved))
    _write_event(row, before=before, actor=actor, note=note, kind=kind, changes=changed, extra=event)
    return row


def record_created(obj: models.Model, *, actor=None, note: str = "", kind: str = "", at=None) -> None:
    """A row's first event: from no status to the one it was created in (``at``: its creation time)."""
    _write_event(obj, before="", actor=actor, note=note, kind=kind, at=at)


def record_event(obj: models.Model, *, actor=None, note: str = "", kind: str = "") -> None:
    """An event without a change of state (a follower joined, a choice passed on, a response recorded)."""
    _write_event(obj, before=obj.status, actor=actor, note=note, kind=kind)


def transition_many(
    rows: Sequence[models.Model],
    to: str,
    *,
    actor=None,
    notes: Sequence[str] | None = None,
    kind: str = "",
    **changes,
) -> list[models.Model]:
    """``transition(row, to, locked=True, …)`` for each of ``rows``, in three queries.

    The caller holds the rows' locks in this transaction and passes those instances; each gets
    ``to`` and the same ``changes``, and ``notes[i]`` (or none) on its event. Any row that may
    not move to ``to`` raises ``Conflict`` before anything is written."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition_many() must run inside transaction.atomic()")
    rows = list(rows)
    if not rows:
        return rows
    model = type(rows[0])
    for row in rows:
        if type(row) is not model:
            raise TypeError("transition_many(): rows of one model only")
        if not can_transition(row, to):
            raise illegal(row, to)
    notes = list(notes) if notes is not None else [""] * len(rows)
    if len(notes) != len(rows):
        raise ValueError("transition_many(): one note per row")
    saved = ["status", *changes.keys()]
    befores, olds = [row.status for row in rows], [audit.values_of(row, saved) for row in rows]
    for row in rows:
        row.status = to
        for name, value in changes.items():
            setattr(row, name, value)
    model.objects.filter(pk__in=[row.pk for row in rows]).update(status=to, **changes)
    pairs = [
        _event_rows(
            row,
            before=before,
            actor=actor,
            note=note,
            kind=kind,
            changes=audit.diff(old, audit.values_of(row, saved)),
        )
        for row, before, old, note in zip(rows, befores, olds, notes, strict=True)
    ]
    _save_event_rows(model, pairs)
    return rows


def record_created_many(
    rows: Sequence[models.Model], *, actor=None, notes: Sequence[str] | None = None, kind: str = ""
) -> None:
    """``record_created`` for each of ``rows`` (already inserted, e.g. by ``bulk_create``), each at
    its own ``created_at``, in two statements (COPY on PostgreSQL: a bulk import's rows)."""
    rows = list(rows)
    if not rows:
        return
    notes = list(notes) if notes is not None else [""] * len(rows)
    if len(notes) != len(rows):
        raise ValueError("record_created_many(): one note per row")
    machine = MACHINES[type(rows[0])]
    if kind and kind not in machine.event_model.KIND_LABELS:
        raise ValueError(f"{machine.event_model.__name__}: kind {kind!r} is not in its KIND_LABELS")
    label = machine.event_model.KIND_LABELS.get(kind, "")
    # What ``_event_rows`` makes for a created row, built for all of them at once.
    entries = audit.created_entries(rows, actor=actor, notes=["：".join(p for p in (label, n) if p) for n in notes])
    now = timezone.now()
    events = [
        machine.event_model(
            **{machine.event_fk: row},
            kind=kind,
            from_status="",
            to_status=row.status,
            actor=actor,
            note=(note or "")[:500],
            created_at=getattr(row, "created_at", None) or now,
        )
        for row, note in zip(rows, notes, strict=True)
    ]
    audit.copy_many(entries)
    insert_many(events, ids=False)  # nothing points at an event row


def _save_event_rows(model: type[models.Model], pairs: list[tuple]) -> None:
    audit.copy_many(entry for entry, _ in pairs)
    insert_many([event for _, event in pairs], ids=False)


def _write_event(
    row: models.Model,
    *,
    before: str,
    actor,
    note: str,
    kind: str,
    at=None,
    changes: dict | None = None,
    extra: Mapping[str, object] | None = None,
) -> None:
    """The machine's event row (with ``extra`` fields of its own), and its line in the audit trail
    (with every field the change set)."""
    entry, event = _event_rows(
        row, before=before, actor=actor, note=note, kind=kind, at=at, changes=changes, extra=extra
    )
    if entry is not None:
        entry.save()
    event.save()


def _event_rows(
    row: models.Model,
    *,
    before: str,
    actor,
    note: str,
    kind: str,
    at=None,
    changes: dict | None = None,
    extra: Mapping[str, object] | None = None,
) -> tuple:
    """The unsaved (audit entry, event row) pair that records one change of ``row``."""
    machine = MACHINES[type(row)]
    if kind and kind not in machine.event_model.KIND_LABELS:
        raise ValueError(f"{machine.event_model.__name__}: kind {kind!r} is not in its KIND_LABELS")
    if not before:
        action, changes = audit.Action.CREATED, audit.diff({}, audit.snapshot(row))
    elif before != row.status:
        action, changes = audit.Action.TRANSITION, changes or {"status": [before, row.status]}
    else:
        action, changes = audit.Action.EVENT, changes or {}
    label = machine.event_model.KIND_LABELS.get(kind, "")
    entry = audit.entry(action, obj=row, actor=actor, changes=changes, note="：".join(p for p in (label, note) if p))
    event = machine.event_model(
        **{machine.event_fk: row},
        kind=kind,
        from_status=before,
        to_status=row.status,
        actor=actor,
        note=(note or "")[:500],
        created_at=at or timezone.now(),
        **(extra or {}),
    )
    return entry, event
