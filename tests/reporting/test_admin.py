"""The ledger admin: pages render, list pages cost the same whatever the rows, scoped by post,
and the actions call the services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting.models import CheckIn, LocationConsent, ServiceRecord, ServiceRecordEvent, Visit, VisitCode
from reporting.services.consent import location_consent_grant
from reporting.services.visits import visit_code_rotate
from tests.grids.factories import MemberFactory
from tests.reporting.factories import CheckInFactory, ServiceRecordFactory, VisitFactory

MODELS = [LocationConsent, CheckIn, ServiceRecord, VisitCode, Visit]


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _build(model, community, secretary):
    member = MemberFactory(community=community)
    if model is LocationConsent:
        return location_consent_grant(member=member)
    if model is CheckIn:
        return CheckInFactory(member=member, community=community)
    if model is ServiceRecord:
        return ServiceRecordFactory(member=member, community=community)
    if model is VisitCode:
        from tests.grids.factories import CommunityFactory

        c = CommunityFactory(street=community.street)
        return visit_code_rotate(community=c, actor=secretary)
    return VisitFactory(member=member, community=community)


@pytest.fixture
def staff_secretary(secretary):
    secretary.is_staff = True
    secretary.save()
    return secretary


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("who", ["admin", "street_staff"])
def test_changelist_query_count_is_flat(
    settings, client, who, model, admin_user, staff_secretary, street_officer, community
):
    # Sessions straight from the database: a cache shared with other processes (Redis) could
    # drop the cached session between the two measurements and add a query.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    user = admin_user if who == "admin" else street_officer
    if who == "street_staff":
        user.is_staff = True
        user.save()
    client.force_login(user)
    url = changelist(model)
    for _ in range(2):
        _build(model, community, admin_user)
    client.get(url)
    few, rows_few = _count(client, url)
    for _ in range(6):
        _build(model, community, admin_user)
    many, rows_many = _count(client, url)
    assert rows_many == rows_few + 6
    assert many == few, f"{model.__name__}: {few} queries for {rows_few} rows, {many} for {rows_many}"
    obj = model.objects.first()
    assert client.get(change_url(obj)).status_code == 200


def test_secretary_sees_only_own_community(client, staff_secretary, community, other_community, member):
    mine = ServiceRecordFactory(member=member, community=community)
    ServiceRecordFactory(member=member, community=other_community)
    client.force_login(staff_secretary)
    response = client.get(changelist(ServiceRecord))
    assert [r.pk for r in response.context["cl"].result_list] == [mine.pk]
    assert client.get(reverse("admin:reporting_servicerecord_add")).status_code == 403


def test_confirm_action_calls_the_service(client, staff_secretary, community, other_community, member):
    mine = ServiceRecordFactory(member=member, community=community, minutes=120)
    client.force_login(staff_secretary)
    response = client.post(
        changelist(ServiceRecord),
        {"action": "confirm", "_selected_action": [mine.pk], "minutes": "90", "reason": ""},
        follow=True,
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.status == "pending"  # a correction without a reason is refused
    assert "请填写更正理由" in response.content.decode()
    client.post(
        changelist(ServiceRecord),
        {"action": "confirm", "_selected_action": [mine.pk], "minutes": "90", "reason": "提前离开"},
    )
    mine.refresh_from_db()
    assert mine.status == "confirmed" and mine.minutes == 90 and mine.confirmed_by == staff_secretary


def test_confirm_action_cannot_reach_other_communities(client, staff_secretary, other_community, member):
    theirs = ServiceRecordFactory(member=member, community=other_community)
    client.force_login(staff_secretary)
    client.post(changelist(ServiceRecord), {"action": "confirm", "_selected_action": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.status == "pending"


def test_reject_action(client, staff_secretary, community, member):
    rec = ServiceRecordFactory(member=member, community=community)
    client.force_login(staff_secretary)
    client.post(changelist(ServiceRecord), {"action": "reject", "_selected_action": [rec.pk], "reason": "不在现场"})
    rec.refresh_from_db()
    assert rec.status == "rejected" and rec.reject_reason == "不在现场"


def test_rotate_action(client, staff_secretary, community):
    code = visit_code_rotate(community=community, actor=staff_secretary)
    client.force_login(staff_secretary)
    client.post(changelist(VisitCode), {"action": "rotate", "_selected_action": [code.pk]})
    assert VisitCode.objects.get(pk=code.pk).token != code.token


def test_raw_coordinates_are_not_shown(client, admin_user, member, community):
    c = CheckInFactory(member=member, community=community, lat=24.812345, lng=113.598765)
    client.force_login(admin_user)
    html = client.get(change_url(c)).content.decode()
    assert "24.812345" not in html and "113.598765" not in html


def test_the_records_history_is_a_read_only_inline(client, staff_secretary, community, other_community, member):
    rec = ServiceRecordFactory(member=member, community=community, minutes=120)
    client.force_login(staff_secretary)
    client.post(
        changelist(ServiceRecord),
        {"action": "confirm", "_selected_action": [rec.pk], "minutes": "90", "reason": "提前离开"},
    )
    response = client.get(change_url(rec))
    html = response.content.decode()
    assert response.status_code == 200
    assert "服务记录进度" in html and "120 → 90 分钟" in html and "提前离开" in html and "更正时长后确认" in html
    inline = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is ServiceRecordEvent)
    assert not inline.has_add_permission and not inline.has_change_permission and not inline.has_delete_permission
    # Another community's record (and so its history) stays out of reach.
    theirs = ServiceRecordFactory(member=member, community=other_community)
    assert client.get(change_url(theirs)).status_code in (302, 404)
