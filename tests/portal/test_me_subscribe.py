"""``me/`` names the subscribe-message templates the mini program asks consent for, so the
client's config holds only the server's URL and the AppID."""

import pytest

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_template_ids_from_the_setting(resident, settings):
    settings.WECHAT_SUBSCRIBE_TEMPLATE_ID = "tmpl-Abc123"
    body = client_for(resident).get("/api/v1/me/").json()
    assert body["subscribe_template_ids"] == ["tmpl-Abc123"]


def test_none_when_not_configured(resident, settings):
    settings.WECHAT_SUBSCRIBE_TEMPLATE_ID = ""
    assert client_for(resident).get("/api/v1/me/").json()["subscribe_template_ids"] == []


def test_anonymous_is_401(api):
    assert api.get("/api/v1/me/").status_code == 401
