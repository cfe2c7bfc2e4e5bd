"""The orders API: 点单 (requests), 下单/吹哨 (tasks), 接单 (acceptances), 联席会议 (escalations).

Viewsets are thin: ``get_queryset`` calls a selector, each POST action validates its input
with an input serializer, calls exactly one service and renders the updated object. Objects
outside the caller's reach are 404s; services check the rest and raise ``core.errors``.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import JSONParser
from core.errors import NotFound, ValidationFailed
from grids.models import Community, Grid, Unit
from grids.permissions import HoldsPost
from grids.selectors.scope import scope_for
from orders import filters
from orders import serializers as s
from orders.models import Escalation, ServiceRequest, Task
from orders.permissions import own_member
from orders.selectors import escalations as escalation_selectors
from orders.selectors import requests as request_selectors
from orders.selectors import tasks as task_selectors
from orders.selectors import visible
from orders.services import dispatch as dispatch_services
from orders.services import escalations as escalation_services
from orders.services import requests as request_services
from orders.services import tasks as task_services
from orders.services.acceptances import acceptance_check_in, acceptance_check_out, acceptance_withdraw

ID_PATTERN = r"[1-9][0-9]{0,17}"  # junk ids never reach the database


def _get_or_400(model, pk, field: str, message: str):
    obj = model.objects.filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise ValidationFailed(message, code="does_not_exist", field=field)
    return obj


# --- 点单 -------------------------------------------------------------------------------------


BOX = OpenApiParameter(
    "box",
    OpenApiTypes.STR,
    enum=["mine", "review", "scope"],
    description="mine：我提交或关注的；review：待我审核的（最早的在前）；scope：管辖范围内全部。"
    "工作人员默认 scope，其他人默认 mine。",
)


@extend_schema_view(
    list=extend_schema(summary="点单列表", parameters=[BOX], tags=["点单"]),
    retrieve=extend_schema(summary="点单详情（含进度时间线）", responses=s.RequestDetailOut, tags=["点单"]),
)
class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.RequestOut
    filterset_class = filters.RequestFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        user = self.request.user
        if self.action != "list":
            return visible.requests_visible_to(user).prefetch_related("photos")
        box = self.request.query_params.get("box")
        if box not in ("mine", "review", "scope"):
            box = "mine" if scope_for(user).is_empty else "scope"
        if box == "review":
            rows = request_selectors.pending_requests_for(user)
        elif box == "scope":
            rows = visible.requests_in_scope(user)
        else:
            rows = request_selectors.requests_for_requester(user)
        return rows.prefetch_related("photos")

    def get_serializer_class(self):
        return s.RequestDetailOut if self.action != "list" else s.RequestOut

    def _render(self, row: ServiceRequest, status_code=status.HTTP_200_OK) -> Response:
        row = visible.requests_visible_to(self.request.user).prefetch_related("photos").get(pk=row.pk)
        return Response(s.RequestDetailOut(row, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(
        summary="点单（提交服务需求）",
        description="JSON 提交，或 multipart 提交并附最多 3 张照片（字段 `photos`，可重复）。"
        "位置用 `lat`、`lng`、`coord_system`；不填社区时按位置取最近的社区。",
        request={"application/json": s.RequestCreateIn, "multipart/form-data": s.RequestCreateIn},
        responses={201: s.RequestDetailOut},
        tags=["点单"],
    )
    def create(self, request):
        data = s.RequestCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v.get("community") is not None:
            community = _get_or_400(Community, v["community"], "community", "所选社区不存在。")
        else:
            community = request_selectors.nearest_community(v["lat"], v["lng"], v["coord_system"])
            if community is None:
                raise ValidationFailed("附近没有找到社区，请手动选择社区。", code="required", field="community")
        grid = _get_or_400(Grid, v["grid"], "grid", "所选网格不存在。") if v.get("grid") else None
        unit = _get_or_400(Unit, v["unit"], "unit", "所选单位不存在。") if v.get("unit") else None
        row = request_services.request_create(
            requester=request.user,
            community=community,
            grid=grid,
            duty=v["duty"],
            title=v["title"],
            description=v["description"],
            address=v["address"],
            lat=v["lat"],
            lng=v["lng"],
            coord_system=v["coord_system"],
            contact_phone=v.get("contact_phone") or request.user.phone,
            preferred_time=v.get("preferred_time"),
            requester_kind=v["requester_kind"],
            unit=unit,
            photos=v.get("photos", []),
        )
        return self._render(row, status.HTTP_201_CREATED)

    @extend_schema(
        summary="附近的同类点单（避免重复提交）",
        parameters=[s.NearbyQuery],
        responses=s.RequestOut(many=True),
        tags=["点单"],
    )
    @action(detail=False, methods=["get"], filterset_class=None)
    def nearby(self, request):
        query = s.NearbyQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        v = query.validated_data
        rows = request_selectors.nearby_open_requests(
            lat=v["lat"], lng=v["lng"], duty=v["duty"], coord_system=v["coord_system"]
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.RequestOut(page, many=True, context=self.get_serializer_context()).data)

    @extend_schema(summary="“这也是我的问题”：关注该点单", request=None, responses=s.RequestDetailOut, tags=["点单"])
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None):
        row = self._any_open(pk)
        request_services.request_join(request=row, user=request.user)
        return self._render(row)

    def _any_open(self, pk) -> ServiceRequest:
        """Joining works on any request the caller found nearby, not only those they can open."""
        row = ServiceRequest.objects.filter(pk=int(pk)).first()
        if row is None:
            raise NotFound("点单不存在。")
        return row

    @extend_schema(
        summary="受理：并入已有任务（task_id）或新建任务",
        request=s.ApproveIn,
        responses=s.RequestDetailOut,
        tags=["点单审核"],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = s.ApproveIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        row = self.get_object()
        task = None
        if "task_id" in v:
            task = _get_or_400(Task, v.pop("task_id"), "task_id", "所选任务不存在。")
        row = request_services.request_approve(request=row, actor=request.user, task=task, **v)
        return self._render(row)

    @extend_schema(summary="不予受理（须填理由）", request=s.ReasonIn, responses=s.RequestDetailOut, tags=["点单审核"])
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = s.ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        row = request_services.request_reject(
            request=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return self._render(row)

    @extend_schema(summary="合并到同类点单", request=s.MergeIn, responses=s.RequestDetailOut, tags=["点单审核"])
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        data = s.MergeIn(data=request.data)
        data.is_valid(raise_exception=True)
        row = self.get_object()
        into = _get_or_400(ServiceRequest, data.validated_data["into"], "into", "目标点单不存在。")
        row = request_services.request_merge(request=row, into=into, actor=request.user)
        return self._render(row)

    @extend_schema(summary="上报街道联席会议", request=s.ReasonIn, responses=s.RequestDetailOut, tags=["点单审核"])
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        data = s.ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        row = request_services.request_escalate(
            request=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return self._render(row)

    @extend_schema(summary="确认已解决（点单人）", request=None, responses=s.RequestDetailOut, tags=["点单"])
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        row = request_services.request_confirm(request=self.get_object(), actor=request.user)
        return self._render(row)

    @extend_schema(
        summary="评价（1–5 星）并为参与服务的党员点赞",
        request=s.RateIn,
        responses=s.RequestDetailOut,
        tags=["点单"],
    )
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        data = s.RateIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        row = request_services.request_rate(
            request=self.get_object(),
            actor=request.user,
            score=v["score"],
            comment=v["comment"],
            liked_member_ids=v["liked_members"],
        )
        return self._render(row)

    @extend_schema(
        summary="未解决，重新打开（须填理由）", request=s.ReasonIn, responses=s.RequestDetailOut, tags=["点单"]
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        data = s.ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        row = request_services.request_reopen(
            request=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return self._render(row)


# --- 下单 / 吹哨 ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="任务列表（工作人员：管辖范围内；党员：可见的）", tags=["任务"]),
    retrieve=extend_schema(summary="任务详情", tags=["任务"]),
)
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.TaskOut
    filterset_class = filters.TaskFilter

    def get_queryset(self):
        user = self.request.user
        if self.action == "list" and not scope_for(user).is_empty:
            return task_selectors.tasks_for(user)
        return visible.tasks_visible_to(user)

    def _render(self, task: Task, status_code=status.HTTP_200_OK) -> Response:
        row = visible.tasks_visible_to(self.request.user).get(pk=task.pk)
        return Response(s.TaskOut(row, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(
        summary="吹哨：发布任务（社区工作人员）",
        description="位置用 `lat`、`lng`、`coord_system`。安排在工作日 9:00–17:00 的任务仍可发布，"
        "返回的 `warning` 会提醒。",
        request=s.TaskCreateIn,
        responses={201: s.TaskOut},
        tags=["任务"],
    )
    def create(self, request):
        data = s.TaskCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        community = _get_or_400(Community, v.pop("community"), "community", "所选社区不存在。")
        grid_id = v.pop("grid", None)
        grid = _get_or_400(Grid, grid_id, "grid", "所选网格不存在。") if grid_id else None
        task = task_services.task_create(actor=request.user, community=community, grid=grid, **v)
        return self._render(task, status.HTTP_201_CREATED)

    @extend_schema(
        summary="任务大厅：我可以接的任务，由近及远",
        description="按 1 公里分档由近及远、同档内先开始的在前；不给位置时按居住地。",
        parameters=[s.HallQuery],
        responses=s.TaskOut(many=True),
        tags=["任务"],
    )
    @action(detail=False, methods=["get"], filterset_class=None)
    def hall(self, request):
        query = s.HallQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        v = query.validated_data
        member = own_member(request.user)
        lat = lng = None
        if "lat" in v:
            from grids.geo import location_to_wgs84

            lat, lng = location_to_wgs84(lat=v["lat"], lng=v["lng"], coord_system=v["coord_system"], field="lat")
        rows = task_selectors.task_hall(
            member, lat=lat, lng=lng, duty=v.get("duty"), date=v.get("date"), max_distance_m=v.get("max_distance_m")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.TaskOut(page, many=True, context=self.get_serializer_context()).data)

    @extend_schema(summary="接单", request=None, responses={201: s.AcceptanceOut}, tags=["接单"])
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        member = own_member(request.user)
        acceptance = task_services.task_accept(task=self.get_object(), member=member)
        row = task_selectors.acceptances_for_member(member).get(pk=acceptance.pk)
        return Response(s.AcceptanceOut(row, context=self.get_serializer_context()).data, status=201)

    @extend_schema(
        summary="上报街道联席会议（社区解决不了的问题）",
        request=s.ReasonIn,
        responses={201: s.EscalationDetailOut},
        tags=["任务"],
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        data = s.ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        escalation = escalation_services.task_escalate(
            task=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        row = escalation_selectors.escalations_for(request.user).get(pk=escalation.pk)
        return Response(s.EscalationDetailOut(row, context=self.get_serializer_context()).data, status=201)

    @extend_schema(summary="取消任务（须填理由）", request=s.ReasonIn, responses=s.TaskOut, tags=["任务"])
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = s.ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        task = task_services.task_cancel(
            task=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return self._render(task)

    @extend_schema(summary="任务完成（关联点单转为已办结）", request=None, responses=s.TaskOut, tags=["任务"])
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task = task_services.task_complete(task=self.get_object(), actor=request.user)
        return self._render(task)

    @extend_schema(
        summary="吹哨通知：通知前 N 名推荐党员",
        request=s.NotifyIn,
        responses=s.TaskNotifiedOut,
        tags=["任务"],
    )
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        data = s.NotifyIn(data=request.data)
        data.is_valid(raise_exception=True)
        task = self.get_object()
        members = dispatch_services.task_notify_top(task=task, actor=request.user, n=data.validated_data["n"])
        row = visible.tasks_visible_to(request.user).get(pk=task.pk)
        body = {"task": row, "notified": len(members)}
        return Response(s.TaskNotifiedOut(body, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="派单推荐：最合适的党员（工作人员）",
        description="按专长匹配、年度服务时长缺口与居住距离打分，排除时间冲突者。",
        responses=s.SuggestionOut(many=True),
        tags=["任务"],
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None, permission_classes=[HoldsPost])
    def suggestions(self, request, pk=None):
        task = self._staff_task(pk)
        rows = task_selectors.dispatch_suggestions(task, limit=20)
        return Response(s.SuggestionOut(rows, many=True).data)

    @extend_schema(
        summary="任务的接单党员（工作人员）",
        responses=s.TaskAcceptanceOut(many=True),
        tags=["任务"],
    )
    @action(detail=True, methods=["get"], filterset_class=None, permission_classes=[HoldsPost])
    def acceptances(self, request, pk=None):
        rows = task_selectors.acceptances_of_task(self._staff_task(pk))
        page = self.paginate_queryset(rows)
        out = s.TaskAcceptanceOut(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(out.data)

    def _staff_task(self, pk) -> Task:
        task = task_selectors.tasks_for(self.request.user).filter(pk=int(pk)).first()
        if task is None:
            raise NotFound("任务不存在或不在您的管辖范围内。")
        return task


# --- 接单 ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="我的接单", tags=["接单"]),
    retrieve=extend_schema(summary="接单详情", tags=["接单"]),
)
class AcceptanceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.AcceptanceOut
    filterset_class = filters.AcceptanceFilter

    def get_queryset(self):
        from grids.selectors.people import member_of

        member = member_of(self.request.user)
        if member is None:
            from orders.models import Acceptance

            return Acceptance.objects.none()
        return task_selectors.acceptances_for_member(member)

    def _render(self, acceptance) -> Response:
        row = self.get_queryset().get(pk=acceptance.pk)
        return Response(s.AcceptanceOut(row, context=self.get_serializer_context()).data)

    @extend_schema(summary="退出接单", request=None, responses=s.AcceptanceOut, tags=["接单"])
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._render(acceptance_withdraw(acceptance=self.get_object(), actor=request.user))

    @extend_schema(
        summary="签到打卡（须先同意位置信息告知书）",
        description="在任务地点签到范围内、任务时间窗口内有效。位置用 `lat`、`lng`、`coord_system`。",
        request=s.LocationIn,
        responses=s.AcceptanceOut,
        tags=["接单"],
    )
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        data = s.LocationIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        acceptance = acceptance_check_in(
            acceptance=self.get_object(), actor=request.user, lat=v["lat"], lng=v["lng"], coord_system=v["coord_system"]
        )
        return self._render(acceptance)

    @extend_schema(summary="签退（生成待确认的服务记录）", request=None, responses=s.AcceptanceOut, tags=["接单"])
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request, pk=None):
        return self._render(acceptance_check_out(acceptance=self.get_object(), actor=request.user))


# --- 联席会议 -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="联席会议事项（街道及以上、本社区）", tags=["联席会议"]),
    retrieve=extend_schema(
        summary="事项详情（含部门办理意见与进度）", responses=s.EscalationDetailOut, tags=["联席会议"]
    ),
)
class EscalationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.EscalationOut
    filterset_class = filters.EscalationFilter
    permission_classes = [HoldsPost]

    def get_queryset(self):
        return escalation_selectors.escalations_for(self.request.user)

    def get_serializer_class(self):
        return s.EscalationOut if self.action == "list" else s.EscalationDetailOut

    def _render(self, escalation: Escalation) -> Response:
        row = self.get_queryset().get(pk=escalation.pk)
        return Response(s.EscalationDetailOut(row, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="分派部门并定办理期限", request=s.AssignIn, responses=s.EscalationDetailOut, tags=["联席会议"]
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = s.AssignIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        row = escalation_services.escalation_assign(
            escalation=self.get_object(),
            actor=request.user,
            department_ids=v["departments"],
            deadline=v.get("deadline"),
        )
        return self._render(row)

    @extend_schema(summary="记录部门办理意见", request=s.RespondIn, responses=s.EscalationDetailOut, tags=["联席会议"])
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        data = s.RespondIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        escalation = self.get_object()
        escalation_services.escalation_respond(
            escalation=escalation, actor=request.user, department_id=v["department"], response=v["response"]
        )
        return self._render(escalation)

    @extend_schema(
        summary="办结（填写会商结果）", request=s.ResolveIn, responses=s.EscalationDetailOut, tags=["联席会议"]
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = s.ResolveIn(data=request.data)
        data.is_valid(raise_exception=True)
        row = escalation_services.escalation_resolve(
            escalation=self.get_object(), actor=request.user, outcome=data.validated_data["outcome"]
        )
        return self._render(row)


@extend_schema_view(
    list=extend_schema(summary="联席会议成员单位", tags=["联席会议"]),
    retrieve=extend_schema(summary="成员单位详情", tags=["联席会议"]),
)
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.DepartmentOut
    pagination_class = None

    def get_queryset(self):
        return escalation_selectors.active_departments()
