"""manage.py bench_exports — an XLSX download built as its job builds it: seconds and peak memory.

    manage.py bench_exports [KEY] [--param node=city ...] [--user PHONE] [--synthetic ROWS]

Builds the registered dataset ``KEY`` (default ``members``, with ``node=city``) as ``--user``
(default: the first superuser) and writes it with ``core.downloads.xlsx.write_xlsx``, the
rows read from the database as the job reads them; then the same for a synthetic member sheet
of ``--synthetic`` rows × 15 columns (default 60,000; 0 skips it), which measures the writer
alone. Each build runs in a child process started for it, so its peak memory (``ru_maxrss``) is
its own; "启动" is the child's memory after setting Django up, before building. Nothing is
written to the database: no job row, no audit row (the file goes to a temporary folder).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.bench import results

SECONDS_TARGET, MEGABYTES_TARGET = 15, 300
TARGET = f"< {SECONDS_TARGET} 秒，< {MEGABYTES_TARGET} MB"


def _pairs(values: list[str]) -> dict[str, str]:
    params = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name:
            raise CommandError(f"--param 应为 名称=取值，而不是 {value!r}。")
        params[name] = text
    return params


class Command(BaseCommand):
    help = "XLSX 下载基准：按任务的方式生成数据集（默认全市党员名单）与 6 万行合成名单，打印耗时与峰值内存。"

    def add_arguments(self, parser):
        parser.add_argument("key", nargs="?", default="members", help="数据集（默认 members）")
        parser.add_argument("--param", action="append", default=None, help="下载参数 名称=取值（默认 node=city）")
        parser.add_argument("--user", default="", help="以此手机号的用户身份生成（默认第一个超级用户）")
        parser.add_argument("--synthetic", type=int, default=60_000, help="合成名单行数（默认 60000，0 为不测）")
        parser.add_argument("--child", action="store_true", help="（内部）在本进程中生成并以 JSON 报告")

    def handle(self, *args, key, param, user, synthetic, child, **options):
        params = _pairs(param if param is not None else ["node=city"])
        if child:
            from core.downloads.bench import build_once

            self.stdout.write(json.dumps(build_once(key=key, params=params, phone=user, synthetic=synthetic)))
            return
        if key != "-":
            self._run(f"{key}（{' '.join(f'{k}={v}' for k, v in params.items())}）", key, params, user, 0)
        if synthetic:
            self._run(f"合成党员名单（{synthetic} 行）", "-", {}, "", synthetic)

    def _run(self, label: str, key: str, params: dict, phone: str, synthetic: int) -> None:
        argv = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench_exports", key, "--child"]
        argv += [f"--param={k}={v}" for k, v in params.items()]
        argv += [f"--user={phone}", f"--synthetic={synthetic}"]
        done = subprocess.run(argv, capture_output=True, text=True, cwd=settings.BASE_DIR)
        lines = done.stdout.strip().splitlines()
        if done.returncode or not lines:
            reason = (done.stderr.strip().splitlines() or ["（无输出）"])[-1]
            self.stdout.write(f"{label}：失败 — {reason}")
            results.record("XLSX 下载", label, f"失败：{reason}"[:200], TARGET, False)
            return
        r = json.loads(lines[-1])
        if r.get("error"):
            self.stdout.write(f"{label}：{r['error']}")
            results.record("XLSX 下载", label, r["error"])
            return
        figures = (
            f"{r['seconds']:.1f} 秒（CPU {r['cpu_seconds']:.1f} 秒），峰值内存 {r['peak_mb']:.0f} MB"
            f"（启动 {r['base_mb']:.0f} MB），{r['rows']} 行 × {r['columns']} 列，文件 {r['bytes'] / 1024 / 1024:.1f} MB"
        )
        self.stdout.write(f"{label}：{figures}")
        met = r["seconds"] < SECONDS_TARGET and r["peak_mb"] < MEGABYTES_TARGET
        results.record("XLSX 下载", label, figures, TARGET, met)
