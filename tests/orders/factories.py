import datetime as dt

import factory
from django.utils import timezone

from grids.vocab import Duty, Focus
from orders.models import Acceptance, Department, Escalation, ServiceRequest, Task
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


# --- requests and the joint meeting ---------------------------------------------------------


class ServiceRequestFactory(factory.django.DjangoModelFactory):
    """A request as it stands; states other than ``submitted`` are set directly (no events)."""

    class Meta:
        model = ServiceRequest

    requester = factory.SubFactory(UserFactory)
    requester_kind = ServiceRequest.RequesterKind.RESIDENT
    community = factory.SubFactory(CommunityFactory)
    duty = Duty.SANITATION
    title = factory.Sequence(lambda n: f"楼道堆放杂物{n}")
    description = "楼道里堆满杂物，存在消防隐患，请社区帮忙清理。"
    address = factory.LazyAttribute(lambda o: f"{o.community.name}1栋2单元")
    lat = factory.LazyAttribute(lambda o: o.community.lat)
    lng = factory.LazyAttribute(lambda o: o.community.lng)
    contact_phone = "13900000001"
    status = ServiceRequest.Status.SUBMITTED


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试部门{n}")
    is_active = True


class EscalationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Escalation

    request = factory.SubFactory(ServiceRequestFactory, status=ServiceRequest.Status.ESCALATED)
    community = factory.LazyAttribute(lambda o: o.request.community)
    street = factory.LazyAttribute(lambda o: o.community.street)
    reason = "社区无法独立解决，需要部门协调。"
    status = Escalation.Status.OPEN
