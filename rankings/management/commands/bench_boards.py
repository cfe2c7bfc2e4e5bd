"""manage.py bench_boards — how fast the boards are built and read, against a hand-written floor.

(a) the full rebuild (``board_rebuild``: five boards, every subject, written and committed);
(b) the floor: one hand-written SELECT per board computing the same scores and every rank
    (city, district and the previous day's), its rows fetched — nothing written;
(c) a member's own rank: one ``BoardEntry`` read for 20 random members, the median.

It prints the times, the ratio rebuild / floor and the number of queries of each. The floor runs
with the same session settings the rebuild takes (work_mem, no JIT, hash joins), so the ratio compares the
SQL, not the settings.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.bench import results
from rankings import scoring
from rankings.management.commands.rebuild_boards import parse_day
from rankings.models import Board, BoardDay, BoardEntry
from rankings.services import board_rebuild

_RANKS = (
    "ROW_NUMBER() OVER (ORDER BY {order}) AS rank,"
    " CASE WHEN district_id IS NULL THEN NULL"
    " ELSE ROW_NUMBER() OVER (PARTITION BY district_id ORDER BY {order}) END AS district_rank"
)


def _points(w: scoring.Weights) -> str:
    return f"{w.hours} * minutes + {60 * w.services} * services + {60 * w.outcomes} * outcomes + {60 * w.likes} * likes"


# Per-capita, exactly: the whole quotient, then the remainder in units of 10⁻¹² (see scoring).
_PER_CAPITA = """
  SELECT scored.*,
    CASE WHEN headcount > 0 THEN points / headcount ELSE -1 END AS pc_whole,
    CASE WHEN headcount > 0 THEN (points - points / headcount * headcount) * 1000000000000 / headcount ELSE 0 END
      AS pc_rest
  FROM scored"""
_GROUP_ORDER = "pc_whole DESC, pc_rest DESC, points DESC, minutes DESC, id"


# Each member's components over the period: the same three aggregates for every board but communities.
_MEMBER_COMPONENTS = """WITH rec AS (
  SELECT member_id, SUM(minutes) AS minutes, COUNT(*) AS services FROM reporting_servicerecord
  WHERE status = 'confirmed' AND started_at >= %(start)s AND started_at < %(end)s GROUP BY member_id
), outc AS (
  SELECT a.member_id, COUNT(DISTINCT r.id) AS outcomes
  FROM orders_servicerequest r JOIN orders_acceptance a ON a.task_id = r.task_id AND a.status = 'completed'
  WHERE r.status IN ('confirmed', 'rated') AND r.closed_at >= %(start)s AND r.closed_at < %(end)s
  GROUP BY a.member_id
), lk AS (
  SELECT member_id, COUNT(*) AS likes FROM orders_like
  WHERE created_at >= %(start)s AND created_at < %(end)s GROUP BY member_id
)"""


def _member_board_sql(w: scoring.Weights, *, active_only: bool = False) -> str:
    order = "points DESC, minutes DESC, id"
    active = (
        "WHERE rec.services IS NOT NULL OR outc.outcomes IS NOT NULL OR lk.likes IS NOT NULL" if active_only else ""
    )
    return f"""
{_MEMBER_COMPONENTS}, comp AS (
  SELECT m.id, COALESCE(s.district_id, u.district_id) AS district_id, COALESCE(rec.minutes, 0) AS minutes,
    COALESCE(rec.services, 0) AS services, COALESCE(outc.outcomes, 0) AS outcomes, COALESCE(lk.likes, 0) AS likes
  FROM grids_member m
  LEFT JOIN grids_community c ON c.id = m.community_id LEFT JOIN grids_street s ON s.id = c.street_id
  LEFT JOIN grids_unit u ON u.id = m.unit_id
  LEFT JOIN rec ON rec.member_id = m.id LEFT JOIN outc ON outc.member_id = m.id LEFT JOIN lk ON lk.member_id = m.id
  {active}
), scored AS (SELECT comp.*, {_points(w)} AS points FROM comp
), ranked AS (SELECT scored.*, {_RANKS.format(order=order)} FROM scored)
SELECT r.*, p.rank, p.district_rank FROM ranked r
LEFT JOIN rankings_boardentry p ON p.day = %(previous)s AND p.board = %(board)s AND p.subject_id = r.id
"""


def _group_board_sql(w: scoring.Weights, *, membership: str, subjects: str) -> str:
    """Units or teams: the members' year components summed per group, ranked per member."""
    order = _GROUP_ORDER
    return f"""
{_MEMBER_COMPONENTS}, sums AS (
  SELECT g.key, CAST(SUM(COALESCE(rec.minutes, 0)) AS BIGINT) AS minutes,
    CAST(SUM(COALESCE(rec.services, 0)) AS BIGINT) AS services,
    CAST(SUM(COALESCE(outc.outcomes, 0)) AS BIGINT) AS outcomes,
    CAST(SUM(COALESCE(lk.likes, 0)) AS BIGINT) AS likes, COUNT(*) AS headcount
  FROM ({membership}) g
  LEFT JOIN rec ON rec.member_id = g.member_id LEFT JOIN outc ON outc.member_id = g.member_id
  LEFT JOIN lk ON lk.member_id = g.member_id
  GROUP BY g.key
), comp AS (
  SELECT x.id, x.district_id, COALESCE(sums.minutes, 0) AS minutes, COALESCE(sums.services, 0) AS services,
    COALESCE(sums.outcomes, 0) AS outcomes, COALESCE(sums.likes, 0) AS likes, COALESCE(sums.headcount, 0) AS headcount
  FROM ({subjects}) x LEFT JOIN sums ON sums.key = x.id
), scored AS (SELECT comp.*, {_points(w)} AS points FROM comp
), capita AS ({_PER_CAPITA}
), ranked AS (SELECT capita.*, {_RANKS.format(order=order)} FROM capita)
SELECT r.*, p.rank, p.district_rank FROM ranked r
LEFT JOIN rankings_boardentry p ON p.day = %(previous)s AND p.board = %(board)s AND p.subject_id = r.id
"""


def _community_board_sql(w: scoring.Weights) -> str:
    order = _GROUP_ORDER
    return f"""
WITH rec AS (
  SELECT community_id, SUM(minutes) AS minutes, COUNT(*) AS services FROM reporting_servicerecord
  WHERE status = 'confirmed' AND started_at >= %(start)s AND started_at < %(end)s GROUP BY community_id
), req AS (
  SELECT community_id, COUNT(*) AS n FROM orders_servicerequest
  WHERE status IN ('confirmed', 'rated') AND closed_at >= %(start)s AND closed_at < %(end)s GROUP BY community_id
), esc AS (
  SELECT community_id, COUNT(*) AS n FROM orders_escalation
  WHERE status = 'resolved' AND resolved_at >= %(start)s AND resolved_at < %(end)s GROUP BY community_id
), lk AS (
  SELECT r.community_id, COUNT(*) AS n FROM orders_like l JOIN orders_servicerequest r ON r.id = l.request_id
  WHERE l.created_at >= %(start)s AND l.created_at < %(end)s GROUP BY r.community_id
), hc AS (
  SELECT community_id, COUNT(*) AS n FROM grids_member WHERE community_id IS NOT NULL GROUP BY community_id
), comp AS (
  SELECT c.id, s.district_id, COALESCE(rec.minutes, 0) AS minutes, COALESCE(rec.services, 0) AS services,
    COALESCE(req.n, 0) + COALESCE(esc.n, 0) AS outcomes, COALESCE(lk.n, 0) AS likes, COALESCE(hc.n, 0) AS headcount
  FROM grids_community c JOIN grids_street s ON s.id = c.street_id
  LEFT JOIN rec ON rec.community_id = c.id LEFT JOIN req ON req.community_id = c.id
  LEFT JOIN esc ON esc.community_id = c.id LEFT JOIN lk ON lk.community_id = c.id LEFT JOIN hc ON hc.community_id = c.id
), scored AS (SELECT comp.*, {_points(w)} AS points FROM comp
), capita AS ({_PER_CAPITA}
), ranked AS (SELECT capita.*, {_RANKS.format(order=order)} FROM capita)
SELECT r.*, p.rank, p.district_rank FROM ranked r
LEFT JOIN rankings_boardentry p ON p.day = %(previous)s AND p.board = %(board)s AND p.subject_id = r.id
"""


def floor_queries(day: date, previous: date | None) -> list[tuple[str, str, dict]]:
    """(board, sql, params) of the hand-written floor, one SELECT per board."""
    w = scoring.weights()
    ops = connection.ops
    queries = []
    teams = (
        "SELECT t.id, s.district_id FROM grids_vanguardteam t JOIN grids_grid g ON g.id = t.grid_id"
        " JOIN grids_community c ON c.id = g.community_id JOIN grids_street s ON s.id = c.street_id"
    )
    sqls = {
        Board.MEMBERS: _member_board_sql(w),
        Board.STARS: _member_board_sql(w, active_only=True),
        Board.UNITS: _group_board_sql(
            w,
            membership="SELECT id AS member_id, unit_id AS key FROM grids_member WHERE unit_id IS NOT NULL",
            subjects="SELECT id, district_id FROM grids_unit",
        ),
        Board.TEAMS: _group_board_sql(
            w, membership="SELECT member_id, team_id AS key FROM grids_teammembership", subjects=teams
        ),
        Board.COMMUNITIES: _community_board_sql(w),
    }
    for board, sql in sqls.items():
        start, end = scoring.period(board, day)
        params = {
            "start": ops.adapt_datetimefield_value(start),
            "end": ops.adapt_datetimefield_value(end),
            "previous": None if previous is None else ops.adapt_datefield_value(previous),
            "board": board.value,
        }
        queries.append((board.value, sql, params))
    return queries


def run_floor(day: date, previous: date | None) -> dict[str, list[tuple]]:
    """Run the floor; returns each board's rows (id, district_id, minutes, …, rank, district_rank, …)."""
    results = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
        for board, sql, params in floor_queries(day, previous):
            cursor.execute(sql, params)
            results[board] = cursor.fetchall()
    return results


def _vacuum() -> None:
    """Clear the dead rows the previous repetition left (untimed), as autovacuum would between
    two builds in production; without it each repetition of the same day checks the unique
    indexes against every earlier copy of its rows."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {BoardEntry._meta.db_table}")


class Command(BaseCommand):
    help = "测量榜单重建、手写 SQL 下限（同样五个榜单、全部名次）和个人名次查询的耗时，并打印比值。"

    def add_arguments(self, parser):
        parser.add_argument("--day", help="榜单日期 YYYY-MM-DD（默认昨天）")
        parser.add_argument("--repeat", type=int, default=3, help="重复次数，取中位数（默认 3）")

    def handle(self, *args, day: str | None, repeat: int, **options):
        if repeat < 1:
            raise CommandError("--repeat 至少为 1。")
        board_day = parse_day(day)
        previous = BoardDay.objects.filter(day__lt=board_day).order_by("-day").values_list("day", flat=True).first()
        out = self.stdout

        rebuild_times, floor_times = [], []
        rebuild_queries = floor_queries_count = rows = floor_rows = 0
        for _ in range(repeat):
            _vacuum()
            with CaptureQueriesContext(connection) as q:
                started = time.perf_counter()
                built = board_rebuild(day=board_day, triggered_by="基准测试")
                rebuild_times.append(time.perf_counter() - started)
            rebuild_queries, rows = len(q.captured_queries), built.entry_count
            with CaptureQueriesContext(connection) as q:
                started = time.perf_counter()
                result = run_floor(board_day, previous)
                floor_times.append(time.perf_counter() - started)
            floor_queries_count, floor_rows = len(q.captured_queries), sum(len(r) for r in result.values())

        members = list(
            BoardEntry.objects.filter(day=board_day, board=Board.MEMBERS).values_list("subject_id", flat=True)
        )
        picks = random.Random(board_day.toordinal()).sample(members, min(20, len(members)))
        read_times = []
        with CaptureQueriesContext(connection) as q:
            for subject in picks:
                started = time.perf_counter()
                BoardEntry.objects.filter(board=Board.MEMBERS, subject_id=subject, day=board_day).first()
                read_times.append(time.perf_counter() - started)
        read_queries = len(q.captured_queries) / max(len(picks), 1)

        rebuild, floor = statistics.median(rebuild_times), statistics.median(floor_times)
        ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
        out.write(
            f"数据库：{connection.vendor}；榜单日期：{board_day:%Y-%m-%d}；上一榜单日：{previous or '无'}；重复 {repeat} 次"
        )
        if connection.vendor == "postgresql":
            out.write("（每次重建前先 VACUUM 榜单条目表，不计时，相当于生产环境的 autovacuum）")
        out.write(
            f"(a) 全量重建：中位数 {ms(rebuild)}（{' / '.join(ms(t) for t in rebuild_times)}），"
            f"写入 {rows} 条，{rebuild_queries} 次查询"
        )
        out.write(
            f"(b) 手写 SQL 下限：中位数 {ms(floor)}（{' / '.join(ms(t) for t in floor_times)}），"
            f"读取 {floor_rows} 行，{floor_queries_count} 次查询"
        )
        out.write(f"    比值 重建 / 下限 = {rebuild / floor:.2f}")
        results.record(
            "榜单重建",
            f"{board_day:%Y-%m-%d} 五个榜单全量重建（重复 {repeat} 次取中位数）",
            f"{ms(rebuild)}，写入 {rows} 条，{rebuild_queries} 次查询；手写 SQL 下限 {ms(floor)}，"
            f"比值 {rebuild / floor:.2f}",
        )
        if read_times:
            results.record(
                "榜单重建",
                "个人名次查询",
                f"中位数 {statistics.median(read_times) * 1000:.2f} ms（{len(picks)} 名随机党员）",
            )
            out.write(
                f"(c) 个人名次查询：中位数 {statistics.median(read_times) * 1000:.2f} ms（{len(picks)} 名随机党员），"
                f"每次 {read_queries:.0f} 次查询"
            )
