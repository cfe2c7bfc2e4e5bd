"""Audit rows are append-only for every connection, the superuser's included.

Privileges would not hold against the superuser the platform (and CI) may connect as, so a
PostgreSQL trigger refuses ``UPDATE`` and ``DELETE`` of audit rows. ``TRUNCATE`` fires no row
trigger and stays allowed, so a test database can be flushed. SQLite (the embedded demo) gets no
trigger: Django flushes a SQLite test database with ``DELETE``; there the model and its queryset
refuse changes (``core.models.AuditEntry``).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计记录只能追加，不能修改或删除（%）', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_audit_entry")]

    operations = [migrations.RunPython(forwards, backwards)]
