"""The API's ``me/``: one answer that gathers the account, grids and the inbox."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from grids.selectors.people import member_of, posts_of
from grids.selectors.registration import active_registration
from notifications.selectors import unread_count
from portal.serializers import MeOut


class MeView(APIView):
    @extend_schema(summary="当前用户：资料、党员资料、职务、进行中的报到和未读消息数", responses=MeOut, tags=["我的"])
    def get(self, request):
        user = request.user
        member = member_of(user)
        body = {
            "user": user,
            "member": member,
            "posts": list(posts_of(user)),
            "active_registration": active_registration(member) if member else None,
            "unread_count": unread_count(user),
        }
        return Response(MeOut(body, context={"request": request}).data)
