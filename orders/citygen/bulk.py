"""Bulk loading on PostgreSQL: foreign keys and exclusion constraints checked once per table.

Row by row, PostgreSQL checks each foreign key with a query per row and inserts into a GiST
index one entry at a time; for a few hundred thousand rows that is most of the time spent.
``constraints_checked_after`` drops those constraints on the tables about to be filled and adds
them back, with the same names and definitions, once the rows are in — inside the same
transaction, so the rows are checked in one pass each (an anti-join per foreign key, a bulk
build of the exclusion index) and the transaction fails if any row breaks them. CHECK, unique
and not-null constraints stay in place throughout. On other databases it does nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from django.db import connection, models


@contextlib.contextmanager
def constraints_checked_after(model_list: Iterable[type[models.Model]]):
    if connection.vendor != "postgresql":
        yield
        return
    tables = sorted({m._meta.db_table for m in model_list})
    with connection.cursor() as cursor:
        # Run the checks still queued (from deletes earlier in the transaction): a table with
        # pending trigger events cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE c.contype IN ('f', 'x') AND t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace "
            "ORDER BY c.contype, t.relname, c.conname",
            [tables],
        )
        saved = cursor.fetchall()
        for table, name, _definition in saved:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in saved:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
