"""The benchmark harness itself, quickly: the load generator against a tiny local server, the
percentiles, the CPU readings from /proc, the results table and the API benchmark's set-up."""

import asyncio
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.bench import loadgen, machine, results


def run(coro):
    """``asyncio.run`` on a thread of its own: a browser test's Playwright may keep an event loop
    running on this worker's main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"ab", b"cde"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            return
        body = b'{"ok": true}' if self.path == "/ok" else b"missing"
        self.send_response(200 if self.path == "/ok" else 404)
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/close":
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()


def test_a_phase_is_bounded_in_time_and_count_and_counts_failures(server):
    def call_for(client, n):
        return loadgen.Call("GET", "/ok" if n % 2 == 0 else "/missing")

    result = run(loadgen.run_phase("t", "127.0.0.1", server, call_for, clients=4, seconds=5, max_requests=40))
    assert result.count == 40 and result.seconds < 5
    assert result.statuses[200] == 20 and result.statuses[404] == 20
    assert result.failures == 20 and not result.errors
    assert result.percentile(50) <= result.percentile(95) <= result.percentile(99)


def test_chunked_bodies_closed_connections_and_posts(server):
    async def go():
        conn = loadgen.Connection("127.0.0.1", server)
        chunked = await conn.request(loadgen.Call("GET", "/chunked"))
        closed = await conn.request(loadgen.Call("GET", "/close"))
        again = await conn.request(loadgen.Call("GET", "/ok"))  # a new connection after the close
        await conn.close()
        return chunked, closed, again

    chunked, closed, again = run(go())
    assert chunked.body == b"abcde" and closed.status == 404 and again.body == b'{"ok": true}'
    burst, answers = run(
        loadgen.run_burst(
            "b", "127.0.0.1", server, [loadgen.Call("POST", "/", body=b"%d" % i) for i in range(30)], concurrency=7
        )
    )
    assert burst.statuses == {201: 30} and [a.body for a in answers] == [b"%d" % i for i in range(30)]


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert loadgen.percentile(values, 95) == 95 and loadgen.percentile(values, 50) == 50
    assert loadgen.percentile([7.0], 99) == 7.0


def test_cpu_and_machine_readings():
    assert machine.process_cpu_seconds(os.getpid()) > 0
    assert machine.process_cpu_seconds(2**22 + 12345) == 0.0  # gone
    assert os.getpid() in machine.pids_named(Path(f"/proc/{os.getpid()}/comm").read_text().strip())
    assert "核" in machine.describe() and "/" in machine.load_average()


def test_results_are_kept_only_while_collecting_and_render_as_one_table():
    results.record("x", "y", "z")  # not collecting: dropped
    with results.collecting() as rows:
        results.record("API 负载", "任务大厅", "200 次/秒", "p95 < 300 ms", True)
        results.record("生成", "城市", "60 秒")
    assert [r.verdict for r in rows] == ["达标", ""]
    table = results.render(rows).splitlines()
    assert table[0].startswith("基准") and len(table) == 4
    assert results.width("任务大厅") == 8


@pytest.mark.django_db
def test_the_api_benchmark_set_up_on_a_tiny_city(placed, secretary, community, resident):
    from accounts.models import DeviceToken
    from orders.models import ServiceRequest
    from portal.bench import population
    from tests.orders.factories import ServiceRequestFactory, TaskFactory

    TaskFactory(community=community)
    ServiceRequestFactory(community=community, requester=resident, status="submitted")
    callers = population.mint([placed.user_id, secretary.pk])
    assert len({c.token for c in callers}) == 2
    assert DeviceToken.objects.filter(device_name=population.DEVICE_NAME).count() == 2
    assert population.secretaries(5, backlog=3) == [secretary.pk]
    assert ServiceRequest.objects.filter(community=community, status="submitted").count() == 3
    burst = population.prepare_burst(tasks=2, attempts=1, slots=1)
    assert len(burst.task_ids) == 2 and [c.user_id for c in burst.callers] == [placed.user_id]
    population.cleanup()
    assert not DeviceToken.objects.filter(device_name=population.DEVICE_NAME).exists()
    assert not population.Task.objects.filter(pk__in=burst.task_ids).exists()
