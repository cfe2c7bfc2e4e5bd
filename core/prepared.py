"""Querysets compiled once per process and run with new values on every call: ``Prepared``.

The hottest reads of the API (the token behind every request, the member behind every member's
request, the task hall) have the same shape on every call; only their values change. Building
such a queryset, compiling it to SQL and turning its rows into model instances costs the ORM
1–2 ms of CPU per query, several times what PostgreSQL spends answering it. ``Prepared`` keeps
the ORM as the one place the query is written, and pays for it once per process and shape:

    TOKEN = Prepared(lambda digest, now: DeviceToken.objects.filter(digest=digest, expires_at__gt=now).values("id"))
    TOKEN.rows(digest=d, now=timezone.now())      # list of dicts, the queryset's values()

The first call of a shape builds the queryset twice with stand-in values (sentinels: numbers,
strings, dates and times no real call passes), compiles both, and finds in the compiled
parameters where each argument went. Every later call substitutes the real values in those places
and runs the SQL on the cursor, applying the same converters as the queryset would.

What the builder may do with its arguments: pass them to the ORM as they are. Lengths of lists,
``None`` and booleans are the *shape* (each shape is compiled once): the builder may branch on
them. Anything computed from an argument in Python (``lat - 0.01``, ``f"%{q}%"``) would be frozen
into the SQL, so the two compilations differ and the plan is refused (``ImproperlyConfigured``);
pass such a value as an argument of its own. The queryset must be a ``values()`` queryset without
a slice: ``rows(limit=…, offset=…)`` appends LIMIT and OFFSET as parameters.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet

_SCALARS = (int, float, str, dt.datetime, dt.date)


@dataclass(frozen=True)
class _Slot:
    """Where one compiled parameter comes from: an argument (and index in a list), or a constant."""

    name: str | None
    index: int | None = None
    adapt: Callable[[Any], Any] | None = None
    constant: Any = None


@dataclass(frozen=True)
class _Plan:
    alias: str
    sql: str
    slots: tuple[_Slot, ...]
    names: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Callable, ...], Any], ...]
    empty: bool = False  # the filter can match nothing (``EmptyResultSet``): no query at all


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    for t in (dt.datetime, dt.date, int, float, str):  # datetime before date: it is one
        if isinstance(value, t):
            return t.__name__
    raise TypeError(
        f"Prepared arguments are numbers, strings, dates, times, lists of them, booleans or None, not {value!r}"
    )


def _shape(values: dict[str, Any]) -> tuple:
    shape = []
    for name in sorted(values):
        value = values[name]
        if value is None or isinstance(value, bool):
            shape.append((name, value))
        elif isinstance(value, (list, tuple)):
            shape.append((name, "list", len(value), tuple(_kind(v) for v in value[:1])))
        else:
            shape.append((name, _kind(value)))
    return tuple(shape)


class _Sentinels:
    """Stand-ins for one compilation, and the lookup from a compiled parameter back to them."""

    def __init__(self, values: dict[str, Any], salt: int, connection):
        self.args: dict[str, Any] = {}
        self.where: dict[tuple[type, Any], _Slot] = {}
        self._n = 0
        self._salt = salt
        ops = connection.ops
        self._adapters = {"datetime": ops.adapt_datetimefield_value, "date": ops.adapt_datefield_value}
        for name, value in values.items():
            if value is None or isinstance(value, bool):
                self.args[name] = value
            elif isinstance(value, (list, tuple)):
                self.args[name] = [self._make(name, v, i) for i, v in enumerate(value)]
            else:
                self.args[name] = self._make(name, value, None)

    def _make(self, name: str, value: Any, index: int | None) -> Any:
        self._n += 1
        n, salt, kind = self._n, self._salt, _kind(value)
        sentinel = {
            "int": -(7_100_000_000_000 + salt * 1_000_000 + n),
            "float": -(7_100_000_000.5 + salt * 1_000_000 + n),
            "str": f"\x1bprepared:{salt}:{n}:{name}",
            "datetime": dt.datetime(1001 + salt, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=n),
            "date": dt.date(1001 + salt, 1, 1) + dt.timedelta(days=n),
        }[kind]
        if kind == "datetime" and not (isinstance(value, dt.datetime) and value.tzinfo):
            sentinel = sentinel.replace(tzinfo=None)
        self.where[(type(sentinel), sentinel)] = _Slot(name, index)
        adapt = self._adapters.get(kind)
        if adapt is not None:
            adapted = adapt(sentinel)
            if adapted != sentinel or type(adapted) is not type(sentinel):
                self.where[(type(adapted), adapted)] = _Slot(name, index, adapt)
        return sentinel

    def find(self, param: Any) -> _Slot | None:
        try:
            return self.where.get((type(param), param))
        except TypeError:  # unhashable (a list compiled into one parameter)
            return None


def _compile(qs: QuerySet):
    compiler = qs.query.get_compiler(using=qs.db)
    sql, params = compiler.as_sql()
    query = qs.query
    names = (*query.extra_select, *query.values_select, *query.annotation_select)
    expressions = [s[0] for s in compiler.select[: compiler.col_count]]
    converters = tuple((i, tuple(convs), expr) for i, (convs, expr) in compiler.get_converters(expressions).items())
    return qs.db, sql, tuple(params), names, converters


def _compile_or_empty(qs: QuerySet) -> None:
    """The second compilation of a shape the first found empty must find it empty too."""
    try:
        _compile(qs)
    except EmptyResultSet:
        return
    raise ImproperlyConfigured("The queryset's SQL depends on its arguments' values, not only on its shape.")


class Prepared:
    """A ``values()`` queryset, built by ``build(**values)``, compiled once per process and shape."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._plans: dict[tuple, _Plan] = {}
        self._lock = threading.Lock()

    def rows(self, *, limit: int | None = None, offset: int = 0, **values) -> list[dict[str, Any]]:
        plan = self._plan(values)
        if plan.empty:
            return []
        params = []
        for slot in plan.slots:
            if slot.name is None:
                params.append(slot.constant)
                continue
            value = values[slot.name] if slot.index is None else values[slot.name][slot.index]
            params.append(value if slot.adapt is None else slot.adapt(value))
        sql = plan.sql
        if limit is not None:
            sql = f"{sql} LIMIT %s OFFSET %s"
            params += [limit, offset]
        connection = connections[plan.alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        names = plan.names
        if not plan.converters:
            return [dict(zip(names, row, strict=True)) for row in fetched]
        out = []
        for row in fetched:
            row = list(row)
            for i, convs, expr in plan.converters:
                value = row[i]
                for conv in convs:
                    value = conv(value, expr, connection)
                row[i] = value
            out.append(dict(zip(names, row, strict=True)))
        return out

    def first(self, **values) -> dict[str, Any] | None:
        rows = self.rows(limit=1, **values)
        return rows[0] if rows else None

    def _plan(self, values: dict[str, Any]) -> _Plan:
        key = _shape(values)
        plan = self._plans.get(key)
        if plan is None:
            with self._lock:
                plan = self._plans.get(key) or self._make_plan(values)
                self._plans[key] = plan
        return plan

    def _make_plan(self, values: dict[str, Any]) -> _Plan:
        probe = self.build(**_Sentinels(values, 0, connections["default"]).args)
        connection = connections[probe.db]
        one, two = _Sentinels(values, 1, connection), _Sentinels(values, 2, connection)
        qs_one, qs_two = self.build(**one.args), self.build(**two.args)
        for qs in (qs_one, qs_two):
            if not qs.query.values_select and not qs.query.annotation_select:
                raise ImproperlyConfigured("Prepared needs a values() queryset.")
            if qs.query.low_mark or qs.query.high_mark is not None:
                raise ImproperlyConfigured("Prepared querysets are not sliced: pass limit and offset to rows().")
        try:
            alias, sql, params_one, names, converters = _compile(qs_one)
        except EmptyResultSet:  # e.g. ``pk__in=[]``: as the ORM does, answer no rows
            _compile_or_empty(qs_two)
            return _Plan(qs_one.db, "", (), (), (), empty=True)
        _, sql_two, params_two, _, _ = _compile(qs_two)
        if sql != sql_two or len(params_one) != len(params_two):
            raise ImproperlyConfigured("The queryset's SQL depends on its arguments' values, not only on its shape.")
        slots = []
        for a, b in zip(params_one, params_two, strict=True):
            slot_a, slot_b = one.find(a), two.find(b)
            if slot_a is None and slot_b is None:
                if a != b:
                    raise ImproperlyConfigured(f"A parameter is computed from an argument ({a!r}): pass it as one.")
                slots.append(_Slot(None, constant=a))
            elif slot_a != slot_b:
                raise ImproperlyConfigured(
                    "An argument reached the SQL changed: pass the changed value as an argument."
                )
            else:
                slots.append(slot_a)
        used = {s.name for s in slots if s.name}
        unused = {n for n, v in values.items() if v not in (None, True, False) and v != [] and v != ()} - used
        if unused:
            raise ImproperlyConfigured(f"Arguments that never reach the SQL unchanged: {sorted(unused)}.")
        return _Plan(alias, sql, tuple(slots), names, converters)


def columns(model, prefix: str = "") -> list[str]:
    """Every column of ``model`` as ``values()`` names it through the relation path ``prefix``."""
    return [prefix + f.attname for f in model._meta.concrete_fields]


def from_row(model, row: dict[str, Any], prefix: str = "", alias: str = "default"):
    """The ``model`` instance a row of ``Prepared.rows`` holds under ``prefix`` (the columns the
    row lacks are deferred, as with ``only()``), or None when its key is null (an outer join)."""
    present = [f.attname for f in model._meta.concrete_fields if prefix + f.attname in row]
    if row.get(prefix + model._meta.pk.attname) is None:
        return None
    return model.from_db(alias, present, [row[prefix + name] for name in present])


def prefetched(instance, name: str, items: list) -> None:
    """Hand ``instance`` the rows of its reverse relation ``name`` as ``prefetch_related`` would:
    ``instance.<name>.all()`` then answers ``items`` without a query."""
    manager = getattr(instance, name)
    queryset = manager.model._default_manager.all()
    queryset._result_cache, queryset._prefetch_done = list(items), True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[manager.field.remote_field.cache_name] = queryset
