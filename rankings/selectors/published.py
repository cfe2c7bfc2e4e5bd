"""Which board day a request reads, the boards and districts it may name, and the cache that may fail.

Every read starts from one ``PublishedDay`` (resolved once per request and passed on), so a page
never mixes two board days. The cache is an optimisation only: any cache failure is logged and
the database answers instead, and users are told nothing alarming.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from core.errors import NotFound, ValidationFailed
from grids.models import District
from rankings import scoring
from rankings.models import Board, BoardDay

logger = logging.getLogger(__name__)

TOP = 50
TIE_RULE = scoring.TIE_RULE  # the order the rebuild ranks by, stated on every board
UPDATE_NOTE = "每日凌晨更新"
PLATFORM_NAME = "韶关社区吹哨报到平台"
HISTORY_DAYS = (30, 90)

DAYS_KEY = "rankings:board-days"
DISTRICTS_KEY = "rankings:districts"
DAYS_TTL = 60  # a fresh build shows within a minute; readers never see a half-built day either way
DISTRICTS_TTL = 600
TOP_TTL = 6 * 3600  # the day and its build time are in the key, so a new build never reads an old payload

NO_MEMBER = "您还不是报到党员，登记为党员/志愿者后即可查看自己的排名。"

# --- cache that may fail -------------------------------------------------------------------


def cache_get(key: str):
    try:
        return cache.get(key)
    except Exception as exc:  # Redis down or misconfigured: the database answers instead
        logger.warning("board cache read failed for %s: %s", key, exc)
        return None


def cache_set(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception as exc:
        logger.warning("board cache write failed for %s: %s", key, exc)


# --- the day, the board, the district ------------------------------------------------------


@dataclass(frozen=True)
class PublishedDay:
    day: dt.date
    previous: dt.date | None  # the board day before, from which movement is measured
    built: str = ""  # when the day was (last) built: cached payloads of an older build are not read

    @property
    def label(self) -> str:
        return f"{self.day.year}年{self.day.month}月{self.day.day}日"

    @property
    def built_label(self) -> str:
        """When the day was built, ``12月1日 03:05`` (Asia/Shanghai); empty when unknown."""
        try:
            built = timezone.localtime(dt.datetime.fromisoformat(self.built))
        except (TypeError, ValueError):
            return ""
        return f"{built.month}月{built.day}日 {built:%H:%M}"


def _board_days() -> list[tuple[dt.date, str]]:
    """Every built day, oldest first, with when it was built (a rebuild of a day changes it)."""
    cached = cache_get(DAYS_KEY)
    if cached is not None:
        return [(dt.date.fromisoformat(d), built) for d, built in cached]
    days = [(day, built.isoformat()) for day, built in BoardDay.objects.order_by("day").values_list("day", "built_at")]
    cache_set(DAYS_KEY, [[d.isoformat(), built] for d, built in days], DAYS_TTL)
    return days


def forget_published_days() -> None:
    """Make a just-committed board day visible at once instead of within ``DAYS_TTL``."""
    try:
        cache.delete(DAYS_KEY)
    except Exception as exc:
        logger.warning("board cache delete failed for %s: %s", DAYS_KEY, exc)


def parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("日期格式应为 YYYY-MM-DD，例如 2026-11-24。", code="invalid_date", field="date")


def published_day(requested: dt.date | None = None, *, today: dt.date | None = None) -> PublishedDay | None:
    """The latest built day on or before ``requested`` (default: today); None when nothing is built yet."""
    today = today or timezone.localdate()
    if requested is not None and requested > today:
        raise ValidationFailed("不能查询未来日期的榜单。", code="future_date", field="date")
    built = _board_days()
    if not built:
        return None
    days = [d for d, _ in built]
    wanted = requested or today
    i = bisect.bisect_right(days, wanted)
    if i == 0:
        raise NotFound("该日期尚无榜单，最早的榜单是" + f"{days[0]:%Y年%m月%d日}。", code="no_board_for_date")
    return PublishedDay(day=days[i - 1], previous=days[i - 2] if i >= 2 else None, built=built[i - 1][1])


def board_of(value: str) -> Board:
    try:
        return Board(value)
    except ValueError:
        raise NotFound("没有这个榜单。", code="unknown_board")


def districts() -> list[dict]:
    """The districts for the filter, in code order: ``[{"id", "name"}]``."""
    cached = cache_get(DISTRICTS_KEY)
    if cached is not None:
        return cached
    rows = [{"id": pk, "name": name} for pk, name in District.objects.order_by("code").values_list("pk", "name")]
    cache_set(DISTRICTS_KEY, rows, DISTRICTS_TTL)
    return rows


def district_of(value) -> dict | None:
    """The district asked for by ``?district=`` (None for the whole city)."""
    if value in (None, ""):
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed("没有这个区/县(市)。", code="unknown_district", field="district")
    for d in districts():
        if d["id"] == pk:
            return d
    raise NotFound("没有这个区/县(市)。", code="unknown_district")


def period_label(board: str, day: dt.date) -> str:
    start = day.replace(day=1) if board == Board.STARS else day.replace(month=1, day=1)
    return f"{start.year}年{start.month}月{start.day}日至{day.month}月{day.day}日"


def score_rule() -> str:
    return scoring.score_rule_text()


def ranked_by_per_capita(board: str) -> bool:
    return board in scoring.PER_CAPITA_BOARDS
