"""The accounts admin: users by phone (add, change, search by phone and pinyin initials),
sign-in codes read-only without their hash, and who may hand out rights."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.device_tokens import device_token_issue
from accounts.models import DeviceToken, SignInCode, User
from tests.accounts.factories import UserFactory

SECRET_HASH = "pbkdf2_sha256$1000000$salt$c2VjcmV0LWhhc2gtbmV2ZXItc2hvd24="


def url(model, view="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def shown(response) -> set[int]:
    return {obj.pk for obj in response.context["cl"].result_list}


def make_code(phone="13700000001"):
    now = timezone.now()
    return SignInCode.objects.create(
        phone=phone, code_hash=SECRET_HASH, expires_at=now + timedelta(minutes=5), requested_ip="10.0.0.1"
    )


@pytest.fixture
def wjg(db):
    return UserFactory(phone="13712345678", name="王建国")


def test_models_are_registered():
    for model in (User, SignInCode, DeviceToken, Group):
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", [User, SignInCode, DeviceToken, Group], ids=lambda m: m.__name__)
def test_superuser_changelist_and_add_pages(client, admin_user, wjg, model):
    make_code()
    device_token_issue(user=wjg, device_name="iPhone Safari")
    client.force_login(admin_user)
    assert client.get(url(model)).status_code == 200
    assert client.get(url(model, "add")).status_code == (403 if model in (SignInCode, DeviceToken) else 200)


def test_user_list_and_form_are_in_chinese(client, admin_user, wjg):
    client.force_login(admin_user)
    html = client.get(url(User)).content.decode()
    for label in ("手机号", "姓名", "可登录管理后台", "注册时间"):
        assert label in html
    html = client.get(url(User, "change", wjg.pk)).content.decode()
    assert "姓名拼音首字母" in html and "wjg" in html
    assert 'name="name_initials"' not in html  # derived, shown read-only


def test_user_search_by_initials_name_and_phone(client, admin_user, wjg):
    UserFactory(phone="13900001111", name="李四")
    client.force_login(admin_user)
    assert shown(client.get(url(User), {"q": "wjg"})) == {wjg.pk}
    assert shown(client.get(url(User), {"q": "建国"})) == {wjg.pk}
    assert shown(client.get(url(User), {"q": "2345678"})) == {wjg.pk}
    assert shown(client.get(url(User), {"q": "nobody"})) == set()


def test_superuser_adds_user_with_normalised_phone_and_password(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        url(User, "add"),
        {
            "phone": "+86 137-0000-2222",
            "name": "张三",
            "usable_password": "true",
            "password1": "a-Strong-pass-2026",
            "password2": "a-Strong-pass-2026",
            "is_staff": "on",
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    user = User.objects.get(phone="13700002222")
    assert (user.name, user.name_initials, user.is_staff, user.is_superuser) == ("张三", "zs", True, False)
    assert user.check_password("a-Strong-pass-2026")


def test_add_user_rejects_bad_and_duplicate_phone_in_chinese(client, admin_user, wjg):
    client.force_login(admin_user)
    for phone, message in (("12345", "请输入正确的 11 位手机号码"), (wjg.phone, "该手机号已被其他用户使用")):
        response = client.post(url(User, "add"), {"phone": phone, "name": "某人", "usable_password": "false"})
        assert response.status_code == 200
        assert message in str(response.context["adminform"].form.errors["phone"])
    assert User.objects.count() == 2


def test_superuser_changes_user(client, admin_user, wjg):
    client.force_login(admin_user)
    response = client.post(
        url(User, "change", wjg.pk),
        {
            "phone": wjg.phone,
            "name": "王建军",
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    wjg.refresh_from_db()
    assert (wjg.name, wjg.name_initials, wjg.is_staff) == ("王建军", "wjj", True)


def test_staff_cannot_change_users_or_grant_rights(client, secretary, wjg):
    secretary.is_staff = True
    secretary.save(update_fields=["is_staff"])
    client.force_login(secretary)
    response = client.post(
        url(User, "change", secretary.pk),
        {"phone": secretary.phone, "name": secretary.name, "is_active": "on", "is_staff": "on", "is_superuser": "on"},
    )
    assert response.status_code == 403
    secretary.refresh_from_db()
    assert not secretary.is_superuser
    assert client.get(url(User, "add")).status_code == 403
    assert client.get(reverse("admin:auth_user_password_change", args=[wjg.pk])).status_code in (403, 404)


def test_signin_codes_are_read_only_and_never_show_the_hash(client, admin_user):
    code = make_code()
    client.force_login(admin_user)
    listing = client.get(url(SignInCode)).content.decode()
    page = client.get(url(SignInCode, "change", code.pk))
    assert page.status_code == 200
    for html in (listing, page.content.decode()):
        assert "13700000001" in html
        assert SECRET_HASH not in html and "c2VjcmV0" not in html
    response = client.post(url(SignInCode, "change", code.pk), {"phone": "13700000009", "attempts": 0})
    assert response.status_code == 403
    code.refresh_from_db()
    assert code.phone == "13700000001"


def test_signin_codes_hidden_from_staff_without_rights(client, secretary):
    make_code()
    secretary.is_staff = True
    secretary.save(update_fields=["is_staff"])
    client.force_login(secretary)
    assert client.get(url(SignInCode)).status_code == 403


@pytest.mark.parametrize("model", [User, SignInCode], ids=lambda m: m.__name__)
def test_changelist_queries_do_not_grow_with_rows(settings, client, admin_user, model):
    # Sessions straight from the database: a cache shared with other processes (Redis) could
    # drop the cached session between the two measurements and add a query.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"

    def add_rows(n):
        for _ in range(n):
            if model is User:
                UserFactory()
            else:
                make_code(UserFactory.build().phone)

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(model))
        assert response.status_code == 200
        return len(queries), len(response.context["cl"].result_list)

    client.force_login(admin_user)
    add_rows(3)
    client.get(url(model))
    few, rows_few = measure()
    add_rows(12)
    many, rows_many = measure()
    assert rows_many == rows_few + 12
    assert many == few


def test_token_admin_lists_without_a_query_per_row_and_hides_keys(client, admin_user):
    client.force_login(admin_user)
    for n in range(3):
        device_token_issue(user=UserFactory(phone=f"1350000000{n}"), device_name="iPhone Safari")
    with CaptureQueriesContext(connection) as few:
        response = client.get(url(DeviceToken))
    assert response.status_code == 200
    issued = [device_token_issue(user=UserFactory(phone=f"135000000{n:02d}"), device_name="手机") for n in range(3, 15)]
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(DeviceToken))
    assert len(many) == len(few)
    html = response.content.decode()
    assert issued[0].token.prefix in html
    assert issued[0].plain not in html and issued[0].token.digest not in html
    html = client.get(url(DeviceToken, "change", issued[0].token.pk)).content.decode()
    assert issued[0].plain not in html and issued[0].token.digest not in html


def test_token_admin_revokes_all_devices_of_the_chosen_users(client, admin_user, wjg):
    mine = [device_token_issue(user=wjg, device_name=f"设备{n}") for n in range(2)]
    other = device_token_issue(user=UserFactory(phone="13500000001"), device_name="别人的")
    client.force_login(admin_user)
    resp = client.post(
        url(DeviceToken), {"action": "revoke_all_of_their_devices", "_selected_action": [mine[0].token.pk]}
    )
    assert resp.status_code == 302
    assert DeviceToken.objects.filter(user=wjg, revoked_at__isnull=False).count() == 2
    assert DeviceToken.objects.get(pk=other.token.pk).revoked_at is None


def test_token_admin_is_for_superusers_only(client, secretary):
    secretary.is_staff = True
    secretary.save()
    client.force_login(secretary)
    assert client.get(url(DeviceToken)).status_code == 403
