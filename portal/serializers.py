"""The API's ``me/`` body: the account, the volunteer profile, posts, registration, unread count."""

from rest_framework import serializers

from accounts.serializers import UserOut
from core.rows import CompiledRepresentation
from grids.serializers.people import MemberProfileOut, PostOut
from grids.serializers.registration import RegistrationOut


class MeOut(CompiledRepresentation, serializers.Serializer):
    user = UserOut()
    member = MemberProfileOut(allow_null=True)
    posts = PostOut(many=True)
    active_registration = RegistrationOut(allow_null=True)
    unread_count = serializers.IntegerField(help_text="未读消息数")
