"""消息提醒设置: which kinds reach a user through WeChat and SMS. The page for the user themself
and the anonymous; the defaults; the service's refusals; what delivery reads (one query a batch)."""

import pytest

from core.errors import ValidationFailed
from notifications.kinds import KINDS, QUARTER_UNREPORTED, QUOTA_REMINDER
from notifications.models import ChannelPreference, Notification
from notifications.selectors import channel_allowed_map, channel_settings_of
from notifications.services import channel_preferences_set
from tests.conftest import client_for
from tests.pages import browser_for, html

pytestmark = pytest.mark.django_db
URL = "/inbox/settings/"


def test_defaults_and_changes(resident):
    rows = {r.kind: r.channels for r in channel_settings_of(resident)}
    assert rows[QUOTA_REMINDER] == [("wechat", "微信订阅消息", True), ("sms", "短信", False)]
    channel_preferences_set(user=resident, kind=QUOTA_REMINDER, allowed={"wechat": False, "sms": True})
    channel_preferences_set(user=resident, kind=QUOTA_REMINDER, allowed={"sms": True})  # twice: one row
    rows = {r.kind: r.channels for r in channel_settings_of(resident)}
    assert rows[QUOTA_REMINDER] == [("wechat", "微信订阅消息", False), ("sms", "短信", True)]
    assert ChannelPreference.objects.filter(user=resident).count() == 2


@pytest.mark.parametrize(("kind", "allowed"), [("no_such_kind", {"sms": True}), (QUOTA_REMINDER, {"fax": True})])
def test_unknown_kinds_and_channels_are_refused(resident, kind, allowed):
    with pytest.raises(ValidationFailed):
        channel_preferences_set(user=resident, kind=kind, allowed=allowed)
    assert not ChannelPreference.objects.exists()


def test_delivery_reads_every_preference_of_a_batch_in_one_query(resident, member, django_assert_num_queries):
    channel_preferences_set(user=member.user, kind=QUOTA_REMINDER, allowed={"wechat": False})
    rows = [
        Notification.objects.create(user=u, kind=k, title="提醒")
        for u in (resident, member.user)
        for k in (QUOTA_REMINDER, "request_approved")
    ]
    with django_assert_num_queries(1):
        allowed = channel_allowed_map(rows)
    by = {(n.user_id, n.kind): n for n in rows}
    assert allowed(by[resident.pk, QUOTA_REMINDER], "wechat") and not allowed(by[resident.pk, QUOTA_REMINDER], "sms")
    assert not allowed(by[member.user_id, QUOTA_REMINDER], "wechat")
    # Kinds without preferences go everywhere; the log channel is never filtered.
    assert allowed(by[member.user_id, "request_approved"], "sms") and allowed(by[member.user_id, QUOTA_REMINDER], "log")
    with django_assert_num_queries(0):
        channel_allowed_map([by[resident.pk, "request_approved"]])


def test_the_page_shows_and_saves_the_users_own_choices(resident, member):
    c = browser_for(resident)
    body = html(c.get(URL))
    assert "履职提醒" in body and "季度未报到名单" in body and "短信" in body
    response = c.post(URL, {f"{QUOTA_REMINDER}:sms": "on", f"{QUARTER_UNREPORTED}:wechat": "on"})
    assert response.status_code == 302
    mine = set(ChannelPreference.objects.filter(user=resident, allowed=True).values_list("kind", "channel"))
    assert mine == {(QUOTA_REMINDER, "sms"), (QUARTER_UNREPORTED, "wechat")}
    # Nobody else's choices change.
    assert not ChannelPreference.objects.filter(user=member.user).exists()


def test_the_anonymous_are_sent_to_sign_in(db):
    for response in (browser_for(None).get(URL), browser_for(None).post(URL, {})):
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert not ChannelPreference.objects.exists()


API = "/api/v1/notifications/preferences/"


def test_the_api_reads_and_changes_my_own_choices(resident, member):
    c = client_for(resident)
    body = c.get(API).json()
    assert [r["kind"] for r in body] == list(KINDS)
    assert [r["kind"] for r in body][:2] == [QUOTA_REMINDER, QUARTER_UNREPORTED]
    assert body[0]["channels"] == [
        {"channel": "wechat", "label": "微信订阅消息", "allowed": True},
        {"channel": "sms", "label": "短信", "allowed": False},
    ]
    body = c.post(API, {"kind": QUOTA_REMINDER, "sms": True}, format="json").json()
    assert [ch["allowed"] for ch in body[0]["channels"]] == [True, True]
    assert set(ChannelPreference.objects.values_list("user_id", "kind", "channel", "allowed")) == {
        (resident.pk, QUOTA_REMINDER, "sms", True)
    }
    assert client_for(member.user).get(API).json()[0]["channels"][1]["allowed"] is False


def test_the_api_refuses_an_unknown_kind_and_the_anonymous(resident, api):
    resp = client_for(resident).post(API, {"kind": "nothing", "sms": True}, format="json")
    assert resp.status_code == 400 and "kind" in resp.json()["fields"]
    assert api.get(API).status_code == 401 and api.post(API, {"kind": QUOTA_REMINDER}, format="json").status_code == 401
    assert not ChannelPreference.objects.exists()
