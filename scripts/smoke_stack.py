#!/usr/bin/env python3
"""Smoke test of the production stack: `make stack` (gunicorn, a Celery worker, one beat under
honcho) on a fresh PostgreSQL database, driven over HTTP only, then backed up and restored with
the README's own commands and read back.

    .venv/bin/python scripts/smoke_stack.py

It needs PostgreSQL and Redis (``SMOKE_POSTGRES_URL``, default postgres://postgres@127.0.0.1:5432,
a role that may create databases; ``SMOKE_REDIS_URL``, default redis://127.0.0.1:6379/15, a Redis
database of its own: it is emptied before and after). `.ci/run` runs it after `make test`.

What it does, each step timed:

1. creates ``smoke_<random>``, migrates it and loads the demo city (``seed_demo``);
2. starts `make stack` with production settings (DEBUG off, HTTPS on, a key of its own, Celery
   not eager) on a free port, and waits until it answers;
3. over HTTP, each request carrying ``X-Forwarded-Proto: https`` as the proxy does: the demo
   resident signs in with a one-time code, places a request; the secretary approves it into a
   task; the demo member accepts, checks in on site, checks out; the secretary confirms the
   hours and completes the task; the resident confirms, rates and likes the member. The boards
   are rebuilt by the worker (``celery call``, over the broker) and read back; the resident's
   notifications are delivered by the worker (their delivery rows) and read from the inbox;
4. stops the stack with SIGTERM to honcho, checks that no process of it is left, and fails if
   any process logged an ERROR, a CRITICAL or a traceback;
5. dumps the database with the README's ``pg_dump`` command, restores it into an empty
   database with its ``pg_restore`` command, starts the stack on the restored database, reads
   the request and the board back, and stops it again;
6. drops both databases.

Production never returns a sign-in code over the API, so the code is read where the default
sender (``accounts.sms.LogCodeSender``) puts it: the web process's log line "登录验证码 …".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
if not PYTHON.exists():
    PYTHON = Path(sys.executable)
POSTGRES_URL = os.environ.get("SMOKE_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS_URL = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/15")
TZ = ZoneInfo("Asia/Shanghai")
HTTPS = {"X-Forwarded-Proto": "https"}  # what nginx sets in front of gunicorn (SECURE_PROXY_SSL_HEADER)

RESIDENT, MEMBER, SECRETARY = "13800138001", "13800138002", "13800138003"
SECRETARY_PASSWORD = "shaoguan2026"
COMMUNITY = "工业中社区"
MEMBER_NAME = "王建国"
# The log line of accounts.sms.LogCodeSender, as plain text or inside a JSON log record.
CODE_LINE = r"(\d{{6}}) (?:→|\\u2192) {masked}"
# Lines no process of a healthy stack writes.
BAD_LINE = re.compile(r"\b(ERROR|CRITICAL)\b|Traceback \(most recent call last\)")
# The environment a deployment might carry that would change what runs.
CLEARED = ("DATABASE_URL", "DATABASE_POOLER", "REDIS_URL", "DEBUG", "SIGNIN_SHOW_CODE", "GUNICORN_CMD_ARGS", "PORT")


class SmokeFailed(Exception):
    pass


def check(condition, message: str) -> None:
    if not condition:
        raise SmokeFailed(message)


class Timer:
    def __init__(self):
        self.steps: list[tuple[str, float]] = []
        self.started = time.monotonic()

    def step(self, name: str):
        timer = self

        class _Step:
            def __enter__(self):
                self.t0 = time.monotonic()
                print(f"· {name} …", flush=True)

            def __exit__(self, *exc):
                timer.steps.append((name, time.monotonic() - self.t0))

        return _Step()

    def summary(self) -> str:
        lines = [f"  {seconds:6.1f} s  {name}" for name, seconds in self.steps]
        lines.append(f"  {time.monotonic() - self.started:6.1f} s  in all")
        return "\n".join(lines)


# --- PostgreSQL and Redis -------------------------------------------------------------------


def psql(sql: str, *, db: str = "postgres") -> str:
    out = subprocess.run(
        ["psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-Atq", "-d", f"{POSTGRES_URL}/{db}", "-c", sql],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise SmokeFailed(f"psql failed: {sql}\n{out.stderr}")
    return out.stdout.strip()


def drop(db: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def flush_redis() -> None:
    redis.Redis.from_url(REDIS_URL).flushdb()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the stack ------------------------------------------------------------------------------


def environment(db: str, port: int, tmp: Path, marker: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(
        DATABASE_URL=f"{POSTGRES_URL}/{db}",
        REDIS_URL=REDIS_URL,
        DEBUG="0",
        HTTPS="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        CELERY_TASK_ALWAYS_EAGER="0",
        LOG_LEVEL="INFO",
        # Wins over gunicorn.conf.py's bind (gunicorn: command line > GUNICORN_CMD_ARGS > file).
        GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{port}",
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp / "celerybeat-schedule"),
        # Every process of the stack inherits it: how the leftovers are found after the stop.
        SHAOGUAN_SMOKE_RUN=marker,
    )
    return env


def manage(env: dict, *args: str) -> None:
    out = subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode:
        raise SmokeFailed(f"manage.py {' '.join(args)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")


class Stack:
    """`make stack` in a session of its own, its output (every process's, via honcho) in a file."""

    def __init__(self, env: dict, port: int, log: Path, marker: str):
        self.env, self.port, self.log, self.marker = env, port, log, marker
        self.base = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        self.warnings: list[str] = []

    def start(self, timeout: float = 90) -> None:
        self.output = self.log.open("w")
        self.proc = subprocess.Popen(
            ["make", "--no-print-directory", "stack"],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            check(self.proc.poll() is None, f"`make stack` exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                answer = requests.get(f"{self.base}/api/v1/boards/", headers=HTTPS, timeout=10)
                if answer.status_code in (401, 403):
                    break
            except requests.RequestException:  # not listening yet, or its workers still loading
                pass
            time.sleep(0.5)
        else:
            raise SmokeFailed(f"the stack did not answer within {timeout:.0f} s:\n{self.tail()}")
        # The worker first: /healthz answers 503 (logged as an error) until its heartbeat is there.
        self._wait_for_worker(deadline)
        self._wait_for_health(deadline)

    def _wait_for_health(self, deadline: float) -> None:
        """``/healthz`` (database, Redis, the worker's heartbeat) when the project has one."""
        while time.monotonic() < deadline:
            answer = requests.get(f"{self.base}/healthz", headers=HTTPS, timeout=5)
            if answer.status_code in (200, 404):
                return
            time.sleep(0.5)
        raise SmokeFailed(f"/healthz still answers {answer.status_code}: {answer.text[:500]}\n{self.tail()}")

    def _wait_for_worker(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if re.search(r"celery@\S+ ready", self.text()):
                return
            time.sleep(0.5)
        raise SmokeFailed(f"the Celery worker did not say it was ready:\n{self.tail()}")

    def honcho_pid(self) -> int:
        for pid in pids():
            if parent_of(pid) == self.proc.pid:
                return pid
        raise SmokeFailed("honcho is not running under `make stack`")

    def stop(self, timeout: float = 40) -> None:
        """SIGTERM to honcho, as a process manager would send; it stops web, worker and beat."""
        os.kill(self.honcho_pid(), signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise SmokeFailed(f"the stack did not stop within {timeout:.0f} s of SIGTERM:\n{self.tail()}")
        self.output.close()
        left = self.leftovers()
        if left:
            self.kill()
            raise SmokeFailed("processes left after the stack stopped:\n" + "\n".join(left))
        # Each process stops by itself on SIGTERM, with status 0. honcho kills (-9) what is still
        # running 5 s after the first one stopped, a limit of its own that a loaded machine may
        # reach while gunicorn's master is already on its way out: reported, not failed.
        text = self.text()
        for name in ("web.1", "worker.1", "beat.1"):
            codes = re.findall(rf"{re.escape(name)} stopped \(rc=(-?\d+)\)", text)
            if codes == ["-9"] and f"sending SIGKILL to {name}" in text:
                self.warnings.append(f"honcho killed {name} 5 s after the first process had stopped")
                continue
            check(codes == ["0"], f"{name} stopped with {codes or 'no exit status'}:\n{self.tail()}")

    def kill(self) -> None:
        """On failure: SIGTERM to honcho if it still runs, then SIGKILL to whatever carries this
        run's marker (honcho starts each process in a session of its own)."""
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(SmokeFailed, ProcessLookupError):
                os.kill(self.honcho_pid(), signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        for line in self.leftovers():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(line.split()[0]), signal.SIGKILL)

    def leftovers(self) -> list[str]:
        needle = f"SHAOGUAN_SMOKE_RUN={self.marker}".encode()
        found = []
        for pid in pids():
            try:
                if needle in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    found.append(f"{pid} {cmd}")
            except OSError:
                continue
        return found

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.text().splitlines()[-lines:])

    def bad_lines(self) -> list[str]:
        return [line for line in self.text().splitlines() if BAD_LINE.search(line)]


def pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]


def parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


# --- the API --------------------------------------------------------------------------------


class Client:
    def __init__(self, stack: Stack, token: str | None = None):
        self.stack, self.token = stack, token

    def call(self, method: str, path: str, expect=(200,), **kwargs) -> requests.Response:
        headers = dict(HTTPS)
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        answer = requests.request(method, f"{self.stack.base}/api/v1/{path}", headers=headers, timeout=20, **kwargs)
        check(
            answer.status_code in expect,
            f"{method} {path}: {answer.status_code} (wanted {expect}): {answer.text[:800]}",
        )
        return answer

    def get(self, path: str, **kwargs) -> dict:
        return self.call("GET", path, **kwargs).json()

    def post(self, path: str, body: dict | None = None, expect=(200,)) -> dict:
        answer = self.call("POST", path, expect=expect, json=body or {})
        return answer.json() if answer.content else {}


def sign_in_by_code(stack: Stack, phone: str) -> Client:
    """Ask for a code (production answers 204, never the code), read it from the log, sign in."""
    anonymous = Client(stack)
    answer = anonymous.call("POST", "auth/code/", expect=(204,), json={"phone": phone})
    check(not answer.content, "the code API returned a body in production")
    pattern = re.compile(CODE_LINE.format(masked=re.escape(f"{phone[:3]}****{phone[-4:]}")))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        codes = pattern.findall(stack.text())
        if codes:
            break
        time.sleep(0.2)
    else:
        raise SmokeFailed(f"no sign-in code for {phone} in the log:\n{stack.tail()}")
    body = anonymous.post("auth/token/", {"phone": phone, "code": codes[-1], "device_name": "smoke"})
    return Client(stack, body["token"])


def sign_in_by_password(stack: Stack, phone: str, password: str) -> Client:
    body = Client(stack).post("auth/token/", {"phone": phone, "password": password, "device_name": "smoke"})
    return Client(stack, body["token"])


def wait_for(what: str, probe, timeout: float = 45):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.5)
    raise SmokeFailed(f"timed out waiting for {what}")


def today() -> dt.date:
    return dt.datetime.now(TZ).date()


def the_flow(stack: Stack, timer: Timer, db: str) -> dict:
    """The 三单 flow end to end; returns what the restored database must give back."""
    with timer.step("sign in: resident and member by code (read from the log), secretary by password"):
        resident = sign_in_by_code(stack, RESIDENT)
        member = sign_in_by_code(stack, MEMBER)
        secretary = sign_in_by_password(stack, SECRETARY, SECRETARY_PASSWORD)
        me = member.get("me/")
        check(me["member"], f"{MEMBER} has no member profile: {me}")
        member_id = me["member"]["id"]

    with timer.step("点单 → 受理 → 接单 → 签到 → 签退 → 确认时长 → 完成 → 确认、评价、点赞"):
        communities = resident.get("communities/", params={"page_size": 100})["results"]
        community = next((c for c in communities if c["name"] == COMMUNITY), None)
        check(community, f"{COMMUNITY} is not among the communities: {[c['name'] for c in communities]}")
        lat, lng = float(community["lat"]), float(community["lng"])
        placed = resident.post(
            "requests/",
            {
                "community": community["id"],
                "duty": "sanitation",
                "title": "楼道堆放杂物（冒烟测试）",
                "description": "三楼楼道堆满杂物，存在消防隐患。",
                "address": "工业中社区 3 栋 2 单元",
                "lat": lat + 0.0005,
                "lng": lng + 0.0005,
                "coord_system": "wgs84",
            },
            expect=(201,),
        )
        check(placed["status"] == "submitted", f"placed request: {placed['status']}")
        request_id = placed["id"]

        # Check-in opens CHECKIN_EARLY_MINUTES (30) before the start, and a slot is taken only
        # before it: a task starting in ten minutes can be taken and checked into now.
        starts = dt.datetime.now(TZ).replace(microsecond=0) + dt.timedelta(minutes=10)
        approved = secretary.post(
            f"requests/{request_id}/approve/",
            {"starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "slots": 1},
        )
        check(approved["status"] == "approved" and approved["task_id"], f"approve: {approved}")
        task_id = approved["task_id"]
        task = secretary.get(f"tasks/{task_id}/")

        acceptance = member.post(f"tasks/{task_id}/accept/", expect=(201,))
        check(acceptance["status"] == "accepted", f"accept: {acceptance['status']}")
        member.post("location-consent/", expect=(200, 201))
        # About 30 m from the task's place: inside its geofence (300 m by default).
        site = {"lat": float(task["lat"]) + 0.0003, "lng": float(task["lng"]), "coord_system": "wgs84"}
        checked_in = member.post(f"acceptances/{acceptance['id']}/check-in/", site)
        check(checked_in["status"] == "checked_in", f"check-in: {checked_in['status']}")
        checked_out = member.post(f"acceptances/{acceptance['id']}/check-out/")
        check(
            checked_out["status"] == "completed" and checked_out["record_status"] == "pending",
            f"check-out: {checked_out}",
        )
        # Out before the start: nothing counted yet, so the secretary confirms the hour served.
        record = secretary.post(
            f"service-records/{checked_out['record_id']}/confirm/",
            {"minutes": 60, "reason": "冒烟测试：按实际服务时长认定"},
        )
        check(record["status"] == "confirmed" and record["minutes"] == 60, f"confirm hours: {record}")
        completed = secretary.post(f"tasks/{task_id}/complete/")
        check(completed["status"] == "completed", f"complete: {completed['status']}")
        confirmed = resident.post(f"requests/{request_id}/confirm/")
        check(confirmed["status"] == "confirmed", f"resident confirm: {confirmed['status']}")
        rated = resident.post(
            f"requests/{request_id}/rate/", {"score": 5, "comment": "很及时", "liked_members": [member_id]}
        )
        check(rated["status"] == "rated" and rated["liked_member_ids"] == [member_id], f"rate: {rated}")

    with timer.step("notifications delivered by the worker, read from the inbox"):
        inbox = resident.get("notifications/")["results"]
        check(inbox, "the resident's inbox is empty")
        ids = ",".join(str(n["id"]) for n in inbox)

        def delivered():
            rows = psql(f"SELECT status FROM notifications_delivery WHERE notification_id IN ({ids})", db=db)
            statuses = rows.split()
            return len(statuses) == len(inbox) and set(statuses) == {"sent"}

        wait_for(f"the delivery of notifications {ids}", delivered)

    with timer.step("boards rebuilt by the worker (celery call over the broker), read over HTTP"):
        day = today().isoformat()
        call = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "celery"), "-A", "shaoguan", "call", "rankings.tasks.rebuild_boards"]
            + ["--args", f'["{day}"]'],
            cwd=ROOT,
            env=stack.env,
            capture_output=True,
            text=True,
        )
        check(call.returncode == 0, f"celery call failed:\n{call.stdout}\n{call.stderr}")

        def board():
            body = resident.get("boards/members/", params={"date": day})
            rows = body.get("results", [])
            return body if any(MEMBER_NAME in str(row) for row in rows) else None

        board_body = wait_for(f"{MEMBER_NAME} on the members' board of {day}", board)

    return {
        "request_id": request_id,
        "request": resident.get(f"requests/{request_id}/"),
        "board": board_body,
        "day": day,
        "tokens": (resident.token, secretary.token),
    }


def read_back(stack: Stack, expected: dict) -> None:
    resident_token, secretary_token = expected["tokens"]
    resident = Client(stack, resident_token)  # the tokens are rows of the restored database too
    again = resident.get(f"requests/{expected['request_id']}/")
    before = expected["request"]
    for field in ("status", "title", "feedback", "liked_member_ids", "events"):
        check(
            again[field] == before[field], f"restored request differs in {field}: {again[field]!r} != {before[field]!r}"
        )
    board = resident.get("boards/members/", params={"date": expected["day"]})
    check(board == expected["board"], "the restored members' board differs")
    Client(stack, secretary_token).get(f"requests/{expected['request_id']}/")


# --- backups, with the README's commands -------------------------------------------------------


def readme_command(program: str) -> str:
    """The one line of the README's section on backups (bare stack) that runs ``program``."""
    text = (ROOT / "README.md").read_text()
    section = text.split("### Backups of the bare stack", 1)
    check(len(section) == 2, "README.md has no section '### Backups of the bare stack'")
    body = section[1].split("\n#", 1)[0]
    lines = [line.strip() for line in body.splitlines() if line.strip().startswith(program + " ")]
    check(len(lines) == 1, f"README.md's backup section should have one `{program}` line, has {len(lines)}")
    return lines[0]


def run_readme_command(program: str, database_url: str, backup_file: Path) -> None:
    command = readme_command(program)
    env = {**os.environ, "DATABASE_URL": database_url, "BACKUP_FILE": str(backup_file)}
    out = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True)
    check(out.returncode == 0, f"{command}\nfailed ({out.returncode}):\n{out.stderr[-3000:]}")


# --- main -----------------------------------------------------------------------------------


def main() -> int:
    timer = Timer()
    suffix = secrets.token_hex(4)
    db, restored = f"smoke_{suffix}", f"smoke_{suffix}_restored"
    tmp = Path(tempfile.mkdtemp(prefix="smoke-stack-"))
    marker = secrets.token_hex(8)
    stacks: list[Stack] = []
    failed = True
    try:
        with timer.step(f"fresh database {db}: migrate, seed_demo"):
            flush_redis()
            psql(f'CREATE DATABASE "{db}"')
            env = environment(db, free_port(), tmp, marker)
            manage(env, "migrate", "--noinput")
            manage(env, "seed_demo")

        first = Stack(env, int(env["GUNICORN_CMD_ARGS"].rsplit(":", 1)[1]), tmp / "stack.log", marker)
        stacks.append(first)
        with timer.step("make stack: migrate, collectstatic, honcho starts web, worker, beat"):
            first.start()
        expected = the_flow(first, timer, db)
        with timer.step("SIGTERM to honcho: everything stops, nothing is left"):
            first.stop()
        bad = first.bad_lines()
        check(not bad, "the stack logged errors:\n" + "\n".join(bad[:40]))

        backup = tmp / "shaoguan.dump"
        with timer.step("README's pg_dump, then pg_restore into an empty database"):
            run_readme_command("pg_dump", f"{POSTGRES_URL}/{db}", backup)
            psql(f'CREATE DATABASE "{restored}"')
            run_readme_command("pg_restore", f"{POSTGRES_URL}/{restored}", backup)

        env2 = environment(restored, free_port(), tmp, marker)
        second = Stack(env2, int(env2["GUNICORN_CMD_ARGS"].rsplit(":", 1)[1]), tmp / "stack-restored.log", marker)
        stacks.append(second)
        with timer.step("the stack on the restored database: the request and the board read back"):
            second.start()
            read_back(second, expected)
        with timer.step("SIGTERM to honcho again"):
            second.stop()
        bad = second.bad_lines()
        check(not bad, "the stack on the restored database logged errors:\n" + "\n".join(bad[:40]))
        failed = False
    except (SmokeFailed, requests.RequestException) as exc:
        print(f"\nSMOKE TEST FAILED: {exc}", file=sys.stderr)
    finally:
        for stack in stacks:
            if stack.proc and stack.proc.poll() is None:
                stack.kill()
        if failed and stacks:
            print(f"\n--- the stack's log ({stacks[-1].log}) ---\n{stacks[-1].tail(150)}", file=sys.stderr)
        with timer.step("drop both databases"):
            for name in (db, restored):
                drop(name)
            flush_redis()
        if not failed:
            for path in tmp.iterdir():
                path.unlink()
            tmp.rmdir()
    print(("\nStack smoke test FAILED" if failed else "\nStack smoke test passed") + f" ({shlex.quote(db)}):")
    print(timer.summary())
    for warning in (w for stack in stacks for w in stack.warnings):
        print(f"  note: {warning}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
