"""评星定级 in the admin: who reads it and what a list costs."""

import pytest
from django.urls import reverse

from rankings.models import MemberStars
from tests.grids.factories import MemberFactory

pytestmark = pytest.mark.django_db

STARS = reverse("admin:rankings_memberstars_changelist")


@pytest.fixture
def staff_secretary(secretary):
    secretary.is_staff = True
    secretary.save(update_fields=["is_staff"])
    return secretary


def test_stars_list_for_district_staff_costs_the_same_for_more_rows(client, district_officer, community):
    district_officer.is_staff = True
    district_officer.save(update_fields=["is_staff"])
    client.force_login(district_officer)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as q:
            assert client.get(STARS).status_code == 200
        return len(q)

    MemberStars.objects.create(year=2026, member=MemberFactory(community=community), stars=2)
    few = count()
    MemberStars.objects.bulk_create(
        MemberStars(year=2026, member=MemberFactory(community=community), stars=1) for _ in range(5)
    )
    assert count() == few


def test_a_secretary_does_not_see_it(client, staff_secretary):
    client.force_login(staff_secretary)
    assert client.get(STARS).status_code == 403
