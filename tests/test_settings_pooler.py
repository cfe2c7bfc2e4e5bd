"""DATABASE_POOLER=pgbouncer: what Django needs to run through PgBouncer in transaction mode."""

import importlib

import pytest
from django.core.exceptions import ImproperlyConfigured

import shaoguan.settings as module

POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "shaoguan", "OPTIONS": {"sslmode": "prefer"}}


def test_pgbouncer_turns_off_what_does_not_outlive_a_transaction():
    database = module.database_for_pooler(POSTGRES, "pgbouncer")
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert database["OPTIONS"] == {"sslmode": "prefer", "prepare_threshold": None}
    assert database["CONN_HEALTH_CHECKS"] is True
    assert POSTGRES["OPTIONS"] == {"sslmode": "prefer"}  # the entry given is left as it was


def test_no_pooler_changes_nothing():
    assert module.database_for_pooler(POSTGRES, "") is POSTGRES


@pytest.mark.parametrize(
    ("database", "pooler", "message"),
    [
        (POSTGRES, "pgpool", "DATABASE_POOLER must be one of"),
        ({"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}, "pgbouncer", "needs a PostgreSQL"),
    ],
)
def test_an_unknown_pooler_or_one_without_postgresql_is_refused(database, pooler, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        module.database_for_pooler(database, pooler)


def test_the_environment_variable_sets_the_default_database(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:6432/shaoguan")
    monkeypatch.setenv("DATABASE_POOLER", "pgbouncer")
    try:
        database = importlib.reload(module).DATABASES["default"]
        assert (database["PORT"], database["DISABLE_SERVER_SIDE_CURSORS"]) == (6432, True)
        assert database["OPTIONS"]["prepare_threshold"] is None
    finally:
        monkeypatch.undo()
        importlib.reload(module)
