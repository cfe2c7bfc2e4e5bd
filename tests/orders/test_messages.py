"""A refusal names what is wrong with what was sent."""

import pytest

from core.errors import NUL_BYTE_MESSAGE, ValidationFailed
from orders.services.requests import request_create
from tests.orders.support import order_fields

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["title", "description", "address"])
def test_a_nul_byte_in_a_request_is_named(community, resident, field):
    with pytest.raises(ValidationFailed) as caught:
        request_create(requester=resident, **order_fields(community, **{field: "楼道\x00杂物"}))
    assert (caught.value.message, caught.value.code, caught.value.field) == (NUL_BYTE_MESSAGE, "nul_byte", field)
