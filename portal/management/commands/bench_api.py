"""manage.py bench_api — the API under a city's load, over HTTP, against gunicorn on this machine.

Set-up (committed, idempotent): the coming week's open tasks, a review backlog for each
secretary, the boards if none are built, and one token per caller minted through
``device_token_issue`` for distinct members and secretaries. Then gunicorn is started as the
deployment runs it (``gunicorn.conf.py`` when the project has one, else 2 gthread workers of 8
threads) with the throttles raised, and the load generator (``core.bench.loadgen``, one process
on this machine) runs one phase per endpoint — ``/healthz``, the task hall, a secretary's
review list, a board's Top 50 and ``me/`` — each ``--clients`` closed-loop clients with no think
time for ``--seconds``, after a short unmeasured warm-up. Last, a burst: ``--burst`` accept
attempts by as many distinct members on ``--burst-tasks`` city-wide tasks, then the tasks are
checked for overfilling. The tokens and the burst's tasks are removed at the end.

Per phase it prints requests/s, p50/p95/p99, errors, the CPU milliseconds per request of the
gunicorn workers (their own utime + stime from /proc), of PostgreSQL's processes and of the load
generator, the machine's busy share, and the ratio of requests/s to ``/healthz``'s.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection
from django.urls import Resolver404, resolve

from core.bench import loadgen, machine, results
from portal.bench import population

TARGET_P95_MS = 300
TARGET_RATIO = 0.30


@dataclass
class Phase:
    key: str
    label: str
    path: str
    callers: list[population.Caller]


@dataclass
class Measured:
    phase: Phase
    result: loadgen.PhaseResult
    worker_cpu_s: float
    db_cpu_s: float
    busy: float  # share of all cores busy during the phase, 0..1

    def per_request_ms(self, seconds: float) -> float:
        return seconds * 1000 / self.result.count if self.result.count else float("nan")


def _proc_stat_busy() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


class Server:
    """gunicorn serving the project on 127.0.0.1:port, as a child process group of this command."""

    def __init__(self, port: int, env: dict[str, str], app: str, log: Path):
        self.port, self.env, self.app, self.log = port, env, app, log
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        conf = Path(settings.BASE_DIR) / "gunicorn.conf.py"
        args = [gunicorn]
        if conf.exists():
            args += ["-c", str(conf)]
        else:
            args += ["--workers", "2", "--worker-class", "gthread", "--threads", "8"]
        # The configured max_requests would recycle workers within a phase, and a new worker's
        # CPU clock starts again from zero: the CPU per request is read from the same processes
        # throughout, so the run keeps its workers.
        return [
            *args,
            "--max-requests",
            "0",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--error-logfile",
            str(self.log),
            self.app,
        ]

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                self.command(), env=self.env, cwd=settings.BASE_DIR, stdout=out, stderr=out, start_new_session=True
            )

    def workers(self) -> list[int]:
        return machine.children_of(self.proc.pid) if self.proc else []

    async def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise CommandError(f"gunicorn 启动失败，见 {self.log}")
            conn = loadgen.Connection("127.0.0.1", self.port, timeout=5)
            try:
                answer = await conn.request(loadgen.Call("GET", path))
                await conn.close()
                if answer.status < 500 and len(self.workers()) >= 1:
                    return
            except (OSError, TimeoutError, ConnectionError):
                pass
            await asyncio.sleep(0.3)
        raise CommandError(f"gunicorn 在 {timeout:.0f} 秒内没有就绪，见 {self.log}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


class Command(BaseCommand):
    help = "在本机用 gunicorn 和负载发生器测量接单大厅、待审核点单、榜单前 50、me/ 与 /healthz 的吞吐和延迟，以及 500 人抢单。"

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=50, help="每阶段并发客户端数（默认 50）")
        parser.add_argument("--seconds", type=float, default=60.0, help="每阶段时长（秒，默认 60）")
        parser.add_argument("--warmup", type=float, default=3.0, help="每阶段前不计入的预热时长（秒，默认 3）")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--phases",
            default="healthz,hall,requests,board,me",
            help="要跑的阶段，逗号分隔（healthz,hall,requests,board,me）",
        )
        parser.add_argument("--burst", type=int, default=500, help="抢单次数，每次一名不同的党员（默认 500；0 不测）")
        parser.add_argument("--burst-tasks", type=int, default=20, help="抢单的任务数（默认 20）")
        parser.add_argument("--burst-slots", type=int, default=10, help="每个抢单任务的名额（默认 10）")
        parser.add_argument("--burst-concurrency", type=int, default=100, help="抢单时的并发连接数（默认 100）")
        parser.add_argument("--redis-url", default=None, help="服务进程用的 Redis（默认与本进程相同的 REDIS_URL）")
        parser.add_argument(
            "--conn-max-age",
            type=int,
            default=60,
            help="服务进程的 DATABASE_CONN_MAX_AGE（秒，默认 60；0 为每次请求新建连接）",
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="不启动 Celery worker（/healthz 需要它的心跳；抢单的通知由它发送）"
        )

    def handle(self, *args, **o):
        if connection.vendor != "postgresql":
            self.stderr.write("提示：当前不是 PostgreSQL，数字不能代表生产环境。")
        if not population.Task.objects.exists():
            raise CommandError("数据库中没有任务，请先运行 generate_city 和 generate_activity。")
        self.o = o
        wanted = [p.strip() for p in o["phases"].split(",") if p.strip()]
        unknown = set(wanted) - {"healthz", "hall", "requests", "board", "me"}
        if unknown:
            raise CommandError(f"未知的阶段：{'、'.join(sorted(unknown))}")
        population.cleanup()
        try:
            phases, healthz_note = self.prepare(wanted, o["clients"])
            burst = (
                population.prepare_burst(tasks=o["burst_tasks"], attempts=o["burst"], slots=o["burst_slots"])
                if o["burst"]
                else None
            )
            close_old_connections()
            connection.close()  # the server's workers, not this process, hold connections from here
            measured, burst_line = asyncio.run(self.run(phases, burst, healthz_note))
            self.report(measured, burst_line, healthz_note)
        finally:
            population.cleanup()

    # --- set-up ------------------------------------------------------------------------------

    def prepare(self, wanted: list[str], n: int) -> tuple[list[Phase], str]:
        added = population.ensure_open_week()
        if added:
            self.stdout.write(f"加入本周的待接任务 {added} 个（保留在数据库中）。")
        if not population.board_built():
            raise CommandError("还没有生成榜单，请先运行 rebuild_boards。")
        healthz, note = self.healthz_path()
        phases = []
        for key in wanted:
            if key == "healthz":
                phases.append(Phase(key, "/healthz", healthz, population.mint(population.members(n, skip=2 * n))))
            elif key == "hall":
                phases.append(
                    Phase(key, "任务大厅", "/api/v1/tasks/hall/", population.mint(population.hall_members(n)))
                )
            elif key == "requests":
                phases.append(
                    Phase(
                        key,
                        "书记的待审核点单",
                        "/api/v1/requests/?box=review",
                        population.mint(population.secretaries(n)),
                    )
                )
            elif key == "board":
                phases.append(
                    Phase(key, "党员榜前 50", "/api/v1/boards/members/", population.mint(population.members(n)))
                )
            elif key == "me":
                phases.append(Phase(key, "me/", "/api/v1/me/", population.mint(population.members(n, skip=n))))
        for phase in phases:
            if len(phase.callers) < n:
                raise CommandError(f"{phase.label}：只找到 {len(phase.callers)} 名不同的调用者，少于 {n}。")
        return phases, note

    def healthz_path(self) -> tuple[str, str]:
        for path in ("/healthz", "/healthz/"):
            try:
                resolve(path)
                return path, ""
            except Resolver404:
                continue
        return "/healthz", "项目尚无 /healthz，本次用基准测试自带的替身（数据库 SELECT 1 + 缓存读取，经过全部中间件）"

    def server_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            LOG_LEVEL="WARNING",
            # Without PgBouncer in front (the compose stack has it), each thread keeps its
            # PostgreSQL connection rather than paying a new backend per request.
            DATABASE_CONN_MAX_AGE=str(self.o["conn_max_age"]),
            # The throttles and per-person limits raised for the run: one member may accept many.
            ACCEPTS_PER_HOUR="100000",
            WITHDRAWALS_PER_HOUR="100000",
            THROTTLE_CODE_IP="100000/hour",
            THROTTLE_CODE_PHONE="100000/hour",
            THROTTLE_TOKEN_IP="100000/hour",
        )
        if self.o["redis_url"] is not None:
            env["REDIS_URL"] = self.o["redis_url"]
        return env

    # --- the run -----------------------------------------------------------------------------

    async def run(self, phases: list[Phase], burst, healthz_note: str):
        log = Path(tempfile.gettempdir()) / f"bench_api_gunicorn_{self.o['port']}.log"
        app = "portal.bench.standin:application" if healthz_note else "shaoguan.wsgi:application"
        env = self.server_env()
        server = Server(self.o["port"], env, app, log)
        self.stdout.write("服务：" + " ".join(server.command()[1:]))
        worker = None
        if env.get("REDIS_URL") and not self.o["no_worker"]:
            # The deployment's worker: /healthz reads its heartbeat, and the burst's notifications
            # are its work. One process, one task at a time.
            celery = str(Path(sys.executable).with_name("celery"))
            with open(log.with_suffix(".worker.log"), "ab") as out:
                worker = subprocess.Popen(
                    [celery, "-A", "shaoguan", "worker", "--pool", "solo", "--loglevel", "WARNING"],
                    env=env,
                    cwd=settings.BASE_DIR,
                    stdout=out,
                    stderr=out,
                    start_new_session=True,
                )
        server.start()
        try:
            await server.wait_ready("/api/v1/me/")
            measured = []
            for phase in phases:
                measured.append(await self.run_phase(server, phase))
            burst_line = await self.run_burst(server, burst) if burst else None
        finally:
            server.stop()
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
                    worker.wait()
        return measured, burst_line

    async def run_phase(self, server: Server, phase: Phase) -> Measured:
        o = self.o

        def call_for(client: int, n: int) -> loadgen.Call:
            return loadgen.Call("GET", phase.path, {"Authorization": f"Token {phase.callers[client].token}"})

        deadline = time.monotonic() + 60
        while True:  # /healthz answers 503 until the worker's first heartbeat
            first = await loadgen.Connection("127.0.0.1", server.port).request(call_for(0, 0))
            if first.status == 200 or time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
        if first.status != 200:
            raise CommandError(f"{phase.label} {phase.path} 返回 {first.status}：{first.body[:300]!r}")
        try:
            body = json.loads(first.body)
            rows = len(body.get("results", [])) if isinstance(body, dict) else "-"
        except ValueError:
            rows = "-"
        self.stdout.write(
            f"{phase.label}（{phase.path}）：{len(first.body)} 字节，{rows} 行；预热 {o['warmup']:.0f} 秒…"
        )
        if o["warmup"]:
            await loadgen.run_phase(
                "warmup", "127.0.0.1", server.port, call_for, clients=o["clients"], seconds=o["warmup"]
            )
        workers = server.workers()
        worker_before = machine.cpu_seconds(workers)
        db_before = machine.cpu_seconds(self.db_backends())
        busy_before = _proc_stat_busy()
        result = await loadgen.run_phase(
            phase.key, "127.0.0.1", server.port, call_for, clients=o["clients"], seconds=o["seconds"]
        )
        busy_after = _proc_stat_busy()
        worker_after = machine.cpu_seconds(workers)
        db_after = machine.cpu_seconds(self.db_backends())
        worker_cpu = sum(worker_after[p] - worker_before.get(p, 0.0) for p in worker_after)
        db_cpu = sum(max(0.0, db_after[p] - db_before.get(p, 0.0)) for p in db_after)
        busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
        m = Measured(phase, result, worker_cpu, db_cpu, busy)
        self.stdout.write(
            f"  {result.rps:.0f} 次/秒，p95 {result.percentile(95):.0f} ms，"
            f"服务进程 {m.per_request_ms(worker_cpu):.1f} ms CPU/次，错误 {result.failures}"
        )
        return m

    def db_backends(self) -> list[int]:
        """PostgreSQL's backends serving this database (not other databases of the same server)."""
        if connection.vendor != "postgresql":
            return []
        name = settings.DATABASES["default"]["NAME"]
        return machine.pids_named("postgres", title_contains=f" {name} ")

    async def run_burst(self, server: Server, burst: population.Burst) -> str:
        calls = [
            loadgen.Call(
                "POST",
                f"/api/v1/tasks/{burst.task_ids[i % len(burst.task_ids)]}/accept/",
                {"Authorization": f"Token {caller.token}", "Content-Type": "application/json"},
            )
            for i, caller in enumerate(burst.callers)
        ]
        result, _answers = await loadgen.run_burst(
            "burst", "127.0.0.1", server.port, calls, concurrency=self.o["burst_concurrency"]
        )
        outcome = await asyncio.to_thread(self._burst_outcome, burst)
        overfilled = [pk for pk, (slots, taken, live, _s) in outcome.items() if taken > slots or live > slots]
        mismatched = [pk for pk, (_slots, taken, live, _s) in outcome.items() if taken != live]
        filled = sum(live for _slots, _taken, live, _s in outcome.values())
        server_errors = sum(n for status, n in result.statuses.items() if status >= 500) + sum(result.errors.values())
        statuses = "，".join(f"{status}×{n}" for status, n in sorted(result.statuses.items()))
        self.burst_ok = not overfilled and not mismatched and server_errors == 0
        line = (
            f"{len(calls)} 人抢 {len(burst.task_ids)} 个任务（各 {burst.slots} 个名额），用时 {result.seconds:.1f} 秒："
            f"{statuses}；接到 {filled} 个名额，超员任务 {len(overfilled)} 个，名额计数不符 {len(mismatched)} 个，"
            f"5xx 与连接错误 {server_errors} 次；p95 {result.percentile(95):.0f} ms"
        )
        self.stdout.write(line)
        return line

    def _burst_outcome(self, burst):
        try:
            return population.burst_outcome(burst)
        finally:
            connection.close()

    # --- the table ---------------------------------------------------------------------------

    def report(self, measured: list[Measured], burst_line: str | None, healthz_note: str) -> None:
        base = next((m.result.rps for m in measured if m.phase.key == "healthz"), None)
        headers = [
            "接口",
            "次/秒",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "错误",
            "服务 CPU ms/次",
            "数据库 CPU ms/次",
            "压测端 CPU ms/次",
            "整机占用",
            "/healthz 的比例",
        ]
        rows = []
        for m in measured:
            r = m.result
            ratio = r.rps / base if base else None
            rows.append(
                [
                    m.phase.label,
                    f"{r.rps:.0f}",
                    f"{r.percentile(50):.0f}",
                    f"{r.percentile(95):.0f}",
                    f"{r.percentile(99):.0f}",
                    str(r.failures),
                    f"{m.per_request_ms(m.worker_cpu_s):.1f}",
                    f"{m.per_request_ms(m.db_cpu_s):.1f}",
                    f"{m.per_request_ms(r.generator_cpu_s):.2f}",
                    f"{m.busy:.0%}",
                    "-" if m.phase.key == "healthz" or ratio is None else f"{ratio:.0%}",
                ]
            )
            if m.phase.key != "healthz":
                met = r.percentile(95) < TARGET_P95_MS and r.failures == 0 and (ratio is None or ratio >= TARGET_RATIO)
                results.record(
                    "API 负载",
                    f"{m.phase.label} {m.phase.path}",
                    f"{r.rps:.0f} 次/秒，p50/p95/p99 {r.percentile(50):.0f}/{r.percentile(95):.0f}/"
                    f"{r.percentile(99):.0f} ms，服务 CPU {m.per_request_ms(m.worker_cpu_s):.1f} ms/次，"
                    f"错误 {r.failures}" + ("" if ratio is None else f"，为 /healthz 的 {ratio:.0%}"),
                    f"p95 < {TARGET_P95_MS} ms，≥ /healthz 的 {TARGET_RATIO:.0%}，无错误",
                    met,
                )
            else:
                results.record(
                    "API 负载",
                    "/healthz" + ("（替身）" if healthz_note else ""),
                    f"{r.rps:.0f} 次/秒，p50/p95/p99 {r.percentile(50):.0f}/{r.percentile(95):.0f}/"
                    f"{r.percentile(99):.0f} ms，服务 CPU {m.per_request_ms(m.worker_cpu_s):.1f} ms/次",
                )
        clients, seconds = self.o["clients"], self.o["seconds"]
        self.stdout.write("")
        self.stdout.write(
            f"机器：{machine.describe()}；负载均值 {machine.load_average()}；数据库 {connection.vendor}；"
            f"每阶段 {clients} 个客户端 × {seconds:.0f} 秒，无思考时间"
        )
        if healthz_note:
            self.stdout.write(healthz_note)
        self.stdout.write(results.table(headers, rows))
        if burst_line:
            self.stdout.write("抢单：" + burst_line)
            results.record("API 负载", "抢单（HTTP）", burst_line, "不超员，无 5xx", self.burst_ok)
