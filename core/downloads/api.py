"""The XLSX downloads over the API: start one (202 with the job), follow it, take the file.

CSV downloads stream directly from their own URL (``downloads:csv``); an XLSX is built in the
background, so a client starts a job, polls it until ``status`` is ``done`` and then fetches
``download_url`` with its token (the same owner and scope checks and audit row as the page).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from core.downloads import selectors, services
from core.downloads.http import file_response
from core.errors import ValidationFailed
from core.models import ExportJob
from core.schema import LIMITED_429, errors

BAD_PARAMS = "下载参数应为一组名称与取值（文字或数字）。"


class ExportJobOut(serializers.ModelSerializer):
    dataset = serializers.CharField(
        source="key", help_text="数据集（members、records、requests、tasks、visits、sheet …）"
    )
    status_display = serializers.CharField(source="get_status_display")
    progress = serializers.IntegerField(allow_null=True, help_text="百分比；总行数未知时为 null")
    expired = serializers.BooleanField()
    download_url = serializers.SerializerMethodField(help_text="完成且未过期时的文件地址（需登录，仅本人）")
    page_url = serializers.SerializerMethodField(help_text="网页上的进度与下载页")

    class Meta:
        model = ExportJob
        fields = [
            "id", "dataset", "params", "title", "status", "status_display", "rows_done", "rows_total", "progress",
            "error", "size", "created_at", "finished_at", "expires_at", "expired", "download_url", "page_url",
        ]  # fmt: skip

    def get_download_url(self, job) -> str | None:
        if job.status != ExportJob.Status.DONE or job.expired:
            return None
        return reverse("export-job-file", args=[job.pk], request=self.context.get("request"))

    def get_page_url(self, job) -> str:
        return reverse("downloads:job", args=[job.pk], request=self.context.get("request"))


def _params(request) -> dict:
    """The querystring, then the body's fields over it (a JSON object of names and values)."""
    params = {name: request.query_params.getlist(name)[-1] for name in request.query_params}
    body = request.data
    if hasattr(body, "getlist"):
        body = {name: body.getlist(name)[-1] for name in body}
    if not isinstance(body, dict):
        raise ValidationFailed(BAD_PARAMS, code="invalid_params")
    for name, value in body.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float) and value is not None:
            raise ValidationFailed(BAD_PARAMS, code="invalid_params", field=name)
        params[name] = value
    return params


class ExportStartView(APIView):
    @extend_schema(
        summary="发起 Excel 下载（后台生成）",
        description=(
            "参数（如 node、start、end）可放在查询串或请求体（JSON 对象）中，与 CSV 下载相同；范围或参数不允许时"
            "立即返回 400/403 与中文原因。新任务返回 202 与任务（Location 为任务地址）；同一数据集与参数已在生成时"
            "返回 200、那个任务和 detail「已有相同的下载正在生成」。轮询任务直到 status 为 done，再用 download_url "
            "下载；文件保留一天。"
        ),
        request=OpenApiTypes.OBJECT,
        parameters=[OpenApiParameter("key", str, OpenApiParameter.PATH, description="数据集")],
        responses={
            202: ExportJobOut,
            200: inline_serializer("ExportAlreadyRunning", {"detail": serializers.CharField(), "job": ExportJobOut()}),
            **LIMITED_429,
        },
        tags=["下载"],
    )
    def post(self, request, key: str):
        job, created = services.export_job_start(user=request.user, key=key, params=_params(request))
        body = ExportJobOut(job, context={"request": request}).data
        if not created:
            return Response({"detail": services.ALREADY_RUNNING, "job": body}, status=status.HTTP_200_OK)
        response = Response(body, status=status.HTTP_202_ACCEPTED)
        response["Location"] = reverse("export-job-detail", args=[job.pk], request=request)
        return response


class ExportJobListView(generics.ListAPIView):
    serializer_class = ExportJobOut
    queryset = ExportJob.objects.none()  # the schema's model; the list itself is get_queryset's

    def get_queryset(self):
        return selectors.export_jobs_of(self.request.user)

    @extend_schema(summary="我的下载（最近一天）", tags=["下载"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ExportJobDetailView(APIView):
    @extend_schema(summary="下载任务：状态、进度与文件地址", responses=ExportJobOut, tags=["下载"])
    def get(self, request, job_id):
        job = selectors.export_job_of(request.user, job_id)
        return Response(ExportJobOut(job, context={"request": request}).data)


class ExportJobFileView(APIView):
    @extend_schema(
        summary="下载文件（XLSX）",
        description="仅本人、且仍有该范围的权限；已过期或失败时返回 410，尚未生成完时返回 409。",
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            **errors({403: "已无权下载该范围的数据", 409: "文件还在生成中", 410: "文件已过期删除，或生成失败"}),
        },
        tags=["下载"],
    )
    def get(self, request, job_id):
        job = selectors.export_job_of(request.user, job_id)
        services.export_job_hand_out(job=job, user=request.user)
        return file_response(job)
