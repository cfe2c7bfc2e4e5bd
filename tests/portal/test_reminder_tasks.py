"""The quota's follow-up jobs as Celery tasks: scheduled by beat, and run through the Redis broker
by a real worker, twice without sending twice."""

from datetime import date

import pytest
from django.conf import settings

from notifications.kinds import QUARTER_UNREPORTED, QUOTA_REMINDER
from notifications.models import Notification
from portal.tasks import reminder_links, send_quarter_lists, send_quota_reminders
from reporting.models import QuotaReminder
from tests.grids.factories import MemberFactory


def test_beat_schedules_both_jobs():
    schedule = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    weekly = schedule["portal.tasks.send_quota_reminders"]
    assert weekly.day_of_week == {1} and weekly.hour == {9}  # Mondays, 09:30 Asia/Shanghai
    assert schedule["portal.tasks.send_quarter_lists"].day_of_week == set(range(7))  # daily
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


@pytest.mark.django_db
def test_each_reminder_links_to_the_page_that_acts_on_it():
    links = reminder_links()
    assert (links.hours, links.visit) == ("/tasks/", "/me/")


@pytest.mark.django_db
def test_the_tasks_run_eagerly_and_take_a_day(community, secretary):
    MemberFactory(community=community)
    assert send_quota_reminders.delay("2026-07-01").get() == 1
    assert send_quota_reminders.delay("2026-07-02").get() == 0
    assert send_quarter_lists.delay("2026-12-01").get() == {"communities": 1, "units": 0}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_jobs_run_on_a_worker_through_redis(community, secretary):
    from celery.contrib.testing.worker import start_worker

    from shaoguan.celery import app

    members = [MemberFactory(community=community) for _ in range(3)]
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            assert send_quota_reminders.delay(date(2026, 7, 1).isoformat()).get(timeout=30) == 3
            # A second delivery of the same job (beat restarted, a message redelivered): nothing more.
            assert send_quota_reminders.delay("2026-07-03").get(timeout=30) == 0
            assert send_quarter_lists.delay("2026-12-01").get(timeout=30) == {"communities": 1, "units": 0}
            assert send_quarter_lists.delay("2026-12-02").get(timeout=30) == {"communities": 0, "units": 0}
    finally:
        app.conf.task_always_eager = True
    assert QuotaReminder.objects.count() == 3
    assert Notification.objects.filter(kind=QUOTA_REMINDER).count() == len(members)
    assert Notification.objects.get(kind=QUARTER_UNREPORTED).user == secretary
