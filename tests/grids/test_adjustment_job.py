"""调剂 rounds solved by a job: the solving state and its machine, the queue and limits, failures
with their Chinese reasons, the progress page, and the bad input a round must refuse unchanged."""

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.test import TestCase
from django.urls import reverse

from core.errors import Conflict
from core.models import AuditEntry
from grids import tasks
from grids.models import AdjustmentMove, AdjustmentRound, AdjustmentRoundEvent, Registration, RegistrationEvent
from grids.services.adjustment import adjustment_accept, adjustment_cancel, adjustment_run
from grids.services.adjustment.run import QUEUE_DOWN
from grids.services.registration import registration_withdraw
from notifications.models import Notification
from tests.conftest import client_for
from tests.grids.conftest import run

R = AdjustmentRound.Status


def start(actor, district):
    """Start a round without running its job (the commit never comes in a test transaction)."""
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        round_ = adjustment_run(actor=actor, district=district)
    return round_, callbacks


def snapshot():
    return (
        list(Registration.objects.order_by("pk").values_list("pk", "status", "community_id")),
        RegistrationEvent.objects.count(),
        list(AdjustmentRound.objects.order_by("pk").values_list("pk", "status")),
        list(AdjustmentMove.objects.order_by("pk").values_list("pk", "status")),
        Notification.objects.count(),
    )


# --- the job ------------------------------------------------------------------------------------


def test_a_round_starts_solving_and_its_job_writes_the_proposal(crowded, district, district_officer):
    round_, callbacks = start(district_officer, district)
    assert round_.status == R.SOLVING and round_.phase == AdjustmentRound.Phase.QUEUED
    assert len(callbacks) == 1 and not round_.moves.exists()
    callbacks[0]()
    round_.refresh_from_db()
    assert round_.status == R.OPEN and round_.phase == AdjustmentRound.Phase.DONE
    assert round_.moves_count == 3 and round_.total_cost == round_.lower_bound
    assert round_.solve_started_at is not None and set(round_.timings) >= {"read", "build", "solve", "write"}
    event = AdjustmentRoundEvent.objects.get(round=round_)
    assert (event.from_status, event.to_status, event.actor) == ("solving", "open", None)
    audit = AuditEntry.objects.get(object_type="grids.adjustmentround", action="transition")
    assert audit.changes["status"] == ["solving", "open"] and audit.channel == "job"


def test_the_job_is_routed_to_its_queue_with_limits_that_fit_a_city_round():
    from shaoguan.celery import app

    assert app.amqp.router.route({}, "grids.tasks.solve_adjustment_round")["queue"].name == "adjustment"
    task = app.tasks["grids.tasks.solve_adjustment_round"]
    # A whole-city round takes 10–30 s: room for a loaded worker, far below the visibility timeout.
    assert 60 <= task.soft_time_limit < task.time_limit <= 300
    assert task.acks_late and task.reject_on_worker_lost


def test_running_the_job_twice_changes_nothing_more(crowded, district, district_officer):
    round_ = run(actor=district_officer, district=district)
    moves = list(round_.moves.values_list("pk", "to_community_id"))
    result = tasks.solve_adjustment_round.delay(round_.pk).get()
    assert result["status"] == "open"
    assert list(round_.moves.values_list("pk", "to_community_id")) == moves
    assert AdjustmentRoundEvent.objects.filter(round=round_).count() == 1


def test_a_round_cancelled_while_solving_drops_its_proposal(crowded, district, district_officer):
    round_, callbacks = start(district_officer, district)
    adjustment_cancel(round_=round_, actor=district_officer)
    callbacks[0]()
    round_.refresh_from_db()
    assert round_.status == R.CANCELLED and not round_.moves.exists()
    assert list(AdjustmentRoundEvent.objects.values_list("from_status", "to_status")) == [("solving", "cancelled")]
    # and the district is free again
    assert run(actor=district_officer, district=district).status == R.OPEN


@pytest.mark.parametrize(
    "error, reason",
    [(RuntimeError("boom"), tasks.BROKEN), (SoftTimeLimitExceeded(), tasks.TIMED_OUT)],
    ids=["error", "time-limit"],
)
def test_a_failed_solve_marks_the_round_failed_with_a_chinese_reason(
    crowded, district, district_officer, monkeypatch, error, reason
):
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr("grids.services.adjustment.run.proposal_compute", fail)
    before = snapshot()[:2]
    round_ = run(actor=district_officer, district=district)
    assert round_.status == R.FAILED and round_.failure == reason and "未做任何调整" in reason
    assert not round_.moves.exists() and snapshot()[:2] == before
    event = AdjustmentRoundEvent.objects.get(round=round_)
    assert (event.from_status, event.to_status, event.note) == ("solving", "failed", reason)
    # A failed round frees the district.
    monkeypatch.undo()
    assert run(actor=district_officer, district=district).status == R.OPEN


def test_a_database_error_is_retried_before_the_round_fails(crowded, district, district_officer, monkeypatch):
    from celery.exceptions import Retry
    from django.db import OperationalError

    def flaky(round_, **kwargs):
        raise OperationalError("connection lost")

    monkeypatch.setattr("grids.services.adjustment.run.proposal_compute", flaky)
    round_, _ = start(district_officer, district)
    with pytest.raises(Retry):
        tasks.solve_adjustment_round.apply(args=[round_.pk], throw=True)
    round_.refresh_from_db()
    assert round_.status == R.SOLVING
    # The last try gives up and says why.
    tasks.solve_adjustment_round.apply(args=[round_.pk], retries=tasks.MAX_RETRIES)
    round_.refresh_from_db()
    assert round_.status == R.FAILED and round_.failure == tasks.DATABASE_DOWN


def test_a_broker_that_refuses_fails_the_round_rather_than_holding_the_district(
    crowded, district, district_officer, monkeypatch
):
    monkeypatch.setattr("core.tasks.enqueue", lambda task, *args, **kwargs: False)
    round_ = run(actor=district_officer, district=district)
    assert round_.status == R.FAILED and round_.failure == QUEUE_DOWN


# --- bad input: each refused in Chinese, nothing changed -------------------------------------------


def test_a_second_round_while_one_is_solving_is_409_and_changes_nothing(
    crowded, district, district_officer, city_officer
):
    round_, _ = start(district_officer, district)
    before = snapshot()
    for actor, node in ((district_officer, district.pk), (city_officer, None)):
        r = client_for(actor).post("/api/v1/adjustments/", {"district": node}, format="json")
        assert r.status_code == 409 and r.json()["code"] == "adjustment_busy"
        assert "已有进行中的调剂方案（武江区）" in r.json()["detail"]
    with pytest.raises(Conflict, match="正在求解"):
        adjustment_accept(round_=round_, actor=district_officer)
    assert snapshot() == before


def test_accepting_a_stale_proposal_through_the_api_is_409_and_changes_nothing(crowded, district, district_officer):
    round_ = run(actor=district_officer, district=district)
    moved = round_.moves.filter(reason="overflow").first()
    registration_withdraw(registration=moved.registration, actor=moved.member.user)
    before = snapshot()
    api = client_for(district_officer)
    r = api.post(f"/api/v1/adjustments/{round_.pk}/accept/", {"moves": [{"id": moved.pk}]}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "stale_proposal"
    assert "方案已过期：1 名党员" in r.json()["detail"]
    assert snapshot() == before
    round_.refresh_from_db()
    assert round_.status == R.OPEN


def test_a_district_outside_the_officers_posts_is_refused_and_changes_nothing(
    crowded, district, district_officer, far_officer, client
):
    before = snapshot()
    r = client_for(far_officer).post("/api/v1/adjustments/", {"district": district.pk}, format="json")
    assert r.status_code == 403 and "您无权调剂武江区的报到" in r.json()["detail"]
    client.force_login(far_officer)
    page = client.post(reverse("grids:adjustment_run"), {"district": district.pk}, follow=True)
    assert "您无权调剂武江区的报到" in page.content.decode()
    assert snapshot() == before
    # A round of that district: not visible (404) and not actionable (403), unchanged.
    round_ = run(actor=district_officer, district=district)
    before = snapshot()
    api = client_for(far_officer)
    assert api.get(f"/api/v1/adjustments/{round_.pk}/").status_code == 404
    r = api.post(f"/api/v1/adjustments/{round_.pk}/accept/", {}, format="json")
    assert r.status_code == 403 and "无权" in r.json()["detail"]
    assert api.post(f"/api/v1/adjustments/{round_.pk}/cancel/", {}, format="json").status_code == 403
    assert client.get(reverse("grids:adjustment_progress", args=[round_.pk])).status_code == 404
    assert snapshot() == before


# --- the progress page -------------------------------------------------------------------------------


def test_the_page_shows_progress_while_solving_and_the_proposal_when_done(
    crowded, district, district_officer, secretary, client, django_assert_max_num_queries
):
    round_, callbacks = start(district_officer, district)
    client.force_login(district_officer)
    page = client.get(reverse("grids:adjustment", args=[round_.pk])).content.decode()
    progress_url = reverse("grids:adjustment_progress", args=[round_.pk])
    assert f'data-poll-url="{progress_url}"' in page and "排队等待求解" in page and "取消方案" in page
    AdjustmentRound.objects.filter(pk=round_.pk).update(phase=AdjustmentRound.Phase.SOLVE)
    with django_assert_max_num_queries(8):
        fragment = client.get(progress_url).content.decode()
    assert "正在求解最小费用流" in fragment and "data-poll-url" in fragment and "读取报到数据 ✓" in fragment
    callbacks[0]()
    fragment = client.get(progress_url).content.decode()
    assert "data-done" in fragment and "data-poll-url" not in fragment
    page = client.get(reverse("grids:adjustment", args=[round_.pk])).content.decode()
    assert "超额调出" in page and "确认勾选的调整" in page
    client.force_login(secretary)
    assert client.get(progress_url).status_code == 403


def test_the_page_shows_a_failed_rounds_reason(crowded, district, district_officer, client, monkeypatch):
    monkeypatch.setattr("grids.services.adjustment.run.proposal_compute", lambda *a, **k: 1 / 0)
    round_ = run(actor=district_officer, district=district)
    client.force_login(district_officer)
    page = client.get(reverse("grids:adjustment", args=[round_.pk])).content.decode()
    assert "求解失败：" + tasks.BROKEN in page and "data-poll-url" not in page and "取消方案" not in page
    listing = client.get(reverse("grids:adjustments")).content.decode()
    assert "求解失败" in listing


# --- a real worker ----------------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_solves_the_round_through_redis(crowded, district, district_officer):
    """The round's job goes through the Redis broker, on the adjustment queue, to a real worker."""
    import time

    from celery.contrib.testing.worker import start_worker

    from shaoguan.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            # Outside any transaction: the job is published as soon as the round is committed.
            round_ = adjustment_run(actor=district_officer, district=district)
            assert round_.status == R.SOLVING
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                round_.refresh_from_db()
                if round_.status != R.SOLVING:
                    break
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = True
    assert round_.status == R.OPEN, round_.failure
    assert round_.moves_count == 3 and round_.total_cost == round_.lower_bound


def test_the_admin_shows_a_rounds_timeline(crowded, district, district_officer, admin_user, client, monkeypatch):
    monkeypatch.setattr("grids.services.adjustment.run.proposal_compute", lambda *a, **k: 1 / 0)
    round_ = run(actor=district_officer, district=district)
    client.force_login(admin_user)
    page = client.get(reverse("admin:grids_adjustmentround_change", args=[round_.pk])).content.decode()
    assert "调剂方案进度" in page and tasks.BROKEN in page


def test_bench_adjustment_solves_in_process_and_cancels_its_round(crowded, district, admin_user):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("bench_adjustment", "--district", district.code, stdout=out)
    text = out.getvalue()
    assert "members 4" in text and "gap 0 (optimal)" in text and "whole round" in text
    assert AdjustmentRound.objects.get().status == R.CANCELLED
