"""The Procfile `make stack` runs: its three processes, a worker on every queue a task is routed
to, exactly one beat; and `make stack` refusing to start without PostgreSQL or Redis named."""

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def processes() -> dict[str, list[str]]:
    found = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line)  # honcho's own pattern
        if match:
            assert match.group(1) not in found, f"{match.group(1)} is declared twice"
            found[match.group(1)] = shlex.split(match.group(2).removeprefix("exec "))
    return found


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_web_worker_and_one_beat():
    procs = processes()
    assert set(procs) == {"web", "worker", "beat"}
    assert procs["web"] == ["gunicorn", "-c", "gunicorn.conf.py", "shaoguan.wsgi:application"]
    assert procs["worker"][:4] == ["celery", "-A", "shaoguan", "worker"]
    assert procs["beat"][:4] == ["celery", "-A", "shaoguan", "beat"]
    assert "--schedule" in procs["beat"]
    # A beat inside the worker (-B) would make a second one as soon as a worker is added.
    assert "-B" not in procs["worker"] and "--beat" not in procs["worker"]


def test_the_worker_listens_on_every_queue_a_task_is_routed_to():
    queues = set(option(processes()["worker"], "--queues").split(","))
    routes = getattr(settings, "CELERY_TASK_ROUTES", None) or {}
    routed = set()
    for table in [routes] if isinstance(routes, dict) else routes:  # a map, or a list of maps
        for route in table.values() if isinstance(table, dict) else ():
            if isinstance(route, str):
                routed.add(route)
            elif isinstance(route, dict) and "queue" in route:
                routed.add(route["queue"])
    default = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
    assert routed | {default} <= queues


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(
    ("environment", "missing"),
    [({}, "DATABASE_URL"), ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x"}, "REDIS_URL")],
)
def test_make_stack_refuses_without_postgresql_or_redis(environment, missing):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "MAKEFLAGS")}
    result = subprocess.run(
        ["make", "--no-print-directory", "stack"],
        cwd=ROOT,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert f"make stack: {missing} is not set" in result.stderr
