"""Database chores the commands share."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db import connection, connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

# Values bound at once where each is a parameter of its own (SQLite allows 32,766 per statement).
CHUNK = 5000


def analyze() -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load.

    Rows written in bulk (the generated city, a year of activity) are invisible to the planner until
    autovacuum gets to them, which may be minutes later. Until then it believes the tables nearly
    empty, and picks sequential scans and sorts that make the first downloads and lists many times
    slower.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def among(queryset: QuerySet, field: str, values: Sequence) -> Iterator[QuerySet]:
    """``queryset`` filtered to rows whose ``field`` is one of ``values``, as querysets to read in turn.

    On PostgreSQL one query whatever the number of values: they go as one array parameter, where
    ``field__in`` binds each value on its own (60,000 phone numbers were twelve queries of 5,000
    literals each: 1.4–1.7 s on the loaded benchmark host, against 0.3–0.5 s for the one array).
    Elsewhere (SQLite, with its limit on bound parameters) in chunks of ``CHUNK``."""
    values = list(values)
    if not values:
        return
    if connections[queryset.db].vendor == "postgresql":
        column = queryset.model._meta.pk if field == "pk" else queryset.model._meta.get_field(field)
        array = f"{column.db_type(connections[queryset.db])}[]"
        yield queryset.filter(**{f"{field}__in": RawSQL(f"SELECT unnest(%s::{array})", [values])})
        return
    for i in range(0, len(values), CHUNK):
        yield queryset.filter(**{f"{field}__in": values[i : i + CHUNK]})
