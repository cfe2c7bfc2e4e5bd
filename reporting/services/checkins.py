"""签到打卡 and 签退: a geolocated check-in against a place and a time window, the check-out that
writes its pending service record, and coarsening old coordinates."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, ValidationFailed
from core.transitions import record_created
from grids.geo import WGS84, haversine_m, location_to_wgs84
from grids.models import Community, Grid, Member
from grids.vocab import Duty
from reporting.models import CheckIn, ServiceRecord
from reporting.selectors import has_location_consent
from reporting.services.records import MAX_RECORD_MINUTES
from reporting.worktime import overlaps_working_hours


def _fmt(dt: datetime) -> str:
    return f"{timezone.localtime(dt):%m月%d日 %H:%M}"


def checkin_opens_at(opens_at: datetime) -> datetime:
    """When check-in opens for a window starting at ``opens_at``: ``CHECKIN_EARLY_MINUTES`` before."""
    return opens_at - timedelta(minutes=settings.CHECKIN_EARLY_MINUTES)


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

    earliest = checkin_opens_at(opens_at)
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
def checkout_create(
    *,
    checkin: CheckIn,
    duty: str,
    title: str = "",
    actor=None,
    auto: bool = False,
    now: datetime | None = None,
) -> ServiceRecord:
    """签退: close the check-in and write its pending service record. Safe to call twice.

    ``auto`` is the system checking out a member who forgot: the time out is the window's end,
    and the record is flagged so the community looks at it before confirming. ``title`` (what
    was done, a task's title) is copied onto the record so the ledger shows it on its own.
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
            record = ServiceRecord.objects.create(
                member_id=checkin.member_id,
                community_id=checkin.community_id,
                duty=duty,
                title=(title or "")[:200],
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
    auto_out = checkin.auto_checked_out
    record_created(
        record,
        kind="auto_checked_out" if auto_out else "checked_out",
        actor=actor if getattr(actor, "pk", None) else None,
        note=f"{'系统自动签退' if auto_out else '签退'}，打卡时长 {minutes} 分钟",
        at=record.created_at,
    )
    return record


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
