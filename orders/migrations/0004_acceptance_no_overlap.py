"""On PostgreSQL: a member never holds two overlapping tasks, whatever the code does.

An exclusion constraint over (member, [starts_at, ends_at)) for the acceptances that hold time
(accepted, checked in, completed). It needs btree_gist for ``member_id WITH =``. SQLite has no
such constraint; there the member row lock in ``task_accept`` is the guard.
"""

from django.db import migrations

CONSTRAINT = "acceptance_no_overlap"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE orders_acceptance ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(member_id WITH =, tstzrange(starts_at, ends_at) WITH &&) "
        "WHERE (status IN ('accepted', 'checked_in', 'completed'))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE orders_acceptance DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_departments")]

    operations = [migrations.RunPython(create, drop)]
