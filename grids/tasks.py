"""Celery tasks of the organisation: solving a 调剂 round (queue ``adjustment``)."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError

logger = logging.getLogger("grids.adjustment")

# A whole-city round (60,000 members, 295 communities) takes 10–30 s end to end (bench_adjustment;
# the solve itself under 5 s). Four times that before the job is told to stop: a loaded worker
# still finishes, a runaway one frees the district within minutes. Far under the broker's
# visibility timeout (an hour), so a slow solve is never handed to a second worker meanwhile.
SOFT_TIME_LIMIT = 120
TIME_LIMIT = 150
# A database hiccup is retried this many times (after 5, 10, 20 s) before the round fails.
MAX_RETRIES = 3

TIMED_OUT = f"求解超过 {SOFT_TIME_LIMIT} 秒仍未完成，已停止，未做任何调整；请稍后重新发起，或按区/县分别调剂。"
DATABASE_DOWN = "求解时数据库暂时不可用，方案未生成，未做任何调整；请稍后重新发起调剂。"
BROKEN = "求解出错，方案未生成，未做任何调整；请重新发起调剂，如仍失败请联系系统管理员。"


@shared_task(
    bind=True,
    # Acknowledged only when done: a worker killed midway leaves the message queued and another
    # worker solves the round again (nothing was written; a round no longer solving is skipped).
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    max_retries=MAX_RETRIES,
)
def solve_adjustment_round(self, round_id: int) -> dict:
    """Solve round ``round_id`` and write its proposal; on failure mark it failed with a Chinese
    reason (the officer reads it on the round's page), which frees its district. Safe to run twice."""
    from grids.services.adjustment import adjustment_fail, adjustment_solve

    try:
        round_ = adjustment_solve(round_id=round_id)
    except SoftTimeLimitExceeded:
        round_ = adjustment_fail(round_id=round_id, reason=TIMED_OUT)
    except DatabaseError as exc:
        if self.request.retries < MAX_RETRIES:
            raise self.retry(exc=exc, countdown=5 * 2**self.request.retries) from exc
        logger.exception("adjustment round %s: database error", round_id)
        round_ = adjustment_fail(round_id=round_id, reason=DATABASE_DOWN)
    except Exception:
        logger.exception("adjustment round %s could not be solved", round_id)
        round_ = adjustment_fail(round_id=round_id, reason=BROKEN)
    if round_ is None:
        return {"round": round_id, "status": None}
    return {"round": round_id, "status": round_.status, "moves": round_.moves_count}


@shared_task
def purge_import_uploads() -> int:
    """Drop the files of rejected imports a day after upload (they hold people's numbers). Safe to run twice."""
    from grids.services.imports import import_uploads_purge

    return import_uploads_purge()
