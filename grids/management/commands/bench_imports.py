"""Benchmark the roster import: a 60,000-row file imported whole, and the same with one bad last row.

    manage.py bench_imports [--rows 60000]

Generates the roster in memory (every row new, every row naming a community to report to, the
heaviest case: a user, a member, a registration, its choice and event, and their audit rows
each), then times, as a page's request runs them: the file with a bad last row (checked, nothing
written, the report built) and the clean file (imported in one transaction). Everything happens
inside one outer transaction that is rolled back at the end, so the database is left as it was
— the audit trail's rows included, which nothing else may delete; the commit itself is thus not
timed (it is one WAL flush). Prints the times, the rows a second and the process's max RSS,
and records them for ``bench_all``.
"""

from __future__ import annotations

import io
import resource
import time

from django.core.management.base import BaseCommand
from django.db import transaction
from openpyxl import Workbook

from core.bench import machine, results
from grids.imports import roster, workbook
from grids.models import Community, District, ImportRun, Post, Street, Unit

TARGET_SECONDS = 60


class _RollBack(Exception):
    pass


def roster_file(rows: int, communities: list[str], *, bad_last: bool = False, prefix: str = "166") -> bytes:
    """``rows`` new people; each names one of ``communities`` in turn (none when the list is empty)."""
    book = Workbook(write_only=True)
    ws = book.create_sheet("名册")
    ws.append(roster.HEADERS)
    kinds = ["在职党员"] * 8 + ["团员青年", "老党员"]
    for i in range(rows):
        phone = f"{prefix}{i:08d}"
        if bad_last and i == rows - 1:
            phone = "1660000"  # too short
        ws.append(
            [
                f"测试党员{i}",
                phone,
                kinds[i % 10],
                "教师" if i % 3 == 0 else "",
                f"韶关市测试路{i}号",
                communities[i % len(communities)] if communities else "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Command(BaseCommand):
    help = "计时导入 6 万行党员名册（全部正确、最后一行有错两种），在回滚的事务中进行，不改变数据库。"

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=60_000)
        parser.add_argument(
            "--no-community",
            action="store_true",
            help="不填报到社区（默认每行都填：每行多一条报到、志愿、进度和审计记录，最重的情形）",
        )

    def handle(self, *args, rows: int, no_community: bool = False, **options):
        self.no_community = no_community
        out = self.stdout.write
        out(f"机器：{machine.describe()}；负载 {machine.load_average()}")
        try:
            with transaction.atomic():
                self._run(rows, out)
                raise _RollBack
        except _RollBack:
            pass
        out(f"负载（之后） {machine.load_average()}；进程最大 RSS {self._rss():.0f} MB")

    def _rss(self) -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def _run(self, rows: int, out) -> None:
        from django.contrib.auth import get_user_model

        from grids.services.imports import import_report_build, import_upload

        unit, actor = self._unit()
        labels = [] if self.no_community else roster.allowed_lists(unit)["报到社区"][:20]
        started = time.perf_counter()
        good = roster_file(rows, labels)
        bad = roster_file(rows, labels, bad_last=True)
        out(f"生成两份 {rows} 行名册：{time.perf_counter() - started:.1f} 秒，{len(good) / 1024 / 1024:.1f} MB")
        taken = get_user_model().objects.filter(phone__startswith="166").exists()
        if taken:
            out("注意：库中已有 166 开头的手机号，相应行会被判为已登记。")

        started = time.perf_counter()
        header, parsed = workbook.read_sheet(good, roster.COLUMNS)
        read_s = time.perf_counter() - started
        out(f"读取（python-calamine）：{read_s:.1f} 秒，{len(parsed)} 行")

        started, cpu = time.perf_counter(), time.process_time()
        run = import_upload(actor=actor, kind="roster", unit=unit, data=bad, file_name="bad.xlsx", dry_run=False)
        bad_s, bad_cpu = time.perf_counter() - started, time.process_time() - cpu
        ok_bad = run.status == ImportRun.Status.REJECTED and len(run.errors) == 1
        out(
            f"最后一行有错：{bad_s:.1f} 秒（本进程 CPU {bad_cpu:.1f} 秒），状态 {run.get_status_display()}，错误 {run.errors}"
        )
        started = time.perf_counter()
        report = import_report_build(run=run)
        report_s = time.perf_counter() - started
        out(f"下载错误报告（生成标红的 XLSX）：{report_s:.1f} 秒，{len(report) / 1024 / 1024:.1f} MB")

        started, cpu = time.perf_counter(), time.process_time()
        run = import_upload(actor=actor, kind="roster", unit=unit, data=good, file_name="good.xlsx", dry_run=False)
        good_s, good_cpu = time.perf_counter() - started, time.process_time() - cpu
        out(
            f"全部正确：{good_s:.1f} 秒（本进程 CPU {good_cpu:.1f} 秒，{rows / good_s:.0f} 行/秒），{run.get_status_display()}，{run.summary}"
        )
        results.record(
            "名册导入",
            f"{rows} 行全部导入（读取 {read_s:.1f} s）",
            f"{good_s:.1f} s",
            f"< {TARGET_SECONDS} s",
            good_s < TARGET_SECONDS and run.status == "done",
        )
        results.record(
            "名册导入",
            f"{rows} 行末行有错：不导入并报告",
            f"{bad_s:.1f} s",
            f"< {TARGET_SECONDS} s",
            bad_s < TARGET_SECONDS and ok_bad,
        )
        results.record("名册导入", f"{rows} 行的错误报告下载", f"{report_s:.1f} s")
        results.record("名册导入", "进程最大 RSS", f"{self._rss():.0f} MB")

    def _unit(self):
        """A throwaway unit (rolled back with the rest) paired with existing communities, or with one of its own."""
        from django.contrib.auth import get_user_model

        communities = list(Community.objects.order_by("pk")[:20])
        if not communities:
            district = District.objects.create(code="449999", name="基准测试区", kind="district", lat=24.8, lng=113.6)
            street = Street.objects.create(district=district, name="基准测试街道", kind="subdistrict")
            communities = [
                Community.objects.create(street=street, name=f"基准社区{i}", lat=24.8, lng=113.6) for i in range(20)
            ]
        unit = Unit.objects.create(name="基准测试单位（回滚）", kind=Unit.Kind.GOVERNMENT_ORGAN)
        for c in communities:
            unit.pairings.create(community=c)
        actor = get_user_model().objects.create(phone="16599999999", name="基准书记")
        Post.objects.create(user=actor, role=Post.Role.UNIT_SECRETARY, unit=unit)
        return unit, actor
