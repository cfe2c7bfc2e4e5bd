"""The settings production runs on: hashed static files, media on disk or S3, JSON logs, Celery's
queues and time limits, pgbouncer, and gunicorn's configuration.

The cases that depend on the environment start a fresh interpreter with an environment of their
own (``tests.test_settings.run``), as a server would.
"""

from __future__ import annotations

import json
import re
import sys

import pytest
from django.core.management import call_command

from tests.test_settings import BASE_DIR, PYTHON, own_key, run

SHOW = "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({}))"


def settings_of(expression: str, **env: str) -> object:
    """What ``expression`` (over the settings, ``s``) is in a process with ``env``."""
    result = run([PYTHON, "-c", SHOW.format(expression)], DJANGO_SETTINGS_MODULE="shaoguan.settings", **env)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- static files ----------------------------------------------------------------------------


def test_production_defaults_hash_static_files_keep_media_on_disk_and_use_server_side_cursors():
    static, media, no_server_cursors, proxies = settings_of(
        '[s.STORAGES["staticfiles"]["BACKEND"], s.STORAGES["default"]["BACKEND"],'
        ' s.DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS", False), s.REST_FRAMEWORK["NUM_PROXIES"]]'
    )
    assert proxies is None  # X-Forwarded-For believed only when told how many proxies are ours
    assert static == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert media == "django.core.files.storage.FileSystemStorage"
    assert no_server_cursors is False


def test_debug_serves_static_files_as_they_are():
    backend = settings_of('s.STORAGES["staticfiles"]["BACKEND"]', DEBUG="1")
    assert backend == "django.contrib.staticfiles.storage.StaticFilesStorage"


def test_the_suite_runs_without_the_manifest(settings):
    assert settings.STORAGES["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"


@pytest.mark.slow
@pytest.mark.django_db
def test_collectstatic_with_the_manifest_serves_hashed_compressed_files(settings, tmp_path, client):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "static" / "staticfiles.json").exists()

    page = client.get("/").content.decode()
    hashed = re.search(r'href="/static/(css/app\.[0-9a-f]{12}\.css)"', page)
    assert hashed, page[:1500]
    assert (tmp_path / "static" / hashed.group(1)).exists()
    assert (tmp_path / "static" / (hashed.group(1) + ".gz")).exists()


# --- media -----------------------------------------------------------------------------------


def test_media_storage_s3_selects_the_s3_backend_with_its_endpoint():
    code = (
        "import django, json; django.setup();"
        "from django.core.files.storage import default_storage as d; d._setup();"
        "print(json.dumps([type(d._wrapped).__module__ + '.' + type(d._wrapped).__name__,"
        " d.bucket_name, d.endpoint_url, d.addressing_style, d.querystring_auth]))"
    )
    result = run(
        [PYTHON, "-c", code],
        DJANGO_SETTINGS_MODULE="shaoguan.settings",
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="whistle-media",
        AWS_S3_ENDPOINT_URL="https://oss-cn-shenzhen.aliyuncs.com",
        AWS_S3_ADDRESSING_STYLE="virtual",
        AWS_ACCESS_KEY_ID="k",
        AWS_SECRET_ACCESS_KEY="s",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    backend, bucket, endpoint, style, signed = json.loads(result.stdout.strip().splitlines()[-1])
    assert backend == "storages.backends.s3.S3Storage"
    assert (bucket, endpoint, style, signed) == (
        "whistle-media",
        "https://oss-cn-shenzhen.aliyuncs.com",
        "virtual",
        True,
    )


@pytest.mark.parametrize(
    "env, needle",
    [({"MEDIA_STORAGE": "s3"}, "AWS_STORAGE_BUCKET_NAME"), ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE")],
)
def test_a_wrong_media_storage_refuses_to_start(env, needle):
    result = run([PYTHON, "manage.py", "check"], **env)
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr and needle in result.stderr


# --- logs ------------------------------------------------------------------------------------


def test_json_logs_are_one_object_a_line_with_the_request_id():
    code = (
        "import django, logging; django.setup();"
        "from core import request_id; request_id.bind('req-7');"
        "logging.getLogger('orders').warning('名额已满 %s', 3)"
    )
    result = run([PYTHON, "-c", code], DJANGO_SETTINGS_MODULE="shaoguan.settings", LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr[-2000:]
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "名额已满 3" and line["level"] == "WARNING" and line["logger"] == "orders"
    assert line["request_id"] == "req-7" and line["time"].endswith("+00:00")


def test_text_logs_carry_the_request_id_too():
    code = "import django, logging; django.setup(); logging.getLogger('orders').warning('hello')"
    result = run([PYTHON, "-c", code], DJANGO_SETTINGS_MODULE="shaoguan.settings")
    assert re.search(r"WARNING orders \[-\] hello$", result.stderr.strip()), result.stderr[-500:]


# --- Celery ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "task, queue",
    [
        ("rankings.tasks.rebuild_boards", "boards"),
        ("rankings.cockpit.tasks.rebuild_cockpit", "boards"),
        ("notifications.tasks.deliver", "notifications"),
        ("notifications.tasks.sweep_undelivered", "notifications"),
        ("reporting.tasks.export_service_records", "exports"),
        ("orders.tasks.send_task_reminders", "default"),
        ("accounts.tasks.purge_expired_codes", "default"),
    ],
)
def test_tasks_are_routed_to_their_queue(task, queue):
    from shaoguan.celery import app

    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_a_worker_without_q_consumes_every_queue_each_bound_on_its_own_key():
    from shaoguan.celery import app

    queues = app.amqp.queues
    assert set(queues) == {"default", "boards", "exports", "notifications", "adjustment"}
    assert {(q.exchange.name, q.routing_key) for q in queues.values()} == {(n, n) for n in queues}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_routed_message_lands_in_its_queue_alone():
    import redis

    from rankings.tasks import rebuild_boards
    from shaoguan.celery import app

    names = ("default", "boards", "exports", "notifications")
    raw = redis.Redis.from_url(app.conf.broker_url)
    app.conf.task_always_eager = False
    before = {n: raw.llen(n) for n in names}
    try:
        rebuild_boards.apply_async(args=["2026-01-01"], ignore_result=True)
        after = {n: raw.llen(n) for n in names}
    finally:
        app.conf.task_always_eager = True
        raw.lpop("boards")  # no worker here: take the message back
    assert {n: after[n] - before[n] for n in names} == {"default": 0, "boards": 1, "exports": 0, "notifications": 0}


def test_every_task_has_time_limits():
    from shaoguan.celery import app

    app.loader.import_default_modules()
    assert app.conf.task_soft_time_limit and app.conf.task_time_limit > app.conf.task_soft_time_limit
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    for name, task in app.tasks.items():
        if name.startswith("celery."):
            continue
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft < hard < visibility, name


# --- the database behind pgbouncer ------------------------------------------------------------


def test_the_compose_stack_settings_pooling_and_one_proxy():
    on = settings_of(
        '[s.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"], s.DATABASES["default"]["CONN_MAX_AGE"],'
        ' s.REST_FRAMEWORK["NUM_PROXIES"]]',
        DATABASE_URL="postgres://u:p@pgbouncer:5432/shaoguan",
        DATABASE_POOLER="pgbouncer",
        DATABASE_CONN_MAX_AGE="60",
        NUM_PROXIES="1",
    )
    assert on == [True, 60, 1]


# --- what is documented ------------------------------------------------------------------------


def _setting_variables() -> set[str]:
    text = (BASE_DIR / "shaoguan" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\("([A-Z][A-Z0-9_]+)"', text))


def test_env_example_names_every_variable_the_settings_read():
    example = (BASE_DIR / ".env.example").read_text()
    named = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    assert len(_setting_variables()) > 50
    assert _setting_variables() - named == set()


def test_the_readme_explains_every_variable_the_settings_read():
    readme = (BASE_DIR / "README.md").read_text()
    assert {name for name in _setting_variables() if f"`{name}`" not in readme} == set()


# --- gunicorn --------------------------------------------------------------------------------


def test_gunicorn_config_reads_its_environment():
    code = (
        "import json; from gunicorn.config import Config; from gunicorn.app.base import Application;"
        "c = Config(); ns = {};"
        "exec(compile(open('gunicorn.conf.py').read(), 'gunicorn.conf.py', 'exec'), ns);"
        "[c.set(k, v) for k, v in ns.items() if k in c.settings];"
        "print(json.dumps([c.worker_class_str, c.workers, c.threads, c.timeout, c.bind, c.max_requests,"
        " c.logger_class.__name__]))"
    )
    result = run([sys.executable, "-c", code], cwd=BASE_DIR, WEB_CONCURRENCY="3", GUNICORN_THREADS="4")
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == ["gthread", 3, 4, 300, ["0.0.0.0:8000"], 1000, "JsonAccessLogger"]


@pytest.mark.slow
def test_gunicorn_serves_healthz_with_a_json_access_line(tmp_path):
    """The real server, with the real config: one JSON access line carrying the request id."""
    import os
    import socket
    import subprocess
    import time
    import urllib.request
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env_args = {"GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", "SECRET_KEY": own_key()}
    env_args["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    for k in ("DEBUG", "REDIS_URL", "DJANGO_SETTINGS_MODULE"):
        environment.pop(k, None)
    environment.update(env_args, PYTHONPATH=str(BASE_DIR), STATIC_MANIFEST="0")
    gunicorn = str(Path(PYTHON).with_name("gunicorn"))
    server = subprocess.Popen(
        [gunicorn, "-c", "gunicorn.conf.py", "shaoguan.wsgi"],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = None
        for _ in range(100):
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": "req-gunicorn", "Host": "localhost"}
                )
                with urllib.request.urlopen(request, timeout=5) as response:
                    body = json.loads(response.read())
                    assert response.headers["X-Request-ID"] == "req-gunicorn"
                break
            except OSError:
                time.sleep(0.2)
        assert body and body["checks"]["database"] == "ok"
        # The image's HEALTHCHECK: the same /healthz, with a Host that ALLOWED_HOSTS accepts.
        check = [PYTHON, "deploy/healthcheck.py"]
        assert run(check, GUNICORN_BIND=f"0.0.0.0:{port}", ALLOWED_HOSTS="localhost").returncode == 0
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    gone = run(check, GUNICORN_BIND=f"0.0.0.0:{port}", ALLOWED_HOSTS="localhost")
    assert gone.returncode == 1 and "unreachable" in gone.stdout
    access = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert any(a["path"] == "/healthz" and a["request_id"] == "req-gunicorn" and a["status"] == 200 for a in access), (
        out[-2000:],
        err[-2000:],
    )
