"""The nightly job: queued through Celery, yesterday by default, retried when it cannot run."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from core.errors import Conflict
from rankings.models import BoardDay
from rankings.tasks import rebuild_boards
from tests.grids.factories import MemberFactory


@pytest.mark.django_db
def test_delay_builds_yesterday_by_default(community):
    MemberFactory(community=community)
    result = rebuild_boards.delay()
    yesterday = timezone.localdate() - timedelta(days=1)
    assert result.get()["day"] == yesterday.isoformat()
    built = BoardDay.objects.get(day=yesterday)
    assert built.triggered_by == "定时任务" and built.entry_count > 0


@pytest.mark.django_db
def test_a_given_day(community):
    MemberFactory(community=community)
    rebuild_boards.delay("2026-06-15").get()
    assert BoardDay.objects.filter(day=date(2026, 6, 15)).exists()


def test_the_beat_runs_it_at_one_in_the_morning_shanghai_time():
    entry = settings.CELERY_BEAT_SCHEDULE["rebuild-boards"]
    assert entry["task"] == "rankings.tasks.rebuild_boards"
    assert entry["schedule"].hour == {1} and entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_it_is_acknowledged_late_and_retries_with_backoff():
    assert rebuild_boards.acks_late is True
    assert rebuild_boards.reject_on_worker_lost is True
    assert Conflict in rebuild_boards.autoretry_for
    assert rebuild_boards.retry_backoff and rebuild_boards.max_retries >= 3


@pytest.mark.redis
@pytest.mark.django_db
def test_a_running_rebuild_makes_the_job_retry_and_the_retry_completes(community):
    from rankings import services
    from shaoguan.celery import app

    MemberFactory(community=community)
    # apply() runs the retries in place when the Retry is not propagated to the caller.
    app.conf.task_eager_propagates = False

    real = services.board_rebuild
    calls = []

    def busy_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise Conflict("榜单正在生成中，请稍后再试。")
        return real(**kwargs)

    try:
        with mock.patch.object(services, "board_rebuild", side_effect=busy_once):
            result = rebuild_boards.apply(args=["2026-06-15"])
    finally:
        app.conf.task_eager_propagates = True
    assert result.successful(), result.traceback
    assert len(calls) == 2
    built = BoardDay.objects.get(day=date(2026, 6, 15))
    assert built.triggered_by == "定时任务（第1次重试）"
