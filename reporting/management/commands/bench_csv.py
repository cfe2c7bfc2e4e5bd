"""manage.py bench_csv — the city's year of service records as a CSV: first byte, whole, memory.

Reads only: it builds the ``records`` dataset for the whole city (as the city's organisation
department sees it) and writes the CSV lines the download streams to nowhere, timing the first
chunk of rows after the header and the last, and sampling the process's resident memory as it goes. The
audit row a real download writes at its end is left out, so the database is never written to.
"""

from __future__ import annotations

import datetime as dt
import resource
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from accounts.models import User
from core.bench import machine, results
from core.downloads.csv_cells import dataset_csv_lines
from core.exports import build
from grids.models import Post

TARGET_FIRST, TARGET_WHOLE = 1.0, 30.0


def _rss_mb() -> float:
    """The resident set now, from /proc (Linux), in MB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _city_officer():
    post = Post.objects.filter(role=Post.Role.CITY_STAFF).select_related("user").order_by("pk").first()
    if post is not None:
        return post.user
    # No city post in this database: an unsaved superuser reads the same scope (the whole city).
    return User(phone="00000000000", name="基准测试", is_superuser=True, is_active=True)


class Command(BaseCommand):
    help = "基准测试：全市一年服务记录 CSV 下载的首字节时间、总用时与内存峰值（只读）。"

    def add_arguments(self, parser):
        parser.add_argument("--start", help="开始日期（默认：一年前的明天）")
        parser.add_argument("--end", help="结束日期（默认：今天）")

    def handle(self, *args, **o):
        today = timezone.localdate()
        end = o["end"] or today.isoformat()
        start = o["start"] or (dt.date.fromisoformat(end) - dt.timedelta(days=364)).isoformat()
        user = _city_officer()
        rss_before, peak_before = _rss_mb(), _peak_mb()
        queries_before = len(connection.queries) if connection.queries_logged else None

        load_before = machine.load_average()
        cpu_started = time.process_time()
        started = time.perf_counter()
        dataset = build("records", user=user, params={"node": "city", "start": start, "end": end})
        chunks = dataset_csv_lines(dataset)  # what the view streams, chunk by chunk
        size = len(next(chunks)[0].encode())  # the header (with the BOM) leaves before any query
        header_at = time.perf_counter() - started
        first = None
        rows, samples, next_sample = 0, [], 50_000
        for text, count in chunks:
            if first is None:
                first = time.perf_counter() - started
            size += len(text.encode())
            rows += count
            if rows >= next_sample:
                samples.append(_rss_mb())
                next_sample += 50_000
        whole = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        first = first if first is not None else whole
        growth = (max(samples) - min(samples)) if len(samples) > 1 else 0.0

        self.stdout.write(f"服务记录 CSV（全市，{start} 至 {end}，{user.name or '超级用户'}）")
        self.stdout.write(f"  行数：{rows}，大小：{size / 2**20:.1f} MB")
        self.stdout.write(
            f"  表头（首字节）：{header_at:.2f} 秒；首批数据（{500} 行）：{first:.2f} 秒（目标 < {TARGET_FIRST:g} 秒）"
        )
        self.stdout.write(f"  全部：{whole:.1f} 秒（目标 < {TARGET_WHOLE:g} 秒），{rows / whole:,.0f} 行/秒")
        self.stdout.write(
            f"  内存：开始 {rss_before:.0f} MB，进程峰值 {_peak_mb():.0f} MB（开始前峰值 {peak_before:.0f} MB），"
            f"读取期间每 5 万行采样 {len(samples)} 次，波动 {growth:.1f} MB"
        )
        self.stdout.write(
            f"  本进程 CPU：{cpu:.1f} 秒（占用 {cpu / whole:.0%}；其余为等待数据库和等待 CPU）；"
            f"负载均值：开始 {load_before}，结束 {machine.load_average()}（{machine.describe()}）"
        )
        if queries_before is not None:
            self.stdout.write(f"  查询：{len(connection.queries) - queries_before} 次")
        results.record(
            "CSV 下载", f"全市一年服务记录 {rows} 行 · 首行", f"{first:.2f} 秒", "< 1 秒", first < TARGET_FIRST
        )
        results.record(
            "CSV 下载",
            "全市一年服务记录 · 全部",
            f"{whole:.1f} 秒（本进程 CPU {cpu:.1f} 秒）",
            "< 30 秒",
            whole < TARGET_WHOLE,
        )
        results.record(
            "CSV 下载",
            "全市一年服务记录 · 内存",
            f"峰值 {_peak_mb():.0f} MB，读取期间波动 {growth:.1f} MB",
            "平稳",
            growth < 50,
        )
