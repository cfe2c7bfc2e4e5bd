import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaoguan.settings")

app = Celery("shaoguan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The cockpit is a package inside rankings; its jobs live in rankings/cockpit/tasks.py.
app.autodiscover_tasks(["rankings.cockpit"])
