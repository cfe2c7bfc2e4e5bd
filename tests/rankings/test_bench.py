"""bench_boards: the hand-written floor computes the same boards as the rebuild, and the command
prints its figures."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from rankings.management.commands.bench_boards import run_floor
from rankings.models import BoardEntry
from rankings.services import board_rebuild


@pytest.mark.slow
@pytest.mark.django_db
def test_the_floor_ranks_like_the_rebuild(city):
    day = timezone.localdate() - timedelta(days=1)
    board_rebuild(day=day - timedelta(days=1), triggered_by="测试")
    board_rebuild(day=day, triggered_by="测试")
    floor = run_floor(day, day - timedelta(days=1))
    for board, rows in floor.items():
        # id, district_id, minutes, services, outcomes, likes, [headcount], score, …, rank, district_rank, prev, prev_d
        got = {r[0]: (r[-4], r[-3], r[-2], r[-1]) for r in rows}
        want = {
            e[0]: e[1:]
            for e in BoardEntry.objects.filter(day=day, board=board).values_list(
                "subject_id", "rank", "district_rank", "previous_rank", "previous_district_rank"
            )
        }
        assert got == want, board


@pytest.mark.slow
@pytest.mark.django_db
def test_the_command_prints_the_figures(city):
    out = StringIO()
    call_command("bench_boards", "--repeat", "1", stdout=out)
    text = out.getvalue()
    assert "全量重建" in text and "手写 SQL 下限" in text and "比值" in text and "个人名次查询" in text


@pytest.mark.django_db
def test_rebuild_boards_command(member):
    out = StringIO()
    call_command("rebuild_boards", "--day", "2026-06-15", stdout=out)
    assert "已生成 2026-06-15 的榜单" in out.getvalue()
