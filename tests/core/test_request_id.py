"""The request id: taken from nginx or made, answered, on every log record, and carried into jobs."""

from __future__ import annotations

import logging

import pytest
from celery import shared_task

from core import jobs, request_id

pytestmark = pytest.mark.django_db


@shared_task(name="tests.core.seen_request_id")
def seen_request_id() -> str | None:
    logging.getLogger("tests.jobs").info("inside the task")
    return request_id.current()


@shared_task(name="tests.core.always_fails")
def always_fails(community_id: int, *, reason: str) -> None:
    raise RuntimeError("通道不可用")


class Collect(logging.Handler):
    """A handler with the project's filter on it, as the console handler has."""

    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(request_id.RequestIdFilter())

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def collected():
    handler = Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler.records
    root.removeHandler(handler)


def test_a_request_without_an_id_gets_one(client):
    response = client.get("/healthz")
    rid = response["X-Request-ID"]
    assert len(rid) == 32 and int(rid, 16) >= 0
    assert client.get("/healthz")["X-Request-ID"] != rid


def test_the_proxys_id_is_kept(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="9f2c1a7e0b5d4c3e8a6f")
    assert response["X-Request-ID"] == "9f2c1a7e0b5d4c3e8a6f"


@pytest.mark.parametrize("sent", ["a b", "x" * 200, "id\nforged log line", "<script>"])
def test_an_unusable_id_is_replaced(client, sent):
    assert client.get("/healthz", HTTP_X_REQUEST_ID=sent)["X-Request-ID"] != sent


def test_every_record_of_the_request_carries_the_id(client, collected):
    client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-404")  # django.request logs the 404
    mine = [r for r in collected if r.name == "django.request"]
    assert mine and all(r.request_id == "req-404" for r in mine)


def test_outside_a_request_the_id_is_a_dash(collected):
    logging.getLogger("tests.jobs").warning("no request here")
    assert collected[-1].request_id == "-"
    assert request_id.current() is None


def test_the_id_goes_into_the_message_headers():
    token = request_id.bind("req-123")
    try:
        headers: dict = {}
        jobs._send_request_id(headers=headers)
        assert headers["request_id"] == "req-123"
    finally:
        request_id.unbind(token)
    headers = {}
    jobs._send_request_id(headers=headers)  # beat: no request, a fresh id
    assert len(headers["request_id"]) == 32


def test_a_task_runs_under_the_id_its_message_carries():
    class Request:
        request_id = "from-the-web"

    class Task:
        request = Request()

    jobs._bind_request_id(task_id="t1", task=Task())
    assert request_id.current() == "from-the-web"
    jobs._unbind_request_id(task_id="t1")
    assert request_id.current() is None


def test_an_eager_task_keeps_the_callers_id(collected):
    token = request_id.bind("req-eager")
    try:
        assert seen_request_id.delay().get() == "req-eager"
    finally:
        request_id.unbind(token)
    assert request_id.current() is None
    assert [r.request_id for r in collected if r.name == "tests.jobs"] == ["req-eager"]


def test_a_failed_task_is_logged_with_its_arguments(caplog):
    from shaoguan.celery import app

    app.conf.task_eager_propagates = False  # as on a worker: the failure is recorded, not raised
    try:
        with caplog.at_level(logging.ERROR, logger="core.jobs"):
            assert always_fails.delay(42, reason="测试").failed()
    finally:
        app.conf.task_eager_propagates = True
    (record,) = [r for r in caplog.records if r.name == "core.jobs"]
    assert record.levelno == logging.ERROR
    assert record.task_name == "tests.core.always_fails"
    assert record.task_id
    assert record.task_args == "[42]" or record.task_args == "(42,)"
    assert "测试" in record.task_kwargs
    assert "RuntimeError" in record.exception and "通道不可用" in record.getMessage()
    assert record.exc_info and record.exc_info[0] is RuntimeError


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_task_under_the_requests_id():
    """Through Redis to a real worker: the id crosses the broker in the message's headers."""
    from celery.contrib.testing.worker import start_worker

    from shaoguan.celery import app

    app.conf.task_always_eager = False
    token = request_id.bind("req-through-redis")
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = seen_request_id.apply_async(queue="default")
            assert result.get(timeout=20) == "req-through-redis"
    finally:
        request_id.unbind(token)
        app.conf.task_always_eager = True
