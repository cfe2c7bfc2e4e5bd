"""Reads: the member's task hall, staff task lists, dispatch suggestions — order, filters, query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from grids.geo import haversine_m
from grids.models import Pairing, Post
from orders.models import Acceptance, Task
from orders.selectors.tasks import acceptances_for_member, dispatch_suggestions, task_hall, tasks_for
from orders.services.tasks import task_accept
from reporting.models import ServiceRecord
from tests.accounts.factories import UserFactory
from tests.grids.factories import CommunityFactory, Level2GridFactory, MemberFactory, PostFactory
from tests.orders.factories import AcceptanceFactory, TaskFactory
from tests.reporting.factories import ServiceRecordFactory

T, V = Task.Status, Task.Visibility
pytestmark = pytest.mark.django_db

# Points east of the community at about 0.5 km, 1.5 km and 3 km.
EAST = {0: 113.5905, 0.5: 113.5905 + 0.0049, 1.5: 113.5905 + 0.0148, 3: 113.5905 + 0.0296}


def _day(days: int, hour: int = 19) -> dt.datetime:
    d = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(d, dt.time(hour, 0)))


def _task(community, *, km: float = 0.5, days: int = 1, starts_at=None, **kwargs) -> Task:
    starts = starts_at or _day(days)
    return TaskFactory(
        community=community,
        lat=community.lat,
        lng=EAST[km],
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        **kwargs,
    )


# --- the task hall ------------------------------------------------------------------------------


def test_the_hall_lists_what_the_member_may_take_nearest_ring_then_soonest(community, other_community, placed):
    near_later = _task(community, km=0.5, days=3)
    near_sooner = _task(community, km=0.5, days=2)
    far_soonest = _task(community, km=3, days=1)
    middle = _task(community, km=1.5, days=1)
    _task(other_community)  # not visible
    _task(community, status=T.CANCELLED, cancel_reason="取消")
    _task(community, status=T.FULL, slots=1, taken=1)
    _task(community, days=-1)  # started
    held = _task(community, days=4)
    task_accept(task=held, member=placed)

    hall = list(task_hall(placed, lat=community.lat, lng=community.lng))
    assert hall == [near_sooner, near_later, middle, far_soonest]
    for task in hall:
        assert task.distance_m == pytest.approx(haversine_m(community.lat, community.lng, task.lat, task.lng), rel=0.01)


def test_the_hall_measures_from_home_when_no_point_is_given(community, placed):
    placed.home_lat, placed.home_lng = community.lat, EAST[3]
    placed.save()
    near_home = _task(community, km=3, days=2)
    far_from_home = _task(community, km=0.5, days=1)
    assert list(task_hall(placed)) == [near_home, far_from_home]


def test_without_any_point_the_hall_is_soonest_first(community, placed):
    placed.home_lat = placed.home_lng = None
    placed.save()
    later, sooner = _task(community, days=2), _task(community, km=3, days=1)
    hall = list(task_hall(placed))
    assert hall == [sooner, later] and hall[0].distance_m is None


def test_hall_filters_by_duty_date_and_distance(community, placed):
    safety = _task(community, km=0.5, days=1, duty="safety")
    far = _task(community, km=3, days=1, duty="safety")
    other_day = _task(community, km=0.5, days=2, duty="safety")
    _task(community, km=0.5, days=1, duty="sanitation")
    at = {"lat": community.lat, "lng": community.lng}
    assert set(task_hall(placed, duty="safety", **at)) == {safety, far, other_day}
    assert set(task_hall(placed, duty="safety", date=timezone.localdate(safety.starts_at), **at)) == {safety, far}
    assert set(task_hall(placed, duty="safety", max_distance_m=2000, **at)) == {safety, other_day}


def test_hall_shows_paired_and_city_tasks_to_the_right_members(community, other_community, placed):
    paired = _task(other_community, visibility=V.PAIRED)
    city = _task(CommunityFactory(), visibility=V.CITY, days=2)
    assert list(task_hall(placed)) == [city]
    Pairing.objects.create(unit=placed.unit, community=other_community)
    assert set(task_hall(placed)) == {paired, city}


@pytest.mark.parametrize("count", [3, 30])
def test_hall_is_three_queries_however_many_tasks(community, placed, count, django_assert_num_queries):
    Pairing.objects.create(unit=placed.unit, community=CommunityFactory())
    for i in range(count):
        _task(community, km=[0.5, 1.5, 3][i % 3], days=1 + i % 5)
    # The communities paired with the member's unit, the member's teams (both cached), then the page.
    with django_assert_num_queries(3):
        rows = list(task_hall(placed, lat=community.lat, lng=community.lng, max_distance_m=5000)[:20])
        [(t.community.name, t.distance_m) for t in rows]
    assert len(rows) == min(count, 20)


# --- staff lists --------------------------------------------------------------------------------


def test_tasks_for_is_scoped(community, other_community, secretary, outsider, street_officer, grid):
    mine, theirs = _task(community), _task(other_community)
    in_grid = _task(community, grid=grid)
    assert set(tasks_for(secretary)) == {mine, in_grid}
    assert set(tasks_for(outsider)) == {theirs}
    assert set(tasks_for(street_officer)) == {mine, theirs, in_grid}
    grid_secretary = UserFactory()
    PostFactory(user=grid_secretary, role=Post.Role.GRID_SECRETARY, community=None, grid=grid)
    assert list(tasks_for(grid_secretary)) == [in_grid]
    assert list(tasks_for(UserFactory())) == []


def test_acceptances_for_member(community, placed):
    first, second = _task(community, days=1), _task(community, days=2)
    a1, a2 = task_accept(task=first, member=placed), task_accept(task=second, member=placed)
    AcceptanceFactory(task=first)
    assert list(acceptances_for_member(placed)) == [a2, a1]


# --- dispatch suggestions -----------------------------------------------------------------------


def _member(community, *, skills=(), km=0.5, **kwargs):
    return MemberFactory(community=community, skills=list(skills), home_lat=community.lat, home_lng=EAST[km], **kwargs)


def test_suggestions_rank_skills_then_quota_then_distance(community):
    task = _task(community, km=0, skills_wanted=["doctor", "nurse"])
    both = _member(community, skills=["doctor", "nurse"], km=3)
    one_far = _member(community, skills=["doctor"], km=3)
    one_near = _member(community, skills=["nurse"], km=0.5)
    done_quota = _member(community, skills=["nurse"], km=0.5)
    ServiceRecordFactory(
        member=done_quota,
        community=community,
        minutes=20 * 60 // 2,
        quota_minutes=20 * 60 // 2,
        started_at=task.starts_at - dt.timedelta(days=1),
        status=ServiceRecord.Status.CONFIRMED,
        confirmed_at=timezone.now(),
        confirmed_via="community",
    )
    none = _member(community, km=0.5)
    suggestions = dispatch_suggestions(task)
    assert [s.member for s in suggestions] == [both, one_near, one_far, done_quota, none]
    top = suggestions[0]
    assert top.matched_skills == ["doctor", "nurse"] and top.remaining_minutes == 1200
    assert top.distance_m == pytest.approx(3000, rel=0.02)
    assert suggestions[3].remaining_minutes == 600


def test_suggestions_leave_out_clashing_members_and_other_communities(community, other_community):
    task = _task(community)
    busy = _member(community)
    AcceptanceFactory(member=busy, task=_task(community, starts_at=task.starts_at + dt.timedelta(hours=1)))
    free = _member(community)
    withdrew = _member(community)
    AcceptanceFactory(member=withdrew, task=_task(community), status=Acceptance.Status.CANCELLED)
    stranger = _member(other_community)
    assert {s.member for s in dispatch_suggestions(task)} == {free, withdrew}
    Pairing.objects.create(unit=stranger.unit, community=community)
    task.visibility = V.PAIRED
    assert {s.member for s in dispatch_suggestions(task)} == {free, withdrew, stranger}


def test_city_tasks_suggest_registered_members_living_nearby(community):
    task = _task(community, visibility=V.CITY)
    elsewhere = CommunityFactory()
    neighbour = _member(elsewhere, km=1.5)
    MemberFactory(community=elsewhere, home_lat=25.2, home_lng=113.0)  # far away
    MemberFactory(community=None, home_lat=community.lat, home_lng=community.lng)  # not registered
    assert [s.member for s in dispatch_suggestions(task)] == [neighbour]


@pytest.mark.parametrize("count", [3, 40])
def test_suggestions_take_three_queries_however_many_members(community, count, django_assert_num_queries):
    task = _task(community, skills_wanted=["teacher"])
    grid = Level2GridFactory(community=community)
    for i in range(count):
        _member(community, skills=["teacher"] if i % 2 else [], km=[0.5, 1.5, 3][i % 3], grid=grid)
    with django_assert_num_queries(3):
        suggestions = dispatch_suggestions(task, limit=20)
        [(s.member.user.name, s.member.unit.name) for s in suggestions]
    assert len(suggestions) == min(count, 20)
