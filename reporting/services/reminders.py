"""Quotas that follow up by themselves: the weekly reminders to members and the quarter's lists
of who has not reported yet, for their secretaries (scheduled in ``CELERY_BEAT_SCHEDULE``).

Both are safe to run twice, and at once: each recipient (a member and an ISO week; a community or
a unit and a quarter) is first *claimed* by inserting its row with ``INSERT … ON CONFLICT DO
NOTHING RETURNING``, and only the rows this run inserted are notified, in the same transaction.
A second run racing the first waits on the first's uncommitted rows, then inserts nothing; a run
that fails rolls its claims back with its notifications, so a retry sends what it had not.

Every reminder lands in the inbox; WeChat and SMS carry it only as the member allows for its kind
(notifications.kinds).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from grids.models import Post, Unit
from notifications.kinds import QUARTER_UNREPORTED, QUOTA_REMINDER
from notifications.services import notify
from reporting.models import QuarterList, QuotaReminder
from reporting.selectors.quota import (
    ReminderTarget,
    days_in_year,
    days_over,
    members_to_remind,
    quota_minutes_total,
    unreported_members,
)
from reporting.services.quota import quota_minutes_fill
from reporting.worktime import quarter_of

BATCH = 1000
BODY_LIMIT = 500
# Who gets a community's list: its secretary and first secretary (书记).
COMMUNITY_LIST_ROLES = (Post.Role.SECRETARY, Post.Role.FIRST_SECRETARY)


def iso_week(day: date) -> str:
    """``2026-W49``: the ISO week (Monday to Sunday) ``day`` falls in."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def quarter_last_day(quarter: str) -> date:
    year, q = int(quarter[:4]), int(quarter[5])
    return date(year, 12, 31) if q == 4 else date(year, 3 * q + 1, 1) - timedelta(days=1)


def quarter_list_day(quarter: str) -> date:
    """A month before ``quarter`` ends: the first day of its last month (1 March, 1 June,
    1 September, 1 December). The daily job sends the quarter's lists on that day, or on the
    first run after it when the job could not run that day."""
    year, q = int(quarter[:4]), int(quarter[5])
    return date(year, 3 * q, 1)


def _claim(model, columns: Sequence[str], rows: Iterable[tuple], returning: str) -> set:
    """Insert ``rows``, skipping those a unique constraint already holds; return ``returning`` of
    the rows this call inserted. On PostgreSQL a row another open transaction is inserting makes
    this wait for it, then skip it once that one commits."""
    rows = list(rows)
    if not rows:
        return set()
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    cols = ", ".join(quote(c) for c in columns)
    adapt = connection.ops.adapt_datetimefield_value
    params: list = []
    for row in rows:
        params.extend(adapt(v) if isinstance(v, datetime) else v for v in row)
    marks = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({cols}) VALUES {marks} ON CONFLICT DO NOTHING RETURNING {quote(returning)}", params
        )
        return {r[0] for r in cursor.fetchall()}


# --- the weekly reminders to members -------------------------------------------------------------


@dataclass(frozen=True)
class ReminderLinks:
    """Where each reminder leads: the page that acts on it."""

    hours: str  # behind on hours: where to take a task
    visit: str  # no visit this quarter (with or without hours behind): the year's progress


def _message(target: ReminderTarget, today: date, expected_hours: float) -> tuple[str, str]:
    end = quarter_last_day(quarter_of(today))
    hours = f"今年工作时间以外的服务时长按进度此时应满 {expected_hours:g} 小时（全年要求 {quota_minutes_total() // 60} 小时）"
    visit = f"本季度还没有到社区报到，请在 {end.month} 月 {end.day} 日前到报到社区扫码报到"
    if target.hours_behind and target.visit_missing:
        return "履职提醒：服务时长落后，本季度尚未报到", f"{hours}；{visit}。"
    if target.hours_behind:
        return "履职提醒：服务时长落后于年度进度", f"{hours}，可到“接单”领取服务任务。"
    return "履职提醒：本季度尚未到社区报到", f"{visit}。"


def quota_reminders_send(*, links: ReminderLinks, today: date | None = None) -> int:
    """Remind every member behind the year's hours pace or without a visit this quarter, at most
    once in ``today``'s ISO week. Returns how many were reminded by this run."""
    today = today or timezone.localdate()
    quota_minutes_fill(year=today.year)  # rows written in bulk, so the pace reads every minute
    targets = members_to_remind(today)
    week, now = iso_week(today), timezone.now()
    expected = round(quota_minutes_total() * days_over(today.year, today) / days_in_year(today.year) / 60, 1)
    sent = 0
    for start in range(0, len(targets), BATCH):
        batch = targets[start : start + BATCH]
        with transaction.atomic():
            claimed = _claim(
                QuotaReminder,
                ["member_id", "week", "hours_behind", "visit_missing", "counted_minutes", "created_at"],
                [(t.member_id, week, t.hours_behind, t.visit_missing, t.counted_minutes, now) for t in batch],
                returning="member_id",
            )
            groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
            for t in batch:
                if t.member_id in claimed:
                    title, body = _message(t, today, expected)
                    groups[title, body, links.visit if t.visit_missing else links.hours].append(t.user_id)
            for (title, body, url), users in groups.items():
                notify(users=users, kind=QUOTA_REMINDER, title=title, body=body, url=url)
        sent += len(claimed)
    return sent


# --- the quarter's lists for secretaries -------------------------------------------------------------


def unit_secretaries(unit: Unit):
    """The users who receive ``unit``'s quarter list: the active holders of its party
    organisation's secretary and organiser posts."""
    return (
        get_user_model()
        .objects.filter(posts__unit=unit, posts__role__in=Post.UNIT_ROLES, is_active=True)
        .distinct()
        .order_by("pk")
    )


def _names(rows: list[tuple[int, str]], lead: str) -> str:
    names = [name or "（未填姓名）" for _, name in rows]
    text = lead + "、".join(names) + "。"
    if len(text) <= BODY_LIMIT:
        return text
    cut = lead + "、".join(names)
    return cut[: BODY_LIMIT - 12].rstrip("、") + f"…等 {len(names)} 人。"


def _send_list(*, quarter: str, node_field: str, node_id: int, recipients: list[int], rows, label: str, url: str, now):
    claimed = _claim(
        QuarterList,
        ["quarter", node_field, "members", "recipients", "created_at"],
        [(quarter, node_id, len(rows), len(recipients), now)],
        returning=node_field,
    )
    if not claimed:
        return False
    end = quarter_last_day(quarter)
    notify(
        users=recipients,
        kind=QUARTER_UNREPORTED,
        title=f"{label}本季度还有 {len(rows)} 名党员未到社区报到",
        body=_names(rows, f"请于 {end.month} 月 {end.day} 日前督促报到：")[:BODY_LIMIT],
        url=url,
    )
    return True


def quarter_lists_send(*, today: date | None = None) -> dict[str, int]:
    """From a month before ``today``'s quarter ends, send each community's and each unit's list
    of members with no report-for-duty visit this quarter to their secretaries, once per node
    and quarter. A node with nobody to receive it, or nobody missing, is left for a later run.
    Returns how many lists went out, by kind of node."""
    today = today or timezone.localdate()
    quarter = quarter_of(today)
    done = {"communities": 0, "units": 0}
    if today < quarter_list_day(quarter):
        return done
    rows = list(
        unreported_members(quarter)
        .order_by("community_id", "user__name", "pk")
        .values_list("pk", "user__name", "community_id", "community__name", "unit_id", "unit__name")
    )
    by_community: dict[int, list] = defaultdict(list)
    by_unit: dict[int, list] = defaultdict(list)
    names: dict[tuple[str, int], str] = {}
    for pk, name, cid, cname, uid, uname in rows:
        by_community[cid].append((pk, name))
        names["community", cid] = cname
        if uid is not None:
            by_unit[uid].append((pk, name))
            names["unit", uid] = uname
    secretaries: dict[int, list[int]] = defaultdict(list)
    for cid, uid in Post.objects.filter(
        role__in=COMMUNITY_LIST_ROLES, community_id__in=list(by_community), user__is_active=True
    ).values_list("community_id", "user_id"):
        secretaries[cid].append(uid)
    url = reverse("reporting:unreported")
    now = timezone.now()
    for cid, members in by_community.items():
        if secretaries.get(cid):
            with transaction.atomic():
                kw = {"quarter": quarter, "node_field": "community_id", "node_id": cid, "now": now, "url": url}
                done["communities"] += _send_list(
                    recipients=secretaries[cid], rows=members, label=names["community", cid], **kw
                )
    if by_unit:
        for unit in Unit.objects.filter(pk__in=list(by_unit)).order_by("pk"):
            recipients = list(unit_secretaries(unit).values_list("pk", flat=True))
            if recipients:
                with transaction.atomic():
                    kw = {"quarter": quarter, "node_field": "unit_id", "node_id": unit.pk, "now": now, "url": url}
                    done["units"] += _send_list(recipients=recipients, rows=by_unit[unit.pk], label=unit.name, **kw)
    return done
