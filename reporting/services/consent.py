"""The member's separate consent to location processing (位置信息单独同意)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from grids.models import Member
from reporting.models import LocationConsent

# The version of the location-processing notice (位置信息处理告知书) a consent refers to.
CONSENT_VERSION = "2026-01"


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
