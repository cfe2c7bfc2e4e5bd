"""What the grids API's viewsets share: the missing-profile message and lookups that answer 400/404."""

from core.errors import NotFound, ValidationFailed
from grids.models import Member
from grids.selectors.people import member_of

NO_PROFILE = "您还没有党员/志愿者资料，请先在“我的资料”中填写。"


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
