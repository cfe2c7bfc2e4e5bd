"""The names beside a download's rows: ids close together read as a range, scattered ones as a list."""

import pytest

from accounts.models import User
from grids.selectors.download_names import DENSE, Names, by_ids
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_close_ids_are_read_as_a_range_and_scattered_ones_as_a_list(django_assert_num_queries):
    users = [UserFactory() for _ in range(2 * DENSE + 2)]
    close = [u.pk for u in users[:4]]
    scattered = [users[0].pk, users[-1].pk]
    assert " IN (" not in str(by_ids(User.objects.all(), close).query)
    assert " IN (" in str(by_ids(User.objects.all(), scattered).query)
    with django_assert_num_queries(2):
        near, far = Names.users(close + [None]), Names.users(scattered)
    # Every id asked for is there; a range may bring its neighbours, which nobody looks up.
    assert {pk: near[pk] for pk in close} == {u.pk: (u.name, u.phone) for u in users[:4]}
    assert far == {u.pk: (u.name, u.phone) for u in (users[0], users[-1])}


def test_no_id_is_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert Names.users([None, None]) == {} and Names.grids([]) == {}
