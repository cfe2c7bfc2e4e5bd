import os

from celery import Celery, signals
from django.core.exceptions import ImproperlyConfigured

from shaoguan.serving import require_own_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaoguan.settings")

app = Celery("shaoguan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The cockpit is a package inside rankings; its jobs live in rankings/cockpit/tasks.py.
app.autodiscover_tasks(["rankings.cockpit"])
# Every worker refreshes a key in Redis that /healthz reads (core/jobs.py); named as a string, as
# the project names its apps.
app.steps["worker"].add("core.jobs:WorkerHeartbeat")


@signals.setup_logging.connect
def _keep_djangos_logging(**kwargs):
    """Worker and beat log through Django's LOGGING (settings): the same format as the web, JSON
    with LOG_FORMAT=json, and the request id on every line. Connecting here is what tells Celery
    not to replace the root logger's handlers with its own."""


@signals.worker_init.connect
@signals.beat_init.connect
def _refuse_to_start_without_a_key(**kwargs):
    """A worker or beat without DEBUG needs a SECRET_KEY of its own, like the web processes.

    Celery logs and swallows an Exception raised by a signal handler, so the refusal leaves as
    SystemExit (after ``require_own_secret_key`` has logged it)."""
    try:
        require_own_secret_key()
    except ImproperlyConfigured as exc:
        raise SystemExit(f"django.core.exceptions.ImproperlyConfigured: {exc}") from exc
