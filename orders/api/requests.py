"""点单 and 审核把关 in the API: list and open requests, place one (the community chosen or the
nearest), find the same problem nearby and join it, review (approve, reject, merge, escalate),
and the requester's confirm, rate and reopen."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import JSONParser, WindowCountPagination
from core.errors import NotFound
from core.schema import LIMITED_429
from grids.models import Community, Grid, Unit
from grids.selectors.scope import scope_for
from orders import filters
from orders.api.common import ID_PATTERN, get_or_400
from orders.models import RequestLookup, ServiceRequest, Task
from orders.selectors import requests as request_selectors
from orders.selectors import visible
from orders.serializers.common import ReasonIn
from orders.serializers.requests import (
    ApproveIn,
    JoinIn,
    MergeIn,
    NearbyOut,
    NearbyQuery,
    RateIn,
    RequestCreateIn,
    RequestDetailOut,
    RequestOut,
    RequestPhotoIn,
)
from orders.services import cascades, request_closing, request_review
from orders.services import requests as request_services
from orders.services.photos import request_photo_add

BOX = OpenApiParameter(
    "box",
    OpenApiTypes.STR,
    enum=["mine", "review", "scope"],
    description="mine：我提交或关注的；review：待我审核的（最早的在前）；scope：管辖范围内全部。"
    "工作人员默认 scope，其他人默认 mine。",
)


@extend_schema_view(
    list=extend_schema(summary="点单列表", parameters=[BOX], tags=["点单"]),
    retrieve=extend_schema(summary="点单详情（含进度时间线）", responses=RequestDetailOut, tags=["点单"]),
)
class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = RequestOut
    filterset_class = filters.RequestFilter
    pagination_class = WindowCountPagination
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

    def list(self, request, *args, **kwargs):
        if request.query_params.get("box") != "review" or set(request.query_params) - {"box", "page", "page_size"}:
            return super().list(request, *args, **kwargs)
        # The review list as it opens (no filter): read in two prepared queries.
        page = self.paginator.paginate_fetched(
            lambda limit, offset: request_selectors.pending_requests_page(request.user, limit=limit, offset=offset),
            request,
            fallback=lambda: self.filter_queryset(self.get_queryset()),
        )
        return self.get_paginated_response(RequestOut(page, many=True, context=self.get_serializer_context()).data)

    def get_serializer_class(self):
        return RequestDetailOut if self.action != "list" else RequestOut

    def _render(self, service_request: ServiceRequest, status_code=status.HTTP_200_OK) -> Response:
        row = visible.requests_visible_to(self.request.user).prefetch_related("photos").get(pk=service_request.pk)
        return Response(RequestDetailOut(row, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(
        summary="点单（提交服务需求）",
        description="JSON 提交，或 multipart 提交并附最多 3 张照片（字段 `photos`，可重复）。"
        "位置用 `lat`、`lng`、`coord_system`；不填社区时按位置取最近的社区。",
        request={"application/json": RequestCreateIn, "multipart/form-data": RequestCreateIn},
        responses={201: RequestDetailOut},
        tags=["点单"],
    )
    def create(self, request):
        data = RequestCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        community = None
        if v.get("community") is not None:
            community = get_or_400(Community, v["community"], "community", "所选社区不存在。")
        grid = get_or_400(Grid, v["grid"], "grid", "所选网格不存在。") if v.get("grid") else None
        unit = get_or_400(Unit, v["unit"], "unit", "所选单位不存在。") if v.get("unit") else None
        # No community given: the service takes the one nearest the location.
        service_request = request_services.request_create(
            requester=request.user,
            community=community,
            grid=grid,
            duty=v["duty"],
            title=v["title"],
            description=v["description"],
            address=v["address"],
            lat=v.get("lat"),
            lng=v.get("lng"),
            coord_system=v["coord_system"],
            contact_phone=v.get("contact_phone") or request.user.phone,
            preferred_time=v.get("preferred_time"),
            requester_kind=v["requester_kind"],
            unit=unit,
            photos=v.get("photos", []),
        )
        return self._render(service_request, status.HTTP_201_CREATED)

    @extend_schema(
        summary="附近的同类点单（避免重复提交）",
        description="只给出辨认问题所需的内容（标题、类别、状态、距离、时间），不含描述、照片和联系方式："
        "这些在关注（join）之后可见。每人每小时最多查找 NEARBY_LOOKUPS_PER_HOUR 次，超出时 429 并带 Retry-After。",
        parameters=[NearbyQuery],
        responses={200: NearbyOut(many=True), **LIMITED_429},
        tags=["点单"],
    )
    @action(detail=False, methods=["get"], filterset_class=None)
    def nearby(self, request):
        query = NearbyQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        v = query.validated_data
        request_services.request_lookup_count(user=request.user, kind=RequestLookup.Kind.NEARBY)
        rows = request_selectors.nearby_open_requests(
            lat=v["lat"], lng=v["lng"], duty=v["duty"], coord_system=v["coord_system"]
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(NearbyOut(page, many=True, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="“这也是我的问题”：关注该点单",
        description="在现场的居民带上当前位置（`lat`、`lng`、`coord_system`，与 nearby/ 相同），"
        "须在点单位置 REQUEST_DUPLICATE_RADIUS_M 米内；在该社区报到的党员和管辖该社区的工作人员无需位置。"
        "其他人一律得到 404，与点单不存在时相同。每人每天最多尝试关注 JOINS_PER_DAY 次（未成功的也计入），"
        "超出时 429 并带 Retry-After。",
        request=JoinIn,
        responses={200: RequestDetailOut, **LIMITED_429},
        tags=["点单"],
    )
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None):
        data = JoinIn(data=request.data)
        data.is_valid(raise_exception=True)  # the shape first: the same answer whether the id exists or not
        v = data.validated_data
        service_request = self._any(pk)
        request_services.request_join(
            request=service_request,
            user=request.user,
            lat=v.get("lat"),
            lng=v.get("lng"),
            coord_system=v["coord_system"],
        )
        return self._render(service_request)

    def _any(self, pk) -> ServiceRequest:
        """Joining works on a request the caller cannot open yet; the service decides whether they
        may, and answers as this does when they may not."""
        service_request = ServiceRequest.objects.filter(pk=int(pk)).first()
        if service_request is None:
            raise NotFound(request_services.REQUEST_NOT_FOUND)
        return service_request

    @extend_schema(
        summary="受理：并入已有任务（task_id）或新建任务",
        request=ApproveIn,
        responses=RequestDetailOut,
        tags=["点单审核"],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = ApproveIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        service_request = self.get_object()
        task = None
        if "task_id" in v:
            task = get_or_400(Task, v.pop("task_id"), "task_id", "所选任务不存在。")
        service_request = cascades.request_approve(request=service_request, actor=request.user, task=task, **v)
        return self._render(service_request)

    @extend_schema(summary="不予受理（须填理由）", request=ReasonIn, responses=RequestDetailOut, tags=["点单审核"])
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        service_request = request_review.request_reject(
            request=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return self._render(service_request)

    @extend_schema(summary="合并到同类点单", request=MergeIn, responses=RequestDetailOut, tags=["点单审核"])
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        data = MergeIn(data=request.data)
        data.is_valid(raise_exception=True)
        service_request = self.get_object()
        into = get_or_400(ServiceRequest, data.validated_data["into"], "into", "目标点单不存在。")
        service_request = request_review.request_merge(request=service_request, into=into, actor=request.user)
        return self._render(service_request)

    @extend_schema(summary="上报街道联席会议", request=ReasonIn, responses=RequestDetailOut, tags=["点单审核"])
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        service_request = request_review.request_escalate(
            request=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return self._render(service_request)

    @extend_schema(
        summary="为点单添加一张照片（点单人，待审核期间）",
        description="multipart 提交，字段 `photo`，每次一张（小程序 `wx.uploadFile` 逐张上传）；"
        "JPEG 或 PNG，去除位置等元数据后保存，每个点单最多 3 张。已进入审核处理的点单返回 409。",
        request={"multipart/form-data": RequestPhotoIn},
        responses={201: RequestDetailOut},
        tags=["点单"],
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, pk=None):
        data = RequestPhotoIn(data=request.data)
        data.is_valid(raise_exception=True)
        service_request = self.get_object()
        request_photo_add(request=service_request, actor=request.user, photo=data.validated_data["photo"])
        return self._render(service_request, status.HTTP_201_CREATED)

    @extend_schema(summary="确认已解决（点单人）", request=None, responses=RequestDetailOut, tags=["点单"])
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        service_request = request_closing.request_confirm(request=self.get_object(), actor=request.user)
        return self._render(service_request)

    @extend_schema(
        summary="评价（1–5 星）并为参与服务的党员点赞",
        request=RateIn,
        responses=RequestDetailOut,
        tags=["点单"],
    )
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        data = RateIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        service_request = request_closing.request_rate(
            request=self.get_object(),
            actor=request.user,
            score=v["score"],
            comment=v["comment"],
            liked_member_ids=v["liked_members"],
        )
        return self._render(service_request)

    @extend_schema(summary="未解决，重新打开（须填理由）", request=ReasonIn, responses=RequestDetailOut, tags=["点单"])
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        service_request = request_closing.request_reopen(
            request=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return self._render(service_request)
