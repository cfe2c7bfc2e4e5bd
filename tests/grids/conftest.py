"""Fixtures of the 调剂 tests: a crowded community beside an empty one, a city officer, the
officer of a neighbouring district; and ``run``, a round started and solved by its (eager) job."""

import pytest
from django.test import TestCase

from grids.models import Post, Registration
from grids.services.adjustment import adjustment_run
from tests.accounts.factories import UserFactory
from tests.grids.factories import DistrictFactory, MemberFactory, PostFactory

S = Registration.Status


def run(*, actor, district):
    """Start a round and let its job (eager Celery, queued on commit) solve it."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        round_ = adjustment_run(actor=actor, district=district)
    round_.refresh_from_db()
    return round_


@pytest.fixture
def crowded(community, other_community, grid):
    """工业中社区 needs one member and has three placed; 东堤社区 (600 m away) needs two and has none;
    one more member waits unplaced, having chosen 工业中社区."""
    community.members_needed, other_community.members_needed = 1, 3
    community.save(), other_community.save()
    regs = []
    for i in range(3):
        m = MemberFactory(user=UserFactory(name=f"党员{i}"), home_lat=24.8035, home_lng=113.5905)
        regs.append(
            Registration.objects.create(
                member=m, community=community, grid=grid, status=S.PLACED, placed_at="2026-01-01T00:00:00+08:00"
            )
        )
    waiting = MemberFactory(user=UserFactory(name="待调剂"), home_lat=24.8080, home_lng=113.5960)
    unplaced = Registration.objects.create(member=waiting, community=None, status=S.UNPLACED)
    unplaced.choices.create(community=community, rank=1)
    return regs + [unplaced]


@pytest.fixture
def city_officer(db):
    user = UserFactory(phone="13800000007", name="市组织")
    PostFactory(user=user, role=Post.Role.CITY_STAFF, community=None)
    return user


@pytest.fixture
def far_officer(db):
    far = DistrictFactory(code="440204", name="浈江区", lat=24.80, lng=113.61)
    user = UserFactory(phone="13800000008", name="浈江组织")
    PostFactory(user=user, role=Post.Role.DISTRICT_STAFF, community=None, district=far)
    return user
