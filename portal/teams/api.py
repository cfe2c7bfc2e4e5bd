"""``teams/``: my vanguard teams; a team's page for its captain and vice-captain (members,
hours this year, board place), adding and removing members, the team's tasks and whistling one
to the team only; leaving a team."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import NotFound
from core.schema import errors
from grids.models import Member, VanguardTeam
from grids.selectors.teams import NOT_LEADER, team_led_by, team_memberships_of_user
from grids.services.teams import team_leave, team_member_add, team_member_remove
from orders.api.common import ID_PATTERN
from orders.serializers.tasks import TaskOut
from orders.services.tasks import task_create
from portal.teams.selectors import team_summary, team_tasks
from portal.teams.serializers import TeamDetailOut, TeamMemberAddIn, TeamOut, TeamTaskIn

TAGS = ["先锋队"]
NOT_LEADER_403 = errors({403: f"{NOT_LEADER}（not_team_leader）"})


@extend_schema_view(
    list=extend_schema(summary="我所在的先锋队", responses=TeamOut(many=True), tags=TAGS),
)
class TeamViewSet(viewsets.GenericViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = TeamOut
    filterset_class = None

    def get_queryset(self):
        return team_memberships_of_user(self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(TeamOut(page, many=True).data)

    def _detail(self, team: VanguardTeam, status_code=status.HTTP_200_OK) -> Response:
        return Response(TeamDetailOut(team_summary(team, self.request.user)).data, status=status_code)

    @extend_schema(
        summary="先锋队详情（队长、副队长）：队员、本年度服务时长、先锋队榜名次",
        responses={200: TeamDetailOut, **NOT_LEADER_403},
        tags=TAGS,
    )
    def retrieve(self, request, pk=None):
        return self._detail(team_led_by(request.user, pk))

    @extend_schema(
        summary="添加队员（队长、副队长）：按手机号，须已在本网格所在社区报到",
        description="直接加入，不需对方确认；对方会收到通知，并可自行退出。",
        request=TeamMemberAddIn,
        responses={201: TeamDetailOut},
        tags=TAGS,
    )
    @action(detail=True, methods=["post"], url_path="members")
    def add_member(self, request, pk=None):
        team = team_led_by(request.user, pk)
        data = TeamMemberAddIn(data=request.data)
        data.is_valid(raise_exception=True)
        team_member_add(actor=request.user, team=team, phone=data.validated_data["phone"])
        return self._detail(team, status.HTTP_201_CREATED)

    @extend_schema(
        summary="移除队员（队长、副队长）：不能移除自己和队长",
        request=None,
        responses={200: TeamDetailOut},
        tags=TAGS,
    )
    @action(detail=True, methods=["post"], url_path=rf"members/(?P<member_id>{ID_PATTERN})/remove")
    def remove_member(self, request, pk=None, member_id=None):
        team = team_led_by(request.user, pk)
        member = Member.objects.filter(pk=int(member_id)).first()
        if member is None:
            raise NotFound("该党员不在本队。", code="not_in_team")
        team_member_remove(actor=request.user, team=team, member=member)
        return self._detail(team)

    @extend_schema(
        methods=["GET"],
        summary="本队的任务（队长、副队长）",
        responses={200: TaskOut(many=True), **NOT_LEADER_403},
        tags=TAGS,
    )
    @extend_schema(
        methods=["POST"],
        summary="向本队吹哨：发布仅本队队员可见可接的任务（队长、副队长）",
        description="任务发布在本队网格所在社区，无需社区审核（社区工作人员会收到通知）；"
        "位置用 `lat`、`lng`、`coord_system`。",
        request=TeamTaskIn,
        responses={201: TaskOut},
        tags=TAGS,
    )
    @action(detail=True, methods=["get", "post"])
    def tasks(self, request, pk=None):
        team = team_led_by(request.user, pk)
        context = self.get_serializer_context()
        if request.method == "GET":
            page = self.paginate_queryset(team_tasks(team))
            return self.get_paginated_response(TaskOut(page, many=True, context=context).data)
        data = TeamTaskIn(data=request.data)
        data.is_valid(raise_exception=True)
        task = task_create(
            actor=request.user,
            community=team.grid.community,
            grid=team.grid,
            visibility="team",
            team=team,
            **data.validated_data,
        )
        row = team_tasks(team).get(pk=task.pk)
        return Response(TaskOut(row, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="退出先锋队（队员本人；队长不能退出）",
        request=None,
        responses={204: None},
        tags=TAGS,
    )
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        team = VanguardTeam.objects.filter(pk=int(pk)).first()
        if team is None:
            raise NotFound("先锋队不存在。")
        team_leave(actor=request.user, team=team)
        return Response(status=status.HTTP_204_NO_CONTENT)
