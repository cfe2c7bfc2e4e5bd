"""Writing many rows of one model at once: ``insert_many``, through PostgreSQL's COPY.

A bulk import writes hundreds of thousands of rows. Through ``bulk_create`` most of their cost is
in Python, not in the database: Django compiles and prepares every value, and on PostgreSQL
psycopg quotes each batch's columns as arrays for ``UNNEST`` on the client — half the time of a
60,000-row roster import (users, members, registrations, events and their audit rows). COPY sends
each row as it is. Its one gap is that it returns nothing, so
the primary keys are drawn from the table's sequence first (one query) and copied with the rows:
the objects come back with them, as from ``bulk_create``, and rows made later can point at them.

Other databases (SQLite: the tests, development) get ``bulk_create`` in batches. Both write the
same rows: each field's ``pre_save`` (``auto_now``) runs, a related object's id fills its
foreign key, and each value is prepared by its field (``get_db_prep_save``) unless it is a plain
value that the field would pass through unchanged (text, numbers, booleans, None, an aware
datetime). A model with a field of another kind (files, database defaults), or whose primary
key the database does not number, is written with ``bulk_create`` there too. ``tests/core/test_copy.py`` compares the two on PostgreSQL.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from operator import attrgetter

from django.conf import settings
from django.db import connections, models, router
from django.db.models.fields import NOT_PROVIDED, AutoFieldMixin

# Fields whose plain values (``_PLAIN_TYPES``) Django hands to the driver unchanged.
_PLAIN_FIELDS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "CharField",
        "TextField",
        "SlugField",
        "EmailField",
        "URLField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
        "BooleanField",
        "FloatField",
        "ForeignKey",
        "OneToOneField",
    }
)
# Fields COPY takes once their field has prepared the value.
_PREPARED_FIELDS = frozenset({"DateTimeField", "DateField", "TimeField", "JSONField", "DecimalField", "UUIDField"})
_PLAIN_TYPES = frozenset({str, int, bool, float, type(None)})


def use_copy(model: type[models.Model]) -> bool:
    """Whether ``insert_many`` writes this model's rows with COPY."""
    connection = connections[router.db_for_write(model)]
    return connection.vendor == "postgresql" and _copyable(model)


def _copyable(model: type[models.Model]) -> bool:
    meta = model._meta
    if meta.parents or meta.proxy or not isinstance(meta.pk, AutoFieldMixin):
        return False
    for f in meta.concrete_fields:
        if f.db_default is not NOT_PROVIDED:
            return False
        kind = f.get_internal_type()
        if kind not in _PLAIN_FIELDS and kind not in _PREPARED_FIELDS and kind != "GenericIPAddressField":
            return False
    return True


def insert_many(objs: Sequence[models.Model], *, batch_size: int = 1000, ids: bool = True) -> list[models.Model]:
    """``bulk_create(objs, batch_size=batch_size)`` for rows of one model: on PostgreSQL one COPY.

    With ``ids`` (the default) the objects come back with their primary keys; without, the
    database numbers the rows and the objects keep none (rows nothing will point at: the audit
    trail). Raises ``IntegrityError`` as an INSERT would."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    if not use_copy(model):
        return model.objects.bulk_create(objs, batch_size=batch_size)
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    if not ids and any(obj.pk is not None for obj in objs):
        raise ValueError("insert_many(ids=False) numbers the rows itself: pass objects without primary keys.")
    fields = [f for f in meta.concrete_fields if ids or not f.primary_key]
    qn = connection.ops.quote_name
    sql = f"COPY {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) FROM STDIN"
    with connection.wrap_database_errors, connection.cursor() as cursor:
        if ids:
            _number(cursor, model, objs, qn)
        _prepare(objs, meta)
        rows = _rows(objs, fields, connection)
        with cursor.cursor.copy(sql) as copy:
            write = copy.write_row
            for row in rows:
                write(row)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


def _number(cursor, model: type[models.Model], objs: list[models.Model], qn) -> None:
    """Draw ids from the table's sequence for the objects without one, in the objects' order."""
    missing = [obj for obj in objs if obj.pk is None]
    if not missing:
        return
    meta = model._meta
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [qn(meta.db_table), meta.pk.column, len(missing)],
    )
    for obj, (pk,) in zip(missing, sorted(cursor.fetchall()), strict=True):
        obj.pk = pk


def _prepare(objs: list[models.Model], meta) -> None:
    """What ``bulk_create`` does to each object before its INSERT: ``auto_now`` fields stamped, and
    a foreign key assigned as an object before that object was saved filled with its id."""
    stamped = [f for f in meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    related = [f for f in meta.concrete_fields if f.is_relation]
    for obj in objs:
        for f in stamped:
            setattr(obj, f.attname, f.pre_save(obj, True))
        for f in related:
            if getattr(obj, f.attname) is None and f.is_cached(obj):
                target = f.get_cached_value(obj)
                if target is not None:
                    if target.pk is None:  # as bulk_create refuses it
                        raise ValueError(f"insert_many(): the related object '{f.name}' is not saved.")
                    setattr(obj, f.name, target)  # its id, keeping the object cached


def _rows(objs: list[models.Model], fields, connection):
    """Each object's values for COPY, prepared as ``bulk_create`` would prepare them."""
    names = [f.attname for f in fields]
    values_of = attrgetter(*names) if len(names) > 1 else lambda obj: (getattr(obj, names[0]),)
    # Columns whose plain values pass unprepared (an aware datetime too for a DateTimeField), and
    # columns always prepared by their field.
    plain, stamps, always = [], [], []
    for i, f in enumerate(fields):
        kind = f.get_internal_type()
        if kind in _PLAIN_FIELDS:
            plain.append((i, f.get_db_prep_save))
        elif kind == "DateTimeField" and settings.USE_TZ:
            stamps.append((i, f.get_db_prep_save))
        else:
            always.append((i, f.get_db_prep_save))
    for obj in objs:
        row = list(values_of(obj))
        for i, prep in plain:
            if type(row[i]) not in _PLAIN_TYPES:
                row[i] = prep(row[i], connection)
        for i, prep in stamps:
            value = row[i]
            if value is not None and (type(value) is not datetime.datetime or value.tzinfo is None):
                row[i] = prep(value, connection)
        for i, prep in always:
            row[i] = prep(row[i], connection)
        yield row
