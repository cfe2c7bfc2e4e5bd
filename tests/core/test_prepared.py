"""``core.prepared.Prepared``: the same rows as the queryset it is built from, compiled once."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from core.prepared import Prepared
from orders.models import Task
from tests.orders.factories import TaskFactory

pytestmark = pytest.mark.django_db

FIELDS = ("id", "title", "starts_at", "skills_wanted", "lat", "slots")


def by_window(community_id, after, before, ids):
    return (
        Task.objects.filter(community_id=community_id, starts_at__gt=after, starts_at__lt=before, pk__in=ids)
        .order_by("starts_at", "pk")
        .values(*FIELDS)
    )


@pytest.fixture
def tasks():
    first = TaskFactory(skills_wanted=["急救", "电工"])
    others = [TaskFactory(community=first.community) for _ in range(4)]
    TaskFactory()  # another community's
    return [first, *others]


def test_rows_equal_the_querysets_values_for_any_values_and_shape(tasks):
    prepared = Prepared(by_window)
    community = tasks[0].community_id
    now = timezone.now()
    for after, before, ids in [
        (now - dt.timedelta(days=30), now + dt.timedelta(days=30), [t.pk for t in tasks]),
        (now, now + dt.timedelta(days=60), [t.pk for t in tasks[:2]]),
        (now + dt.timedelta(days=300), now + dt.timedelta(days=400), [tasks[0].pk]),
    ]:
        expected = list(by_window(community, after, before, ids))
        assert prepared.rows(community_id=community, after=after, before=before, ids=ids) == expected
    assert expected == [] and len(prepared._plans) == 3  # one plan per list length
    assert prepared.rows(community_id=community, after=now, before=now + dt.timedelta(days=60), ids=[tasks[1].pk])


def test_values_come_back_converted(tasks):
    row = Prepared(by_window).first(
        community_id=tasks[0].community_id,
        after=tasks[0].starts_at - dt.timedelta(seconds=1),
        before=tasks[0].starts_at + dt.timedelta(seconds=1),
        ids=[tasks[0].pk],
    )
    assert row["skills_wanted"] == ["急救", "电工"]  # JSON decoded
    assert row["starts_at"] == tasks[0].starts_at and row["starts_at"].tzinfo is not None


def test_limit_and_offset_page_the_rows(tasks):
    prepared = Prepared(lambda community_id: Task.objects.filter(community_id=community_id).order_by("pk").values("id"))
    ids = [t.pk for t in sorted(tasks, key=lambda t: t.pk)]
    assert [r["id"] for r in prepared.rows(community_id=tasks[0].community_id, limit=2, offset=1)] == ids[1:3]


def test_none_and_booleans_are_the_shape(tasks):
    def build(community_id, open_only):
        qs = Task.objects.filter(community_id=community_id)
        if open_only:
            qs = qs.filter(status=Task.Status.OPEN)
        return qs.values("id")

    prepared = Prepared(build)
    Task.objects.filter(pk=tasks[1].pk).update(status=Task.Status.COMPLETED)
    community = tasks[0].community_id
    assert len(prepared.rows(community_id=community, open_only=True)) == 4
    assert len(prepared.rows(community_id=community, open_only=False)) == 5


def test_a_value_computed_from_an_argument_is_refused(tasks):
    prepared = Prepared(lambda lat: Task.objects.filter(lat__gt=lat - 0.01).values("id"))
    with pytest.raises(ImproperlyConfigured):
        prepared.rows(lat=24.8)


def test_an_argument_the_sql_never_sees_is_refused(tasks):
    prepared = Prepared(lambda community_id, note: Task.objects.filter(community_id=community_id).values("id"))
    with pytest.raises(ImproperlyConfigured):
        prepared.rows(community_id=tasks[0].community_id, note="x")


def test_model_querysets_and_slices_are_refused(tasks):
    with pytest.raises(ImproperlyConfigured):
        Prepared(lambda pk: Task.objects.filter(pk=pk)).rows(pk=1)
    with pytest.raises(ImproperlyConfigured):
        Prepared(lambda pk: Task.objects.filter(pk=pk).values("id")[:1]).rows(pk=1)


def test_each_shape_is_compiled_once(tasks, django_assert_num_queries):
    prepared = Prepared(lambda community_id: Task.objects.filter(community_id=community_id).values("id"))
    prepared.rows(community_id=tasks[0].community_id)
    plan = prepared._plans[next(iter(prepared._plans))]
    with django_assert_num_queries(1):
        prepared.rows(community_id=tasks[-1].community_id)
    assert prepared._plans[next(iter(prepared._plans))] is plan


def test_a_filter_that_can_match_nothing_answers_no_rows_without_a_query(tasks, django_assert_num_queries):
    prepared = Prepared(lambda ids: Task.objects.filter(pk__in=ids).values("id"))
    with django_assert_num_queries(0):
        assert prepared.rows(ids=[]) == [] and prepared.first(ids=[]) is None
    assert prepared.rows(ids=[tasks[0].pk]) == [{"id": tasks[0].pk}]
