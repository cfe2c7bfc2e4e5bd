"""The 三单 pages through the Django test client: each page for the right user, an anonymous
visitor and an outsider; list pages whose query count does not grow; and the whole flow
resident → secretary → member → resident through the pages."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from grids.vocab import Duty
from notifications.models import Notification
from orders.models import Acceptance, Escalation, RequestFollower, ServiceRequest, Task
from reporting.models import ServiceRecord
from tests.orders.factories import (
    AcceptanceFactory,
    DepartmentFactory,
    EscalationFactory,
    ServiceRequestFactory,
    TaskFactory,
)
from tests.orders.support import snapshot
from tests.pages import browser_for, html, page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def evening(days: int = 1, hour: int = 19) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


# --- names and sign-in ----------------------------------------------------------------------


def test_url_names():
    assert reverse("order") == "/order/"
    assert reverse("tasks") == "/tasks/"
    assert reverse("orders:my_requests") == "/my/requests/"
    assert reverse("orders:work_requests") == "/work/requests/"
    assert reverse("notifications:inbox") == "/inbox/"


@pytest.mark.parametrize(
    "url",
    [
        "/order/",
        "/order/nearby/",
        "/my/requests/",
        "/my/requests/1/",
        "/tasks/1/",
        "/my/tasks/",
        "/work/",
        "/work/requests/",
        "/work/requests/1/",
        "/work/tasks/",
        "/work/tasks/new/",
        "/work/tasks/1/",
        "/work/escalations/",
        "/work/escalations/1/",
        "/inbox/",
    ],
)
def test_anonymous_is_sent_to_sign_in(client, url):
    r = client.get(url)
    assert r.status_code == 302
    assert r["Location"] == f"/login/?next={url}"


def test_tasks_tab_for_anonymous_and_non_member(client, resident):
    assert "登录后查看" in html(client.get("/tasks/"))
    assert "成为志愿者后接单" in html(browser_for(resident).get("/tasks/"))


# --- 点单 ------------------------------------------------------------------------------------


def test_order_page_lists_duties_and_prefills_the_phone(resident):
    page = html(browser_for(resident).get("/order/"))
    for label in Duty.labels:
        assert label in page
    assert "使用当前位置" in page and 'value="13800000001"' in page
    assert "是否是您的问题？" in page


def test_resident_places_an_order(resident, community, other_community, secretary):
    c = browser_for(resident)
    r = c.post(
        "/order/",
        {
            "duty": Duty.SANITATION,
            "title": "楼道堆放杂物",
            "description": "2 单元楼道堆满纸箱。",
            "address": "工业中社区 1 栋 2 单元",
            "lat": "24.8036",
            "lng": "113.5906",
            "coord_system": "wgs84",
            "community": "",
            "contact_phone": "13800000001",
            "preferred_time": local(evening()),
        },
    )
    req = ServiceRequest.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/my/requests/{req.pk}/"
    assert req.community == community and req.status == ServiceRequest.Status.SUBMITTED
    assert req.preferred_time == evening()
    assert "待审核" in html(c.get(r["Location"]))


def test_resident_corrects_the_community(resident, community, other_community):
    browser_for(resident).post(
        "/order/",
        {
            "duty": Duty.SAFETY,
            "title": "路灯不亮",
            "description": "晚上很黑。",
            "address": "东堤路口",
            "lat": "24.8036",
            "lng": "113.5906",
            "community": str(other_community.pk),
            "contact_phone": "13800000001",
        },
    )
    assert ServiceRequest.objects.get().community == other_community


def test_order_without_a_community_nearby_is_refused(resident, community):
    page = html(
        browser_for(resident).post(
            "/order/",
            {
                "duty": Duty.SAFETY,
                "title": "路灯不亮",
                "description": "晚上很黑。",
                "address": "山里",
                "lat": "25.30",  # in Shaoguan, ~55 km from the only community
                "lng": "113.60",
                "community": "",
                "contact_phone": "13800000001",
            },
        )
    )
    assert "您的位置附近没有找到社区，请确认位置在韶关市内。" in page
    assert not ServiceRequest.objects.exists()


def test_order_errors_are_shown_in_chinese_and_nothing_is_saved(resident, community):
    c = browser_for(resident)
    page = html(c.post("/order/", {"duty": Duty.SAFETY, "title": "", "description": "x", "address": "x"}))
    assert "请填写标题。" in page and "请使用当前位置，或搜索社区名称、地址后选择所属社区。" in page
    page = html(
        c.post(
            "/order/",
            {
                "duty": Duty.SAFETY,
                "title": "t",
                "description": "d",
                "address": "a",
                "lat": "39.9",
                "lng": "116.4",
                "contact_phone": "13800000001",
                "community": str(community.pk),
            },
        )
    )
    assert "该位置不在韶关市范围内。" in page
    assert not ServiceRequest.objects.exists()


def test_nearby_endpoint_proposes_communities_and_same_duty_requests(resident, member, community, other_community):
    same = ServiceRequestFactory(community=community, duty=Duty.SANITATION, title="垃圾堆积")
    ServiceRequestFactory(community=community, duty=Duty.SAFETY, title="别的类别")
    ServiceRequestFactory(
        community=community, duty=Duty.SANITATION, status=ServiceRequest.Status.REJECTED, reject_reason="重复"
    )
    data = browser_for(resident).get(f"/order/nearby/?lat=24.8035&lng=113.5905&duty={Duty.SANITATION}").json()
    assert data["communities"][0]["name"] == "工业中社区"
    assert [r["id"] for r in data["requests"]] == [same.pk]
    assert data["requests"][0]["title"] == "垃圾堆积"
    assert "contact_phone" not in data["requests"][0]
    assert browser_for(resident).get("/order/nearby/?lat=39.9&lng=116.4").status_code == 400


def test_join_a_nearby_request(resident, community):
    other = ServiceRequestFactory(community=community, address="工业中社区 9 栋 302")
    c = browser_for(resident)
    r = c.post(f"/requests/{other.pk}/join/", {"lat": other.lat, "lng": other.lng, "coord_system": "wgs84"})
    assert r.status_code == 302 and r["Location"] == f"/my/requests/{other.pk}/"
    assert RequestFollower.objects.filter(request=other, user=resident).exists()
    assert other.title in html(c.get("/my/requests/"))
    page = html(c.get(f"/my/requests/{other.pk}/"))
    assert other.title in page and "9 栋 302" not in page and "详细地址已隐藏" in page
    assert "确认已解决" not in page


def test_order_with_photos(resident, community):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.orders.support import jpeg_bytes

    photos = [SimpleUploadedFile(f"p{i}.jpg", jpeg_bytes(), content_type="image/jpeg") for i in range(2)]
    data = {
        "duty": Duty.SANITATION,
        "title": "垃圾桶满溢",
        "description": "好几天没清运。",
        "address": "工业中社区 2 栋",
        "lat": "24.8035",
        "lng": "113.5905",
        "contact_phone": "13800000001",
        "photos": photos,
    }
    r = browser_for(resident).post("/order/", data)
    assert r.status_code == 302
    req = ServiceRequest.objects.get()
    assert req.photos.count() == 2
    page = html(browser_for(resident).get(f"/my/requests/{req.pk}/"))
    assert page.count("现场照片") == 2


def test_my_requests_hide_other_peoples(resident, community):
    mine = ServiceRequestFactory(community=community, requester=resident, title="我的点单")
    theirs = ServiceRequestFactory(community=community, title="别人的点单")
    c = browser_for(resident)
    page = html(c.get("/my/requests/"))
    assert "我的点单" in page and "别人的点单" not in page
    assert c.get(f"/my/requests/{mine.pk}/").status_code == 200
    assert c.get(f"/my/requests/{theirs.pk}/").status_code == 404
    before = snapshot(theirs)
    assert c.post(f"/my/requests/{theirs.pk}/reopen/", {"reason": "x"}).status_code == 404
    assert c.post(f"/my/requests/{theirs.pk}/confirm/").status_code == 404
    assert snapshot(theirs) == before


def test_rejected_request_shows_the_reason(resident, community, secretary):
    row = ServiceRequestFactory(community=community, requester=resident)
    browser_for(secretary).post(f"/work/requests/{row.pk}/reject/", {"reason": "不属于社区服务范围"})
    page = html(browser_for(resident).get(f"/my/requests/{row.pk}/"))
    assert "未通过" in page and "不属于社区服务范围" in page


def test_my_requests_query_count_is_flat(resident, community):
    c = browser_for(resident)
    ServiceRequestFactory(community=community, requester=resident)
    few = page_queries(c, "/my/requests/")
    for _ in range(6):
        ServiceRequestFactory(community=community, requester=resident)
        RequestFollower.objects.create(request=ServiceRequestFactory(community=community), user=resident)
    assert page_queries(c, "/my/requests/") == few


# --- 接单 ------------------------------------------------------------------------------------


def test_task_hall_lists_visible_tasks_nearest_first(placed, community, other_community, secretary):
    near = TaskFactory(community=community, title="近处任务", created_by=secretary)
    TaskFactory(community=other_community, title="别的社区任务")
    page = html(browser_for(placed.user).get("/tasks/"))
    assert "近处任务" in page and "别的社区任务" not in page
    assert f'data-task="{near.pk}"' in page
    page = html(browser_for(placed.user).get(f"/tasks/?duty={Duty.SAFETY}"))
    assert "近处任务" not in page
    page = html(browser_for(placed.user).get("/tasks/?lat=24.8035&lng=113.5905&km=1"))
    assert "近处任务" in page and "按当前位置排序" in page


def test_task_hall_query_count_is_flat(placed, community, secretary):
    c = browser_for(placed.user)
    TaskFactory(community=community, created_by=secretary)
    few = page_queries(c, "/tasks/")
    for _ in range(6):
        TaskFactory(community=community, created_by=secretary)
    AcceptanceFactory(task=TaskFactory(community=community, created_by=secretary), member=placed)
    assert page_queries(c, "/tasks/") == few


def test_task_page_has_an_amap_link_in_gcj02(placed, community, secretary):
    task = TaskFactory(community=community, created_by=secretary, title="义诊")
    page = html(browser_for(placed.user).get(f"/tasks/{task.pk}/"))
    assert "https://uri.amap.com/marker?position=" in page
    # GCJ-02 in mainland China is a few hundred metres off WGS-84: the link is not the raw point.
    assert f"{task.lng:.6f},{task.lat:.6f}" not in page
    assert "我要接单" in page


def test_member_cannot_open_another_communitys_task(placed, other_community):
    task = TaskFactory(community=other_community)
    c = browser_for(placed.user)
    assert c.get(f"/tasks/{task.pk}/").status_code == 404
    assert c.post(f"/tasks/{task.pk}/accept/").status_code == 404
    assert not Acceptance.objects.exists()


def test_accept_consent_check_in_and_out(placed, community, secretary):
    task = TaskFactory(community=community, created_by=secretary, slots=2)
    c = browser_for(placed.user)
    c.post(f"/tasks/{task.pk}/accept/")
    acc = Acceptance.objects.get()
    page = html(c.get(f"/tasks/{task.pk}/"))
    assert "定位签到单独同意" in page and "180 天" in page
    c.post("/my/consent/", {"next": f"/tasks/{task.pk}/"})
    page = html(c.get(f"/tasks/{task.pk}/"))
    assert "定位签到单独同意" not in page and "到场签到" in page
    with time_machine.travel(task.starts_at + dt.timedelta(minutes=5)):
        r = c.post(f"/my/tasks/{acc.pk}/checkin/", {"lat": "39.9", "lng": "116.4"}, follow=True)
        assert "该位置不在韶关市范围内" in html(r) or "米" in html(r)
        acc.refresh_from_db()
        assert acc.status == Acceptance.Status.ACCEPTED
        c.post(f"/my/tasks/{acc.pk}/checkin/", {"lat": task.lat, "lng": task.lng, "coord_system": "wgs84"})
        acc.refresh_from_db()
        assert acc.status == Acceptance.Status.CHECKED_IN
    with time_machine.travel(task.starts_at + dt.timedelta(minutes=65)):
        c.post(f"/my/tasks/{acc.pk}/checkout/")
    acc.refresh_from_db()
    assert acc.status == Acceptance.Status.COMPLETED and acc.record is not None
    assert task.title in html(c.get("/my/tasks/"))
    page = html(c.get("/my/hours/"))
    assert "待社区确认" in page and "20 小时" in page
    c.post("/my/consent/revoke/")
    assert "撤回定位签到同意</button>" not in html(c.get("/my/hours/"))


def test_withdraw_only_ones_own(placed, community, secretary):
    task = TaskFactory(community=community, created_by=secretary)
    other = AcceptanceFactory(task=task)
    r = browser_for(placed.user).post(f"/my/tasks/{other.pk}/withdraw/")
    assert r.status_code == 404
    other.refresh_from_db()
    assert other.status == Acceptance.Status.ACCEPTED


def test_my_tasks_query_count_is_flat(placed, community, secretary):
    c = browser_for(placed.user)
    AcceptanceFactory(member=placed, task=TaskFactory(community=community, created_by=secretary))
    few = page_queries(c, "/my/tasks/")
    for d in range(2, 7):
        t = TaskFactory(community=community, created_by=secretary, starts_at=evening(d))
        AcceptanceFactory(member=placed, task=t)
    assert page_queries(c, "/my/tasks/") == few


# --- 审核派单 --------------------------------------------------------------------------------


def test_non_staff_get_403_on_work_pages(resident):
    c = browser_for(resident)
    for url in ("/work/", "/work/requests/", "/work/tasks/", "/work/escalations/"):
        assert c.get(url).status_code == 403


def test_pending_requests_oldest_first_with_waiting_time(secretary, community):
    old = ServiceRequestFactory(community=community, title="老点单", created_at=timezone.now() - dt.timedelta(days=2))
    new = ServiceRequestFactory(community=community, title="新点单")
    page = html(browser_for(secretary).get("/work/requests/"))
    assert page.index(f'data-request="{old.pk}"') < page.index(f'data-request="{new.pk}"')
    assert "2 天" in page


def test_work_request_list_query_count_is_flat(secretary, community):
    c = browser_for(secretary)
    ServiceRequestFactory(community=community)
    few = page_queries(c, "/work/requests/")
    for _ in range(6):
        ServiceRequestFactory(community=community)
    assert page_queries(c, "/work/requests/") == few


def test_outsider_cannot_see_or_review(outsider, community, resident):
    row = ServiceRequestFactory(community=community, requester=resident)
    task = TaskFactory(community=community)
    c = browser_for(outsider)
    before = snapshot(row)
    assert c.get(f"/work/requests/{row.pk}/").status_code == 404
    assert row.title not in html(c.get("/work/requests/"))
    for action, data in (
        ("reject", {"reason": "x"}),
        ("approve", {"task": task.pk}),
        ("escalate", {"reason": "x"}),
        ("merge", {"into": row.pk}),
    ):
        assert c.post(f"/work/requests/{row.pk}/{action}/", data).status_code == 404
    assert snapshot(row) == before
    assert c.get(f"/work/tasks/{task.pk}/").status_code == 404
    assert c.post(f"/work/tasks/{task.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert c.post(f"/work/tasks/{task.pk}/complete/").status_code == 404
    assert c.post(f"/work/tasks/{task.pk}/escalate/", {"reason": "x"}).status_code == 404
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_secretary_approves_into_an_existing_task_and_merges(secretary, community):
    task = TaskFactory(community=community, created_by=secretary)
    row = ServiceRequestFactory(community=community)
    dup = ServiceRequestFactory(community=community)
    c = browser_for(secretary)
    page = html(c.get(f"/work/requests/{row.pk}/"))
    assert "受理并派单" in page and "并入该任务" in page and "上报街道联席会议" in page
    c.post(f"/work/requests/{row.pk}/approve/", {"task": task.pk})
    row.refresh_from_db()
    assert row.status == ServiceRequest.Status.APPROVED and row.task == task
    c.post(f"/work/requests/{dup.pk}/merge/", {"into": row.pk})
    dup.refresh_from_db()
    assert dup.status == ServiceRequest.Status.MERGED and dup.merged_into == row


def test_approve_with_bad_times_shows_a_chinese_error(secretary, community):
    row = ServiceRequestFactory(community=community)
    r = browser_for(secretary).post(
        f"/work/requests/{row.pk}/approve/", {"focus": "service", "slots": "2"}, follow=True
    )
    assert "请填写开始时间。" in html(r)
    row.refresh_from_db()
    assert row.status == ServiceRequest.Status.SUBMITTED


def test_whistle_a_task_with_working_hours_warning(secretary, community):
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time(10, 0)))
    c = browser_for(secretary)
    assert "八小时之外" in html(c.get("/work/tasks/new/"))
    r = c.post(
        "/work/tasks/new/",
        {
            "community": community.pk,
            "focus": "governance",
            "duty": Duty.SAFETY,
            "title": "消防检查",
            "address": "工业中社区",
            "starts_at": local(start),
            "ends_at": local(start + dt.timedelta(hours=2)),
            "slots": "3",
            "visibility": "community",
        },
        follow=True,
    )
    task = Task.objects.get()
    assert task.title == "消防检查" and (task.lat, task.lng) == (community.lat, community.lng)
    assert 'data-testid="working-hours"' in html(r)


def test_whistle_into_another_community_is_refused(outsider, community):
    r = browser_for(outsider).post(
        "/work/tasks/new/",
        {
            "community": community.pk,
            "focus": "governance",
            "duty": Duty.SAFETY,
            "title": "x",
            "address": "x",
            "starts_at": local(evening()),
            "ends_at": local(evening() + dt.timedelta(hours=1)),
            "slots": "1",
            "visibility": "community",
        },
    )
    assert "只能在本辖区的社区发布任务。" in html(r)
    assert not Task.objects.exists()


def test_task_board_and_page(secretary, community, placed):
    task = TaskFactory(community=community, created_by=secretary, title="看板任务")
    c = browser_for(secretary)
    assert "看板任务" in html(c.get("/work/tasks/"))
    page = html(c.get(f"/work/tasks/{task.pk}/"))
    assert "推荐党员" in page and "王党员" in page and "通知前" in page
    r = c.post(f"/work/tasks/{task.pk}/notify/", {"n": "5"}, follow=True)
    assert "已通知 1 名党员。" in html(r)
    c.post(f"/work/tasks/{task.pk}/cancel/", {"reason": "天气原因"})
    task.refresh_from_db()
    assert task.status == Task.Status.CANCELLED


def test_secretary_escalates_a_task_to_the_street(secretary, community):
    task = TaskFactory(community=community, created_by=secretary, title="消防排查")
    c = browser_for(secretary)
    assert "上报街道联席会议" in html(c.get(f"/work/tasks/{task.pk}/"))
    page = html(c.post(f"/work/tasks/{task.pk}/escalate/", {"reason": ""}, follow=True))
    assert "请填写上报理由" in page
    page = html(c.post(f"/work/tasks/{task.pk}/escalate/", {"reason": "通道被占用，需执法"}, follow=True))
    assert "已上报街道联席会议，办理进展" in page and 'data-testid="task-escalation"' in page
    assert 'data-testid="task-escalate"' not in page


def test_task_board_query_count_is_flat(secretary, community):
    c = browser_for(secretary)
    TaskFactory(community=community, created_by=secretary)
    few = page_queries(c, "/work/tasks/")
    for _ in range(6):
        TaskFactory(community=community)
    assert page_queries(c, "/work/tasks/") == few


# --- 联席会议 ---------------------------------------------------------------------------------


def test_street_assigns_responds_and_resolves(street_officer, community, resident):
    row = ServiceRequestFactory(community=community, requester=resident, status=ServiceRequest.Status.ESCALATED)
    esc = EscalationFactory(request=row)
    dep = DepartmentFactory(name="城管")
    c = browser_for(street_officer)
    assert f'data-escalation="{esc.pk}"' in html(c.get("/work/escalations/"))
    c.post(f"/work/escalations/{esc.pk}/assign/", {"departments": [dep.pk], "deadline": ""})
    esc.refresh_from_db()
    assert esc.status == Escalation.Status.ASSIGNED and esc.deadline is not None
    c.post(f"/work/escalations/{esc.pk}/respond/", {"department": dep.pk, "response": "已安排清运"})
    assert "已安排清运" in html(c.get(f"/work/escalations/{esc.pk}/"))
    with time_machine.travel(esc.deadline + dt.timedelta(days=1)):
        assert "已超期" in html(c.get("/work/escalations/"))
    c.post(f"/work/escalations/{esc.pk}/resolve/", {"outcome": "联合清理完毕"})
    esc.refresh_from_db()
    row.refresh_from_db()
    assert esc.status == Escalation.Status.RESOLVED and row.status == ServiceRequest.Status.RESOLVED


def test_other_street_cannot_see_escalations(outsider, community):
    esc = EscalationFactory(request=ServiceRequestFactory(community=community, status=ServiceRequest.Status.ESCALATED))
    c = browser_for(outsider)
    assert c.get(f"/work/escalations/{esc.pk}/").status_code == 404
    assert c.post(f"/work/escalations/{esc.pk}/resolve/", {"outcome": "x"}).status_code == 404
    before = snapshot(esc)
    assert snapshot(esc) == before


def test_escalations_query_count_is_flat(street_officer, community):
    c = browser_for(street_officer)
    EscalationFactory(request=ServiceRequestFactory(community=community, status=ServiceRequest.Status.ESCALATED))
    few = page_queries(c, "/work/escalations/")
    for _ in range(5):
        EscalationFactory(request=ServiceRequestFactory(community=community, status=ServiceRequest.Status.ESCALATED))
    assert page_queries(c, "/work/escalations/") == few


# --- 消息 -------------------------------------------------------------------------------------


def test_inbox_open_marks_read_and_follows_the_link(resident, member):
    mine = Notification.objects.create(user=resident, kind="k", title="您的点单已受理", url="/my/requests/")
    Notification.objects.create(user=resident, kind="k", title="第二条")
    theirs = Notification.objects.create(user=member.user, kind="k", title="别人的消息")
    c = browser_for(resident)
    page = html(c.get("/inbox/"))
    assert "2 条未读" in page and "别人的消息" not in page
    r = c.post(f"/inbox/{mine.pk}/open/")
    assert r.status_code == 302 and r["Location"] == "/my/requests/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert c.post(f"/inbox/{theirs.pk}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    c.post("/inbox/read-all/")
    assert "没有未读消息" in html(c.get("/inbox/"))


def test_inbox_query_count_is_flat(resident):
    c = browser_for(resident)
    Notification.objects.create(user=resident, kind="k", title="t")
    few = page_queries(c, "/inbox/")
    for i in range(10):
        Notification.objects.create(user=resident, kind="k", title=f"t{i}")
    assert page_queries(c, "/inbox/") == few


# --- the whole flow ---------------------------------------------------------------------------


def test_resident_secretary_member_resident_flow(resident, secretary, placed, community):
    res, sec, mem = browser_for(resident), browser_for(secretary), browser_for(placed.user)
    # 点单
    res.post(
        "/order/",
        {
            "duty": Duty.CONVENIENCE,
            "title": "家里水管漏水",
            "description": "厨房水管漏水，老人独居。",
            "address": "工业中社区 3 栋 101",
            "lat": "24.8035",
            "lng": "113.5905",
            "contact_phone": "13800000001",
        },
    )
    req = ServiceRequest.objects.get()
    # 审核派单: a new task from the request
    start = evening(2)
    assert "家里水管漏水" in html(sec.get("/work/requests/"))
    page = html(sec.get(f"/work/requests/{req.pk}/"))
    assert "13800000001" in page  # the community sees the contact to serve
    sec.post(
        f"/work/requests/{req.pk}/approve/",
        {"focus": "service", "starts_at": local(start), "ends_at": local(start + dt.timedelta(hours=2)), "slots": "1"},
    )
    req.refresh_from_db()
    assert req.status == ServiceRequest.Status.APPROVED
    task = req.task
    # 接单
    assert "家里水管漏水" in html(mem.get("/tasks/"))
    mem.post(f"/tasks/{task.pk}/accept/")
    mem.post("/my/consent/")
    acc = Acceptance.objects.get(task=task)
    with time_machine.travel(start + dt.timedelta(minutes=1)):
        mem.post(f"/my/tasks/{acc.pk}/checkin/", {"lat": "24.8035", "lng": "113.5905"})
    with time_machine.travel(start + dt.timedelta(minutes=91)):
        mem.post(f"/my/tasks/{acc.pk}/checkout/")
        sec.post(f"/work/tasks/{task.pk}/complete/")
    req.refresh_from_db()
    assert req.status == ServiceRequest.Status.RESOLVED
    # 居民确认、评价、点赞
    page = html(res.get(f"/my/requests/{req.pk}/"))
    assert "确认已解决" in page and "王党员" in page
    res.post(f"/my/requests/{req.pk}/confirm/")
    res.post(f"/my/requests/{req.pk}/rate/", {"score": "5", "comment": "很及时", "liked": [placed.pk]})
    req.refresh_from_db()
    assert req.status == ServiceRequest.Status.RATED
    assert req.likes.filter(member=placed).exists()
    record = Acceptance.objects.get(pk=acc.pk).record
    assert record.status == ServiceRecord.Status.CONFIRMED
    page = html(res.get(f"/my/requests/{req.pk}/"))
    assert "已评价" in page and "5 星" in page and "办理进度" in page
    assert "1.5" in html(mem.get("/my/hours/"))


def test_notification_links_lead_to_the_right_page(resident, secretary, outsider, community):
    row = ServiceRequestFactory(community=community, requester=resident)
    assert browser_for(resident).get(f"/requests/{row.pk}/")["Location"] == f"/my/requests/{row.pk}/"
    assert browser_for(secretary).get(f"/requests/{row.pk}/")["Location"] == f"/work/requests/{row.pk}/"
    assert browser_for(outsider).get(f"/requests/{row.pk}/").status_code == 404
