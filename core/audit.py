"""The audit trail: who changed what, when, from where and through which entry point.

One append-only table (``core.models.AuditEntry``) written by the few places where each kind of
change happens, so nothing else has to remember it:

- every state change and machine event (``core.transitions``), registrations and hours included;
- every organisation edit (``grids.services.rows``: create, update with before → after, delete);
- every sign-in and failed sign-in (``accounts.services``), every token issued or revoked
  (``accounts.device_tokens``);
- every download (``core.exports.csv_response``);
- every admin addition, change, deletion and action (``core.admin_site``: the admin site wraps
  each registered ``ModelAdmin``).

Where a row comes from is the request's ``Origin``, set by ``AuditOriginMiddleware`` (the
channel: API, page or admin; the client's address; the device) and by the Celery task hooks
(channel "job"); outside any request — a Celery worker, a management command — it is "job".
The actor is the one a service names, else the request's signed-in user.

The rows are never changed or deleted through the application: the model and its queryset
refuse it, and on PostgreSQL a trigger refuses ``UPDATE`` and ``DELETE`` for every connection,
the superuser's included (``TRUNCATE`` stays, so a test database can be flushed). They hold no
foreign keys: deleting a user or an object keeps its history.

The bulk generators (``generate_city``, ``generate_activity``) write with ``bulk_create`` and
bypass the trail, so benchmarks measure the platform rather than the audit of fake data;
``suspended()`` is there for anything else that must (none today).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from core.copy import insert_many
from core.models import AuditEntry

Action = AuditEntry.Action
CHANNEL_API, CHANNEL_PAGE, CHANNEL_ADMIN, CHANNEL_JOB = "api", "page", "admin", "job"

# Fields whose values never go into the trail (only that they changed).
SECRET_FIELDS = frozenset({"password", "code_hash", "key_hash", "token_hash", "secret"})
HIDDEN = "（已隐藏）"


@dataclass
class Origin:
    channel: str = CHANNEL_JOB
    ip: str | None = None
    device: str = ""
    request: Any = None  # the HttpRequest, read for its signed-in user when no actor is named


_origin: ContextVar[Origin | None] = ContextVar("audit_origin", default=None)
_suspended: ContextVar[bool] = ContextVar("audit_suspended", default=False)


def current_origin() -> Origin:
    return _origin.get() or Origin()


@contextmanager
def origin(**fields):
    """Run the block with this origin (a request, a job)."""
    token = _origin.set(Origin(**fields))
    try:
        yield
    finally:
        _origin.reset(token)


def name_device(name: str) -> None:
    """The signed-in device's own name (an API token's), once authentication has found it."""
    current = _origin.get()
    if current is not None and name:
        current.device = name[:200]


@contextmanager
def suspended():
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


_SIMPLE = frozenset({bool, int, float, str})


def plain(value: Any) -> Any:
    """A JSON-safe form of a field's value."""
    # The exact types first: a bulk import builds hundreds of thousands of audit rows.
    if value is None or type(value) in _SIMPLE or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset) or hasattr(value, "__iter__"):
        try:
            return [plain(v) for v in value]
        except TypeError:
            pass
    return str(value)


def values_of(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The row's current values of these fields (foreign keys by their id)."""
    out = {}
    for name in names:
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:  # a property or another attribute
            out[name] = plain(getattr(obj, name, None))
            continue
        attname = getattr(field, "attname", name)
        out[attname] = plain(getattr(obj, attname, None))
    return out


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list]:
    """``{field: [before, after]}`` for the fields whose value changed (secrets hidden)."""
    changes = {}
    for name in sorted(set(before) | set(after)):
        old, new = plain(before.get(name)), plain(after.get(name))
        if old != new:
            changes[name] = [HIDDEN, HIDDEN] if _secret(name) else [old, new]
    return changes


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Every concrete field of the row (secrets hidden): what a created or deleted row was."""
    return {
        f.attname: HIDDEN if _secret(f.attname) else plain(getattr(obj, f.attname, None))
        for f in obj._meta.concrete_fields
    }


def _secret(name: str) -> bool:
    return name in SECRET_FIELDS or name.endswith("_hash")


def _actor_of(actor, origin_: Origin):
    if actor is not None:
        return actor
    user = getattr(origin_.request, "user", None) if origin_.request is not None else None
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None


def record(
    action: str,
    *,
    obj: models.Model | None = None,
    actor=None,
    changes: Mapping[str, Any] | None = None,
    note: str = "",
    object_type: str = "",
    object_id: Any = "",
    object_repr: str = "",
):
    """Write one audit row in the caller's transaction (rolled back with it, as the change is)."""
    row = entry(
        action,
        obj=obj,
        actor=actor,
        changes=changes,
        note=note,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
    )
    if row is not None:
        row.save()
    return row


def entry(
    action: str,
    *,
    obj: models.Model | None = None,
    actor=None,
    changes: Mapping[str, Any] | None = None,
    note: str = "",
    object_type: str = "",
    object_id: Any = "",
    object_repr: str = "",
) -> AuditEntry | None:
    """The row ``record`` would write, unsaved (None while the trail is suspended)."""
    if _suspended.get():
        return None
    where = current_origin()
    who = _actor_of(actor, where)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or _repr(obj)
    return AuditEntry(
        action=action,
        actor_id=getattr(who, "pk", None),
        actor_name=(str(who) if who is not None else "")[:150],
        object_type=object_type[:100],
        object_id=str(object_id if object_id is not None else "")[:64],
        object_repr=(object_repr or "")[:200],
        changes=plain(dict(changes or {})),
        note=(note or "")[:500],
        channel=where.channel,
        ip=where.ip,
        device=(where.device or "")[:200],
    )


def created_entries(
    objs: Iterable[models.Model], *, actor=None, notes: Iterable[str] | None = None
) -> list[AuditEntry]:
    """``entry(CREATED, obj=o, actor=actor, changes=diff({}, snapshot(o)), note=note)`` for each of
    ``objs`` (rows of one model, already inserted) and of ``notes`` (none by default), row for row the
    same, with the origin, the actor, the model's fields and the time read once: the trail of a bulk
    import of tens of thousands of rows, all written at one moment."""
    objs = list(objs)
    if _suspended.get() or not objs:
        return []
    notes = [(n or "")[:500] for n in notes] if notes is not None else [""] * len(objs)
    if len(notes) != len(objs):
        raise ValueError("created_entries(): one note per row")
    where = current_origin()
    who = _actor_of(actor, where)
    actor_id, actor_name = getattr(who, "pk", None), (str(who) if who is not None else "")[:150]
    channel, ip, device = where.channel, where.ip, (where.device or "")[:200]
    meta = objs[0]._meta
    object_type = meta.label_lower[:100]
    names = sorted(f.attname for f in meta.concrete_fields)
    fields = [(name, _secret(name)) for name in names]
    values_of_row = attrgetter(*names) if len(names) > 1 else lambda obj: (getattr(obj, names[0]),)
    # The rows' values in the model's field order, passed by position: Model.__init__ takes
    # positional values in half the time of keywords, which counts at hundreds of thousands of rows.
    order = [f.attname for f in AuditEntry._meta.concrete_fields]
    row = dict.fromkeys(order)
    row.update(
        at=timezone.now(),
        action=Action.CREATED,
        actor_id=actor_id,
        actor_name=actor_name,
        object_type=object_type,
        channel=channel,
        ip=ip,
        device=device,
    )
    template = [row[name] for name in order]
    at_id, at_repr, at_changes, at_note = (order.index(n) for n in ("object_id", "object_repr", "changes", "note"))
    out = []
    for obj, note in zip(objs, notes, strict=True):
        changes = {}
        for (name, secret), value in zip(fields, values_of_row(obj), strict=True):
            if secret:
                changes[name] = [HIDDEN, HIDDEN]
                continue
            if type(value) not in _SIMPLE:  # plain() for the rest; the common types are already plain
                value = plain(value)
            if value is not None:
                changes[name] = [None, value]
        values = template.copy()
        values[at_id] = str(obj.pk if obj.pk is not None else "")[:64]
        values[at_repr] = (_repr(obj) or "")[:200]
        values[at_changes] = changes
        values[at_note] = note
        out.append(AuditEntry(*values))
    return out


def record_many(rows: Iterable[AuditEntry | None]) -> list[AuditEntry]:
    """Write rows built by ``entry`` in one INSERT (a bulk action's trail, row for row the same as
    recording them one by one)."""
    rows = [r for r in rows if r is not None]
    return AuditEntry.objects.bulk_create(rows, batch_size=1000) if rows else []


def copy_many(rows: Iterable[AuditEntry | None]) -> int:
    """``record_many`` through PostgreSQL's COPY (``core.copy.insert_many``): the same rows, for a
    bulk import's hundreds of thousands of them; other databases: ``record_many``."""
    rows = [r for r in rows if r is not None]
    return len(insert_many(rows, ids=False)) if rows else 0


def _repr(obj: models.Model) -> str:
    try:
        return str(obj)
    except Exception:  # a half-built row must not stop the write it records
        return f"{obj._meta.verbose_name} #{obj.pk}"
