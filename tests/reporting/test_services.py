"""The duty ledger's rules: consent, geofence, window, check-out, confirming hours, visits, coarsening."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db.models import Count

from core.errors import Conflict, PermissionDenied, ValidationFailed
from grids.geo import wgs84_to_gcj02
from grids.models import Post
from reporting.models import CheckIn, LocationConsent, ServiceRecord, Visit
from reporting.services.checkins import checkin_create, checkins_coarsen, checkout_create
from reporting.services.consent import location_consent_grant, location_consent_revoke
from reporting.services.records import service_record_confirm, service_record_reject
from reporting.services.visits import visit_code_rotate, visit_create
from reporting.worktime import SHANGHAI
from tests.accounts.factories import UserFactory
from tests.grids.factories import MemberFactory, PostFactory
from tests.reporting.factories import CheckInFactory, ServiceRecordFactory

OPENS = datetime(2026, 11, 28, 9, 0, tzinfo=SHANGHAI)  # Saturday
CLOSES = datetime(2026, 11, 28, 11, 0, tzinfo=SHANGHAI)
WED_OPENS = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)  # Wednesday, working hours


def _checkin(member, community, *, lat=None, lng=None, now=OPENS, opens=OPENS, closes=CLOSES, **kw):
    return checkin_create(
        member=member,
        community=community,
        place_lat=community.lat,
        place_lng=community.lng,
        radius_m=300,
        opens_at=opens,
        closes_at=closes,
        lat=community.lat if lat is None else lat,
        lng=community.lng if lng is None else lng,
        now=now,
        **kw,
    )


# --- consent -------------------------------------------------------------------------------


def test_checkin_without_consent_is_refused(member, community):
    with pytest.raises(Conflict) as exc:
        _checkin(member, community)
    assert exc.value.code == "consent_required"
    assert "单独同意" in exc.value.message
    assert not CheckIn.objects.exists()


def test_revoked_consent_refuses_and_granting_again_restores(consenting, community):
    location_consent_revoke(member=consenting)
    with pytest.raises(Conflict):
        _checkin(consenting, community)
    consent = location_consent_grant(member=consenting)
    assert consent.is_active
    assert LocationConsent.objects.count() == 1
    assert _checkin(consenting, community).pk


def test_consent_grant_is_idempotent(member):
    first = location_consent_grant(member=member)
    again = location_consent_grant(member=member)
    assert first.pk == again.pk and again.granted_at == first.granted_at


# --- geofence ------------------------------------------------------------------------------


def test_checkin_inside_fence_stores_raw_point_and_distance(consenting, community):
    c = _checkin(consenting, community, lat=community.lat + 0.001)  # ≈ 111 m north
    assert c.lat == pytest.approx(community.lat + 0.001)
    assert c.coord_system == "wgs84"
    assert 105 <= c.distance_m <= 117
    assert c.purpose == "service" and c.checked_in_at == OPENS


def test_checkin_outside_fence_says_the_distance(consenting, community):
    with pytest.raises(ValidationFailed) as exc:
        _checkin(consenting, community, lat=community.lat + 0.0073)  # ≈ 812 m
    assert exc.value.code == "outside_geofence"
    assert "您距签到地点约 81" in exc.value.message and "需在 300 米范围内签到" in exc.value.message
    assert not CheckIn.objects.exists()


def test_gcj02_point_is_inside_only_after_conversion(consenting, community):
    glat, glng = wgs84_to_gcj02(community.lat, community.lng)
    with pytest.raises(ValidationFailed):  # read as WGS-84 it is several hundred metres off
        _checkin(consenting, community, lat=glat, lng=glng, coord_system="wgs84")
    c = _checkin(consenting, community, lat=glat, lng=glng, coord_system="gcj02")
    assert c.distance_m <= 1
    assert c.coord_system == "gcj02"
    assert c.lat == pytest.approx(community.lat, abs=1e-6)


def test_checkin_outside_the_city_is_refused(consenting, community):
    with pytest.raises(ValidationFailed) as exc:
        _checkin(consenting, community, lat=23.13, lng=113.26)  # Guangzhou
    assert exc.value.code == "outside_city"


# --- time window ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "ok"),
    [
        (OPENS - timedelta(minutes=31), False),
        (OPENS - timedelta(minutes=30), True),
        (CLOSES, True),
        (CLOSES + timedelta(seconds=1), False),
    ],
)
def test_window_edges(consenting, community, now, ok):
    with time_machine.travel(now, tick=False):
        if ok:
            assert _checkin(consenting, community, now=None).checked_in_at == now
        else:
            with pytest.raises(ValidationFailed) as exc:
                _checkin(consenting, community, now=None)
            assert exc.value.code == "outside_window"


def test_window_messages_say_when(consenting, community):
    with pytest.raises(ValidationFailed) as exc:
        _checkin(consenting, community, now=OPENS - timedelta(hours=2))
    assert "11月28日 08:30 起可以签到" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        _checkin(consenting, community, now=CLOSES + timedelta(hours=1))
    assert "已于 11月28日 11:00 截止" in exc.value.message


# --- grid -----------------------------------------------------------------------------------


def test_grid_defaults_to_the_members_grid_in_that_community(placed_member, community, grid, other_community):
    assert _checkin(placed_member, community).grid_id == grid.pk
    other = other_community
    c = _checkin(placed_member, other, lat=other.lat, lng=other.lng)
    assert c.grid_id is None


# --- check-out -----------------------------------------------------------------------------


def test_checkout_makes_a_pending_record(consenting, community):
    c = _checkin(consenting, community, now=OPENS + timedelta(minutes=5))
    r = checkout_create(checkin=c, duty="sanitation", now=OPENS + timedelta(minutes=95))
    c.refresh_from_db()
    assert c.checked_out_at == OPENS + timedelta(minutes=95) and not c.auto_checked_out
    assert r.status == "pending" and r.minutes == r.reported_minutes == 90
    assert r.member_id == consenting.pk and r.community_id == community.pk and r.duty == "sanitation"
    assert r.outside_working_hours is True
    assert r.started_at == c.checked_in_at and r.ended_at == c.checked_out_at


def test_checkout_is_idempotent(consenting, community):
    c = _checkin(consenting, community)
    first = checkout_create(checkin=c, duty="safety", now=OPENS + timedelta(minutes=60))
    again = checkout_create(checkin=c, duty="safety", now=OPENS + timedelta(minutes=90))
    assert again.pk == first.pk and again.minutes == 60
    assert ServiceRecord.objects.count() == 1


def test_auto_checkout_closes_at_window_end(consenting, community):
    c = _checkin(consenting, community, now=OPENS + timedelta(minutes=10))
    r = checkout_create(checkin=c, duty="safety", auto=True)
    c.refresh_from_db()
    assert c.checked_out_at == CLOSES and c.auto_checked_out
    assert r.auto_checked_out and r.minutes == 110


def test_minutes_are_clipped_to_the_window(consenting, community):
    early = _checkin(consenting, community, now=OPENS - timedelta(minutes=25))
    r = checkout_create(checkin=early, duty="safety", now=CLOSES + timedelta(minutes=40))
    assert r.minutes == 120  # 08:35 → 11:40 counts as 09:00 → 11:00


def test_checkout_before_window_opens_counts_nothing(consenting, community):
    c = _checkin(consenting, community, now=OPENS - timedelta(minutes=20))
    r = checkout_create(checkin=c, duty="safety", now=OPENS - timedelta(minutes=5))
    assert r.minutes == 0


def test_outside_working_hours_flag(consenting, community):
    c = _checkin(
        consenting,
        community,
        now=WED_OPENS,
        opens=WED_OPENS,
        closes=WED_OPENS + timedelta(hours=2),
    )
    r = checkout_create(checkin=c, duty="safety", now=WED_OPENS + timedelta(hours=1))
    assert r.outside_working_hours is False
    evening = WED_OPENS.replace(hour=18)
    c2 = _checkin(consenting, community, now=evening, opens=evening, closes=evening + timedelta(hours=2))
    assert checkout_create(checkin=c2, duty="safety", now=evening + timedelta(hours=1)).outside_working_hours


def test_checkout_rejects_unknown_duty(consenting, community):
    c = _checkin(consenting, community)
    with pytest.raises(ValidationFailed):
        checkout_create(checkin=c, duty="nonsense", now=CLOSES)


# --- confirming hours ----------------------------------------------------------------------


@pytest.fixture
def record(member, community):
    return ServiceRecordFactory(member=member, community=community, minutes=120)


def test_secretary_confirms_reported_minutes(record, secretary):
    r = service_record_confirm(record=record, actor=secretary)
    assert r.status == "confirmed" and r.minutes == 120 and r.confirmed_via == "community"
    assert r.confirmed_by == secretary and r.confirmed_at is not None and r.correction_reason == ""


def test_correcting_minutes_needs_a_reason(record, secretary):
    with pytest.raises(ValidationFailed) as exc:
        service_record_confirm(record=record, actor=secretary, minutes=90)
    assert exc.value.code == "reason_required"
    record.refresh_from_db()
    assert record.status == "pending"
    r = service_record_confirm(record=record, actor=secretary, minutes=90, reason="提前离开半小时")
    assert r.minutes == 90 and r.reported_minutes == 120 and r.correction_reason == "提前离开半小时"


def test_same_minutes_need_no_reason(record, secretary):
    assert service_record_confirm(record=record, actor=secretary, minutes=120).status == "confirmed"


def test_out_of_scope_confirm_is_refused(record, outsider, resident):
    for actor in (outsider, resident):
        with pytest.raises(PermissionDenied):
            service_record_confirm(record=record, actor=actor)
    record.refresh_from_db()
    assert record.status == "pending"


def test_street_officer_may_confirm(record, street_officer):
    assert service_record_confirm(record=record, actor=street_officer).status == "confirmed"


def test_resident_confirmation(record, resident):
    r = service_record_confirm(record=record, actor=resident, via="resident")
    assert r.status == "confirmed" and r.confirmed_via == "resident" and r.confirmed_by == resident


def test_confirm_twice(record, secretary, resident):
    service_record_confirm(record=record, actor=secretary, minutes=100, reason="核实")
    again = service_record_confirm(record=record, actor=resident, via="resident")
    assert again.minutes == 100 and again.confirmed_via == "community"
    assert service_record_confirm(record=record, actor=secretary, minutes=100).minutes == 100
    with pytest.raises(Conflict):
        service_record_confirm(record=record, actor=secretary, minutes=60, reason="再改")


def test_invalid_minutes(record, secretary):
    for bad in (-1, 24 * 60 + 1, "60"):
        with pytest.raises(ValidationFailed):
            service_record_confirm(record=record, actor=secretary, minutes=bad, reason="x")


def test_reject_needs_reason_and_scope(record, secretary, outsider):
    with pytest.raises(ValidationFailed):
        service_record_reject(record=record, actor=secretary, reason=" ")
    with pytest.raises(PermissionDenied):
        service_record_reject(record=record, actor=outsider, reason="不在现场")
    r = service_record_reject(record=record, actor=secretary, reason="不在现场")
    assert r.status == "rejected" and r.reject_reason == "不在现场" and r.rejected_at
    assert service_record_reject(record=record, actor=secretary, reason="again").reject_reason == "不在现场"
    with pytest.raises(Conflict):
        service_record_confirm(record=record, actor=secretary)


def test_confirmed_cannot_be_rejected(record, secretary):
    service_record_confirm(record=record, actor=secretary)
    with pytest.raises(Conflict):
        service_record_reject(record=record, actor=secretary, reason="误点")


# --- visits ----------------------------------------------------------------------------------


def test_visit_by_qr(placed_member, community, secretary):
    code = visit_code_rotate(community=community, actor=secretary)
    with time_machine.travel(OPENS, tick=False):
        v = visit_create(member=placed_member, community=community, method="qr", token=code.token)
    assert v.quarter == "2026Q4" and v.visited_on.isoformat() == "2026-11-28" and v.checkin is None


def test_visit_bad_or_rotated_token(placed_member, community, secretary):
    old = visit_code_rotate(community=community, actor=secretary).token
    new = visit_code_rotate(community=community, actor=secretary).token
    assert old != new
    for bad in (old, "", None, "guess"):
        with pytest.raises(ValidationFailed) as exc:
            visit_create(member=placed_member, community=community, method="qr", token=bad)
        assert exc.value.code == "invalid_token"
    assert not Visit.objects.exists()


def test_visit_code_rotate_needs_scope(community, outsider):
    with pytest.raises(PermissionDenied):
        visit_code_rotate(community=community, actor=outsider)


def test_visit_without_any_code(placed_member, community):
    with pytest.raises(ValidationFailed):
        visit_create(member=placed_member, community=community, method="qr", token="x")


def test_visit_by_location(placed_member, community, grid):
    v = visit_create(
        member=placed_member, community=community, method="location", lat=community.lat, lng=community.lng, now=OPENS
    )
    assert v.checkin.purpose == "visit" and v.checkin.grid_id == grid.pk
    assert v.checkin.checked_out_at == v.checkin.checked_in_at
    with pytest.raises(ValidationFailed) as exc:
        visit_create(
            member=placed_member,
            community=community,
            method="location",
            lat=community.lat + 0.01,
            lng=community.lng,
            now=OPENS + timedelta(days=1),
        )
    assert exc.value.code == "outside_geofence"


def test_visit_by_location_needs_consent(community, grid):
    m = MemberFactory(user=UserFactory(phone="13800000031"), community=community, grid=grid)
    with pytest.raises(Conflict):
        visit_create(member=m, community=community, method="location", lat=community.lat, lng=community.lng)


def test_visit_not_registered(consenting, community, secretary):
    code = visit_code_rotate(community=community, actor=secretary)
    with pytest.raises(PermissionDenied) as exc:
        visit_create(member=consenting, community=community, method="qr", token=code.token)
    assert exc.value.code == "not_registered"


def test_visit_is_once_a_day(placed_member, community, secretary):
    code = visit_code_rotate(community=community, actor=secretary)
    first = visit_create(member=placed_member, community=community, method="qr", token=code.token, now=OPENS)
    again = visit_create(
        member=placed_member,
        community=community,
        method="location",
        lat=community.lat,
        lng=community.lng,
        now=OPENS + timedelta(hours=3),
    )
    assert again.pk == first.pk
    assert CheckIn.objects.count() == 0  # the repeated tap made nothing
    next_day = visit_create(
        member=placed_member, community=community, method="qr", token=code.token, now=OPENS + timedelta(days=1)
    )
    assert next_day.pk != first.pk


# --- coarsening ------------------------------------------------------------------------------


def test_coarsening_after_retention(member, community, grid):
    now = datetime(2026, 11, 28, 3, 0, tzinfo=SHANGHAI)
    old = CheckInFactory(member=member, community=community, grid=grid, checked_in_at=now - timedelta(days=181))
    young = CheckInFactory(member=member, community=community, checked_in_at=now - timedelta(days=179))
    assert checkins_coarsen(now=now) == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert old.lat is None and old.lng is None and old.coarsened_at == now
    assert old.grid_id == grid.pk and old.distance_m == 0
    assert young.lat is not None and young.coarsened_at is None
    assert checkins_coarsen(now=now) == 0


def test_coarsen_task_uses_the_setting(settings, member, community):
    from reporting.tasks import coarsen_checkins

    settings.LOCATION_RETENTION_DAYS = 10
    CheckInFactory(member=member, community=community, checked_in_at=datetime.now(tz=SHANGHAI) - timedelta(days=11))
    assert coarsen_checkins.delay().get() == 1


def test_beat_runs_coarsening_daily(settings):
    tasks = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reporting.tasks.coarsen_checkins" in tasks


def test_one_record_per_checkin_in_the_table(member, community):
    c = CheckInFactory(member=member, community=community)
    checkout_create(checkin=c, duty="safety", now=CLOSES)
    dup = ServiceRecord.objects.values("checkin").annotate(n=Count("pk")).filter(n__gt=1)
    assert not dup.exists()


def test_grid_secretary_cannot_confirm(record, grid):
    user = UserFactory(phone="13800000041")
    PostFactory(user=user, role=Post.Role.GRID_SECRETARY, community=None, grid=grid)
    with pytest.raises(PermissionDenied):
        service_record_confirm(record=record, actor=user)


def test_visit_checkin_has_no_checkout(placed_member, community):
    v = visit_create(
        member=placed_member, community=community, method="location", lat=community.lat, lng=community.lng, now=OPENS
    )
    with pytest.raises(Conflict) as exc:
        checkout_create(checkin=v.checkin, duty="safety", now=CLOSES)
    assert exc.value.code == "not_a_service_checkin"
    assert not ServiceRecord.objects.exists()


def test_manual_record_without_checkin_confirms(member, community, secretary):
    r = ServiceRecordFactory(member=member, community=community, source="manual", minutes=45)
    assert service_record_confirm(record=r, actor=secretary).minutes == 45
