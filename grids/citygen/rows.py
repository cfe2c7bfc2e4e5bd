"""Fast inserts for the city generator: plain records in, COPY (PostgreSQL) or executemany (SQLite) out.

Building 280,000 Django model instances and passing them through ``bulk_create`` costs more
than a minute on a small machine; the same rows as slotted records, written with PostgreSQL's
COPY, take seconds. Ids are reserved before the insert (from the table's sequence on
PostgreSQL, after ``MAX(id)`` on SQLite, inside the same transaction), so children can carry
their parents' ids without reading anything back.

A record's attributes are named after the model's fields; a foreign key holds the parent
record (or a saved model instance). A column the record does not carry gets the field's
default, so adding a field with a default to a model needs no change here. The database's
triggers and constraints run as for any insert.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, models


@dataclass(slots=True, eq=False)
class CommunityRec:
    street: object
    name: str
    name_initials: str
    kind: str
    address: str
    lat: float
    lng: float
    geofence_radius_m: int
    households: int
    members_needed: int
    district_name: str = ""  # not a column: where the generator put it
    id: int | None = None


@dataclass(slots=True, eq=False)
class GridRec:
    community: CommunityRec
    level: int
    kind: str
    name: str
    parent: GridRec | None = None
    id: int | None = None


@dataclass(slots=True, eq=False)
class UnitRec:
    name: str
    name_initials: str
    kind: str
    district: object
    party_org_name: str
    address: str
    lat: float
    lng: float
    id: int | None = None


@dataclass(slots=True, eq=False)
class PairingRec:
    unit: UnitRec
    community: CommunityRec
    created_at: datetime
    id: int | None = None


@dataclass(slots=True, eq=False)
class UserRec:
    phone: str
    name: str
    name_initials: str
    password: str
    is_staff: bool
    date_joined: datetime
    id: int | None = None


@dataclass(slots=True, eq=False)
class MemberRec:
    user: UserRec
    kind: str
    unit: UnitRec | None
    skills: str  # JSON text
    home_address: str
    home_lat: float
    home_lng: float
    created_at: datetime
    community: CommunityRec | None = None
    grid: GridRec | None = None
    id: int | None = None


@dataclass(slots=True, eq=False)
class RegistrationRec:
    member: MemberRec
    community: CommunityRec | None
    grid: GridRec | None
    status: str
    source: str
    decided_by: UserRec | None
    created_at: datetime
    note: str = ""
    placed_at: datetime | None = None
    ended_at: datetime | None = None
    id: int | None = None


@dataclass(slots=True, eq=False)
class ChoiceRec:
    registration: RegistrationRec
    community: CommunityRec
    rank: int
    declined_at: datetime | None = None
    id: int | None = None


@dataclass(slots=True, eq=False)
class PostRec:
    user: UserRec
    role: str
    created_at: datetime
    district: object = None
    street: object = None
    community: CommunityRec | None = None
    grid: GridRec | None = None
    id: int | None = None


@dataclass(slots=True, eq=False)
class TeamRec:
    grid: GridRec
    name: str
    created_at: datetime
    id: int | None = None


@dataclass(slots=True, eq=False)
class MembershipRec:
    team: TeamRec
    member: MemberRec
    role: str
    joined_at: datetime
    id: int | None = None


def _fk(name: str) -> Callable[[object], int | None]:
    def get(rec):
        parent = getattr(rec, name)
        return None if parent is None else parent.id

    return get


def _extractors(model: type[models.Model], rec_type: type, vendor: str) -> tuple[list[str], list[Callable]]:
    have = set(rec_type.__slots__)
    columns, getters = [], []
    for f in model._meta.concrete_fields:
        columns.append(f.column)
        if f.name in have and f.is_relation:
            getters.append(_fk(f.name))
        elif f.name in have:
            getters.append(_attr(f, vendor))
        else:
            default = f.get_default()
            if isinstance(f, models.JSONField):
                default = json.dumps(default)
            elif vendor == "sqlite" and isinstance(f, models.DateTimeField) and default is not None:
                default = connection.ops.adapt_datetimefield_value(default)
            getters.append(lambda rec, d=default: d)
    return columns, getters


def _attr(f: models.Field, vendor: str) -> Callable:
    name = f.name
    if vendor == "sqlite" and isinstance(f, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda rec: adapt(getattr(rec, name))
    return lambda rec: getattr(rec, name)


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, n],
            )
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cursor.fetchone()[0]
        return list(range(start + 1, start + n + 1))


def insert(
    model: type[models.Model],
    recs: Sequence,
    *,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Give ``recs`` ids and insert them into ``model``'s table."""
    if not recs:
        return
    for rec, pk in zip(recs, reserve_ids(model, len(recs)), strict=True):
        rec.id = pk
    vendor = connection.vendor
    columns, getters = _extractors(model, type(recs[0]), vendor)
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        for start in range(0, len(recs), batch_size):
            rows = [tuple(g(rec) for g in getters) for rec in recs[start : start + batch_size]]
            if vendor == "postgresql":
                # The raw psycopg cursor: Django's wrapper has no copy(); map its errors to Django's.
                with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
            if progress:
                progress(len(rows))
