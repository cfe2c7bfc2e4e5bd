"""Fixtures for the sign-in tests: a code outbox and a fake WeChat server."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from tests.accounts import outbox


@pytest.fixture
def sent_codes(settings):
    """Codes delivered through the configured sender, as ``[(phone, code), ...]``."""
    settings.SMS_CODE_SENDER = "tests.accounts.outbox.OutboxSender"
    outbox.sent.clear()
    yield outbox.sent
    outbox.sent.clear()


class _WechatHandler(BaseHTTPRequestHandler):
    """Answers ``/sns/jscode2session`` the way WeChat does, chosen by the ``js_code`` sent.

    ``ok-<openid>`` → success (with a unionid for ``ok-u-…``), ``invalid`` → 40029,
    ``used`` → 40163, ``limited`` → 45011, ``busy`` → -1, ``blocked`` → 40226,
    ``slow`` → answers after two seconds, ``hangup`` → closes without answering,
    ``http500`` → HTTP 500, ``garbage`` → not JSON, ``noopenid`` → no openid; any other code is
    one WeChat never issued → 40029, as WeChat answers it.
    """

    calls: list[dict] = []

    def log_message(self, *args):  # keep test output quiet
        pass

    def _json(self, payload, status=200):
        body = json.dumps(payload).encode()
        self.send_response(status)
        # WeChat really does label its JSON text/plain.
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.calls.append({"path": url.path, **query})
        if url.path != "/sns/jscode2session":
            return self._json({"errcode": 404}, status=404)
        code = query.get("js_code", "")
        if code.startswith("ok-"):
            payload = {"openid": "o" + code[3:], "session_key": "c2Vzc2lvbi1rZXk="}
            if code.startswith("ok-u-"):
                payload["unionid"] = "union-" + code[5:]
            return self._json(payload)
        errors = {"invalid": 40029, "used": 40163, "limited": 45011, "busy": -1, "blocked": 40226}
        if code in errors:
            return self._json({"errcode": errors[code], "errmsg": f"test error {errors[code]}"})
        if code == "slow":
            time.sleep(2)
            return self._json({"openid": "oslow", "session_key": "x"})
        if code == "hangup":
            self.close_connection = True
            return
        if code == "http500":
            return self._json({"oops": True}, status=500)
        if code == "garbage":
            body = b"<html>gateway</html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if code == "noopenid":
            return self._json({"session_key": "x"})
        return self._json({"errcode": 40029, "errmsg": "invalid code"})


@pytest.fixture
def wechat_server(settings):
    """A real HTTP server on 127.0.0.1 (random port) standing in for api.weixin.qq.com."""
    _WechatHandler.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WechatHandler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.WECHAT_API_BASE = f"http://127.0.0.1:{server.server_address[1]}"
    settings.WECHAT_APPID = "wx-test-appid"
    settings.WECHAT_SECRET = "test-secret"
    settings.WECHAT_TIMEOUT_SECONDS = 0.5
    yield _WechatHandler
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
