"""Corrections stay within what happened.

A correction never raises a record above its check-in window (or, without a check-in, above
``RECORD_MAX_MINUTES_WITHOUT_CHECKIN``). A confirmed record is not overwritten: a later change
is ``service_record_correct`` by a staff member other than the one who confirmed it (and not the
member), with a reason, an event of kind ``corrected`` keeping the original minutes and the
reason — and every correction shows on the member's hours page.
"""

import datetime as dt
import importlib
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from reporting.models import ServiceRecord, ServiceRecordEvent
from reporting.services.records import service_record_confirm, service_record_correct, service_record_reject
from tests.conftest import client_for
from tests.grids.factories import MemberFactory
from tests.pages import browser_for, html, page_queries
from tests.reporting.factories import SAT_9, CheckInFactory, ServiceRecordFactory

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
S = ServiceRecord.Status


def this_year(days_ago: int = 1) -> dt.datetime:
    now = timezone.now()
    moment = now - dt.timedelta(days=days_ago)
    return moment if moment.year == now.year else now


@pytest.fixture
def checked(placed, community):
    """A record punched at 90 minutes within a two-hour check-in window (09:00–11:00)."""
    checkin = CheckInFactory(member=placed, community=community, opens_at=SAT_9, closes_at=SAT_9 + timedelta(hours=2))
    return ServiceRecordFactory(member=placed, community=community, checkin=checkin, minutes=90)


@pytest.fixture
def manual(placed, community):
    """A record without a check-in, 120 minutes."""
    return ServiceRecordFactory(member=placed, community=community, source="manual", minutes=120)


@pytest.fixture
def confirmed(manual, secretary):
    return service_record_confirm(record=manual, actor=secretary)


# --- the window ---------------------------------------------------------------------------


def test_confirming_above_the_checkin_window_is_refused(checked, secretary):
    with pytest.raises(ValidationFailed) as exc:
        service_record_confirm(record=checked, actor=secretary, minutes=121, reason="多干了")
    assert exc.value.field == "minutes" and "签到时段" in exc.value.message and "120" in exc.value.message
    checked.refresh_from_db()
    assert checked.status == S.PENDING and not checked.events.exists()
    r = service_record_confirm(record=checked, actor=secretary, minutes=120, reason="签到前已开始")
    assert (r.status, r.minutes) == (S.CONFIRMED, 120)


def test_without_checkin_the_limit_is_in_settings(manual, secretary, settings):
    assert settings.RECORD_MAX_MINUTES_WITHOUT_CHECKIN == 240
    with pytest.raises(ValidationFailed) as exc:
        service_record_confirm(record=manual, actor=secretary, minutes=1440, reason="加班")
    assert exc.value.field == "minutes" and "240" in exc.value.message
    settings.RECORD_MAX_MINUTES_WITHOUT_CHECKIN = 100
    with pytest.raises(ValidationFailed):
        service_record_confirm(record=manual, actor=secretary, minutes=130, reason="多干了")
    # Lowering is always within what happened (even above the limit: 120 punched → 110).
    assert service_record_confirm(record=manual, actor=secretary, minutes=110, reason="早退").minutes == 110


def test_punched_minutes_above_the_limit_still_confirm_unchanged(placed, community, secretary, settings):
    settings.RECORD_MAX_MINUTES_WITHOUT_CHECKIN = 60
    r = ServiceRecordFactory(member=placed, community=community, source="manual", minutes=120)
    assert service_record_confirm(record=r, actor=secretary).minutes == 120


# --- correcting a confirmed record ------------------------------------------------------------


def test_confirm_does_not_overwrite_a_confirmed_record(confirmed, secretary):
    with pytest.raises(Conflict) as exc:
        service_record_confirm(record=confirmed, actor=secretary, minutes=60, reason="再改")
    assert exc.value.code == "already_confirmed"


def test_another_staff_member_corrects_with_a_reason(confirmed, street_officer):
    r = service_record_correct(record=confirmed, actor=street_officer, minutes=90, reason="核对签到表，提前离开")
    assert (r.status, r.minutes, r.reported_minutes) == (S.CONFIRMED, 90, 120)
    assert r.correction_reason == "核对签到表，提前离开"
    event = r.events.order_by("-created_at", "-id").first()
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        "corrected",
        S.CONFIRMED,
        S.CONFIRMED,
        street_officer,
    )
    assert (event.minutes_before, event.minutes_after, event.note) == (120, 90, "核对签到表，提前离开")
    assert r.events.count() == 2  # the confirmation and the correction: nothing overwritten


def test_the_confirmer_cannot_correct_their_own_confirmation(confirmed, secretary):
    with pytest.raises(PermissionDenied) as exc:
        service_record_correct(record=confirmed, actor=secretary, minutes=90, reason="改")
    assert exc.value.code == "own_confirmation"


def test_the_member_outsider_and_neighbour_cannot_correct(confirmed, placed, resident, outsider):
    with pytest.raises(PermissionDenied):
        service_record_correct(record=confirmed, actor=placed.user, minutes=200, reason="改")
    for actor in (resident, outsider):
        with pytest.raises(PermissionDenied):
            service_record_correct(record=confirmed, actor=actor, minutes=90, reason="改")
    confirmed.refresh_from_db()
    assert confirmed.minutes == 120 and confirmed.events.count() == 1


def test_a_correction_needs_a_reason_and_stays_within_the_limit(confirmed, street_officer):
    with pytest.raises(ValidationFailed) as exc:
        service_record_correct(record=confirmed, actor=street_officer, minutes=90, reason=" ")
    assert exc.value.code == "reason_required" and exc.value.field == "reason"
    with pytest.raises(ValidationFailed) as exc:
        service_record_correct(record=confirmed, actor=street_officer, minutes=241, reason="加班")
    assert exc.value.field == "minutes"
    for bad in (-1, 24 * 60 + 1, "60", None):
        with pytest.raises(ValidationFailed):
            service_record_correct(record=confirmed, actor=street_officer, minutes=bad, reason="x")
    confirmed.refresh_from_db()
    assert confirmed.minutes == 120 and confirmed.events.count() == 1


def test_a_correction_above_the_window_is_refused(checked, secretary, street_officer):
    service_record_confirm(record=checked, actor=secretary)
    with pytest.raises(ValidationFailed) as exc:
        service_record_correct(record=checked, actor=street_officer, minutes=121, reason="加班")
    assert exc.value.field == "minutes"
    assert service_record_correct(record=checked, actor=street_officer, minutes=120, reason="核实").minutes == 120


def test_only_a_confirmed_record_is_corrected(manual, street_officer):
    with pytest.raises(Conflict) as exc:
        service_record_correct(record=manual, actor=street_officer, minutes=90, reason="改")
    assert exc.value.code == "not_confirmed"


def test_the_same_minutes_again_change_nothing(confirmed, street_officer):
    service_record_correct(record=confirmed, actor=street_officer, minutes=90, reason="核实")
    service_record_correct(record=confirmed, actor=street_officer, minutes=90, reason="核实")
    assert confirmed.events.count() == 2


# --- the API, the staff page and the admin ----------------------------------------------------


def test_api_correct(confirmed, street_officer, secretary):
    url = f"{V1}/service-records/{confirmed.pk}/correct/"
    resp = client_for(secretary).post(url, {"minutes": 90, "reason": "改"}, format="json")
    assert resp.status_code == 403 and resp.json()["code"] == "own_confirmation", resp.content.decode()
    resp = client_for(street_officer).post(url, {"minutes": 90}, format="json")
    assert resp.status_code == 400
    resp = client_for(street_officer).post(url, {"minutes": 1440, "reason": "加班"}, format="json")
    assert resp.status_code == 400 and "minutes" in resp.json()["fields"], resp.content.decode()
    resp = client_for(street_officer).post(url, {"minutes": 90, "reason": "提前离开"}, format="json")
    assert resp.status_code == 200, resp.content.decode()
    body = resp.json()
    assert (body["status"], body["minutes"], body["correction_reason"]) == ("confirmed", 90, "提前离开")


def test_api_correct_out_of_scope_is_404(confirmed, outsider):
    resp = client_for(outsider).post(
        f"{V1}/service-records/{confirmed.pk}/correct/", {"minutes": 90, "reason": "改"}, format="json"
    )
    assert resp.status_code == 404


def test_page_correct(confirmed, street_officer, secretary):
    url = reverse("reporting:work_hours_action", args=[confirmed.pk, "correct"])
    page = html(browser_for(street_officer).get("/work/hours/"))
    assert url in page  # offered among the recently confirmed
    r = browser_for(secretary).post(url, {"minutes": "90", "reason": "改"}, follow=True)
    assert "确认人" in html(r)
    browser_for(street_officer).post(url, {"minutes": "90", "reason": "提前离开"})
    confirmed.refresh_from_db()
    assert confirmed.minutes == 90


def test_admin_correct_action(confirmed, street_officer, secretary):
    for user in (street_officer, secretary):
        user.is_staff = True
        user.save()
    changelist = reverse("admin:reporting_servicerecord_changelist")
    data = {"action": "correct", "_selected_action": [confirmed.pk], "minutes": "90", "reason": "提前离开"}
    browser_for(secretary).post(changelist, data)
    confirmed.refresh_from_db()
    assert confirmed.minutes == 120
    browser_for(street_officer).post(changelist, data)
    confirmed.refresh_from_db()
    assert confirmed.minutes == 90


# --- the member's hours page ------------------------------------------------------------------


def test_my_hours_lists_every_correction(placed, community, secretary, street_officer):
    r = ServiceRecordFactory(member=placed, community=community, minutes=120, started_at=this_year())
    service_record_confirm(record=r, actor=secretary, minutes=100, reason="晚到二十分钟")
    service_record_correct(record=r, actor=street_officer, minutes=90, reason="核对签到表")
    page = html(browser_for(placed.user).get("/my/hours/"))
    assert "120 → 100 分钟：晚到二十分钟" in page and "陈书记" in page
    assert "100 → 90 分钟：核对签到表" in page and "周街道" in page


def test_my_hours_shows_every_change_to_my_records_and_who_made_it(placed, community, secretary):
    kept = ServiceRecordFactory(member=placed, community=community, minutes=60, started_at=this_year())
    refused = ServiceRecordFactory(member=placed, community=community, minutes=30, started_at=this_year())
    service_record_confirm(record=kept, actor=secretary)
    service_record_reject(record=refused, actor=secretary, reason="当天未到场")
    page = html(browser_for(placed.user).get("/my/hours/"))
    assert "陈书记确认" in page and "陈书记不予认定：当天未到场" in page


def test_my_hours_with_corrections_query_count_is_flat(placed, community, secretary, street_officer):
    def corrected_record():
        r = ServiceRecordFactory(member=placed, community=community, minutes=120, started_at=this_year())
        service_record_confirm(record=r, actor=secretary, minutes=100, reason="晚到")
        service_record_correct(record=r, actor=street_officer, minutes=90, reason="核实")

    corrected_record()
    c = browser_for(placed.user)
    few = page_queries(c, "/my/hours/")
    for _ in range(4):
        corrected_record()
    ServiceRecordFactory(member=MemberFactory(community=community), community=community)
    assert page_queries(c, "/my/hours/") == few


# --- a correction's minutes are fields of its event -------------------------------------------


def test_the_minutes_are_fields_and_the_note_keeps_the_reason(placed, community, secretary, street_officer):
    r = ServiceRecordFactory(member=placed, community=community, minutes=120, started_at=this_year())
    service_record_confirm(record=r, actor=secretary, minutes=100, reason="晚到二十分钟")
    service_record_correct(record=r, actor=street_officer, minutes=90, reason="核对签到表")
    rows = list(r.events.order_by("created_at", "id").values_list("kind", "minutes_before", "minutes_after", "note"))
    assert rows == [("corrected", 120, 100, "晚到二十分钟"), ("corrected", 100, 90, "核对签到表")]
    plain = ServiceRecordFactory(member=placed, community=community, minutes=60)
    service_record_confirm(record=plain, actor=secretary)
    assert plain.events.get().minutes_before is None and plain.events.get().minutes_after is None


def test_the_database_holds_minutes_on_corrections_and_on_nothing_else(confirmed, secretary):
    common = {"record": confirmed, "from_status": S.CONFIRMED, "to_status": S.CONFIRMED, "actor": secretary}
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRecordEvent.objects.create(kind="corrected", note="没有时长", **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRecordEvent.objects.create(kind="corrected", minutes_before=120, note="只有一半", **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRecordEvent.objects.create(kind="community_confirmed", minutes_before=1, minutes_after=2, **common)
    ServiceRecordEvent.objects.create(kind="corrected", minutes_before=120, minutes_after=60, note="核实", **common)


def test_my_hours_and_the_api_read_the_fields(placed, community, secretary, street_officer):
    r = ServiceRecordFactory(member=placed, community=community, minutes=120, started_at=this_year())
    service_record_confirm(record=r, actor=secretary, minutes=100, reason="晚到二十分钟")
    # Whatever the note says, the minutes shown are the fields'.
    r.events.filter(kind="corrected").update(minutes_before=119, minutes_after=101)
    page = html(browser_for(placed.user).get("/my/hours/"))
    assert "119 → 101 分钟：晚到二十分钟" in page
    for url in (f"{V1}/service-records/{r.pk}/", f"{V1}/service-records/?mine=1"):
        body = client_for(placed.user).get(url).json()
        row = body["results"][0] if "results" in body else body
        assert [
            {k: c[k] for k in ("minutes_before", "minutes_after", "reason", "actor_name")} for c in row["corrections"]
        ] == [{"minutes_before": 119, "minutes_after": 101, "reason": "晚到二十分钟", "actor_name": secretary.name}]


def test_the_records_api_reads_corrections_in_a_flat_number_of_queries(placed, community, secretary, street_officer):
    def corrected_record():
        r = ServiceRecordFactory(member=placed, community=community, minutes=120, started_at=this_year())
        service_record_confirm(record=r, actor=secretary, minutes=100, reason="晚到")
        service_record_correct(record=r, actor=street_officer, minutes=90, reason="核实")

    api = client_for(placed.user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(f"{V1}/service-records/?mine=1").status_code == 200
        return len(ctx)

    corrected_record()
    count()  # the first request fills the per-member caches (teams, pairings) it reads
    few = count()
    for _ in range(4):
        corrected_record()
    assert count() == few
    assert len(api.get(f"{V1}/service-records/?mine=1").json()["results"][0]["corrections"]) == 2


def test_the_migration_reads_the_minutes_the_old_notes_gave():
    notes = importlib.import_module("reporting.migrations.0004_correction_minutes").NOTE
    found = notes.match("120 → 90 分钟：核对签到表：提前离开")
    assert (found[1], found[2], found[3]) == ("120", "90", "核对签到表：提前离开")
    assert notes.match("90 分钟") is None
