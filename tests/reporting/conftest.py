import pytest

from grids.models import Registration
from reporting.services.consent import location_consent_grant
from tests.accounts.factories import UserFactory
from tests.grids.factories import MemberFactory


@pytest.fixture
def consenting(member):
    """The shared ``member`` with location consent given."""
    location_consent_grant(member=member)
    return member


@pytest.fixture
def placed_member(community, grid):
    """A member placed into ``grid`` of ``community``, with location consent."""
    m = MemberFactory(user=UserFactory(phone="13800000012", name="黄党员"), community=community, grid=grid)
    Registration.objects.create(
        member=m, community=community, grid=grid, status=Registration.Status.PLACED, placed_at=m.created_at
    )
    location_consent_grant(member=m)
    return m
