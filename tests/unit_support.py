"""A unit with its party organisation, for the tests of the unit axis: two units, members of
each serving in different communities, a secretary and an organiser of the first, the
secretary of the neighbouring unit, and a community secretary where the unit's members serve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from grids.models import Community, Member, Post, Unit
from reporting.models import ServiceRecord
from reporting.worktime import SHANGHAI
from tests.accounts.factories import UserFactory
from tests.grids.factories import (
    CommunityFactory,
    Level2GridFactory,
    MemberFactory,
    PostFactory,
    RegistrationFactory,
    UnitFactory,
    place,
)
from tests.reporting.factories import ServiceRecordFactory, VisitFactory


@dataclass
class UnitWorld:
    unit: Unit
    other_unit: Unit
    community: Community
    far_community: Community
    secretary: User  # 单位党组织书记 of ``unit``
    organiser: User  # 单位党组织组织委员 of ``unit``
    neighbour: User  # 单位党组织书记 of ``other_unit``
    community_secretary: User  # 社区书记 of ``community``
    outsider: User  # signed in, no post
    near: Member  # of ``unit``, placed in ``community``, on track
    far: Member  # of ``unit``, placed in ``far_community``, behind
    waiting: Member  # of ``unit``, registration pending
    stranger: Member  # of ``other_unit``, placed in ``community``, behind


def confirmed(member: Member, community: Community, start: datetime, minutes: int) -> ServiceRecord:
    return ServiceRecordFactory(
        member=member,
        community=community,
        started_at=start,
        minutes=minutes,
        status=ServiceRecord.Status.CONFIRMED,
        confirmed_via=ServiceRecord.ConfirmedVia.COMMUNITY,
        confirmed_at=start + timedelta(minutes=minutes),
    )


def on_track(member: Member, community: Community) -> None:
    """Twenty hours in this year's evenings (outside any working hours) and a visit today."""
    year = timezone.localdate().year
    for day in (5, 6, 7, 8):
        confirmed(member, community, datetime(year, 1, day, 18, 0, tzinfo=SHANGHAI), 300)
    VisitFactory(member=member, community=community, visited_at=timezone.now())


def unit_post(user: User, role: str, unit: Unit) -> User:
    PostFactory(user=user, role=role, community=None, unit=unit)
    return user


def build_unit_world(community: Community) -> UnitWorld:
    far_community = CommunityFactory(name="十里亭社区", lat=24.70, lng=113.40)
    unit, other_unit = UnitFactory(name="韶关市教育局"), UnitFactory(name="韶关市卫健局")

    def placed(name: str, u: Unit, c: Community) -> Member:
        m = MemberFactory(user=UserFactory(name=name), unit=u)
        place(m, Level2GridFactory(community=c))
        return m

    near = placed("李近", unit, community)
    far = placed("王远", unit, far_community)
    stranger = placed("赵外", other_unit, community)
    waiting = MemberFactory(user=UserFactory(name="陈候"), unit=unit)
    RegistrationFactory(member=waiting, community=community)
    on_track(near, community)
    community_secretary = UserFactory(name="社区书记")
    PostFactory(user=community_secretary, role=Post.Role.SECRETARY, community=community)
    return UnitWorld(
        unit=unit,
        other_unit=other_unit,
        community=community,
        far_community=far_community,
        secretary=unit_post(UserFactory(name="张书记"), Post.Role.UNIT_SECRETARY, unit),
        organiser=unit_post(UserFactory(name="孙委员"), Post.Role.UNIT_ORGANISER, unit),
        neighbour=unit_post(UserFactory(name="邻书记"), Post.Role.UNIT_SECRETARY, other_unit),
        community_secretary=community_secretary,
        outsider=UserFactory(name="路人"),
        near=near,
        far=far,
        waiting=waiting,
        stranger=stranger,
    )
