"""A fake WeChat API on a local port, answering by what the test sets (the fake SMS providers are
``tests.sms_fakes``)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest


class _Handler(BaseHTTPRequestHandler):
    calls: list[dict] = []
    # What the next answers are: a list of (status, payload) consumed in order, then ``default``.
    script: list[tuple[int, object]] = []
    default: tuple[int, object] = (200, {"code": 0})

    def log_message(self, *args):
        pass

    def _answer(self):
        status, payload = self.script.pop(0) if self.script else self.default
        body = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.calls.append({"method": "GET", "path": url.path, "query": query})
        if url.path == "/cgi-bin/token":
            return self._json_token()
        self._answer()

    def _json_token(self):
        body = json.dumps({"access_token": "tok-1", "expires_in": 7200}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        self.calls.append(
            {
                "method": "POST",
                "path": url.path,
                "query": {k: v[0] for k, v in parse_qs(url.query).items()},
                "json": json.loads(self.rfile.read(length) or b"{}"),
                "auth": self.headers.get("Authorization"),
            }
        )
        self._answer()


@pytest.fixture
def provider(settings):
    """Starts the fake WeChat API; settings point the WeChat channel at it."""
    _Handler.calls = []
    _Handler.script = []
    _Handler.default = (200, {"code": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.WECHAT_API_BASE = base
    settings.WECHAT_APPID = "wx-app"
    settings.WECHAT_SECRET = "wx-secret"
    settings.WECHAT_SUBSCRIBE_TEMPLATE_ID = "tmpl-1"
    settings.NOTIFICATION_TIMEOUT_SECONDS = 2
    yield _Handler
    server.shutdown()
    server.server_close()
