"""A bounded closed-loop HTTP load generator on asyncio streams, for a server on this machine.

Each client holds one keep-alive HTTP/1.1 connection and sends its next request as soon as the
answer to the last one is read (no think time), until the phase's time is up; a phase never
sends more than ``max_requests``. The client speaks just enough HTTP/1.1 for a WSGI server
(``Content-Length`` or chunked bodies, ``Connection: close``), so its own cost per request is a
few hundred microseconds of one process: on a two-core machine that it shares with the server
and PostgreSQL, a heavier generator would take CPU from what it measures.

Latencies are from writing the request to reading the last byte of the answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class PhaseResult:
    name: str
    clients: int
    seconds: float
    latencies_ms: list[float]
    statuses: Counter
    errors: Counter  # connection errors and timeouts, by exception name
    generator_cpu_s: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    @property
    def rps(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        return percentile(self.latencies_ms, p)

    @property
    def failures(self) -> int:
        """Answers that are not 2xx or 3xx, plus requests that got no answer."""
        bad = sum(n for status, n in self.statuses.items() if status >= 400)
        return bad + sum(self.errors.values())


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


class Connection:
    """One keep-alive HTTP/1.1 connection to ``host:port``; reconnects when the server closes it."""

    def __init__(self, host: str, port: int, timeout: float = 30.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    def _encode(self, call: Call) -> bytes:
        lines = [f"{call.method} {call.path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        headers = {"Accept": "application/json", **call.headers}
        if call.body or call.method not in ("GET", "HEAD"):
            headers["Content-Length"] = str(len(call.body))
        lines += [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + call.body

    async def request(self, call: Call) -> Answer:
        return await asyncio.wait_for(self._request(call), self.timeout)

    async def _request(self, call: Call) -> Answer:
        payload = self._encode(call)
        for attempt in (1, 2):
            if self.writer is None:
                await self._open()
            try:
                self.writer.write(payload)
                await self.writer.drain()
                return await self._read()
            except (ConnectionError, asyncio.IncompleteReadError):
                # A keep-alive connection the server closed while idle: one retry on a new one.
                await self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _read(self) -> Answer:
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for line in header_lines:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._read_chunked()
        elif status in (204, 304) or status < 200:
            body = b""
        else:  # a body until the server closes the connection
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Answer(status, headers, body)

    async def _read_chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)


def _cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


async def run_phase(
    name: str,
    host: str,
    port: int,
    call_for: Callable[[int, int], Call],
    *,
    clients: int,
    seconds: float,
    max_requests: int = 1_000_000,
    check: Callable[[Answer], bool] | None = None,
) -> PhaseResult:
    """``clients`` connections, each sending ``call_for(client, n)`` back to back for ``seconds``.

    An answer that ``check`` refuses is counted under status 599 (a wrong body is an error).
    """
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors: Counter = Counter()
    sent = 0
    deadline = time.perf_counter() + seconds

    async def client(i: int) -> None:
        nonlocal sent
        conn = Connection(host, port)
        n = 0
        try:
            while time.perf_counter() < deadline and sent < max_requests:
                sent += 1
                call = call_for(i, n)
                n += 1
                started = time.perf_counter()
                try:
                    answer = await conn.request(call)
                except (TimeoutError, ConnectionError, OSError, asyncio.IncompleteReadError) as exc:
                    errors[type(exc).__name__] += 1
                    await conn.close()
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
                ok = check is None or answer.status >= 400 or check(answer)
                statuses[answer.status if ok else 599] += 1
        finally:
            await conn.close()

    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.perf_counter() - started
    result = PhaseResult(name, clients, elapsed, latencies, statuses, errors)
    result.generator_cpu_s = _cpu_seconds() - cpu_before
    return result


async def run_burst(
    name: str, host: str, port: int, calls: list[Call], *, concurrency: int
) -> tuple[PhaseResult, list[Answer | None]]:
    """Each call once, ``concurrency`` at a time, as fast as the server answers; the answers in order."""
    answers: list[Answer | None] = [None] * len(calls)
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors: Counter = Counter()
    queue = list(enumerate(calls))
    queue.reverse()

    async def client() -> None:
        conn = Connection(host, port)
        try:
            while queue:
                i, call = queue.pop()
                started = time.perf_counter()
                try:
                    answer = await conn.request(call)
                except (TimeoutError, ConnectionError, OSError, asyncio.IncompleteReadError) as exc:
                    errors[type(exc).__name__] += 1
                    await conn.close()
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[answer.status] += 1
                answers[i] = answer
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(min(concurrency, len(calls)))))
    elapsed = time.perf_counter() - started
    return PhaseResult(name, concurrency, elapsed, latencies, statuses, errors), answers
