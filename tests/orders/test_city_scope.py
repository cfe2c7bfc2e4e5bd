"""City staff act on the whole city: the OR with their own rows must not lose the city's scope
(an empty ``Q()``, which ``Q(x) | Q()`` drops)."""

import pytest

from grids.models import Post, Registration
from grids.selectors.registration import registrations_visible_to
from orders.selectors.visible import requests_visible_to, tasks_visible_to
from tests.conftest import client_for
from tests.grids.factories import CommunityFactory, DistrictFactory, MemberFactory, PostFactory, StreetFactory
from tests.orders.factories import ServiceRequestFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def far_community():
    return CommunityFactory(street=StreetFactory(district=DistrictFactory(code="440281", name="乐昌市")))


@pytest.fixture
def city_officer():
    return PostFactory(role=Post.Role.CITY_STAFF, community=None).user


def test_city_staff_see_requests_tasks_and_registrations_anywhere(city_officer, far_community):
    request = ServiceRequestFactory(community=far_community)
    task = TaskFactory(community=far_community)
    registration = Registration.objects.create(member=MemberFactory(), community=far_community)
    assert request in requests_visible_to(city_officer)
    assert task in tasks_visible_to(city_officer)
    assert registration in registrations_visible_to(city_officer)
    api = client_for(city_officer)
    assert api.get(f"/api/v1/requests/{request.pk}/").status_code == 200
    assert api.get(f"/api/v1/tasks/{task.pk}/").status_code == 200
    assert api.get(f"/api/v1/registrations/{registration.pk}/").status_code == 200
