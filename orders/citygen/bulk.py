"""Bulk loading on PostgreSQL: constraints and indexes built once per table, not row by row.

Row by row, PostgreSQL checks each foreign key with a query per row and adds each row to every
index (a GiST index one entry at a time); for a few hundred thousand rows that is most of the
time spent. ``constraints_checked_after`` drops the foreign keys, unique and exclusion
constraints and the secondary indexes of the tables about to be filled, and creates them again,
with the same names and definitions, once the rows are in — inside the same transaction. Every
row is then checked in one pass per constraint (an anti-join per foreign key, a sorted build of
each index), and the transaction fails if any row breaks one. Primary keys, CHECK and not-null
constraints stay in place throughout. On other databases it does nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from django.db import connection, models

# Constraint kinds dropped and re-added: unique, exclusion, then foreign keys.
KINDS = ("u", "x", "f")


@contextlib.contextmanager
def constraints_checked_after(model_list: Iterable[type[models.Model]]):
    if connection.vendor != "postgresql":
        yield
        return
    tables = sorted({m._meta.db_table for m in model_list})
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Run the checks still queued (from deletes earlier in the transaction): a table with
        # pending trigger events cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(
            "SELECT c.contype, c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE c.contype = ANY(%s) AND t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace "
            "ORDER BY t.relname, c.conname",
            [list(KINDS), tables],
        )
        constraints = sorted(cursor.fetchall(), key=lambda row: KINDS.index(row[0]))
        for _kind, table, name, _definition in reversed(constraints):
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE NOT i.indisprimary AND t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace "
            "ORDER BY 1",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
        for _kind, table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
