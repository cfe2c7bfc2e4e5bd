"""What the demo (`make run`) serves beside the pages: a favicon (no 404 in any page's console),
and Chinese error pages — checked on a server started as `make run` starts it (its DEMO_ENV,
no DEBUG, static files collected and hashed)."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.urls import include, path

from tests.pages import browser_for, html

BASE_DIR = Path(__file__).resolve().parent.parent


def _boom(request):
    raise RuntimeError("a page that breaks")


urlpatterns = [path("boom/", _boom), path("", include("shaoguan.urls"))]
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"


@pytest.mark.django_db
def test_every_page_links_the_favicon_and_favicon_ico_answers_it(client, resident, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    page = html(browser_for(resident).get("/"))
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg") and client.get("/static/img/favicon.svg").status_code == 200


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_500_page_is_chinese_without_debug(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    page = html(response)
    assert "Server Error" not in page and re.search(r"[\u4e00-\u9fff]", page)


def _demo_env(tmp_path) -> dict:
    """The environment `make run` gives runserver: its DEMO_ENV, with a key of the test's own."""
    makefile = (BASE_DIR / "Makefile").read_text()
    demo_env = re.search(r"^DEMO_ENV = (.*)$", makefile, re.M).group(1)
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "REDIS_URL", "STATIC_MANIFEST")}
    for name, value in re.findall(r"(\w+)=(\"[^\"]*\"|\S+)", demo_env):
        env[name] = value.strip('"')
    env["SECRET_KEY"] = "a-key-of-this-test-" + "x" * 40
    env["STATIC_ROOT"] = str(tmp_path / "static")
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_run_answers_a_missing_page_in_chinese(tmp_path):
    env = _demo_env(tmp_path)
    assert "DEBUG" not in env and env["SIGNIN_SHOW_CODE"] == "1"
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "collectstatic", "--noinput", "--verbosity", "0"], env=env, check=True, cwd=BASE_DIR)
    port = _free_port()
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = None
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page/", timeout=5)
            except urllib.error.HTTPError as exc:
                status, body = exc.code, exc.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert body is not None, "the demo server did not answer"
        assert status == 404
        assert "页面不存在" in body and "Not Found" not in body and "DEBUG" not in body
        icon = urllib.request.urlopen(f"http://127.0.0.1:{port}/favicon.ico", timeout=5)
        assert icon.status == 200 and icon.headers["Content-Type"].startswith("image/svg")
    finally:
        server.terminate()
        server.wait(timeout=10)
