"""Boards without anyone running a command: the demo builds its boards and the days before, and a
fresh install queues its first rebuild (once) when somebody opens a board page."""

import threading
from io import StringIO
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from grids.models import Member
from rankings.models import Board, BoardDay, BoardEntry
from rankings.services import boards as services
from rankings.tasks import rebuild_boards
from tests.pages import browser_for, html


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_builds_every_board_and_the_days_before():
    for command in ("seed_demo", "demo_activity"):
        call_command(command, stdout=StringIO())
    call_command("rebuild_boards", "--history", "30", stdout=StringIO())
    days = list(BoardDay.objects.order_by("day").values_list("day", flat=True))
    assert len(days) == 31
    for board in Board:
        assert BoardEntry.objects.filter(day=days[-1], board=board).exists(), board
    # Movement is measured from the day before.
    assert BoardEntry.objects.filter(day=days[-1], previous_rank__isnull=False).exists()

    member = Member.objects.get(user__phone="13800138002")
    client = browser_for(member.user)
    page = html(client.get("/boards/?board=members"))
    assert 'data-testid="board-list"' in page and "正在准备中" not in page
    star = BoardEntry.objects.filter(day=days[-1], board=Board.STARS).order_by("rank").first()
    card = client.get(f"/boards/stars/card/?member={star.subject_id}")
    assert card.status_code == 200 and "正在准备中" not in html(card)
    assert BoardEntry.objects.filter(day=days[-1], board=Board.MEMBERS, subject_id=member.pk).exists()
    history = client.get("/boards/members/history/?days=30")
    assert history.status_code == 200
    assert 'id="board-history-data"' in html(history)
    assert len(history.context["history"]["points"]) > 1


@pytest.mark.django_db
def test_opening_the_boards_with_none_built_queues_the_first_rebuild(member, community):
    member.community = community
    member.save(update_fields=["community"])
    with mock.patch.object(rebuild_boards, "apply_async") as queued:
        r = browser_for(member.user).get("/boards/")
        again = browser_for(member.user).get("/boards/members/history/")
    assert r.status_code == 200 and again.status_code == 200
    assert "榜单正在准备中" in html(r) and 'data-testid="board-preparing"' in html(r)
    assert "第一次榜单已开始生成" in html(again)
    assert queued.call_count == 1
    assert queued.call_args.kwargs["kwargs"] == {"triggered_by": "首次打开榜单"}


@pytest.mark.django_db
def test_run_in_process_the_first_rebuild_is_there_when_the_page_renders(member, community):
    member.community = community
    member.save(update_fields=["community"])
    r = browser_for(member.user).get("/boards/")
    assert BoardDay.objects.get().triggered_by == "首次打开榜单"
    assert 'data-testid="board-list"' in html(r)


@pytest.mark.django_db
def test_with_a_board_built_nothing_is_queued(member):
    BoardDay.objects.create(day="2026-06-15", built_at="2026-06-16T02:00:00+08:00")
    with mock.patch.object(rebuild_boards, "apply_async") as queued:
        assert services.board_first_build_queue() is False
    assert queued.call_count == 0


@pytest.mark.django_db
def test_a_broker_that_refuses_leaves_the_next_visit_free_to_try(member):
    from kombu.exceptions import OperationalError

    with mock.patch.object(rebuild_boards, "apply_async", side_effect=OperationalError("down")):
        assert services.board_first_build_queue() is False
    with mock.patch.object(rebuild_boards, "apply_async") as queued:
        assert services.board_first_build_queue() is True
    assert queued.call_count == 1


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_visits_queue_exactly_one_rebuild(member, community):
    member.community = community
    member.save(update_fields=["community"])
    cache.delete(services.FIRST_BUILD_KEY)
    calls, statuses, lock = [], [], threading.Lock()
    start = threading.Barrier(6)

    def count(*args, **kwargs):
        with lock:
            calls.append(kwargs)

    def visit():
        try:
            client = browser_for(member.user)
            start.wait(10)
            r = client.get("/boards/")
            with lock:
                statuses.append((r.status_code, "榜单正在准备中" in html(r)))
        finally:
            connection.close()

    with mock.patch.object(rebuild_boards, "apply_async", side_effect=count):
        threads = [threading.Thread(target=visit) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert statuses == [(200, True)] * 6
    assert len(calls) == 1


@pytest.mark.django_db
def test_the_api_queues_the_first_rebuild_too(resident):
    from tests.conftest import client_for

    with mock.patch.object(rebuild_boards, "apply_async") as queued:
        assert client_for(resident).get("/api/v1/boards/").json()["day"] is None
        client_for(resident).get("/api/v1/boards/members/")
    assert queued.call_count == 1
