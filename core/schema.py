"""The OpenAPI schema's share of the error contract: every operation lists the errors it can
answer, each in the one envelope ``core.api.exception_handler`` writes.

Which errors an operation can answer follows from the view: 401 unless anyone may call it, 403
where a signed-in user can still be refused (every write, and reads with their own permission
rules), 404 where the path names an object or a paginated list is asked for a page it does not
have, 400 where something is sent (a body, or a list's filters and page), 409 for writes (a service
refusing a change of state), 429 where a throttle applies.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import permissions, serializers

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
OPEN = (permissions.AllowAny,)
PLAIN = (permissions.AllowAny, permissions.IsAuthenticated)

ERRORS = {
    400: "提交的内容有误（fields 按字段列出原因）",
    401: "未登录，或登录凭证无效、已过期",
    403: "无权执行该操作",
    404: "不存在，或不在您可见的范围内",
    409: "与对象的当前状态冲突（如名额已满、已处理）",
    429: "操作太频繁（Retry-After 给出等待秒数）",
}
NO_SUCH_PAGE = "页码无效或超出范围"


class ErrorOut(serializers.Serializer):
    detail = serializers.CharField(help_text="中文错误信息，可直接展示给用户")
    code = serializers.CharField(help_text="错误代码，如 invalid、not_authenticated、slot_full")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="按字段列出的错误信息（仅 400）",
    )


def errors(described: dict[int, str]) -> dict[int, OpenApiResponse]:
    """Error answers an operation gives that ``AutoSchema`` cannot infer from the view (a service or
    selector refusing), for ``extend_schema(responses=...)``; each in the one error envelope."""
    return {status: OpenApiResponse(ErrorOut, description=text) for status, text in described.items()}


# An operation whose service counts a per-person limit (core.limits) answers 429 too; DRF's
# throttles, which AutoSchema sees, are not what counts these.
LIMITED_429 = errors({429: ERRORS[429]})


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in self.error_statuses():
            body = self._get_response_for_code(ErrorOut, str(status), direction=direction)
            responses.setdefault(str(status), {**body, "description": self.error_description(status)})
        return responses

    def _queries(self) -> bool:
        """Whether the operation declares query parameters of its own (a view that reads them itself)."""
        return any(
            isinstance(p, OpenApiParameter) and p.location == OpenApiParameter.QUERY
            for p in self.get_override_parameters()
        )

    def _is_paginated_list(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None

    def error_description(self, status: int) -> str:
        if status == 404 and self._is_paginated_list():
            return f"{ERRORS[404]}；或{NO_SUCH_PAGE}" if "{" in self.path else NO_SUCH_PAGE
        return ERRORS[status]

    def error_statuses(self) -> list[int]:
        view, write = self.view, self.method in WRITES
        classes = tuple(type(p) for p in view.get_permissions())
        anyone = bool(classes) and all(isinstance(p, OPEN) for p in view.get_permissions())
        statuses = set()
        if write or (self.method == "GET" and self._is_list_view()) or self._get_filter_parameters() or self._queries():
            statuses.add(400)
        if not anyone:
            statuses.add(401)
            if write or not all(issubclass(c, PLAIN) for c in classes):
                statuses.add(403)
        if "{" in self.path or self._is_paginated_list():
            statuses.add(404)
        if write:
            statuses.add(409)
        if view.get_throttles():
            statuses.add(429)
        return sorted(statuses)
