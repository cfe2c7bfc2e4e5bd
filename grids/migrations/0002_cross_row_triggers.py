"""Database triggers for the rules a CHECK constraint cannot hold, because they look at another row:

- a level-3 grid's parent is a level-2 grid of the same community;
- a member's grid belongs to the member's community;
- a registration's grid belongs to the registration's community;
- a post's grid secretary sits on a grid (checked by the CHECK constraint) — nothing more here.

Written for PostgreSQL and SQLite, the two databases the project runs on. Errors carry a
``grid_`` prefix so ``grids.services`` can tell them apart.
"""

from django.db import migrations

PG = """
CREATE OR REPLACE FUNCTION grids_grid_parent_check() RETURNS trigger AS $$
BEGIN
  IF NEW.level = 3 AND NOT EXISTS (
      SELECT 1 FROM grids_grid p WHERE p.id = NEW.parent_id AND p.level = 2 AND p.community_id = NEW.community_id) THEN
    RAISE EXCEPTION 'grid_parent_mismatch: a level-3 grid must hang under a level-2 grid of the same community'
      USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.level = 2 AND EXISTS (
      SELECT 1 FROM grids_grid c WHERE c.parent_id = NEW.id AND c.community_id <> NEW.community_id) THEN
    RAISE EXCEPTION 'grid_parent_mismatch: a level-2 grid cannot leave the community of its buildings'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER grids_grid_parent_check BEFORE INSERT OR UPDATE ON grids_grid
  FOR EACH ROW EXECUTE FUNCTION grids_grid_parent_check();

CREATE OR REPLACE FUNCTION grids_grid_in_community_check() RETURNS trigger AS $$
BEGIN
  IF NEW.grid_id IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM grids_grid g WHERE g.id = NEW.grid_id AND g.community_id = NEW.community_id) THEN
    RAISE EXCEPTION 'grid_community_mismatch: the grid belongs to another community'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER grids_member_grid_check BEFORE INSERT OR UPDATE OF grid_id, community_id ON grids_member
  FOR EACH ROW EXECUTE FUNCTION grids_grid_in_community_check();
CREATE TRIGGER grids_registration_grid_check BEFORE INSERT OR UPDATE OF grid_id, community_id ON grids_registration
  FOR EACH ROW EXECUTE FUNCTION grids_grid_in_community_check();
"""

PG_REVERSE = """
DROP TRIGGER IF EXISTS grids_grid_parent_check ON grids_grid;
DROP TRIGGER IF EXISTS grids_member_grid_check ON grids_member;
DROP TRIGGER IF EXISTS grids_registration_grid_check ON grids_registration;
DROP FUNCTION IF EXISTS grids_grid_parent_check();
DROP FUNCTION IF EXISTS grids_grid_in_community_check();
"""

_SQLITE_GRID = """
CREATE TRIGGER grids_grid_parent_check_{op} BEFORE {op} ON grids_grid
WHEN NEW.level = 3 AND NOT EXISTS (
  SELECT 1 FROM grids_grid p WHERE p.id = NEW.parent_id AND p.level = 2 AND p.community_id = NEW.community_id)
BEGIN
  SELECT RAISE(ABORT, 'grid_parent_mismatch: a level-3 grid must hang under a level-2 grid of the same community');
END;
"""
_SQLITE_GRID_MOVE = """
CREATE TRIGGER grids_grid_children_check BEFORE UPDATE ON grids_grid
WHEN NEW.level = 2 AND EXISTS (
  SELECT 1 FROM grids_grid c WHERE c.parent_id = NEW.id AND c.community_id <> NEW.community_id)
BEGIN
  SELECT RAISE(ABORT, 'grid_parent_mismatch: a level-2 grid cannot leave the community of its buildings');
END;
"""
_SQLITE_IN_COMMUNITY = """
CREATE TRIGGER grids_{table}_grid_check_{op} BEFORE {op} ON grids_{table}
WHEN NEW.grid_id IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM grids_grid g WHERE g.id = NEW.grid_id AND g.community_id IS NEW.community_id)
BEGIN
  SELECT RAISE(ABORT, 'grid_community_mismatch: the grid belongs to another community');
END;
"""


def forwards(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(PG)
        elif conn.vendor == "sqlite":
            statements = [_SQLITE_GRID.format(op=op) for op in ("INSERT", "UPDATE")]
            statements.append(_SQLITE_GRID_MOVE)
            statements += [
                _SQLITE_IN_COMMUNITY.format(table=t, op=op)
                for t in ("member", "registration")
                for op in ("INSERT", "UPDATE")
            ]
            for sql in statements:
                cursor.execute(sql)
        else:  # pragma: no cover - the project supports PostgreSQL and SQLite only
            raise RuntimeError(f"unsupported database {conn.vendor}")


def backwards(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(PG_REVERSE)
        else:
            for name in (
                "grids_grid_parent_check_INSERT", "grids_grid_parent_check_UPDATE", "grids_grid_children_check",
                "grids_member_grid_check_INSERT", "grids_member_grid_check_UPDATE",
                "grids_registration_grid_check_INSERT", "grids_registration_grid_check_UPDATE",
            ):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("grids", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
