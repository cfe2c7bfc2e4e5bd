"""The working-day calendar (工作日调整) in the admin: only superusers keep it, and a change
recomputes the quota minutes of its day."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from reporting.models import ServiceRecord, WorkdayOverride
from tests.rankings.factories import ConfirmedRecordFactory

pytestmark = pytest.mark.django_db

OVERRIDES = reverse("admin:reporting_workdayoverride_changelist")


def test_a_staff_secretary_neither_sees_nor_adds(client, secretary):
    secretary.is_staff = True
    secretary.save(update_fields=["is_staff"])
    client.force_login(secretary)
    assert client.get(OVERRIDES).status_code == 403
    assert client.post(reverse("admin:reporting_workdayoverride_add"), {"day": "2026-06-02"}).status_code == 403
    assert not WorkdayOverride.objects.exists()


def test_a_superuser_adds_an_override_and_the_day_is_recomputed(
    client, admin_user, member, community, django_capture_on_commit_callbacks
):
    record = ConfirmedRecordFactory(
        member=member, community=community, started_at=datetime(2026, 6, 2, 16, tzinfo=ZoneInfo("Asia/Shanghai"))
    )
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):  # is_workday unticked: a rest day
        resp = client.post(reverse("admin:reporting_workdayoverride_add"), {"day": "2026-06-02", "note": "临时放假"})
    assert resp.status_code == 302
    assert WorkdayOverride.objects.get().day == date(2026, 6, 2)
    assert ServiceRecord.objects.get(pk=record.pk).quota_minutes == 120
    o = WorkdayOverride.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(reverse("admin:reporting_workdayoverride_delete", args=[o.pk]), {"post": "yes"})
    assert resp.status_code == 302 and not WorkdayOverride.objects.exists()
    assert ServiceRecord.objects.get(pk=record.pk).quota_minutes == 60
