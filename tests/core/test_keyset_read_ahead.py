"""Keyset pages read ahead on a connection of their own: the same pages, in order, as one by one."""

import pytest

from core.keyset import keyset_pages
from reporting.models import ServiceRecord
from tests.grids.factories import CommunityFactory
from tests.reporting.factories import ServiceRecordFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_reading_ahead_gives_the_same_pages_and_stops_early_cleanly():
    community = CommunityFactory()
    made = [ServiceRecordFactory(community=community).pk for _ in range(7)]
    qs = ServiceRecord.objects.filter(community=community)
    fields = ("pk", "minutes")
    one_by_one = list(keyset_pages(qs, fields, size=2, read_ahead=False))
    ahead = list(keyset_pages(qs, fields, size=2, read_ahead=True))
    assert ahead == one_by_one
    assert [r[0] for p in ahead for r in p] == made
    assert [len(p) for p in ahead] == [2, 2, 2, 1]
    pages = keyset_pages(qs, fields, size=2)  # outside a transaction: reads ahead by default
    assert next(pages) == one_by_one[0]
    pages.close()  # a download broken off: the reading thread ends and its connection closes


def test_inside_a_transaction_the_pages_are_read_one_by_one(django_assert_num_queries):
    from django.db import transaction

    community = CommunityFactory()
    for _ in range(3):
        ServiceRecordFactory(community=community)
    with transaction.atomic():
        ServiceRecordFactory(community=community)  # uncommitted: another connection would miss it
        pages = list(keyset_pages(ServiceRecord.objects.filter(community=community), ("pk",), size=2))
    assert sum(len(p) for p in pages) == 4


def test_each_page_is_prepared_where_it_is_read():
    community = CommunityFactory()
    made = [ServiceRecordFactory(community=community).pk for _ in range(5)]
    qs = ServiceRecord.objects.filter(community=community)

    def prepare(rows):  # a page's lookups, read on the reading thread when reading ahead
        return [r[0] for r in rows], ServiceRecord.objects.filter(pk__in=[r[0] for r in rows]).count()

    for read_ahead in (False, True):
        pages = list(keyset_pages(qs, ("pk",), size=2, read_ahead=read_ahead, prepare=prepare))
        assert pages == [(made[0:2], 2), (made[2:4], 2), (made[4:5], 1)]
