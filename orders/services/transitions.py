"""The state machines, and the one function each change of state goes through.

``transition`` checks the allowed-transitions table, locks the row, saves with
``update_fields`` and writes an event row (from, to, actor, time, note). The event rows are the
audit trail and the status timeline residents see.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction
from django.utils import timezone

from orders.models import (
    Acceptance,
    AcceptanceEvent,
    Escalation,
    EscalationEvent,
    RequestEvent,
    ServiceRequest,
    Task,
    TaskEvent,
)
from shaoguan.errors import Conflict

R, T, A, E = ServiceRequest.Status, Task.Status, Acceptance.Status, Escalation.Status

ALLOWED: dict[type[models.Model], dict[str, set[str]]] = {
    ServiceRequest: {
        R.SUBMITTED: {R.APPROVED, R.REJECTED, R.MERGED, R.ESCALATED},
        R.APPROVED: {R.RESOLVED, R.ESCALATED, R.SUBMITTED},  # back to review when its task is cancelled
        R.ESCALATED: {R.RESOLVED},
        R.RESOLVED: {R.CONFIRMED, R.RATED, R.CLOSED, R.SUBMITTED, R.ESCALATED},  # reopen → review; 2nd → street
        R.CONFIRMED: {R.RATED},
        R.REJECTED: set(),
        R.MERGED: set(),
        R.RATED: set(),
        R.CLOSED: set(),
    },
    Task: {
        T.OPEN: {T.FULL, T.IN_PROGRESS, T.COMPLETED, T.CANCELLED},
        T.FULL: {T.OPEN, T.IN_PROGRESS, T.COMPLETED, T.CANCELLED},
        T.IN_PROGRESS: {T.COMPLETED, T.CANCELLED},
        T.COMPLETED: set(),
        T.CANCELLED: set(),
    },
    Acceptance: {
        A.ACCEPTED: {A.CHECKED_IN, A.CANCELLED, A.NO_SHOW},
        A.CHECKED_IN: {A.COMPLETED},
        A.COMPLETED: set(),
        A.CANCELLED: set(),
        A.NO_SHOW: set(),
    },
    Escalation: {
        E.OPEN: {E.ASSIGNED, E.RESOLVED},
        E.ASSIGNED: {E.ASSIGNED, E.RESOLVED},  # re-assigning (more departments, new deadline) stays assigned
        E.RESOLVED: set(),
    },
}

_EVENTS = {
    ServiceRequest: (RequestEvent, "request"),
    Task: (TaskEvent, "task"),
    Acceptance: (AcceptanceEvent, "acceptance"),
    Escalation: (EscalationEvent, "escalation"),
}


def can_transition(obj: models.Model, to: str) -> bool:
    return to in ALLOWED[type(obj)].get(obj.status, set())


def illegal(obj: models.Model, to: str) -> Conflict:
    model = type(obj)
    labels = dict(model.Status.choices)
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
    fields: Iterable[str] = (),
    locked: bool = False,
    **changes,
):
    """Move ``obj`` to status ``to``, applying ``changes`` too; return the saved, locked row.

    ``locked=True`` when the caller already holds the row lock inside this transaction (and
    passes that very instance). Raises ``Conflict(code="illegal_transition")`` otherwise.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition() must run inside transaction.atomic()")
    row = obj if locked else lock(obj)
    if not can_transition(row, to):
        raise illegal(row, to)
    before = row.status
    row.status = to
    for name, value in changes.items():
        setattr(row, name, value)
    row.save(update_fields=["status", *changes.keys(), *fields])
    event_model, fk = _EVENTS[type(row)]
    event_model.objects.create(
        **{fk: row}, from_status=before, to_status=to, actor=actor, note=(note or "")[:500], created_at=timezone.now()
    )
    return row


def record_event(obj: models.Model, *, actor=None, note: str = "") -> None:
    """An event without a change of state (a follower joined, hours corrected, a response recorded)."""
    event_model, fk = _EVENTS[type(obj)]
    event_model.objects.create(**{fk: obj}, from_status=obj.status, to_status=obj.status, actor=actor, note=note[:500])
