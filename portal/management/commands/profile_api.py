"""manage.py profile_api — where one API request's time goes, in-process, with the real token auth.

Calls an endpoint of the load benchmark (``bench_api``) through Django's full stack (WSGI
handler, middleware, DRF, the views), as distinct callers with tokens minted through
``device_token_issue``, and prints pyinstrument's call tree of the calls after a warm-up, the
mean wall time per call and the queries of one call. The tokens are removed at the end.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from portal.bench import population

ENDPOINTS = {
    "hall": ("/api/v1/tasks/hall/", population.hall_members),
    "requests": ("/api/v1/requests/?box=review", population.secretaries),
    "board": ("/api/v1/boards/members/", population.members),
    "me": ("/api/v1/me/", lambda n: population.members(n, skip=n)),
}


class Command(BaseCommand):
    help = "在进程内剖析一个接口（真实的令牌认证、全部中间件），打印 pyinstrument 调用树与每次耗时。"

    def add_arguments(self, parser):
        parser.add_argument("endpoint", choices=sorted(ENDPOINTS))
        parser.add_argument("--calls", type=int, default=200, help="剖析的调用次数（默认 200）")
        parser.add_argument("--callers", type=int, default=20, help="不同调用者人数（默认 20）")
        parser.add_argument("--queries", action="store_true", help="打印一次调用的全部 SQL")
        parser.add_argument("--all", action="store_true", help="调用树里也展开框架的帧")
        parser.add_argument("--flat", action="store_true", help="按函数自身耗时列出，不画调用树")

    def handle(self, *args, endpoint: str, calls: int, callers: int, queries: bool, all: bool, flat: bool, **options):
        try:
            from pyinstrument import Profiler
        except ImportError:
            raise CommandError("需要 pyinstrument（requirements-dev.txt）。")
        path, pick = ENDPOINTS[endpoint]
        population.cleanup()
        try:
            tokens = [c.token for c in population.mint(pick(callers))]
            if not tokens:
                raise CommandError("没有可用的调用者。")
            client = Client()
            with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):

                def call(i: int):
                    response = client.get(path, HTTP_AUTHORIZATION=f"Token {tokens[i % len(tokens)]}")
                    if response.status_code != 200:
                        raise CommandError(f"{path} 返回 {response.status_code}")
                    return response

                for i in range(len(tokens) * 2):  # warm: code paths, caches, plans, token touches
                    call(i)
                seen: list[str] = []

                def log(execute, sql, params, many, context):
                    seen.append(sql)
                    return execute(sql, params, many, context)

                with connection.execute_wrapper(log):
                    call(0)
                plain = time.process_time()
                for i in range(calls):
                    call(i)
                plain = (time.process_time() - plain) / calls * 1000
                profiler = Profiler(interval=0.0005)
                started, cpu = time.perf_counter(), time.process_time()
                profiler.start()
                for i in range(calls):
                    call(i)
                profiler.stop()
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            self.stdout.write(
                f"{path}：{calls} 次，平均 {elapsed / calls * 1000:.1f} ms/次；不剖析时 CPU {plain:.1f} ms/次（剖析时 {cpu / calls * 1000:.1f} ms），每次 {len(seen)} 次查询"
            )
            if queries:
                for sql in seen:
                    self.stdout.write(f"  {sql[:400]}")
            self.stdout.write(profiler.output_text(unicode=True, color=False, show_all=all, flat=flat))
        finally:
            population.cleanup()
