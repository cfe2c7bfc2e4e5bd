"""What the grids API's viewsets share: the missing-profile message and lookups that answer 400/404."""

from core.errors import NotFound, ValidationFailed
from core.schema import NO_SUCH_PAGE, errors
from grids.models import Member
from grids.selectors.people import member_of

NO_PROFILE = "您还没有党员/志愿者资料，请先在“我的资料”中填写。"
# The answer of an operation that needs the caller's member profile when they have none.
NO_PROFILE_404 = errors({404: "还没有党员/志愿者资料（no_member_profile）"})
# The same, for a paginated list (which also answers 404 for a page it does not have).
NO_PROFILE_OR_PAGE_404 = errors({404: f"还没有党员/志愿者资料（no_member_profile）；或{NO_SUCH_PAGE}"})


def get_or_400(model, pk: int, field: str, message: str):
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ValidationFailed(message, code="does_not_exist", field=field)
    return obj


def own_member(user) -> Member:
    member = member_of(user)
    if member is None:
        raise NotFound(NO_PROFILE, code="no_member_profile")
    return member
