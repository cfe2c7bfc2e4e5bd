"""API plumbing shared by every app: pagination and the one exception handler."""

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, QuerySet, Window
from django.http import Http404
from rest_framework import exceptions, parsers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from core.errors import NUL_BYTE_MESSAGE, DomainError, Throttled

BIGINT_MAX = 2**63 - 1


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_page_message = "页码无效。"

    def paginate_fetched(self, fetch, request, fallback):
        """A page of a list read by ``fetch(limit, offset) -> (rows, total)``, the same list as
        the queryset ``fallback()``; here simply the queryset's page (``WindowCountPagination``
        uses ``fetch``)."""
        return self.paginate_queryset(fallback(), request)


class WindowCountPagination(Pagination):
    """The same pages and answers as ``Pagination``, in one query instead of two: the page's rows
    carry the total (``COUNT(*) OVER ()``), so the count is not a query of its own.

    For lists whose filter is costly to plan and run twice (the task hall, the review queue). A
    page past the end, ``last`` or a malformed page number go the usual way, so their answers
    (the 404 「页码无效。」) are unchanged.
    """

    TOTAL = "window_total_rows"

    def paginate_queryset(self, queryset, request, view=None):
        if not isinstance(queryset, QuerySet):
            return super().paginate_queryset(queryset, request, view)
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        raw = request.query_params.get(self.page_query_param) or 1
        try:
            number = int(raw)
        except (TypeError, ValueError):
            return super().paginate_queryset(queryset, request, view)
        if number < 1:
            return super().paginate_queryset(queryset, request, view)
        bottom = (number - 1) * page_size
        if bottom + page_size > BIGINT_MAX:  # past the end of any list, and past what SQL can bind
            raise exceptions.NotFound(self.invalid_page_message)
        rows = list(queryset.annotate(**{self.TOTAL: Window(Count("*"))})[bottom : bottom + page_size])
        if not rows and number > 1:
            return super().paginate_queryset(queryset, request, view)
        return self._counted_page(request, number, page_size, rows, getattr(rows[0], self.TOTAL) if rows else 0)

    def paginate_fetched(self, fetch, request, fallback):
        """The same page from ``fetch(limit, offset) -> (rows, total)``: a list read in one query
        that is not a queryset (``core.prepared``). Pages this cannot number alone (``last``, a
        malformed number) go through ``fallback()``."""
        page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param) or 1
        try:
            number = int(raw)
        except (TypeError, ValueError):
            number = 0
        if not page_size or number < 1:
            return self.paginate_queryset(fallback(), request)
        offset = (number - 1) * page_size
        if offset + page_size > BIGINT_MAX:  # past the end of any list, and past what SQL can bind
            raise exceptions.NotFound(self.invalid_page_message)
        rows, total = fetch(page_size, offset)
        if not rows and number > 1:
            raise exceptions.NotFound(self.invalid_page_message)
        return self._counted_page(request, number, page_size, rows, total)

    def _counted_page(self, request, number: int, page_size: int, rows: list, total: int) -> list:
        self.request = request
        paginator = self.django_paginator_class(rows, page_size)
        paginator.count = total  # a cached_property: no COUNT query
        self.page = paginator.page(number)
        self.page.object_list = rows
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return rows


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, except that a body nested too deep for ``json`` is a 400, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("提交的 JSON 嵌套层级过深。")


_STATUS_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    429: "throttled",
}

_DEFAULT_MESSAGES = {
    400: "提交的内容有误。",
    401: "请先登录。",
    403: "您没有执行该操作的权限。",
    404: "未找到。",
    405: "不支持该请求方法。",
    406: "无法满足请求的格式。",
    415: "不支持的内容类型。",
    429: "操作太频繁，请稍后再试。",
}


# Django's and DRF's messages whose Chinese translation misstates what is wrong, by error code.
# "Null characters are not allowed." comes out as "不允许是用空字符串。" ("no empty strings"):
# the text was not empty, it held a NUL byte, which every serializer CharField refuses.
_REWORDED = {
    "null_characters_not_allowed": NUL_BYTE_MESSAGE,
}


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for v in detail.values() for m in _flatten(v)]
    if isinstance(detail, list):
        return [m for v in detail for m in _flatten(v)]
    return [_REWORDED.get(getattr(detail, "code", None), str(detail))]


def _fields(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    return {"non_field_errors": _flatten(detail)}


def _throttle_message(wait: float | None) -> str:
    if wait:
        return f"操作太频繁，请 {math.ceil(wait)} 秒后再试。"
    return _DEFAULT_MESSAGES[429]


def exception_handler(exc, context):
    """Map every error to ``{"detail": "中文消息", "code": ..., "fields": {...}}``.

    Domain errors carry their own status and message; DRF's own errors are reworded where
    DRF's message would reach the user in English.
    """
    headers = {}
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["fields"] = {exc.field: [exc.message]}
        if isinstance(exc, Throttled) and exc.wait:
            headers["Retry-After"] = str(int(exc.wait))
        return Response(body, status=exc.status, headers=headers)

    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        # Django's own limits on a request body; left alone they become an HTML page.
        return Response({"detail": "提交的内容过大。", "code": "too_large"}, status=413)

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)

    if not isinstance(exc, exceptions.APIException):
        return None

    code = _STATUS_CODES.get(exc.status_code, "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        first = next(iter(m for msgs in fields.values() for m in msgs), _DEFAULT_MESSAGES[400])
        body = {"detail": first, "code": "invalid", "fields": fields}
    elif isinstance(exc, exceptions.Throttled):
        body = {"detail": _throttle_message(exc.wait), "code": "throttled"}
    else:
        detail = exc.detail if isinstance(exc.detail, str) else _DEFAULT_MESSAGES.get(exc.status_code, "请求失败。")
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            detail = (
                _DEFAULT_MESSAGES[401]
                if isinstance(exc, exceptions.NotAuthenticated)
                else "登录凭证无效或已过期，请重新登录。"
            )
            code = "not_authenticated" if isinstance(exc, exceptions.NotAuthenticated) else "authentication_failed"
        elif isinstance(exc, exceptions.PermissionDenied) and not _is_chinese(detail):
            detail = _DEFAULT_MESSAGES[403]
        elif isinstance(exc, exceptions.NotFound) and not _is_chinese(detail):
            detail = _DEFAULT_MESSAGES[404]
        elif not _is_chinese(detail):
            detail = _DEFAULT_MESSAGES.get(exc.status_code, "请求失败。")
        body = {"detail": str(detail), "code": code}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    status_code = exc.status_code
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed) and not headers.get(
        "WWW-Authenticate"
    ):
        # DRF downgrades 401 to 403 without an auth header; the contract wants 401.
        headers["WWW-Authenticate"] = 'Token realm="api"'
        status_code = status.HTTP_401_UNAUTHORIZED
    return Response(body, status=status_code, headers=headers)


def _is_chinese(text) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text))
