"""Benchmark of the cockpit: the nightly rebuild over the whole city, then the page and the API as a
city, a district and a street officer see them (server time and queries), reading the rows just
built. Prints figures; asserts nothing.

Run by a management command (``run(stdout=...)``) against a generated city with a year of
activity. It writes the day's ``CockpitFigures`` rows (an upsert, as the nightly job does) and
nothing else: the officers are existing users holding those posts.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grids.models import Post
from rankings.cockpit.api import CockpitView
from rankings.cockpit.services import cockpit_rebuild
from rankings.cockpit.views import cockpit

ROUNDS = 5


def _officer(role: str):
    post = Post.objects.filter(role=role).select_related("user").order_by("pk").first()
    return post.user if post else None


def _timed(call: Callable[[], object], rounds: int) -> tuple[float, float, int]:
    """Median and worst milliseconds over ``rounds`` calls, and the queries of the last call."""
    times, queries = [], 0
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = call()
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            times.append((time.perf_counter() - started) * 1000)
        status = getattr(response, "status_code", 200)
        if status != 200:
            raise RuntimeError(f"status {status}")
        queries = len(ctx.captured_queries)
    return statistics.median(times), max(times), queries


def run(*, stdout, day: dt.date | None = None, rounds: int = ROUNDS) -> dict:
    day = day or timezone.localdate() - dt.timedelta(days=1)
    write = stdout.write
    write(f"驾驶舱基准：数据日 {day:%Y-%m-%d}，数据库 {connection.vendor}")

    started = time.perf_counter()
    rows = cockpit_rebuild(day=day)
    rebuild_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    cockpit_rebuild(day=day)
    again_ms = (time.perf_counter() - started) * 1000
    write(f"  全市重算（{rows} 个范围）：{rebuild_ms:.0f} ms；再次重算（覆盖）：{again_ms:.0f} ms")

    factory = RequestFactory()
    results = {"rebuild_ms": rebuild_ms, "rebuild_again_ms": again_ms, "rows": rows}
    for role, label in (
        (Post.Role.CITY_STAFF, "市级"),
        (Post.Role.DISTRICT_STAFF, "区/县级"),
        (Post.Role.STREET_STAFF, "街道级"),
    ):
        user = _officer(role)
        if user is None:
            write(f"  {label}：没有持该职务的用户，跳过")
            continue

        def page(user=user):
            request = factory.get("/cockpit/")
            request.user = user
            if hasattr(user, "_shaoguan_scope"):
                del user._shaoguan_scope  # each request computes the scope afresh
            return cockpit(request)

        def api(user=user):
            request = factory.get("/api/v1/cockpit/")
            request.user = user
            request._force_auth_user = user
            if hasattr(user, "_shaoguan_scope"):
                del user._shaoguan_scope
            return CockpitView.as_view()(request)

        page_median, page_worst, page_queries = _timed(page, rounds)
        api_median, api_worst, api_queries = _timed(api, rounds)
        size = len(page().content)
        write(
            f"  {label}页面：中位 {page_median:.1f} ms，最慢 {page_worst:.1f} ms，{page_queries} 次查询，"
            f"{size / 1024:.0f} KB；接口：中位 {api_median:.1f} ms，最慢 {api_worst:.1f} ms，{api_queries} 次查询"
        )
        results[role] = {
            "page_ms": page_median,
            "page_worst_ms": page_worst,
            "page_queries": page_queries,
            "page_kb": size / 1024,
            "api_ms": api_median,
            "api_worst_ms": api_worst,
            "api_queries": api_queries,
        }
    return results
