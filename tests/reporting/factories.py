from datetime import datetime, timedelta

import factory

from reporting.models import CheckIn, LocationConsent, ServiceRecord, Visit
from reporting.worktime import SHANGHAI
from tests.grids.factories import CommunityFactory, MemberFactory

# A Saturday morning: outside working hours.
SAT_9 = datetime(2026, 11, 28, 9, 0, tzinfo=SHANGHAI)


class LocationConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocationConsent

    member = factory.SubFactory(MemberFactory)
    version = "2026-01"


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    member = factory.SubFactory(MemberFactory)
    community = factory.SubFactory(CommunityFactory)
    place_lat = factory.SelfAttribute("community.lat")
    place_lng = factory.SelfAttribute("community.lng")
    radius_m = 300
    opens_at = SAT_9
    closes_at = factory.LazyAttribute(lambda o: o.opens_at + timedelta(hours=2))
    lat = factory.SelfAttribute("place_lat")
    lng = factory.SelfAttribute("place_lng")
    distance_m = 0
    checked_in_at = factory.SelfAttribute("opens_at")


class ServiceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRecord

    member = factory.SubFactory(MemberFactory)
    community = factory.SubFactory(CommunityFactory)
    duty = "convenience"
    started_at = SAT_9
    ended_at = factory.LazyAttribute(lambda o: o.started_at + timedelta(minutes=o.minutes))
    minutes = 120
    reported_minutes = factory.SelfAttribute("minutes")


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    member = factory.SubFactory(MemberFactory)
    community = factory.SubFactory(CommunityFactory)
    method = Visit.Method.QR
    visited_at = SAT_9
    visited_on = factory.LazyAttribute(lambda o: o.visited_at.astimezone(SHANGHAI).date())
    quarter = factory.LazyAttribute(lambda o: f"{o.visited_on.year}Q{(o.visited_on.month - 1) // 3 + 1}")
