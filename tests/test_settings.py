"""The secret key: a process that serves without DEBUG (WSGI, ASGI and so gunicorn or uvicorn,
``runserver``, a Celery worker or beat) refuses to start on no key or on a key published in
the repository, saying so in its log; ``manage.py`` commands keep working on the development
key, whose ``django-insecure-`` prefix makes ``check --deploy`` flag it (security.W009).

Each case starts a fresh interpreter, as a server would, with an environment of its own.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# What a deployment may set that would change the answer; each case says what it sets.
CLEARED = ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL")


def run(args: list[str], *, cwd: Path = BASE_DIR, timeout: int = 60, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in CLEARED and not k.startswith("PYTEST_")}
    environment.update(env, PYTHONPATH=str(BASE_DIR))
    return subprocess.run(args, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout)


def own_key() -> str:
    return secrets.token_urlsafe(50)


def refused(result: subprocess.CompletedProcess) -> bool:
    out = result.stdout + result.stderr
    return result.returncode != 0 and "ImproperlyConfigured" in out and "SECRET_KEY" in out


@pytest.mark.parametrize("module", ["shaoguan.wsgi", "shaoguan.asgi"])
def test_serving_without_debug_or_a_key_refuses_to_start(module):
    result = run([PYTHON, "-c", f"import {module}"])
    assert refused(result), result.stderr[-2000:]


@pytest.mark.parametrize("module", ["shaoguan.wsgi", "shaoguan.asgi"])
def test_serving_with_a_key_of_its_own_starts(module):
    result = run([PYTHON, "-c", f"import {module}; print({module}.application)"], SECRET_KEY=own_key())
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_published_development_key_is_refused_too():
    from django.conf import settings

    for published in settings.PUBLISHED_SECRET_KEYS:
        result = run([PYTHON, "-c", "import shaoguan.wsgi"], SECRET_KEY=published)
        assert refused(result), (published, result.stderr[-2000:])


def test_development_serves_on_the_development_key():
    result = run([PYTHON, "-c", "import shaoguan.wsgi"], DEBUG="1")
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_development_key_says_it_is_insecure():
    from django.conf import settings

    assert settings.DEV_SECRET_KEY.startswith("django-insecure-")
    assert settings.DEV_SECRET_KEY in settings.PUBLISHED_SECRET_KEYS


def test_check_deploy_flags_the_development_key():
    result = run([PYTHON, "manage.py", "check", "--deploy"])
    assert "security.W009" in result.stdout + result.stderr, result.stderr[-2000:]


def test_check_deploy_is_silent_about_a_key_of_its_own():
    result = run([PYTHON, "manage.py", "check", "--deploy"], SECRET_KEY=own_key())
    assert "security.W009" not in result.stdout + result.stderr, result.stderr[-2000:]


def test_manage_py_commands_work_without_a_key(tmp_path):
    """migrate, collectstatic and the generators run in the Makefile without DEBUG or a key."""
    assert run([PYTHON, "manage.py", "check"]).returncode == 0
    result = run([PYTHON, "manage.py", "migrate", "--plan"], DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 0 and "accounts.0001_initial" in result.stdout, result.stderr[-2000:]
    result = run([PYTHON, "manage.py", "collectstatic", "--noinput", "--dry-run", "-v", "0"])
    assert result.returncode == 0, result.stderr[-2000:]


def test_runserver_without_debug_or_a_key_refuses_to_start():
    result = run([PYTHON, "manage.py", "runserver", "--noreload", "127.0.0.1:0"], timeout=60)
    assert refused(result), result.stderr[-2000:]


@pytest.mark.parametrize("command", [["worker", "--pool", "solo"], ["beat"]])
def test_celery_without_debug_or_a_key_refuses_to_start(command, tmp_path):
    extra = ["--schedule", str(tmp_path / "beat-schedule")] if command == ["beat"] else []
    celery = str(Path(PYTHON).with_name("celery"))
    result = run([celery, "-A", "shaoguan", *command, *extra, "--loglevel", "INFO"], cwd=tmp_path, timeout=60)
    assert refused(result), (result.stdout + result.stderr)[-3000:]
