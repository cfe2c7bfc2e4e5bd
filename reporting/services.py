"""Writes on the duty ledger: consent, check-in and check-out, service records, visits.

Each function is one action, keyword-only, transactional, locking what it changes and raising
``core.errors`` with a Chinese message. ``orders`` calls the check-in and check-out
functions for its acceptances; the community's pages, the admin and Celery call the rest.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from grids.geo import WGS84, haversine_m, location_to_wgs84
from grids.models import Community, Grid, Member
from grids.selectors.scope import scope_for
from grids.vocab import Duty
from reporting.models import CheckIn, LocationConsent, ServiceRecord, Visit, VisitCode
from reporting.worktime import day_bounds, overlaps_working_hours, quarter_of

# The version of the location-processing notice (位置信息处理告知书) a consent refers to.
CONSENT_VERSION = "2026-01"
MAX_RECORD_MINUTES = 24 * 60


def _fmt(dt: datetime) -> str:
    return f"{timezone.localtime(dt):%m月%d日 %H:%M}"


# --- consent -------------------------------------------------------------------------------


@transaction.atomic
def location_consent_grant(*, member: Member, version: str = CONSENT_VERSION) -> LocationConsent:
    """Record (or renew after a withdrawal) the member's separate consent to location processing."""
    # The member row serialises two quick taps of "agree"; the one-to-one is the final guard.
    Member.objects.select_for_update(of=("self",)).filter(pk=member.pk).first()
    consent = LocationConsent.objects.filter(member=member).first()
    now = timezone.now()
    if consent is None:
        return LocationConsent.objects.create(member=member, version=version, granted_at=now)
    if consent.is_active and consent.version == version:
        return consent
    consent.version, consent.granted_at, consent.revoked_at = version, now, None
    consent.save(update_fields=["version", "granted_at", "revoked_at"])
    return consent


@transaction.atomic
def location_consent_revoke(*, member: Member) -> LocationConsent | None:
    """Withdraw the consent: later check-ins by location are refused until it is granted again."""
    consent = LocationConsent.objects.select_for_update().filter(member=member).first()
    if consent is not None and consent.is_active:
        consent.revoked_at = timezone.now()
        consent.save(update_fields=["revoked_at"])
    return consent


def has_location_consent(member: Member) -> bool:
    return LocationConsent.objects.filter(member=member, revoked_at__isnull=True).exists()


# --- check-in and check-out ----------------------------------------------------------------


@transaction.atomic
def checkin_create(
    *,
    member: Member,
    community: Community,
    place_lat: float,
    place_lng: float,
    radius_m: int,
    opens_at: datetime,
    closes_at: datetime,
    lat: float,
    lng: float,
    coord_system: str = WGS84,
    grid: Grid | None = None,
    purpose: str = CheckIn.Purpose.SERVICE,
    now: datetime | None = None,
) -> CheckIn:
    """签到打卡: accepted only with consent, inside the geofence and inside the time window.

    The window opens ``CHECKIN_EARLY_MINUTES`` before ``opens_at`` and closes at ``closes_at``.
    Coordinates are converted to WGS-84 before the distance is measured (WeChat reports GCJ-02,
    some 600 m off here) and stored raw with the system they came in.
    """
    if not has_location_consent(member):
        raise Conflict(
            "定位签到需要处理您的位置信息。请先阅读《位置信息处理告知书》并单独同意后再签到。",
            code="consent_required",
        )
    if purpose not in CheckIn.Purpose.values:
        raise ValidationFailed("签到用途不正确。", field="purpose")
    if lat is None or lng is None:
        raise ValidationFailed("请允许获取位置后再签到。", code="location_required", field="location")
    wlat, wlng = location_to_wgs84(lat=lat, lng=lng, coord_system=coord_system, field="location")
    now = now or timezone.now()

    earliest = opens_at - timedelta(minutes=settings.CHECKIN_EARLY_MINUTES)
    if now < earliest:
        raise ValidationFailed(f"还没到签到时间，{_fmt(earliest)} 起可以签到。", code="outside_window")
    if now > closes_at:
        raise ValidationFailed(f"签到已于 {_fmt(closes_at)} 截止。", code="outside_window")

    distance = haversine_m(wlat, wlng, place_lat, place_lng)
    if distance > radius_m:
        raise ValidationFailed(
            f"您距签到地点约 {round(distance)} 米，需在 {radius_m} 米范围内签到。",
            code="outside_geofence",
            field="location",
        )

    if grid is None and member.community_id == community.pk:
        grid_id = member.grid_id
    else:
        grid_id = grid.pk if grid is not None else None
    return CheckIn.objects.create(
        member=member,
        community=community,
        grid_id=grid_id,
        purpose=purpose,
        place_lat=place_lat,
        place_lng=place_lng,
        radius_m=radius_m,
        opens_at=opens_at,
        closes_at=closes_at,
        lat=wlat,
        lng=wlng,
        coord_system=coord_system,
        distance_m=round(distance),
        checked_in_at=now,
    )


def _served_interval(checkin: CheckIn, out: datetime) -> tuple[datetime, datetime]:
    """The part of [checked in, checked out] inside the task's window [opens_at, closes_at]."""
    return max(checkin.checked_in_at, checkin.opens_at), min(out, checkin.closes_at)


@transaction.atomic
def checkout_create(*, checkin: CheckIn, duty: str, auto: bool = False, now: datetime | None = None) -> ServiceRecord:
    """签退: close the check-in and write its pending service record. Safe to call twice.

    ``auto`` is the system checking out a member who forgot: the time out is the window's end,
    and the record is flagged so the community looks at it before confirming.
    """
    if duty not in Duty.values:
        raise ValidationFailed("职责不正确。", field="duty")
    # Locking the check-in serialises two taps of "check out" (and the automatic check-out
    # racing a late tap): the second waits, then finds the first one's record.
    checkin = CheckIn.objects.select_for_update(of=("self",)).get(pk=checkin.pk)
    existing = ServiceRecord.objects.filter(checkin=checkin).first()
    if existing is not None:
        return existing
    if checkin.purpose != CheckIn.Purpose.SERVICE:
        raise Conflict("报到签到不计服务时长，无需签退。", code="not_a_service_checkin")

    if checkin.checked_out_at is not None:
        out = checkin.checked_out_at
    else:
        out = checkin.closes_at if auto else (now or timezone.now())
        out = max(out, checkin.checked_in_at)
        checkin.checked_out_at = out
        checkin.auto_checked_out = auto
        checkin.save(update_fields=["checked_out_at", "auto_checked_out"])

    start, end = _served_interval(checkin, out)
    minutes = min(max(0, int((end - start).total_seconds() // 60)), MAX_RECORD_MINUTES)
    flag_interval = (start, end) if end > start else (checkin.checked_in_at, out)
    try:
        with transaction.atomic():
            return ServiceRecord.objects.create(
                member_id=checkin.member_id,
                community_id=checkin.community_id,
                duty=duty,
                source=ServiceRecord.Source.TASK,
                checkin=checkin,
                started_at=checkin.checked_in_at,
                ended_at=out,
                minutes=minutes,
                reported_minutes=minutes,
                outside_working_hours=not overlaps_working_hours(*flag_interval),
                auto_checked_out=checkin.auto_checked_out,
                status=ServiceRecord.Status.PENDING,
            )
    except IntegrityError:  # the one-to-one on checkin: another check-out won
        return ServiceRecord.objects.get(checkin=checkin)


# --- confirming hours ----------------------------------------------------------------------


def _lock_record(record: ServiceRecord) -> ServiceRecord:
    return (
        ServiceRecord.objects.select_for_update(of=("self",))
        .select_related("community__street", "member__user")
        .get(pk=record.pk)
    )


def _valid_minutes(minutes) -> bool:
    return isinstance(minutes, int) and not isinstance(minutes, bool) and 0 <= minutes <= MAX_RECORD_MINUTES


def _require_community_staff(actor, record: ServiceRecord, verb: str) -> None:
    if not scope_for(actor).covers_community(record.community):
        raise PermissionDenied(f"只能{verb}本社区党员的服务时长。")


@transaction.atomic
def service_record_confirm(
    *,
    record: ServiceRecord,
    actor,
    minutes: int | None = None,
    reason: str = "",
    via: str = ServiceRecord.ConfirmedVia.COMMUNITY,
) -> ServiceRecord:
    """Confirm a record's minutes so they count, optionally correcting them (with a reason).

    ``via="community"``: the actor must be staff over the record's community. ``via="resident"``:
    the caller has checked that the actor is the resident whose request was served.
    """
    if via not in ServiceRecord.ConfirmedVia.values:
        raise ValidationFailed("确认方式不正确。", field="via")
    record = _lock_record(record)
    if via == ServiceRecord.ConfirmedVia.COMMUNITY:
        _require_community_staff(actor, record, "确认")
    if minutes is not None and not _valid_minutes(minutes):
        raise ValidationFailed(f"时长应为 0 到 {MAX_RECORD_MINUTES} 分钟之间的整数。", field="minutes")
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationFailed("更正理由不超过 200 个字。", field="reason")

    if record.status == ServiceRecord.Status.CONFIRMED:
        if minutes is None or minutes == record.minutes:
            return record
        raise Conflict("该服务时长已确认，不能再更改。", code="already_confirmed")
    if record.status == ServiceRecord.Status.REJECTED:
        raise Conflict("该服务记录已不予认定，不能确认。", code="illegal_transition")

    final = record.reported_minutes if minutes is None else minutes
    if final != record.reported_minutes and not reason:
        raise ValidationFailed(
            f"确认时长（{final} 分钟）与打卡时长（{record.reported_minutes} 分钟）不同，请填写更正理由。",
            code="reason_required",
            field="reason",
        )
    record.minutes = final
    record.correction_reason = reason if final != record.reported_minutes else ""
    record.status = ServiceRecord.Status.CONFIRMED
    record.confirmed_via = via
    record.confirmed_by = actor if getattr(actor, "pk", None) else None
    record.confirmed_at = timezone.now()
    record.save(
        update_fields=["minutes", "correction_reason", "status", "confirmed_via", "confirmed_by", "confirmed_at"]
    )
    return record


@transaction.atomic
def service_record_reject(*, record: ServiceRecord, actor, reason: str) -> ServiceRecord:
    """The community does not count a record (e.g. the member was not there); a reason is required."""
    record = _lock_record(record)
    _require_community_staff(actor, record, "处理")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写不予认定的理由。", code="reason_required", field="reason")
    if len(reason) > 200:
        raise ValidationFailed("理由不超过 200 个字。", field="reason")
    if record.status == ServiceRecord.Status.REJECTED:
        return record
    if record.status == ServiceRecord.Status.CONFIRMED:
        raise Conflict("该服务时长已确认，不能再不予认定。", code="already_confirmed")
    record.status = ServiceRecord.Status.REJECTED
    record.reject_reason = reason
    record.rejected_at = timezone.now()
    record.confirmed_by = actor if getattr(actor, "pk", None) else None
    record.save(update_fields=["status", "reject_reason", "rejected_at", "confirmed_by"])
    return record


# --- report-for-duty visits (到社区报到) -------------------------------------------------------


@transaction.atomic
def visit_code_rotate(*, community: Community, actor) -> VisitCode:
    """Create or replace the community's report-for-duty QR token; old prints stop working."""
    if not scope_for(actor).covers_community(community):
        raise PermissionDenied("只能管理本社区的报到二维码。")
    code, _ = VisitCode.objects.update_or_create(
        community=community,
        defaults={"token": secrets.token_urlsafe(24), "rotated_at": timezone.now()},
    )
    return code


@transaction.atomic
def visit_create(
    *,
    member: Member,
    community: Community,
    method: str,
    token: str | None = None,
    lat: float | None = None,
    lng: float | None = None,
    coord_system: str = WGS84,
    now: datetime | None = None,
) -> Visit:
    """到社区报到 by scanning the office's QR code or by location. One visit per member, community and day."""
    if method not in Visit.Method.values:
        raise ValidationFailed("报到方式只能是扫码或定位。", field="method")
    # Serialises repeated taps; the unique constraint is the final guard.
    member = Member.objects.select_for_update(of=("self",)).get(pk=member.pk)
    if member.community_id != community.pk:
        raise PermissionDenied("您尚未编入该社区，不能在此报到。", code="not_registered")
    now = now or timezone.now()

    if method == Visit.Method.QR:
        code = VisitCode.objects.filter(community=community).first()
        if code is None or not token or not secrets.compare_digest(str(token), code.token):
            raise ValidationFailed(
                "报到二维码无效或已更换，请扫描社区最新的报到二维码。", code="invalid_token", field="token"
            )

    today = timezone.localdate(now)
    existing = Visit.objects.filter(member=member, community=community, visited_on=today).first()
    if existing is not None:
        return existing

    checkin = None
    if method == Visit.Method.LOCATION:
        opens_at, closes_at = day_bounds(today)
        checkin = checkin_create(
            member=member,
            community=community,
            place_lat=community.lat,
            place_lng=community.lng,
            radius_m=community.geofence_radius_m,
            opens_at=opens_at,
            closes_at=closes_at,
            lat=lat,
            lng=lng,
            coord_system=coord_system,
            purpose=CheckIn.Purpose.VISIT,
            now=now,
        )
        # A visit is an instant, not a stay: nothing is left open to check out.
        checkin.checked_out_at = checkin.checked_in_at
        checkin.save(update_fields=["checked_out_at"])
    try:
        with transaction.atomic():
            return Visit.objects.create(
                member=member,
                community=community,
                method=method,
                checkin=checkin,
                visited_at=now,
                visited_on=today,
                quarter=quarter_of(now),
            )
    except IntegrityError as exc:
        existing = Visit.objects.filter(member=member, community=community, visited_on=today).first()
        if existing is None:
            raise Conflict("报到未能保存，请稍后重试。") from exc
        return existing


# --- privacy: coarsening old coordinates ---------------------------------------------------


def checkins_coarsen(*, older_than_days: int | None = None, now: datetime | None = None) -> int:
    """Clear raw coordinates of check-ins older than the retention period; keeps grid and distance.

    One UPDATE over the partial index of not-yet-coarsened rows; safe to run any number of times.
    """
    days = settings.LOCATION_RETENTION_DAYS if older_than_days is None else older_than_days
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    return CheckIn.objects.filter(coarsened_at__isnull=True, checked_in_at__lt=cutoff).update(
        lat=None, lng=None, coarsened_at=now
    )
