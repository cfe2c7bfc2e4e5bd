"""`make run` serves without DEBUG: its own key, static files through WhiteNoise, uploaded photos
through Django only when SERVE_MEDIA says so, the sign-in code shown by SIGNIN_SHOW_CODE; and
`check --deploy` refuses the demo's settings."""

import importlib
import re
from pathlib import Path

import pytest
from django.urls import clear_url_caches

from accounts.checks import signin_code_not_shown
from core.checks import media_served_by_django

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def urls(settings):
    """Reloads the URLconf after the test changed what it depends on, and again at the end."""
    before = (settings.DEBUG, settings.SERVE_MEDIA)

    def reload():
        clear_url_caches()
        importlib.reload(importlib.import_module(settings.ROOT_URLCONF))

    yield reload
    settings.DEBUG, settings.SERVE_MEDIA = before
    reload()


@pytest.fixture
def photo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "requests").mkdir()
    (tmp_path / "requests" / "p.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    return "/media/requests/p.jpg"


@pytest.mark.django_db
def test_uploaded_photos_are_served_with_serve_media_and_without_debug(client, settings, urls, photo):
    settings.DEBUG, settings.SERVE_MEDIA = False, True
    urls()
    response = client.get(photo)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    missing = client.get("/media/requests/none.jpg")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()


@pytest.mark.django_db
def test_uploaded_photos_are_not_served_by_django_otherwise(client, settings, urls, photo):
    settings.DEBUG, settings.SERVE_MEDIA = False, False
    urls()
    response = client.get(photo)
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_static_files_are_served_without_debug(client, settings):
    settings.DEBUG = False
    response = client.get("/static/vendor/weui/weui.min.css")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")


def test_check_deploy_refuses_the_demo_code_and_warns_of_served_media(settings):
    settings.SIGNIN_SHOW_CODE = settings.SERVE_MEDIA = False
    assert signin_code_not_shown(None) == [] and media_served_by_django(None) == []
    settings.SIGNIN_SHOW_CODE = settings.SERVE_MEDIA = True
    (error,) = signin_code_not_shown(None)
    (warning,) = media_served_by_django(None)
    assert (error.id, error.is_serious()) == ("accounts.E001", True)
    assert warning.id == "core.W001"


def test_make_run_serves_without_debug():
    makefile = (BASE_DIR / "Makefile").read_text()
    recipe = re.search(r"^run:.*?\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "DEBUG" not in recipe
    assert "$(DEMO_ENV) $(BIN)/python manage.py runserver" in recipe
    demo_env = re.search(r"^DEMO_ENV = (.*)$", makefile, re.M).group(1)
    assert "SIGNIN_SHOW_CODE=1" in demo_env and "SERVE_MEDIA=1" in demo_env and "SECRET_KEY=" in demo_env
    assert ".demo-secret-key" in (BASE_DIR / ".gitignore").read_text().split()
