"""Building a day of all five boards: the lock, the transaction, the row for the day.

The statement that scores and ranks every subject is built in ``board_sql``.
"""

from __future__ import annotations

import logging
import time
from datetime import date

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from core.errors import Conflict, ValidationFailed
from rankings.models import BoardDay, BoardEntry
from rankings.selectors import published
from rankings.services.board_sql import board_entries_sql

log = logging.getLogger(__name__)

# The first board of a fresh install is queued by whoever opens a board page first; this key
# (set with the cache's atomic add, Redis SET NX) lets only one of several concurrent openers
# queue it. It outlives the rebuild comfortably; if the rebuild failed, a later visit queues again.
FIRST_BUILD_KEY = "rankings:first-build-queued"
FIRST_BUILD_TTL = 15 * 60

# Any constant will do, as long as nothing else in the database uses it as an advisory lock.
REBUILD_LOCK_KEY = 0x5347_424F_4152_44  # "SGBOARD"


def board_rebuild(*, day: date, triggered_by: str) -> BoardDay:
    """Build all five boards for ``day`` (data up to the end of that day, Asia/Shanghai).

    One transaction: the day's old rows are deleted and the new ones inserted, then the
    ``BoardDay`` row is written. Until it commits, readers see the old rows (PostgreSQL's MVCC);
    if anything fails, the old rows and the old ``BoardDay`` stay as they were. Running it twice
    for a day gives the same rows. ``previous_rank`` comes from the latest board day before
    ``day``. Raises ``ValidationFailed`` for a future day and ``Conflict`` when another rebuild
    holds the lock.
    """
    if day > timezone.localdate():
        raise ValidationFailed("不能生成未来日期的榜单。", field="day")
    started = time.perf_counter()
    with transaction.atomic():
        _take_lock()
        previous = BoardDay.objects.filter(day__lt=day).order_by("-day").values_list("day", flat=True).first()
        _delete_day(day)
        count = _insert_entries(day, previous)
        duration_ms = round((time.perf_counter() - started) * 1000)
        board_day = _save_day(day, count=count, duration_ms=duration_ms, triggered_by=triggered_by)
    log.info("boards for %s built: %s entries in %s ms (%s)", day, count, duration_ms, triggered_by)
    return board_day


def _take_lock() -> None:
    """Two rebuilds never run at once.

    On PostgreSQL a transaction-level advisory lock: taken without waiting, released by the
    commit or rollback, and gone with the session if the worker dies, so a killed rebuild never
    blocks the retried one. SQLite lets one writer at a time hold the database: a second rebuild
    waits for the first to commit and then runs on its own, which is exclusive too.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REBUILD_LOCK_KEY])
        (taken,) = cursor.fetchone()
        if not taken:
            raise Conflict("榜单正在生成中，请稍后再试。", code="rebuild_running")
        # LOCAL: for this transaction only. The sorts and hashes of 120,000 ranked rows fit in
        # memory with 64 MB (the default 4 MB spills them to disk); and the planner's cost for
        # the statement, far above jit_above_cost, would spend over a second compiling it with
        # JIT for a query that runs in well under one.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL jit = off")
        # Every join here is between whole sets (tens of thousands of rows on each side), which
        # a hash join does in one pass. Right after a day is written its statistics still say it
        # has no rows, and the planner then joins yesterday's rows by nested loop or by a merge
        # on the board alone — minutes instead of milliseconds. Hash joins only, then.
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")


def _delete_day(day: date) -> None:
    # No reverse relations and no signals: one DELETE statement.
    BoardEntry.objects.filter(day=day)._raw_delete(BoardEntry.objects.db)


def _save_day(day: date, *, count: int, duration_ms: int, triggered_by: str) -> BoardDay:
    board_day, _ = BoardDay.objects.update_or_create(
        day=day,
        defaults={
            "built_at": timezone.now(),
            "duration_ms": duration_ms,
            "entry_count": count,
            "triggered_by": triggered_by[:40],
        },
    )
    # Readers cache the list of built days briefly; a new day shows as soon as it commits.
    transaction.on_commit(published.forget_published_days)
    return board_day


def _insert_entries(day: date, previous: date | None) -> int:
    """Score, rank and insert every subject of the five boards; returns the number of rows."""
    sql, params = board_entries_sql(day, previous)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count = cursor.rowcount
    # SQLite does not report the row count of an INSERT that starts with WITH.
    return count if count >= 0 else BoardEntry.objects.filter(day=day).count()


def board_first_build_queue() -> bool:
    """Queue the first rebuild when no board has ever been built; True when one is queued (by
    this call or an earlier one) and the page may say the boards are being prepared.

    Exactly one rebuild is queued however many people open a board page at once: the cache's
    atomic add admits one of them. The rebuild itself runs as every rebuild does, under the
    advisory lock of ``board_rebuild`` (a nightly run at the same moment makes it wait and
    retry). With the cache unreachable nothing is queued: the nightly job builds the boards.
    """
    from core.tasks import enqueue
    from rankings.tasks import rebuild_boards

    if BoardDay.objects.exists():
        return False
    try:
        if not cache.add(FIRST_BUILD_KEY, timezone.now().isoformat(), FIRST_BUILD_TTL):
            return True  # someone else queued it a moment ago
    except Exception as exc:  # Redis down: do not risk queueing one rebuild per visit
        log.warning("could not mark the first board build as queued: %s", exc)
        return False
    if not enqueue(rebuild_boards, triggered_by="首次打开榜单"):
        _forget_first_build()
        return False
    log.info("no board built yet: the first rebuild is queued")
    return True


def _forget_first_build() -> None:
    try:
        cache.delete(FIRST_BUILD_KEY)
    except Exception as exc:
        log.warning("could not clear the first board build mark: %s", exc)
