"""The project's wiring: settings, the error shape, Celery through a real Redis broker."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import SignInCode
from core.api import exception_handler
from core.errors import Conflict, Throttled


def test_locale_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


def test_domain_errors_render_as_the_contract_says():
    response = exception_handler(Conflict("名额已满。", code="slot_full"), {})
    assert response.status_code == 409
    assert response.data == {"detail": "名额已满。", "code": "slot_full"}

    response = exception_handler(Throttled("请稍后再试。", wait=30), {})
    assert response.status_code == 429
    assert response["Retry-After"] == "30"


def test_unknown_api_path_is_a_chinese_404(api):
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404


def test_beat_schedule_names_real_tasks():
    from shaoguan.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_task_runs_on_a_worker_through_redis():
    """The purge job goes through the Redis broker to a real worker and back."""
    from celery.contrib.testing.worker import start_worker

    from accounts.tasks import purge_expired_codes
    from shaoguan.celery import app

    old = timezone.now() - timedelta(days=30)
    SignInCode.objects.create(phone="13900000000", code_hash="x", created_at=old, expires_at=old)
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = purge_expired_codes.delay()
            assert result.get(timeout=20) == 1
    finally:
        app.conf.task_always_eager = True
    assert not SignInCode.objects.exists()


def test_unrouted_api_path_answers_json_404(client):
    response = client.get("/api/v1/units//members/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。", "code": "not_found"}


def test_unrouted_page_answers_chinese_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_server_error_page_is_chinese(rf):
    from core.views import server_error

    assert "服务器开小差了" in server_error(rf.get("/")).content.decode()
    api = server_error(rf.get("/api/v1/me/"))
    assert api.status_code == 500 and api["Content-Type"] == "application/json"
