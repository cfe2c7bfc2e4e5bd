"""manage.py bench_orders — how fast the task hall and the pending-requests page answer.

Runs the real views in-process (Django's test client: middleware, session sign-in, templates,
serializers; no network) against the current database, and prints medians, the slowest call
and query counts. Meant for the generated city (``generate_city`` + ``generate_activity``).
The generated year lies in the past, so the command first adds what a live city has in front of
it — the next two weeks of open tasks (the last two weeks' tasks, moved forward; one in ten open
to the whole city) and a backlog of
pending requests — inside a transaction that is rolled back at the end: the database is left as
it was.
"""

from __future__ import annotations

import random
import statistics
import time
import warnings

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from core.bench import results
from grids.models import Community, Member, Post
from orders.citygen.live import add_pending_backlog, add_upcoming_tasks
from orders.models import ServiceRequest, Task


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "在当前数据库上测量接单大厅 API 和待审核点单页面的响应时间（中位数）与查询次数；数据不变。"

    def add_arguments(self, parser):
        parser.add_argument("--calls", type=int, default=20, help="每项调用次数（默认 20）")
        parser.add_argument("--backlog", type=int, default=150, help="为测量临时加入的待审核点单数（默认 150）")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, calls: int, backlog: int, seed: int, **options):
        if not Task.objects.exists():
            raise CommandError("数据库中没有任务，请先运行 generate_city 和 generate_activity。")
        # WhiteNoise warns when collectstatic has not run; static files play no part here.
        warnings.filterwarnings("ignore", message="No directory at")
        self.rng = random.Random(seed)
        self.calls = calls
        self.stdout.write(
            f"数据：{Member.objects.count()} 名党员，{Task.objects.count()} 个任务，"
            f"{ServiceRequest.objects.count()} 件点单；数据库 {connection.vendor}"
        )
        with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
            try:
                with transaction.atomic():
                    self.add_upcoming_tasks()
                    self.bench_hall()
                    self.bench_pending(backlog)
                    raise Rollback
            except Rollback:
                pass

    def add_upcoming_tasks(self) -> None:
        added = add_upcoming_tasks(days=14)
        self.stdout.write(f"临时加入未来两周的待接任务 {added} 个（测量后撤销）。")

    # --- measuring ---------------------------------------------------------------------------

    def _measure(self, client: Client, url: str) -> tuple[list[float], int]:
        first = client.get(url)  # warm: session, caches, the first query plan
        if first.headers.get("Content-Type", "").startswith("application/json"):
            body = first.json()
            self.stdout.write(f"    {url}：共 {body.get('count')} 条，本页 {len(body.get('results', []))} 条")
        times = []
        for _ in range(self.calls):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{url} 返回 {response.status_code}")
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return times, len(ctx.captured_queries)

    def _report(self, label: str, times: list[float], queries: int, target_ms: float) -> None:
        median = statistics.median(times)
        verdict = "达标" if median < target_ms else "未达标"
        self.stdout.write(
            f"  {label}：中位数 {median:.1f} ms，最慢 {max(times):.1f} ms，{queries} 次查询"
            f"（目标 < {target_ms:.0f} ms，{verdict}）"
        )
        results.record(
            "接单与审核（进程内）",
            f"{self.section}：{label}",
            f"中位数 {median:.1f} ms，最慢 {max(times):.1f} ms，{queries} 次查询",
            f"< {target_ms:.0f} ms",
            median < target_ms,
        )

    # --- the task hall -------------------------------------------------------------------------

    def bench_hall(self) -> None:
        busiest = (
            Task.objects.filter(status=Task.Status.OPEN, starts_at__gt=timezone.now())
            .values("community_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list("community_id", flat=True)[:20]
        )
        members = list(
            Member.objects.filter(community_id__in=list(busiest), home_lat__isnull=False).select_related("user")[:200]
        )
        if not members:
            raise CommandError("没有可用于测量的已报到党员。")
        self.stdout.write(f"接单大厅 API（GET /api/v1/tasks/hall/，每项 {self.calls} 次）：")
        self.section = "接单大厅 API"
        member = self.rng.choice(members)
        client = Client()
        client.force_login(member.user)
        for size in (10, 20, 100):
            times, queries = self._measure(client, f"/api/v1/tasks/hall/?page_size={size}")
            self._report(f"同一名党员，每页 {size} 条", times, queries, 100)
        times, queries = self._measure(client, "/api/v1/tasks/hall/?duty=sanitation&max_distance_m=5000")
        self._report("同一名党员，按职责和 5 公里内筛选", times, queries, 100)
        # Twenty different members, one call each after a warm-up call.
        spread = []
        for m in self.rng.sample(members, min(self.calls, len(members))):
            c = Client()
            c.force_login(m.user)
            c.get("/api/v1/tasks/hall/")
            started = time.perf_counter()
            c.get("/api/v1/tasks/hall/")
            spread.append((time.perf_counter() - started) * 1000)
        self._report(f"{len(spread)} 名不同党员各一次", spread, queries, 100)

    # --- the pending-requests page --------------------------------------------------------------

    def bench_pending(self, backlog: int) -> None:
        community = (
            Community.objects.filter(posts__role=Post.Role.SECRETARY).annotate(n=Count("grids")).order_by("-n").first()
        )
        if community is None:
            raise CommandError("没有设有书记的社区。")
        secretary = Post.objects.filter(community=community, role=Post.Role.SECRETARY).select_related("user").first()
        street_post = (
            Post.objects.filter(street_id=community.street_id, role=Post.Role.STREET_STAFF)
            .select_related("user")
            .first()
        )
        add_pending_backlog(community, backlog)
        pending = ServiceRequest.objects.filter(community=community, status=ServiceRequest.Status.SUBMITTED).count()
        self.stdout.write(f"待审核点单页面（GET /work/requests/，{community.name}，{pending} 件待审核）：")
        self.section = "待审核点单"
        client = Client()
        client.force_login(secretary.user)
        times, queries = self._measure(client, "/work/requests/")
        self._report("社区书记", times, queries, 150)
        times, queries = self._measure(client, "/api/v1/requests/?status=submitted&page_size=100")
        self._report("同一书记，API 每页 100 条", times, queries, 150)
        times, queries = self._measure(client, "/api/v1/requests/?status=submitted&page_size=10")
        self._report("同一书记，API 每页 10 条", times, queries, 150)
        if street_post is not None:
            client = Client()
            client.force_login(street_post.user)
            times, queries = self._measure(client, "/work/requests/")
            self._report("街道工作人员（全街道）", times, queries, 150)
