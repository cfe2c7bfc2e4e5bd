"""The inbox and delivery: rows now, channels after commit, each channel once, failures recorded."""

import pytest
from django.db import transaction

from core.errors import PermissionDenied, ValidationFailed
from notifications.models import Delivery, Notification
from notifications.selectors import inbox_for, unread_count
from notifications.services import (
    notification_mark_read,
    notifications_deliver,
    notifications_mark_all_read,
    notify,
)
from notifications.tasks import deliver
from tests.accounts.factories import UserFactory

SMS_CHANNELS = {
    "tencent": "notifications.channels.TencentSmsChannel",
    "aliyun": "notifications.channels.AliyunSmsChannel",
}
WECHAT = "notifications.channels.WechatSubscribeChannel"
LOG = "notifications.channels.LogChannel"


def test_notify_creates_rows_and_queues_delivery_on_commit(resident, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = notify(users=[resident, member.user, resident, None], kind="request_approved", title="您的点单已受理")
    assert len(rows) == 2 and len(callbacks) == 1
    assert Notification.objects.filter(title="您的点单已受理").count() == 2
    assert not Delivery.objects.exists()  # nothing went out before the commit
    callbacks[0]()
    assert set(Delivery.objects.values_list("channel", "status").distinct()) == {("log", "sent")}
    assert Delivery.objects.count() == 2


def test_rolled_back_notify_sends_nothing(resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notify(users=[resident], kind="x", title="不会发出")
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == [] and not Notification.objects.exists()


def test_notify_needs_a_title_and_cleans_text(resident):
    with pytest.raises(ValidationFailed):
        notify(users=[resident], kind="x", title="  ")
    (n,) = notify(users=[resident], kind="x", title="a\x00b" + "长" * 200, body="正文")
    assert n.title.startswith("ab") and len(n.title) == 100


def test_notify_nobody(resident):
    assert notify(users=[], kind="x", title="空") == []


def test_unread_count_inbox_and_marking(resident, member):
    notify(users=[resident], kind="a", title="一")
    notify(users=[resident], kind="b", title="二")
    notify(users=[member.user], kind="c", title="别人的")
    assert unread_count(resident) == 2
    assert [n.title for n in inbox_for(resident)] == ["二", "一"]
    first = inbox_for(resident).last()
    notification_mark_read(notification=first, actor=resident)
    assert unread_count(resident) == 1
    read_at = Notification.objects.get(pk=first.pk).read_at
    notification_mark_read(notification=first, actor=resident)
    assert Notification.objects.get(pk=first.pk).read_at == read_at
    assert notifications_mark_all_read(user=resident) == 1
    assert unread_count(resident) == 0 and unread_count(member.user) == 1


def test_cannot_mark_someone_elses(resident, member):
    (n,) = notify(users=[member.user], kind="c", title="别人的")
    with pytest.raises(PermissionDenied):
        notification_mark_read(notification=n, actor=resident)
    assert Notification.objects.get(pk=n.pk).read_at is None


@pytest.fixture
def sms(sms_provider, settings):
    """Notifications go out by SMS alone, through the fake provider."""
    settings.NOTIFICATION_CHANNELS = [SMS_CHANNELS[sms_provider.name]]
    return sms_provider


def test_delivery_is_idempotent(sms, resident):
    (n,) = notify(users=[resident], kind="x", title="任务提醒：周六上午环境保洁，请准时到场签到")
    deliver.delay([n.pk])
    deliver.delay([n.pk])
    notifications_deliver(notification_ids=[n.pk])
    d = Delivery.objects.get(notification=n)
    assert (d.channel, d.status, d.attempts) == ("sms", "sent", 1) and d.sent_at
    (call,) = sms.calls
    assert call.signature_ok
    assert call.phone() in (resident.phone, "+86" + resident.phone)
    assert call.template() in ("2000002", "SMS_000000002")
    assert call.params() == ["任务提醒：周六上午环境保洁，请准时到场签"]  # the title, cut to 20 characters
    if sms.name == "aliyun":
        assert call.named_params() == {"title": "任务提醒：周六上午环境保洁，请准时到场签"}


def test_outage_is_recorded_and_sent_on_a_later_run(sms, resident):
    sms.answer = "http500"
    (n,) = notify(users=[resident], kind="x", title="任务提醒")
    deliver.delay([n.pk])
    d = Delivery.objects.get(notification=n)
    assert d.status == "failed" and d.attempts == 1 and d.error.startswith("短信服务不可用（")
    # The next run, after the provider recovers, sends it once.
    sms.answer = "ok"
    assert notifications_deliver(notification_ids=[n.pk]) == []
    assert notifications_deliver(notification_ids=[n.pk]) == []
    d.refresh_from_db()
    assert d.status == "sent" and d.attempts == 2 and d.error == ""
    assert len(sms.calls) == 2


@pytest.mark.parametrize(
    ("answer", "error", "retried"),
    [
        ("throttled", "短信发送太频繁（", True),
        ("bad_number", "手机号码有误或无法接收短信（", False),
        ("account", "短信服务不可用（", True),
        ("http500", "短信服务不可用（", True),
        ("slow", "短信服务不可用（", True),
    ],
)
def test_each_refusal_is_recorded_and_retried_unless_the_number_is_bad(sms, resident, answer, error, retried):
    sms.answer = answer
    (n,) = notify(users=[resident], kind="x", title="一")
    assert notifications_deliver(notification_ids=[n.pk]) == ([n.pk] if retried else [])
    d = Delivery.objects.get(notification=n)
    assert d.status == "failed" and d.error.startswith(error)


def test_unreachable_provider_is_retried(sms, resident):
    sms.refuse()
    (n,) = notify(users=[resident], kind="x", title="一")
    assert notifications_deliver(notification_ids=[n.pk]) == [n.pk]
    assert Delivery.objects.get(notification=n).error.startswith("短信服务不可用（")


class _Retried(Exception):
    pass


def _run_on_worker(monkeypatch, ids, retries):
    """Run the task body as a worker would (not eagerly) and capture the retry it asks for."""
    asked = {}

    def fake_retry(*, args, countdown):
        asked.update(args=args, countdown=countdown)
        return _Retried()

    monkeypatch.setattr(deliver, "retry", fake_retry)
    deliver.push_request(retries=retries, is_eager=False)
    try:
        return deliver.run(ids), asked
    except _Retried:
        return None, asked
    finally:
        deliver.pop_request()


def test_worker_retries_failed_ones_with_backoff(settings, sms, resident, member, monkeypatch):
    settings.NOTIFICATION_MAX_RETRIES = 3
    ok, failing = notify(users=[member.user, resident], kind="x", title="任务提醒")
    sms.script = ["ok", "throttled"]  # member's goes first (ids ascending)
    result, asked = _run_on_worker(monkeypatch, [ok.pk, failing.pk], retries=0)
    assert result is None and asked == {"args": [[failing.pk]], "countdown": 30}
    _, asked = _run_on_worker(monkeypatch, [failing.pk], retries=2)
    assert asked == {}  # the provider sends it now
    assert Delivery.objects.get(notification=failing).attempts == 2
    sms.answer = "http500"
    (third,) = notify(users=[resident], kind="x", title="再一条")
    _, asked = _run_on_worker(monkeypatch, [third.pk], retries=2)
    assert asked["countdown"] == 120
    result, asked = _run_on_worker(monkeypatch, [third.pk], retries=3)
    assert result == [third.pk] and asked == {}  # gave up; the failure stays recorded


def test_worker_does_not_retry_a_bad_number(settings, sms, resident, monkeypatch):
    settings.NOTIFICATION_MAX_RETRIES = 3
    sms.answer = "bad_number"
    (n,) = notify(users=[resident], kind="x", title="一")
    result, asked = _run_on_worker(monkeypatch, [n.pk], retries=0)
    assert result == [] and asked == {}
    assert Delivery.objects.get(notification=n).attempts == 1


def test_wechat_subscribe_message(settings, provider, db):
    settings.NOTIFICATION_CHANNELS = [WECHAT, LOG]
    with_openid = UserFactory(phone="13800000051", wechat_openid="o-abc")
    without = UserFactory(phone="13800000052")
    provider.default = (200, {"errcode": 0, "errmsg": "ok"})
    rows = notify(users=[with_openid, without], kind="task_dispatched", title="有新任务派给您", body="周六上午环境保洁")
    notifications_deliver(notification_ids=[n.pk for n in rows])
    sent = [c for c in provider.calls if c["path"] == "/cgi-bin/message/subscribe/send"]
    assert len(sent) == 1
    assert sent[0]["query"]["access_token"] == "tok-1"
    assert sent[0]["json"]["touser"] == "o-abc" and sent[0]["json"]["template_id"] == "tmpl-1"
    assert sent[0]["json"]["data"]["thing1"]["value"] == "有新任务派给您"
    assert Delivery.objects.filter(channel="wechat").count() == 1  # no openid, no wechat row
    assert Delivery.objects.filter(channel="log", status="sent").count() == 2


def test_wechat_user_refused_is_permanent(settings, provider, db):
    settings.NOTIFICATION_CHANNELS = [WECHAT]
    settings.NOTIFICATION_MAX_RETRIES = 3
    user = UserFactory(phone="13800000053", wechat_openid="o-refused")
    provider.default = (200, {"errcode": 43101, "errmsg": "user refuse to accept the msg"})
    (n,) = notify(users=[user], kind="x", title="一")
    deliver.delay([n.pk])
    d = Delivery.objects.get(notification=n)
    assert d.status == "failed" and d.attempts == 1 and d.error == "errcode 43101"


def test_unconfigured_channel_fails_without_calling(settings, sms, resident):
    settings.TENCENT_SMS_NOTIFY_TEMPLATE_ID = settings.ALIYUN_SMS_NOTIFY_TEMPLATE_CODE = ""
    (n,) = notify(users=[resident], kind="x", title="一")
    assert notifications_deliver(notification_ids=[n.pk]) == []  # retrying cannot help
    d = Delivery.objects.get(notification=n)
    assert d.status == "failed" and d.error.startswith("短信服务未配置（")
    assert sms.calls == []


def test_commit_delivers_through_every_channel(settings, provider, sms, db, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_CHANNELS = [LOG, SMS_CHANNELS[sms.name], WECHAT]
    provider.default = (200, {"errcode": 0})
    user = UserFactory(phone="13800000054", wechat_openid="o-all")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(users=[user], kind="slot_reminder", title="两小时后开始服务")
    assert len(callbacks) == 1
    assert sorted(Delivery.objects.values_list("channel", "status")) == [
        ("log", "sent"),
        ("sms", "sent"),
        ("wechat", "sent"),
    ]


def test_wechat_expired_token_is_dropped_and_retried(settings, provider, db):
    from django.core.cache import cache

    from notifications.channels import WechatSubscribeChannel

    settings.NOTIFICATION_CHANNELS = [WECHAT]
    user = UserFactory(phone="13800000055", wechat_openid="o-tok")
    provider.script = [(200, {"errcode": 42001, "errmsg": "access_token expired"})]
    provider.default = (200, {"errcode": 0})
    (n,) = notify(users=[user], kind="x", title="一")
    assert notifications_deliver(notification_ids=[n.pk]) == [n.pk]
    assert cache.get(WechatSubscribeChannel.TOKEN_CACHE_KEY) is None
    assert notifications_deliver(notification_ids=[n.pk]) == []
    token_fetches = [c for c in provider.calls if c["path"] == "/cgi-bin/token"]
    assert len(token_fetches) == 2 and token_fetches[0]["query"]["appid"] == "wx-app"
    d = Delivery.objects.get(notification=n)
    assert d.status == "sent" and d.attempts == 2
