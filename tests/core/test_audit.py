"""The audit trail: every state change, organisation edit, sign-in, token, download and admin
action writes one append-only row saying who, when, what (before → after), from where and how."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection, transaction
from django.db.utils import DatabaseError
from rest_framework.test import APIClient

from accounts.device_tokens import device_token_issue, device_token_revoke
from accounts.models import SignInCode, User
from core import audit
from core.admin_site import AuditedModelAdmin
from core.exports import csv_response
from core.models import AuditEntry
from grids.models import Post
from grids.services.organisation import district_create, district_delete, district_update
from orders.models import Department
from reporting.models import ServiceRecord
from tests.accounts import outbox
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.grids.factories import PostFactory
from tests.reporting.factories import ServiceRecordFactory

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
Action = AuditEntry.Action


def rows(**filters) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**filters).order_by("id"))


@pytest.fixture
def record(placed, community):
    return ServiceRecordFactory(member=placed, community=community)


def token_client(user, *, device="测试手机", ip="203.0.113.7") -> APIClient:
    issued = device_token_issue(user=user, device_name=device)
    c = APIClient(REMOTE_ADDR=ip)
    c.credentials(HTTP_AUTHORIZATION=f"Token {issued.plain}")
    return c


# --- state changes --------------------------------------------------------------------


def test_a_confirmation_over_the_api_says_who_what_from_where_and_how(record, secretary):
    c = token_client(secretary)
    resp = c.post(
        f"{V1}/service-records/{record.pk}/confirm/",
        {"minutes": record.reported_minutes + 30, "reason": "协助搬运多用了半小时"},
        format="json",
    )
    assert resp.status_code == 200, resp.content.decode()
    (entry,) = rows(object_type="reporting.servicerecord", object_id=str(record.pk), action=Action.TRANSITION)
    assert entry.actor_id == secretary.pk and secretary.name in entry.actor_name
    assert entry.changes["status"] == ["pending", "confirmed"]
    assert entry.changes["minutes"][1] == record.reported_minutes + 30
    assert entry.channel == "api" and entry.ip == "203.0.113.7" and entry.device == "测试手机"
    assert "协助搬运" in entry.note


def test_a_rejection_on_the_page_is_written_with_the_page_channel(record, secretary, client):
    client.force_login(secretary)
    resp = client.post(
        f"/work/hours/{record.pk}/reject/",
        {"reason": "未到场"},
        REMOTE_ADDR="198.51.100.2",
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone)",
    )
    assert resp.status_code in (200, 302), resp.content.decode()[:300]
    assert ServiceRecord.objects.get(pk=record.pk).status == ServiceRecord.Status.REJECTED
    (entry,) = rows(object_type="reporting.servicerecord", action=Action.TRANSITION)
    assert entry.channel == "page" and entry.ip == "198.51.100.2" and "iPhone" in entry.device
    assert entry.actor_id == secretary.pk


def test_outside_any_request_the_channel_is_job(record, secretary):
    from reporting.services.records import service_record_confirm

    with transaction.atomic():
        service_record_confirm(record=record, actor=secretary)
    (entry,) = rows(object_type="reporting.servicerecord", action=Action.TRANSITION)
    assert entry.channel == "job" and entry.ip is None


def test_a_refused_change_leaves_no_row(record, placed):
    """The member cannot confirm their own record: nothing changed, so nothing is written."""
    c = client_for(placed.user)
    assert c.post(f"{V1}/service-records/{record.pk}/confirm/", {}, format="json").status_code in (403, 404)
    assert rows(object_type="reporting.servicerecord", action=Action.TRANSITION) == []


# --- organisation edits ---------------------------------------------------------------


def test_organisation_edits_keep_before_and_after_and_survive_deletion():
    d = district_create(code="440299", name="测试区", kind="district", lat=24.8, lng=113.6)
    district_update(district=d, name="测试新区")
    pk = d.pk
    district_delete(district=d)
    created, changed, deleted = rows(object_type="grids.district", object_id=str(pk))
    assert created.action == Action.CREATED and created.changes["name"] == [None, "测试区"]
    assert changed.action == Action.CHANGED and changed.changes["name"] == ["测试区", "测试新区"]
    assert deleted.action == Action.DELETED and deleted.changes["name"] == ["测试新区", None]


# --- sign-in and tokens ---------------------------------------------------------------


def test_sign_in_and_failed_sign_in_are_written(settings, api, django_capture_on_commit_callbacks):
    settings.SMS_CODE_SENDER = "tests.accounts.outbox.OutboxSender"
    outbox.sent.clear()
    phone = "13800000077"
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"{V1}/auth/code/", {"phone": phone}, format="json", REMOTE_ADDR="192.0.2.9")
    ((_, code),) = outbox.sent
    wrong = "000000" if code != "000000" else "111111"
    bad = api.post(f"{V1}/auth/token/", {"phone": phone, "code": wrong}, format="json", REMOTE_ADDR="192.0.2.9")
    assert bad.status_code == 400
    (failed,) = rows(action=Action.SIGN_IN_FAILED)
    assert failed.actor_id is None and failed.object_repr == "138****0077" and failed.ip == "192.0.2.9"
    assert "验证码" in failed.note
    good = api.post(
        f"{V1}/auth/token/",
        {"phone": phone, "code": code, "device_name": "我的手机"},
        format="json",
        REMOTE_ADDR="192.0.2.9",
    )
    assert good.status_code == 200, good.content.decode()
    user = User.objects.get(phone=phone)
    (signed_in,) = rows(action=Action.SIGN_IN)
    assert signed_in.actor_id == user.pk and signed_in.channel == "api" and signed_in.note == "验证码"
    (issued,) = rows(action=Action.TOKEN_ISSUED)
    assert issued.actor_id == user.pk and issued.note == "我的手机"
    assert SignInCode.objects.filter(phone=phone).exists()


def test_a_staff_password_failure_on_the_page_is_written(client, secretary):
    resp = client.post("/login/", {"mode": "password", "phone": secretary.phone, "password": "wrong-password"})
    assert resp.status_code in (200, 400)
    (failed,) = rows(action=Action.SIGN_IN_FAILED)
    assert failed.channel == "page" and failed.object_id == str(secretary.pk) and "密码" in failed.note


def test_admin_sign_in_and_failure_are_written(client):
    boss = User.objects.create_superuser(phone="13800000055", password="s3cret-pass", name="管理员")
    client.post("/admin/login/", {"username": boss.phone, "password": "nope"})
    client.post("/admin/login/", {"username": boss.phone, "password": "s3cret-pass"})
    failed, signed_in = rows(action__in=[Action.SIGN_IN, Action.SIGN_IN_FAILED])
    assert failed.action == Action.SIGN_IN_FAILED and failed.channel == "admin"
    assert failed.object_repr == "138****0055"
    assert signed_in.action == Action.SIGN_IN and signed_in.actor_id == boss.pk


def test_token_revocation_is_written(resident):
    issued = device_token_issue(user=resident, device_name="旧手机")
    device_token_revoke(user=resident, token_id=issued.token.pk)
    (revoked,) = rows(action=Action.TOKEN_REVOKED)
    assert revoked.actor_id == resident.pk and revoked.object_id == str(issued.token.pk)
    assert revoked.object_repr == "旧手机"


def test_signing_out_everywhere_is_written_once_with_every_device(resident):
    c = token_client(resident, device="手机甲")
    device_token_issue(user=resident, device_name="手机乙")
    assert c.post(f"{V1}/auth/devices/revoke-all/").status_code in (200, 204)
    (revoked,) = rows(action=Action.TOKEN_REVOKED)
    assert len(revoked.changes["ids"]) == 2


# --- downloads ------------------------------------------------------------------------


def test_a_download_is_written_with_its_filters_and_row_count(resident):
    with audit.origin(channel="page", ip="192.0.2.1", device="浏览器"):
        response = csv_response("党员名单.csv", ["a"], iter([[1], [2], [3]]), filters={"community": 7})
    b"".join(response.streaming_content)
    (entry,) = rows(action=Action.EXPORT)
    assert entry.object_repr == "党员名单.csv" and entry.changes == {"filters": {"community": 7}, "rows": 3}
    assert entry.channel == "page" and entry.ip == "192.0.2.1"


# --- the admin ------------------------------------------------------------------------


def test_every_registered_admin_writes_the_trail():
    missing = [type(ma).__name__ for ma in admin.site._registry.values() if not isinstance(ma, AuditedModelAdmin)]
    assert missing == []


def test_an_admin_change_keeps_before_and_after(client, admin_user):
    department = Department.objects.create(name="城管", sort_order=1)
    client.force_login(admin_user)
    resp = client.post(
        f"/admin/orders/department/{department.pk}/change/", {"name": "城市管理", "is_active": "on", "sort_order": "1"}
    )
    assert resp.status_code == 302
    (entry,) = rows(action=Action.ADMIN_CHANGE)
    assert entry.changes == {"name": ["城管", "城市管理"]} and entry.channel == "admin"
    assert entry.actor_id == admin_user.pk and entry.object_id == str(department.pk)


def test_an_admin_addition_keeps_the_new_row(client, admin_user):
    client.force_login(admin_user)
    resp = client.post("/admin/orders/department/add/", {"name": "水务", "is_active": "on", "sort_order": "2"})
    assert resp.status_code == 302
    (entry,) = rows(action=Action.ADMIN_ADDITION)
    assert entry.changes["name"] == [None, "水务"] and entry.object_type == "orders.department"


def test_an_admin_action_on_a_selection_is_written(client, admin_user, record):
    client.force_login(admin_user)
    resp = client.post(
        "/admin/reporting/servicerecord/",
        {"action": "confirm", "_selected_action": [record.pk]},
    )
    assert resp.status_code == 302
    (entry,) = rows(action=Action.ADMIN_ACTION)
    assert entry.changes == {"ids": [str(record.pk)]} and entry.object_type == "reporting.servicerecord"
    assert rows(action=Action.TRANSITION, object_id=str(record.pk))[0].channel == "admin"


def test_an_admin_deletion_keeps_the_row_as_it_was(client, admin_user):
    user = UserFactory(phone="13800000066", name="待删")
    client.force_login(admin_user)
    resp = client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    assert resp.status_code == 302
    (entry,) = rows(action=Action.ADMIN_DELETION)
    assert entry.object_id == str(user.pk) and entry.changes["name"] == ["待删", None]
    assert entry.changes["password"] == [audit.HIDDEN, audit.HIDDEN]


# --- who may read it, and nobody may change it -----------------------------------------


@pytest.fixture
def city_staff(db):
    user = UserFactory(phone="13800000099", name="市委组织部", is_staff=True)
    PostFactory(user=user, role=Post.Role.CITY_STAFF, community=None)
    return user


def test_city_staff_read_and_filter_the_trail_in_few_queries(
    client, city_staff, record, secretary, django_assert_max_num_queries
):
    c = token_client(secretary)
    c.post(f"{V1}/service-records/{record.pk}/reject/", {"reason": "未到场"}, format="json")
    for _ in range(30):
        audit.record(Action.EXPORT, object_type="download", object_repr="x.csv")
    client.force_login(city_staff)
    with django_assert_max_num_queries(12):
        page = client.get("/admin/core/auditentry/", {"action": "transition"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    detail = client.get(f"/admin/core/auditentry/{rows(action=Action.TRANSITION)[0].pk}/change/")
    assert detail.status_code == 200 and "未到场" in detail.content.decode()


@pytest.mark.parametrize("who", ["secretary", "street_officer", "placed"])
def test_everyone_below_the_city_is_refused(client, request, who):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    assert client.get("/admin/core/auditentry/").status_code == 403


def test_nobody_changes_or_deletes_a_row_through_the_admin(client, admin_user):
    entry = audit.record(Action.EXPORT, object_type="download", object_repr="x.csv")
    client.force_login(admin_user)
    assert client.post(f"/admin/core/auditentry/{entry.pk}/change/", {"note": "改"}).status_code == 403
    assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


def test_the_model_and_queryset_refuse_changes():
    entry = audit.record(Action.EXPORT, object_type="download", object_repr="x.csv")
    entry.note = "改"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="改")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.postgres
def test_the_database_refuses_update_and_delete_even_to_the_superuser():
    entry = audit.record(Action.EXPORT, object_type="download", object_repr="x.csv")
    for sql in ("UPDATE core_auditentry SET note = 'x' WHERE id = %s", "DELETE FROM core_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="审计记录只能追加"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, note="").exists()


def test_deleting_a_user_keeps_their_history(resident):
    issued = device_token_issue(user=resident, device_name="手机")
    pk = resident.pk
    resident.delete()
    assert rows(actor_id=pk, action=Action.TOKEN_ISSUED)[0].object_id == str(issued.token.pk)


def test_secrets_never_reach_the_trail():
    assert audit.diff({"password": "a"}, {"password": "b"}) == {"password": [audit.HIDDEN, audit.HIDDEN]}
    assert audit.diff({"code_hash": "a"}, {}) == {"code_hash": [audit.HIDDEN, audit.HIDDEN]}
