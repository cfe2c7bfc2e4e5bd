import datetime as dt

import factory
from django.utils import timezone

from grids.vocab import Duty, Focus
from orders.models import Acceptance, Task
from tests.accounts.factories import UserFactory
from tests.grids.factories import CommunityFactory, MemberFactory


def _tomorrow_evening() -> dt.datetime:
    """19:00 tomorrow, local time: outside working hours, comfortably in the future."""
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(19, 0)))


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    community = factory.SubFactory(CommunityFactory)
    focus = Focus.SERVICE
    duty = Duty.CONVENIENCE
    title = factory.Sequence(lambda n: f"便民服务活动{n}")
    description = "为居民提供便民服务。"
    address = factory.LazyAttribute(lambda o: f"{o.community.name}党群服务中心")
    lat = factory.LazyAttribute(lambda o: o.community.lat)
    lng = factory.LazyAttribute(lambda o: o.community.lng)
    geofence_radius_m = 300
    starts_at = factory.LazyFunction(_tomorrow_evening)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    slots = 5
    taken = 0
    skills_wanted = factory.LazyFunction(list)
    visibility = Task.Visibility.COMMUNITY
    status = Task.Status.OPEN
    created_by = factory.SubFactory(UserFactory)


class AcceptanceFactory(factory.django.DjangoModelFactory):
    """A row as it stands; it does not move ``task.taken`` (services do that)."""

    class Meta:
        model = Acceptance

    task = factory.SubFactory(TaskFactory)
    member = factory.SubFactory(MemberFactory, community=factory.SelfAttribute("..task.community"))
    status = Acceptance.Status.ACCEPTED
    starts_at = factory.LazyAttribute(lambda o: o.task.starts_at)
    ends_at = factory.LazyAttribute(lambda o: o.task.ends_at)
