"""manage.py bench_all — every benchmark of the project, and one table of their figures.

With ``--generate`` it first builds the city afresh on the configured database and times it
(``generate_activity --clear``, ``generate_city --reset``, ``generate_activity``: what
``make city`` does). Then it runs every ``bench_*`` command the project has, in a fixed order
for those it knows (``bench_orders``, ``bench_boards``, ``bench_cockpit``, ``bench_exports``,
``bench_api``) and then any other by name, so a new benchmark (adjustment …) joins the table by
existing. ``bench_exports`` runs with its defaults: the city's member sheet (``members`` at
``node=city``) and the synthetic 60,000-row sheet, each built as XLSX in a child process.
Each command prints its own report as it goes and records its figures
(``core.bench.results.record``); the table at the end holds them all, with the machine and its
load average before and after.
"""

from __future__ import annotations

import io
import time

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from core.bench import machine, results

KNOWN_ORDER = ["bench_orders", "bench_boards", "bench_cockpit", "bench_exports", "bench_api"]


class _Tee(io.TextIOBase):
    """Writes to the command's stdout as it goes (so a long run shows progress)."""

    def __init__(self, out):
        self.out = out

    def write(self, text):
        self.out.write(text, ending="")
        self.out.flush()
        return len(text)


class Command(BaseCommand):
    help = "运行项目的全部基准测试（可先重新生成城市），最后打印一张汇总表，附机器与负载均值。"

    def add_arguments(self, parser):
        parser.add_argument("--generate", action="store_true", help="先在当前数据库上重新生成城市和一年的活动并计时")
        parser.add_argument("--scale", type=float, default=1.0, help="生成规模（默认 1.0，即全市）")
        parser.add_argument("--skip", default="", help="跳过的基准命令，逗号分隔，如 bench_cockpit")
        parser.add_argument("--api-seconds", type=float, default=60.0, help="bench_api 每阶段时长（秒，默认 60）")
        parser.add_argument("--api-clients", type=int, default=50, help="bench_api 每阶段客户端数（默认 50）")
        parser.add_argument("--redis-url", default=None, help="bench_api 服务进程用的 Redis（默认同本进程）")

    def handle(self, *args, **o):
        skip = {s.strip() for s in o["skip"].split(",") if s.strip()}
        names = [n for n in get_commands() if n.startswith("bench_") and n != "bench_all" and n not in skip]
        ordered = [n for n in KNOWN_ORDER if n in names] + sorted(n for n in names if n not in KNOWN_ORDER)
        tee = _Tee(self.stdout)
        load_before = machine.load_average()
        started_at = timezone.localtime()
        with results.collecting() as rows:
            if o["generate"]:
                self.generate(o["scale"], tee)
            for name in ordered:
                self.stdout.write(f"\n=== {name} ===")
                before = len(rows)
                started = time.perf_counter()
                options = {"stdout": tee}
                if name == "bench_api":
                    options.update(seconds=o["api_seconds"], clients=o["api_clients"])
                    if o["redis_url"] is not None:
                        options["redis_url"] = o["redis_url"]
                try:
                    call_command(name, **options)
                except Exception as exc:  # one failing benchmark still leaves the others' figures
                    results.record(name, "失败", f"{type(exc).__name__}: {exc}"[:200])
                    self.stderr.write(f"{name} 失败：{exc}")
                    continue
                if len(rows) == before:
                    results.record(
                        name, "（此命令未登记结果，见上方输出）", f"用时 {time.perf_counter() - started:.0f} 秒"
                    )
            self.stdout.write("")
            self.stdout.write("=" * 40)
            self.stdout.write(f"全部基准测试 · {started_at:%Y-%m-%d %H:%M} 开始，{timezone.localtime():%H:%M} 结束")
            self.stdout.write(f"机器：{machine.describe()}；数据库 {connection.vendor}")
            self.stdout.write(f"负载均值（1/5/15 分钟）：开始时 {load_before}，结束时 {machine.load_average()}")
            self.stdout.write(results.render(rows))

    def generate(self, scale: float, tee) -> None:
        self.stdout.write("\n=== 生成城市 ===")
        steps = [
            ("清空原有活动", "generate_activity", {"clear": True, "quiet": True}),
            (f"生成城市组织（规模 {scale}）", "generate_city", {"reset": True, "scale": scale}),
            (f"生成一年的活动（规模 {scale}）", "generate_activity", {"scale": scale, "quiet": True}),
        ]
        for label, name, options in steps:
            started = time.perf_counter()
            call_command(name, stdout=tee, **options)
            results.record("生成", label, f"{time.perf_counter() - started:.1f} 秒")
