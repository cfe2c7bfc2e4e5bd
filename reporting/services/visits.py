"""Report-for-duty visits (到社区报到): the community office's QR code and the visit itself."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from grids.geo import WGS84
from grids.models import Community, Member
from grids.selectors.scope import scope_for
from reporting.models import CheckIn, Visit, VisitCode
from reporting.services.checkins import checkin_create
from reporting.worktime import day_bounds, quarter_of


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
