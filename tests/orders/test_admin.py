"""The orders admin: every page renders, list pages cost a fixed number of queries, scoping by
post, statuses untouchable by hand, and the actions that call the services."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.transitions import record_event
from orders.models import (
    Acceptance,
    Department,
    Escalation,
    EscalationEvent,
    EscalationResponse,
    Feedback,
    Like,
    RequestEvent,
    RequestFollower,
    ServiceRequest,
    Task,
    TaskEvent,
)
from tests.accounts.factories import UserFactory
from tests.grids.factories import MemberFactory
from tests.orders.api_support import cn
from tests.orders.factories import (
    AcceptanceFactory,
    DepartmentFactory,
    EscalationFactory,
    ServiceRequestFactory,
    TaskFactory,
)

R, T, E = ServiceRequest.Status, Task.Status, Escalation.Status

MODELS = [ServiceRequest, Feedback, Like, Task, Acceptance, Department, Escalation]
# Rows that only services write: no add page.
READ_ONLY = {ServiceRequest, Feedback, Like, Acceptance, Escalation}


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def add_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def shown(response) -> set[int]:
    return {obj.pk for obj in response.context["cl"].result_list}


def staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def errors(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def act(client, model, action, rows, **fields):
    data = {"action": action, "_selected_action": [r.pk for r in rows], "index": 0, **fields}
    return client.post(changelist(model), data, follow=True)


@pytest.fixture
def sec(secretary):
    return staff(secretary)


@pytest.fixture
def out(outsider):
    return staff(outsider)


@pytest.fixture
def officer(street_officer):
    return staff(street_officer)


# --- row builders: each adds one row (with its inline rows) in the secretary's community ------


def _request(c):
    r = ServiceRequestFactory(community=c["community"], grid=c["grid"])
    RequestFollower.objects.create(request=r, user=UserFactory())
    record_event(r, note="提交点单")
    return r


def _feedback(c):
    r = ServiceRequestFactory(community=c["community"], status=R.RATED)
    return Feedback.objects.create(request=r, score=5, comment="很及时")


def _like(c):
    r = ServiceRequestFactory(community=c["community"], status=R.RATED)
    return Like.objects.create(request=r, member=MemberFactory(community=c["community"]))


def _task(c):
    t = TaskFactory(community=c["community"], grid=c["grid"])
    AcceptanceFactory(task=t)
    TaskEvent.objects.create(task=t, to_status=T.OPEN, note="发布任务")
    return t


def _acceptance(c):
    return AcceptanceFactory(task=TaskFactory(community=c["community"]))


def _department(c):
    return DepartmentFactory()


def _escalation(c):
    e = EscalationFactory(request=ServiceRequestFactory(community=c["community"], status=R.ESCALATED))
    e.departments.add(DepartmentFactory(), DepartmentFactory())
    EscalationResponse.objects.create(escalation=e, department=e.departments.first(), response="已派人查看")
    EscalationEvent.objects.create(escalation=e, to_status=E.OPEN, note="上报")
    return e


BUILDERS = {
    ServiceRequest: _request,
    Feedback: _feedback,
    Like: _like,
    Task: _task,
    Acceptance: _acceptance,
    Department: _department,
    Escalation: _escalation,
}


@pytest.fixture
def ctx(community, grid, other_community):
    return {"community": community, "grid": grid, "other_community": other_community}


# --- pages render -------------------------------------------------------------------------------


def test_every_orders_model_is_registered():
    for model in MODELS:
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_superuser_changelist_add_and_change_pages(client, admin_user, ctx, model):
    obj = BUILDERS[model](ctx)
    client.force_login(admin_user)
    response = client.get(changelist(model))
    assert response.status_code == 200
    assert obj.pk in shown(response)
    assert client.get(add_url(model)).status_code == (403 if model in READ_ONLY else 200)
    assert client.get(change_url(obj)).status_code == 200


def test_pages_are_in_chinese(client, admin_user, ctx):
    r = _request(ctx)
    client.force_login(admin_user)
    html = client.get(changelist(ServiceRequest)).content.decode()
    for label in ("居民点单", "点单人", "关注人数", "驳回", "上报街道联席会议", "街道/镇", "待审核"):
        assert label in html
    html = client.get(change_url(r)).content.decode()
    for label in ("点单进度", "点单关注人", "提交点单"):
        assert label in html


# --- list pages cost the same whatever the number of rows ----------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize("who", ["admin", "secretary"])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_queries_do_not_grow_with_rows(settings, client, admin_user, sec, ctx, model, who):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client.force_login(admin_user if who == "admin" else sec)
    url = changelist(model)
    for _ in range(3):
        BUILDERS[model](ctx)
    client.get(url)  # warm caches (content types, sessions)
    few, rows_few = _count(client, url)
    for _ in range(12):
        BUILDERS[model](ctx)
    many, rows_many = _count(client, url)
    assert rows_few >= 3 and rows_many >= 15
    assert many == few, f"{model.__name__}: {few} queries for {rows_few} rows, {many} for {rows_many}"


# --- search and filters --------------------------------------------------------------------------


def test_request_search_by_title_requester_phone_and_initials(client, admin_user, ctx):
    mine = ServiceRequestFactory(
        community=ctx["community"], title="路灯不亮", requester=UserFactory(phone="13712349876", name="王建国")
    )
    _request(ctx)
    client.force_login(admin_user)
    url = changelist(ServiceRequest)
    assert shown(client.get(url, {"q": "路灯"})) == {mine.pk}
    assert shown(client.get(url, {"q": "1234987"})) == {mine.pk}
    assert shown(client.get(url, {"q": "wjg"})) == {mine.pk}


def test_only_the_communitys_staff_search_requests_by_phone(client, sec, officer, ctx):
    """Street staff see phones masked, so a phone search must not confirm a guessed number to them."""
    mine = ServiceRequestFactory(community=ctx["community"], title="路灯不亮", contact_phone="13712349876")
    url = changelist(ServiceRequest)
    client.force_login(sec)
    assert shown(client.get(url, {"q": "13712349876"})) == {mine.pk}
    client.force_login(officer)
    assert shown(client.get(url, {"q": "路灯"})) == {mine.pk}
    assert shown(client.get(url, {"q": "13712349876"})) == set()


def test_acceptance_search_by_member_initials(client, admin_user, ctx):
    a = AcceptanceFactory(task=TaskFactory(community=ctx["community"]), member__user=UserFactory(name="李志愿"))
    _acceptance(ctx)
    client.force_login(admin_user)
    assert shown(client.get(changelist(Acceptance), {"q": "lzy"})) == {a.pk}


def test_filters_by_status_and_community(client, admin_user, ctx):
    here = _request(ctx)
    there = ServiceRequestFactory(community=ctx["other_community"], status=R.REJECTED, reject_reason="重复")
    client.force_login(admin_user)
    url = changelist(ServiceRequest)
    assert shown(client.get(url, {"community": ctx["community"].pk})) == {here.pk}
    assert shown(client.get(url, {"status__exact": "rejected"})) == {there.pk}
    assert shown(client.get(url, {"street": ctx["community"].street_id})) == {here.pk, there.pk}


# --- scoping -------------------------------------------------------------------------------------


def test_secretary_sees_own_community(client, sec, ctx):
    r, t = _request(ctx), _task(ctx)
    far = ServiceRequestFactory(community=ctx["other_community"])
    client.force_login(sec)
    assert shown(client.get(changelist(ServiceRequest))) == {r.pk}
    assert far.pk not in shown(client.get(changelist(ServiceRequest)))
    assert shown(client.get(changelist(Task))) == {t.pk}
    assert client.get(change_url(r)).status_code == 200


def test_outsider_sees_none_of_this_community(client, out, ctx):
    r, t, e, a = _request(ctx), _task(ctx), _escalation(ctx), _acceptance(ctx)
    f, like = _feedback(ctx), _like(ctx)
    client.force_login(out)
    assert r.pk not in shown(client.get(changelist(ServiceRequest)))
    assert t.pk not in shown(client.get(changelist(Task)))
    assert e.pk not in shown(client.get(changelist(Escalation)))
    assert a.pk not in shown(client.get(changelist(Acceptance)))
    assert f.pk not in shown(client.get(changelist(Feedback)))
    assert like.pk not in shown(client.get(changelist(Like)))
    for obj in (r, t, e, a, f, like):
        response = client.get(change_url(obj))
        assert response.status_code in (302, 403, 404), obj
        if response.status_code == 302:
            assert response.url == reverse("admin:index")


def test_outsider_cannot_change_or_act_on_them(client, out, ctx):
    r, t = _request(ctx), _task(ctx)
    client.force_login(out)
    response = client.post(change_url(t), {"title": "被改名", "description": "", "address": "别处"})
    assert response.status_code in (302, 403, 404)
    act(client, ServiceRequest, "reject", [r], reason="越权驳回")
    act(client, Task, "cancel", [t], reason="越权取消")
    r.refresh_from_db()
    t.refresh_from_db()
    assert (r.status, t.status, t.title) == (R.SUBMITTED, T.OPEN, t.title)
    assert not RequestEvent.objects.filter(request=r, to_status=R.REJECTED).exists()
    assert not TaskEvent.objects.filter(task=t, to_status=T.CANCELLED).exists()


def test_outsider_autocomplete_leaves_out_this_community(client, out, sec, ctx):
    def found(user):
        client.force_login(user)
        params = {"app_label": "orders", "model_name": "task", "field_name": "community", "term": ""}
        response = client.get(reverse("admin:autocomplete"), params)
        assert response.status_code == 200
        return {int(row["id"]) for row in response.json()["results"]}

    assert ctx["community"].pk not in found(out)
    assert ctx["community"].pk in found(sec)


def test_staff_without_post_sees_nothing(client, ctx):
    _request(ctx)
    client.force_login(UserFactory(is_staff=True))
    for model in MODELS:
        assert client.get(changelist(model)).status_code == 403, model


def test_escalations_seen_by_street_not_by_grid_secretary(client, officer, ctx):
    from grids.models import Post
    from tests.grids.factories import PostFactory

    e = _escalation(ctx)
    client.force_login(officer)
    assert shown(client.get(changelist(Escalation))) == {e.pk}
    grid_sec = staff(UserFactory())
    PostFactory(user=grid_sec, role=Post.Role.GRID_SECRETARY, community=None, grid=ctx["grid"])
    client.force_login(grid_sec)
    assert shown(client.get(changelist(Escalation))) == set()


# --- nothing changes state by hand ----------------------------------------------------------------


def test_statuses_are_read_only(client, admin_user, ctx):
    t = _task(ctx)
    client.force_login(admin_user)
    response = client.get(change_url(t))
    form = response.context["adminform"].form
    assert set(form.fields) == {"title", "description", "address"}
    # The read-only inlines still post their (empty) management forms.
    inlines = {f"{p}-{k}": 0 for p in ("acceptances", "events") for k in ("TOTAL_FORMS", "INITIAL_FORMS")}
    response = client.post(
        change_url(t),
        {"title": "新标题", "description": "说明", "address": "新地点", "status": "completed", **inlines},
    )
    assert response.status_code == 302
    t.refresh_from_db()
    assert (t.title, t.status) == ("新标题", T.OPEN)
    r = _request(ctx)
    response = client.post(change_url(r), {"status": "closed", "title": "x"})
    assert response.status_code == 403
    r.refresh_from_db()
    assert r.status == R.SUBMITTED


def test_events_photos_feedback_and_likes_cannot_be_added_or_changed(client, admin_user, ctx):
    client.force_login(admin_user)
    for model in (Feedback, Like, Acceptance, Escalation, ServiceRequest):
        assert client.get(add_url(model)).status_code == 403
    r = _request(ctx)
    response = client.get(change_url(r))
    for formset in response.context["inline_admin_formsets"]:
        assert not formset.has_add_permission and not formset.has_change_permission
    assert not admin.site.is_registered(RequestEvent)


def test_request_contact_is_masked_for_street_staff(client, sec, officer, ctx):
    r = ServiceRequestFactory(community=ctx["community"], contact_phone="13912345678")
    client.force_login(sec)
    assert "13912345678" in client.get(change_url(r)).content.decode()
    client.force_login(officer)
    html = client.get(change_url(r)).content.decode()
    assert "13912345678" not in html and "139****5678" in html


# --- actions call the services ----------------------------------------------------------------------


def test_reject_action(client, sec, ctx):
    r = _request(ctx)
    client.force_login(sec)
    response = act(client, ServiceRequest, "reject", [r], reason="不属于社区职责")
    assert not errors(response)
    r.refresh_from_db()
    assert (r.status, r.reject_reason) == (R.REJECTED, "不属于社区职责")
    event = RequestEvent.objects.get(request=r, to_status=R.REJECTED)
    assert (event.from_status, event.actor_id) == (R.SUBMITTED, sec.pk)


def test_reject_without_reason_or_twice_is_refused(client, sec, ctx):
    r = _request(ctx)
    client.force_login(sec)
    response = act(client, ServiceRequest, "reject", [r], reason="  ")
    assert any("请填写未通过理由" in m for m in errors(response))
    r.refresh_from_db()
    assert r.status == R.SUBMITTED
    done = ServiceRequestFactory(community=ctx["community"], status=R.REJECTED, reject_reason="重复")
    response = act(client, ServiceRequest, "reject", [done], reason="再驳回")
    assert errors(response)
    done.refresh_from_db()
    assert done.reject_reason == "重复"
    assert not RequestEvent.objects.filter(to_status=R.REJECTED).exists()


def test_escalate_action(client, sec, ctx):
    r = _request(ctx)
    client.force_login(sec)
    response = act(client, ServiceRequest, "escalate", [r], reason="涉及多个部门")
    assert not errors(response)
    r.refresh_from_db()
    assert r.status == R.ESCALATED
    assert Escalation.objects.get(request=r).street_id == ctx["community"].street_id
    assert RequestEvent.objects.filter(request=r, to_status=R.ESCALATED).exists()


def test_escalate_a_closed_request_is_refused(client, sec, ctx):
    r = ServiceRequestFactory(community=ctx["community"], status=R.CLOSED)
    client.force_login(sec)
    response = act(client, ServiceRequest, "escalate", [r], reason="涉及多个部门")
    assert errors(response)
    r.refresh_from_db()
    assert r.status == R.CLOSED
    assert not Escalation.objects.exists()


def test_cancel_task_action(client, sec, ctx):
    t = TaskFactory(community=ctx["community"])
    client.force_login(sec)
    response = act(client, Task, "cancel", [t], reason="天气原因")
    assert not errors(response)
    t.refresh_from_db()
    assert (t.status, t.cancel_reason) == (T.CANCELLED, "天气原因")
    assert TaskEvent.objects.filter(task=t, to_status=T.CANCELLED, actor=sec).exists()


def test_cancel_without_reason_or_completed_task_is_refused(client, sec, ctx):
    t = TaskFactory(community=ctx["community"])
    done = TaskFactory(community=ctx["community"], status=T.COMPLETED)
    client.force_login(sec)
    response = act(client, Task, "cancel", [t], reason="")
    assert any("取消理由" in m for m in errors(response))
    response = act(client, Task, "cancel", [done], reason="天气原因")
    assert errors(response)
    t.refresh_from_db()
    done.refresh_from_db()
    assert (t.status, done.status) == (T.OPEN, T.COMPLETED)
    assert not TaskEvent.objects.exists()


def test_complete_task_action(client, sec, ctx):
    t = TaskFactory(community=ctx["community"])
    client.force_login(sec)
    response = act(client, Task, "complete", [t])
    assert not errors(response)
    t.refresh_from_db()
    assert t.status == T.COMPLETED and t.completed_at
    assert TaskEvent.objects.filter(task=t, to_status=T.COMPLETED).exists()


def test_complete_a_cancelled_task_is_refused(client, sec, ctx):
    t = TaskFactory(community=ctx["community"], status=T.CANCELLED, cancel_reason="天气原因")
    client.force_login(sec)
    response = act(client, Task, "complete", [t])
    assert errors(response)
    t.refresh_from_db()
    assert t.status == T.CANCELLED
    assert not TaskEvent.objects.exists()


def test_resolve_escalation_action(client, officer, ctx):
    e = _escalation(ctx)
    client.force_login(officer)
    response = act(client, Escalation, "resolve", [e], outcome="住建部门已完成维修")
    assert not errors(response)
    e.refresh_from_db()
    assert (e.status, e.outcome) == (E.RESOLVED, "住建部门已完成维修")
    assert EscalationEvent.objects.filter(escalation=e, to_status=E.RESOLVED, actor=officer).exists()
    e.request.refresh_from_db()
    assert e.request.status == R.RESOLVED


def test_resolve_without_outcome_or_by_community_is_refused(client, officer, sec, ctx):
    e = _escalation(ctx)
    client.force_login(officer)
    response = act(client, Escalation, "resolve", [e], outcome="")
    assert any("会商结果" in m for m in errors(response))
    client.force_login(sec)
    response = act(client, Escalation, "resolve", [e], outcome="社区自行办结")
    assert any("街道" in m for m in errors(response))
    e.refresh_from_db()
    assert e.status == E.OPEN
    assert not EscalationEvent.objects.filter(to_status=E.RESOLVED).exists()


def test_assign_escalation_action(client, officer, sec, ctx):
    e = EscalationFactory(request=ServiceRequestFactory(community=ctx["community"], status=R.ESCALATED))
    dept = DepartmentFactory(name="住建")
    client.force_login(sec)  # the community cannot assign the street's departments
    response = act(client, Escalation, "assign", [e], department=dept.pk)
    assert any("街道" in m for m in errors(response))
    e.refresh_from_db()
    assert e.status == E.OPEN
    client.force_login(officer)
    response = act(client, Escalation, "assign", [e], department="")
    assert any("请选择" in m for m in errors(response))
    response = act(client, Escalation, "assign", [e], department=dept.pk)
    assert not errors(response)
    e.refresh_from_db()
    assert e.status == E.ASSIGNED and e.deadline > timezone.now()
    assert list(e.departments.all()) == [dept]
    assert EscalationEvent.objects.filter(escalation=e, to_status=E.ASSIGNED, actor=officer).exists()


def test_mark_overdue_action(client, officer, sec, ctx):
    e = _escalation(ctx)
    Escalation.objects.filter(pk=e.pk).update(status=E.ASSIGNED, deadline=timezone.now() - dt.timedelta(days=1))
    client.force_login(sec)  # community level: not theirs to run
    response = act(client, Escalation, "mark_overdue", [e])
    assert errors(response)
    e.refresh_from_db()
    assert not e.overdue
    client.force_login(officer)
    response = act(client, Escalation, "mark_overdue", [e])
    assert not errors(response)
    e.refresh_from_db()
    assert e.overdue and e.overdue_notified_at
    assert EscalationEvent.objects.filter(escalation=e, note="已超过办理期限").exists()


# --- adding a task goes through task_create ------------------------------------------------------------


def _task_form(community, **over):
    start = timezone.localtime() + dt.timedelta(days=2)
    data = {
        "community": community.pk,
        "grid": "",
        "focus": "service",
        "duty": "convenience",
        "title": "义诊进社区",
        "description": "量血压、测血糖",
        "address": "党群服务中心",
        "lat": "24.8035",
        "lng": "113.5905",
        "coord_system": "wgs84",
        "geofence_radius_m": "300",
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": "19:00:00",
        "ends_at_0": start.strftime("%Y-%m-%d"),
        "ends_at_1": "21:00:00",
        "slots": "4",
        "visibility": "community",
    }
    return {**data, **over}


def test_add_task_calls_task_create(client, sec, ctx):
    client.force_login(sec)
    response = client.post(add_url(Task), _task_form(ctx["community"]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    t = Task.objects.get(title="义诊进社区")
    assert (t.created_by_id, t.status, t.slots) == (sec.pk, T.OPEN, 4)
    assert TaskEvent.objects.filter(task=t, to_status=T.OPEN, note="发布任务").exists()


def test_add_task_refused_by_the_service_shows_form_errors(client, sec, out, ctx):
    client.force_login(sec)
    response = client.post(add_url(Task), _task_form(ctx["community"], lat="39.9", lng="116.4"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    client.force_login(out)  # another community's secretary cannot even pick this community
    response = client.post(add_url(Task), _task_form(ctx["community"]))
    assert response.status_code == 200
    assert not Task.objects.exists()


def test_department_editable_by_superuser_only(client, admin_user, sec, ctx):
    d = DepartmentFactory(name="住建")
    client.force_login(sec)
    assert client.post(change_url(d), {"name": "住建局", "is_active": "", "sort_order": "1"}).status_code == 403
    client.force_login(admin_user)
    response = client.post(change_url(d), {"name": "住建局", "sort_order": "1"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert (d.name, d.is_active, d.sort_order) == ("住建局", False, 1)


# --- edits go through services and leave event rows ----------------------------------------------


def _inlines():
    return {f"{p}-{k}": 0 for p in ("acceptances", "events") for k in ("TOTAL_FORMS", "INITIAL_FORMS")}


def test_editing_a_tasks_wording_writes_an_event_row(client, sec, ctx):
    t = TaskFactory(community=ctx["community"], title="旧标题", description="说明", address="旧地点")
    client.force_login(sec)
    response = client.post(
        change_url(t),
        {"title": "新标题", "description": "说明", "address": "新地点", "status": "cancelled", **_inlines()},
    )
    assert response.status_code == 302
    t.refresh_from_db()
    assert (t.title, t.address, t.status) == ("新标题", "新地点", T.OPEN)
    event = TaskEvent.objects.get(task=t)
    assert (event.kind, event.actor_id, event.from_status, event.to_status) == ("edited", sec.pk, T.OPEN, T.OPEN)
    assert event.note == "修改了标题、地点"


def test_saving_a_task_unchanged_writes_nothing(client, sec, ctx):
    t = TaskFactory(community=ctx["community"], title="夜巡", description="", address="东门")
    client.force_login(sec)
    response = client.post(change_url(t), {"title": "夜巡", "description": "", "address": "东门", **_inlines()})
    assert response.status_code == 302
    assert not TaskEvent.objects.filter(task=t).exists()


def test_a_task_refused_by_the_service_leaves_no_row_and_no_event(client, sec, ctx):
    client.force_login(sec)
    response = client.post(add_url(Task), _task_form(ctx["community"], lat="39.9", lng="116.4"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.non_field_errors() and all(cn(e) for e in form.non_field_errors())
    assert not Task.objects.exists() and not TaskEvent.objects.exists()


def test_tasks_are_cancelled_not_deleted(client, admin_user, ctx):
    t = TaskFactory(community=ctx["community"])
    client.force_login(admin_user)
    assert client.get(reverse("admin:orders_task_delete", args=[t.pk])).status_code == 403
    response = client.get(changelist(Task))
    assert "delete_selected" not in dict(response.context["action_form"].fields["action"].choices)
    assert Task.objects.filter(pk=t.pk).exists()


@pytest.mark.parametrize("model", [ServiceRequest, Acceptance, Escalation])
def test_rows_of_other_machines_cannot_be_changed_or_deleted(client, admin_user, ctx, model):
    row = BUILDERS[model](ctx)
    client.force_login(admin_user)
    assert client.post(change_url(row), {"status": "closed"}).status_code == 403
    assert client.get(reverse(f"admin:orders_{model._meta.model_name}_delete", args=[row.pk])).status_code == 403
    action_form = client.get(changelist(model)).context["action_form"]  # None: no actions at all
    assert action_form is None or "delete_selected" not in dict(action_form.fields["action"].choices)


def test_task_actions_write_event_rows(client, sec, ctx):
    t = TaskFactory(community=ctx["community"])
    client.force_login(sec)
    act(client, Task, "complete", [t])
    event = TaskEvent.objects.get(task=t)
    assert (event.from_status, event.to_status, event.actor_id) == (T.OPEN, T.COMPLETED, sec.pk)
