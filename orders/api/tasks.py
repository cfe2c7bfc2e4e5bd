"""下单/吹哨 in the API: list and open tasks, publish one, the task hall, take a slot (接单),
escalate, cancel, complete, notify the best-suited members, and the staff's suggestions and
acceptance list of a task."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import WindowCountPagination
from core.errors import NotFound
from grids.api.common import NO_PROFILE_OR_PAGE_404
from grids.geo import location_to_wgs84
from grids.models import Community, Grid, VanguardTeam
from grids.permissions import HoldsPost
from grids.selectors.scope import scope_for
from orders import filters
from orders.api.common import ID_PATTERN, get_or_400
from orders.models import Task
from orders.permissions import own_member
from orders.selectors import escalations as escalation_selectors
from orders.selectors import tasks as task_selectors
from orders.selectors import visible
from orders.serializers.acceptances import AcceptanceOut, TaskAcceptanceOut
from orders.serializers.common import ReasonIn
from orders.serializers.escalations import EscalationDetailOut
from orders.serializers.tasks import (
    HallQuery,
    NotifyIn,
    SuggestionOut,
    TaskCreateIn,
    TaskNotifiedOut,
    TaskOut,
    hall_rows_out,
)
from orders.services import cascades
from orders.services import dispatch as dispatch_services
from orders.services import tasks as task_services


@extend_schema_view(
    list=extend_schema(summary="任务列表（工作人员：管辖范围内；党员：可见的）", tags=["任务"]),
    retrieve=extend_schema(summary="任务详情", tags=["任务"]),
)
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = TaskOut
    filterset_class = filters.TaskFilter
    pagination_class = WindowCountPagination

    def get_queryset(self):
        user = self.request.user
        if self.action == "list" and not scope_for(user).is_empty:
            return task_selectors.tasks_for(user)
        return visible.tasks_visible_to(user)

    def _render(self, task: Task, status_code=status.HTTP_200_OK) -> Response:
        row = visible.tasks_visible_to(self.request.user).get(pk=task.pk)
        return Response(TaskOut(row, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(
        summary="吹哨：发布任务（社区工作人员）",
        description="位置用 `lat`、`lng`、`coord_system`。安排在工作日 9:00–17:00 的任务仍可发布，"
        "返回的 `warning` 会提醒。`visibility=team` 时须给 `team`：仅该先锋队队员可见可接，"
        "由本队队长、副队长或社区工作人员发布，无需审核。",
        request=TaskCreateIn,
        responses={201: TaskOut},
        tags=["任务"],
    )
    def create(self, request):
        data = TaskCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        community = get_or_400(Community, v.pop("community"), "community", "所选社区不存在。")
        grid_id = v.pop("grid", None)
        grid = get_or_400(Grid, grid_id, "grid", "所选网格不存在。") if grid_id else None
        team_id = v.pop("team", None)
        team = get_or_400(VanguardTeam, team_id, "team", "所选先锋队不存在。") if team_id else None
        task = task_services.task_create(actor=request.user, community=community, grid=grid, team=team, **v)
        return self._render(task, status.HTTP_201_CREATED)

    @extend_schema(
        summary="任务大厅：我可以接的任务，由近及远",
        description="按 1 公里分档由近及远、同档内先开始的在前；不给位置时按居住地。",
        parameters=[HallQuery],
        responses={200: TaskOut(many=True), **NO_PROFILE_OR_PAGE_404},
        tags=["任务"],
    )
    @action(detail=False, methods=["get"], filterset_class=None)
    def hall(self, request):
        query = HallQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        v = query.validated_data
        member = own_member(request.user, brief=True)
        lat = lng = None
        if "lat" in v:
            lat, lng = location_to_wgs84(lat=v["lat"], lng=v["lng"], coord_system=v["coord_system"], field="lat")
        filters = dict(lat=lat, lng=lng, duty=v.get("duty"), date=v.get("date"), max_distance_m=v.get("max_distance_m"))
        page = self.paginator.paginate_fetched(
            lambda limit, offset: task_selectors.task_hall_page(member, limit=limit, offset=offset, **filters),
            request,
            fallback=lambda: task_selectors.task_hall(member, **filters),
        )
        if page and isinstance(page[0], dict):  # the prepared page: rows written out as they are
            return self.get_paginated_response(hall_rows_out(page))
        return self.get_paginated_response(TaskOut(page, many=True, context=self.get_serializer_context()).data)

    @extend_schema(summary="接单", request=None, responses={201: AcceptanceOut}, tags=["接单"])
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        member = own_member(request.user)
        acceptance = task_services.task_accept(task=self.get_object(), member=member)
        row = task_selectors.acceptances_for_member(member).get(pk=acceptance.pk)
        return Response(AcceptanceOut(row, context=self.get_serializer_context()).data, status=201)

    @extend_schema(
        summary="上报街道联席会议（社区解决不了的问题）",
        request=ReasonIn,
        responses={201: EscalationDetailOut},
        tags=["任务"],
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        escalation = cascades.task_escalate(
            task=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        row = escalation_selectors.escalations_for(request.user).get(pk=escalation.pk)
        return Response(EscalationDetailOut(row, context=self.get_serializer_context()).data, status=201)

    @extend_schema(summary="取消任务（须填理由）", request=ReasonIn, responses=TaskOut, tags=["任务"])
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        task = cascades.task_cancel(task=self.get_object(), actor=request.user, reason=data.validated_data["reason"])
        return self._render(task)

    @extend_schema(summary="任务完成（关联点单转为已办结）", request=None, responses=TaskOut, tags=["任务"])
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task = cascades.task_complete(task=self.get_object(), actor=request.user)
        return self._render(task)

    @extend_schema(
        summary="吹哨通知：通知前 N 名推荐党员",
        request=NotifyIn,
        responses=TaskNotifiedOut,
        tags=["任务"],
    )
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        data = NotifyIn(data=request.data)
        data.is_valid(raise_exception=True)
        task = self.get_object()
        members = dispatch_services.task_notify_top(task=task, actor=request.user, n=data.validated_data["n"])
        row = visible.tasks_visible_to(request.user).get(pk=task.pk)
        body = {"task": row, "notified": len(members)}
        return Response(TaskNotifiedOut(body, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="派单推荐：最合适的党员（工作人员）",
        description="按专长匹配、年度服务时长缺口与居住距离打分，排除时间冲突者。",
        responses=SuggestionOut(many=True),
        tags=["任务"],
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None, permission_classes=[HoldsPost])
    def suggestions(self, request, pk=None):
        task = self._staff_task(pk)
        rows = task_selectors.dispatch_suggestions(task, limit=20)
        return Response(SuggestionOut(rows, many=True).data)

    @extend_schema(
        summary="任务的接单党员（工作人员）",
        responses=TaskAcceptanceOut(many=True),
        tags=["任务"],
    )
    @action(detail=True, methods=["get"], filterset_class=None, permission_classes=[HoldsPost])
    def acceptances(self, request, pk=None):
        rows = task_selectors.acceptances_of_task(self._staff_task(pk))
        page = self.paginate_queryset(rows)
        out = TaskAcceptanceOut(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(out.data)

    def _staff_task(self, pk) -> Task:
        task = task_selectors.tasks_for(self.request.user).filter(pk=int(pk)).first()
        if task is None:
            raise NotFound("任务不存在或不在您的管辖范围内。")
        return task
