"""Tencent Cloud SMS and Alibaba Cloud SMS, faked on a local port for the SDKs to talk to.

The fixture ``sms_provider`` (parametrized: ``tencent``, ``aliyun``) starts one HTTP server on
127.0.0.1, points the provider's ``*_ENDPOINT`` setting at it (``http://127.0.0.1:<port>``) and
fills in test credentials, signature and template ids. The server records every request, checks
its signature the way the provider would (TC3-HMAC-SHA256, ACS3-HMAC-SHA256) and answers what
``answer`` says, with the JSON each provider really sends:

- ``ok``: accepted;
- ``throttled``: the number is over the provider's frequency limit (Tencent reports it per
  number inside a 200 answer, Alibaba as the answer's ``Code``);
- ``throttled_request``: Tencent only: the same as a request-level ``Error``;
- ``bad_number``: the number is not one that can receive messages;
- ``account``: the template is not approved (our configuration, not the user's);
- ``http500``: an HTML error page with status 500;
- ``slow``: no answer within ``SMS_TIMEOUT_SECONDS``.

``sms_provider.script`` lists answers to give first, one per request. ``sms_provider.refuse()`` points the endpoint at a port nobody listens on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

TENCENT_SECRET_ID = "AKIDtestsecretid"
TENCENT_SECRET_KEY = "tencent-test-secret-key"
TENCENT_APP_ID = "1400000001"
ALIYUN_KEY_ID = "LTAItestkeyid"
ALIYUN_KEY_SECRET = "aliyun-test-key-secret"
SIGN_NAME = "韶关吹哨报到"
TIMEOUT = 0.5

TENCENT_CODES = {
    "throttled": "LimitExceeded.PhoneNumberThirtySecondLimit",
    "throttled_request": "LimitExceeded.PhoneNumberOneHourLimit",
    "bad_number": "InvalidParameterValue.IncorrectPhoneNumber",
    "account": "FailedOperation.TemplateIncorrectOrUnapproved",
}
ALIYUN_CODES = {
    "throttled": "isv.BUSINESS_LIMIT_CONTROL",
    "bad_number": "isv.MOBILE_NUMBER_ILLEGAL",
    "account": "isv.SMS_TEMPLATE_ILLEGAL",
}


@dataclass
class SmsCall:
    """One request as the fake saw it."""

    provider: str
    path: str
    headers: dict[str, str]
    query: dict[str, str]
    body: bytes
    signature_ok: bool

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    def phone(self) -> str:
        """The number sent to, as the provider got it."""
        return self.json["PhoneNumberSet"][0] if self.provider == "tencent" else self.query["PhoneNumbers"]

    def template(self) -> str:
        return self.json["TemplateId"] if self.provider == "tencent" else self.query["TemplateCode"]

    def params(self) -> list[str]:
        """The template parameters' values, in order."""
        if self.provider == "tencent":
            return self.json["TemplateParamSet"]
        return list(json.loads(self.query["TemplateParam"]).values())

    def named_params(self) -> dict[str, str] | None:
        """Alibaba's parameters by name (Tencent's have only positions)."""
        return json.loads(self.query["TemplateParam"]) if self.provider == "aliyun" else None


def _tc3_signature_ok(headers: dict[str, str], body: bytes) -> bool:
    auth = headers.get("authorization", "")
    try:
        scope = auth.split("Credential=")[1].split(",")[0]
        secret_id, date, service, _ = scope.split("/")
        signature = auth.split("Signature=")[1].strip()
    except (IndexError, ValueError):
        return False
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{headers['content-type']}\nhost:{headers['host']}\n",
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    timestamp = headers.get("x-tc-timestamp", "0")
    if datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d") != date:
        return False
    to_sign = (
        f"TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n" + hashlib.sha256(canonical.encode()).hexdigest()
    )

    def mac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = mac(mac(mac(("TC3" + TENCENT_SECRET_KEY).encode(), date), service), "tc3_request")
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return secret_id == TENCENT_SECRET_ID and hmac.compare_digest(expected, signature)


def _acs3_signature_ok(headers: dict[str, str], query: dict[str, str], body: bytes) -> bool:
    auth = headers.get("authorization", "")
    try:
        algorithm, rest = auth.split(" ", 1)
        parts = dict(p.split("=", 1) for p in rest.split(","))
    except ValueError:
        return False
    payload_hash = hashlib.sha256(body).hexdigest()
    if algorithm != "ACS3-HMAC-SHA256" or headers.get("x-acs-content-sha256") != payload_hash:
        return False
    signed = parts["SignedHeaders"].split(";")
    canonical = "\n".join(
        [
            "POST",
            "/",
            "&".join(f"{k}={quote(query[k], safe='~')}" for k in sorted(query)),
            "".join(f"{h}:{headers[h].strip()}\n" for h in signed),
            parts["SignedHeaders"],
            payload_hash,
        ]
    )
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    expected = hmac.new(ALIYUN_KEY_SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return parts["Credential"] == ALIYUN_KEY_ID and hmac.compare_digest(expected, parts["Signature"])


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSmsProvider

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        fake = self.fake
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        provider = "tencent" if "x-tc-action" in headers else "aliyun"
        ok = _tc3_signature_ok(headers, body) if provider == "tencent" else _acs3_signature_ok(headers, query, body)
        fake.calls.append(SmsCall(provider, url.path, headers, query, body, ok))

        answer = fake.script.pop(0) if fake.script else fake.answer
        if answer == "slow":
            time.sleep(TIMEOUT * 3)  # the client has given up by now: nothing to answer
            return
        if answer == "http500":
            return self._send(500, b"<html><body>502 Bad Gateway</body></html>", "text/html")
        payload = _tencent_answer(answer) if provider == "tencent" else _aliyun_answer(answer)
        self._send(200, json.dumps(payload, ensure_ascii=False).encode())


def _tencent_answer(answer: str) -> dict:
    request_id = "a0b1c2d3-0000-4000-8000-000000000001"
    if answer == "throttled_request":
        return {
            "Response": {
                "Error": {"Code": TENCENT_CODES[answer], "Message": "单个手机号1小时内下发短信条数超过设定的上限"},
                "RequestId": request_id,
            }
        }
    if answer == "account":
        return {
            "Response": {
                "Error": {"Code": TENCENT_CODES[answer], "Message": "模版未审批或内容不匹配"},
                "RequestId": request_id,
            }
        }
    code = TENCENT_CODES.get(answer, "Ok")
    status = {
        "SerialNo": "2645:4015361519416842193719185" if code == "Ok" else "",
        "PhoneNumber": "+8613800000001",
        "Fee": 1 if code == "Ok" else 0,
        "SessionContext": "",
        "Code": code,
        "Message": "send success" if code == "Ok" else "failed",
        "IsoCode": "CN",
    }
    return {"Response": {"SendStatusSet": [status], "RequestId": request_id}}


def _aliyun_answer(answer: str) -> dict:
    code = ALIYUN_CODES.get(answer, "OK")
    payload = {
        "Code": code,
        "Message": "OK" if code == "OK" else "failed",
        "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990",
    }
    if code == "OK":
        payload["BizId"] = "900619746936498440^0"
    return payload


@dataclass
class FakeSmsProvider:
    name: str
    settings: object
    answer: str = "ok"
    script: list[str] = field(default_factory=list)  # answers to give first, in order
    calls: list[SmsCall] = field(default_factory=list)
    url: str = ""

    def refuse(self) -> None:
        """Point the endpoint at a local port nobody listens on: the connection is refused."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        setattr(self.settings, f"{self.name.upper()}_SMS_ENDPOINT", f"http://127.0.0.1:{port}")


def configure(settings, name: str, url: str) -> None:
    settings.SMS_TIMEOUT_SECONDS = TIMEOUT
    if name == "tencent":
        settings.TENCENT_SMS_ENDPOINT = url
        settings.TENCENT_SMS_SECRET_ID = TENCENT_SECRET_ID
        settings.TENCENT_SMS_SECRET_KEY = TENCENT_SECRET_KEY
        settings.TENCENT_SMS_SDK_APP_ID = TENCENT_APP_ID
        settings.TENCENT_SMS_SIGN_NAME = SIGN_NAME
        settings.TENCENT_SMS_CODE_TEMPLATE_ID = "2000001"
        settings.TENCENT_SMS_NOTIFY_TEMPLATE_ID = "2000002"
    else:
        settings.ALIYUN_SMS_ENDPOINT = url
        settings.ALIYUN_SMS_ACCESS_KEY_ID = ALIYUN_KEY_ID
        settings.ALIYUN_SMS_ACCESS_KEY_SECRET = ALIYUN_KEY_SECRET
        settings.ALIYUN_SMS_SIGN_NAME = SIGN_NAME
        settings.ALIYUN_SMS_CODE_TEMPLATE_CODE = "SMS_000000001"
        settings.ALIYUN_SMS_NOTIFY_TEMPLATE_CODE = "SMS_000000002"


@pytest.fixture(params=["tencent", "aliyun"])
def sms_provider(request, settings):
    fake = FakeSmsProvider(name=request.param, settings=settings)
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    configure(settings, request.param, fake.url)
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
