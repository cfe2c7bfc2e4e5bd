"""Sign-in API: one-time codes, tokens, sign-out, WeChat mini-program login and binding, and
the signed-in devices (one token each).

Thin views: each validates its body, calls one service and shapes the answer. The sign-in
endpoints ignore any credentials sent with them (no authentication classes), so a client
holding a stale token can still sign in again.
"""

from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth import logout
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.device_tokens import (
    MINI_PROGRAM,
    device_name_from,
    device_token_issue,
    device_token_revoke,
    device_tokens_revoke_all,
)
from accounts.models import DeviceToken
from accounts.selectors import live_devices
from accounts.serializers import (
    BindRequiredOut,
    CodeSendIn,
    DebugCodeOut,
    DeviceOut,
    TokenIn,
    TokenOut,
    WechatBindIn,
    WechatSignInIn,
)
from accounts.throttles import TokenIPThrottle
from core.errors import ValidationFailed
from core.http import client_ip
from core.schema import ErrorOut

TAG = "登录"


def _validated(serializer_class, request) -> dict:
    # DRF's own message for a body that is JSON but not an object ("No data provided") is English.
    if not isinstance(request.data, Mapping):
        raise ValidationFailed("请求内容应为 JSON 对象。")
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def _signed_in(user, *, device_name: str) -> Response:
    """A new token for this device: a sign-in never hands back a token issued before."""
    issued = device_token_issue(user=user, device_name=device_name)
    return Response(TokenOut({"token": issued.plain, "expires": issued.token.expires_at, "user": user}).data)


def _with_400(responses: dict) -> dict:
    return {400: OpenApiResponse(ErrorOut, description="提交的内容有误（字段错误见 fields）"), **responses}


class _SignInView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)


class CodeSendView(_SignInView):
    # No cache throttles: the service counts its limits per number and per address under a row lock.
    throttle_classes = ()

    @extend_schema(
        tags=[TAG],
        summary="发送登录验证码",
        description="向手机号发送 6 位一次性验证码，5 分钟内有效。同一号码 60 秒内只能发送一次，"
        "并按号码与 IP 限制频率。演示环境（设置 SIGNIN_SHOW_CODE）下返回 200 和验证码本身，生产环境只返回 204。"
        "短信服务商拒绝发送时验证码不算已发送，不占用发送次数。",
        request=CodeSendIn,
        responses=_with_400(
            {
                204: OpenApiResponse(description="已发送"),
                200: OpenApiResponse(DebugCodeOut, description="仅演示环境：已发送，并返回验证码"),
                429: OpenApiResponse(
                    ErrorOut,
                    description="发送太频繁（throttled，响应头 Retry-After 给出等待秒数），"
                    "或短信服务商限制了该号码的发送频率（sms_throttled）",
                ),
                503: OpenApiResponse(ErrorOut, description="短信服务暂时不可用（sms_unavailable）"),
            }
        ),
        examples=[OpenApiExample("手机号", value={"phone": "13800138000"}, request_only=True)],
    )
    def post(self, request):
        data = _validated(CodeSendIn, request)
        code = services.signin_code_send(phone=data["phone"], ip=client_ip(request))
        if settings.SIGNIN_SHOW_CODE:
            return Response({"debug_code": code})
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenView(_SignInView):
    throttle_classes = (TokenIPThrottle,)

    @extend_schema(
        tags=[TAG],
        summary="登录，换取令牌",
        description="手机号 + 验证码登录（新号码自动注册）；工作人员也可用手机号 + 密码。"
        "之后的请求带上请求头 `Authorization: Token <token>`。",
        request=TokenIn,
        responses=_with_400(
            {
                200: OpenApiResponse(TokenOut, description="登录成功"),
                429: OpenApiResponse(ErrorOut, description="尝试太频繁"),
            }
        ),
        examples=[
            OpenApiExample("验证码登录", value={"phone": "13800138000", "code": "123456"}, request_only=True),
            OpenApiExample("工作人员密码登录", value={"phone": "13800138000", "password": "…"}, request_only=True),
        ],
    )
    def post(self, request):
        data = _validated(TokenIn, request)
        if data.get("code"):
            user = services.signin_with_code(phone=data["phone"], code=data["code"])
        else:
            user = services.signin_with_password(phone=data["phone"], password=data["password"], request=request)
        return _signed_in(user, device_name=data.get("device_name") or device_name_from(request))


class LogoutView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=[TAG],
        summary="退出登录",
        description="用令牌调用时只作废本设备的令牌（其他设备保持登录）；用会话调用时结束会话。",
        request=None,
        responses={
            204: OpenApiResponse(description="已退出"),
            401: OpenApiResponse(ErrorOut, description="未登录"),
        },
    )
    def post(self, request):
        if isinstance(request.auth, DeviceToken):
            device_token_revoke(user=request.user, token_id=request.auth.pk)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WechatSignInView(_SignInView):
    throttle_classes = (TokenIPThrottle,)

    @extend_schema(
        tags=[TAG],
        summary="微信小程序登录",
        description="用 `wx.login` 得到的 code 登录。已绑定手机号的微信直接返回令牌；"
        "首次使用返回 409 `bind_required` 和短时有效的 `ticket`，"
        "凭它调用 `POST /api/v1/auth/wechat/bind/` 绑定手机号。",
        request=WechatSignInIn,
        responses=_with_400(
            {
                200: OpenApiResponse(TokenOut, description="该微信已绑定手机号：登录成功"),
                409: OpenApiResponse(BindRequiredOut, description="该微信尚未绑定手机号"),
                429: OpenApiResponse(ErrorOut, description="尝试太频繁"),
                503: OpenApiResponse(ErrorOut, description="微信服务不可用或未配置（wechat_unavailable）"),
            }
        ),
        examples=[OpenApiExample("wx.login 的 code", value={"code": "0a1b2c3d4e"}, request_only=True)],
    )
    def post(self, request):
        data = _validated(WechatSignInIn, request)
        try:
            user = services.wechat_signin(js_code=data["code"])
        except services.WechatBindRequired as exc:
            # The shared exception handler knows nothing of tickets, so this answer is built here.
            return Response(
                {"detail": exc.message, "code": exc.code, "ticket": exc.ticket}, status=status.HTTP_409_CONFLICT
            )
        return _signed_in(user, device_name=data.get("device_name") or MINI_PROGRAM)


class WechatBindView(_SignInView):
    throttle_classes = (TokenIPThrottle,)

    @extend_schema(
        tags=[TAG],
        summary="微信绑定手机号并登录",
        description="凭微信登录返回的 ticket，加手机号和验证码（先调用发送验证码接口），"
        "把该微信绑定到这个手机号的账号（新号码自动注册），并返回令牌。",
        request=WechatBindIn,
        responses=_with_400(
            {
                200: OpenApiResponse(TokenOut, description="绑定成功并登录"),
                409: OpenApiResponse(ErrorOut, description="该微信或该手机号已有其他绑定（openid_taken）"),
                429: OpenApiResponse(ErrorOut, description="尝试太频繁"),
            }
        ),
    )
    def post(self, request):
        data = _validated(WechatBindIn, request)
        user = services.wechat_bind(ticket=data["ticket"], phone=data["phone"], code=data["code"])
        return _signed_in(user, device_name=data.get("device_name") or MINI_PROGRAM)


# --- signed-in devices --------------------------------------------------------------------


def _current_id(request) -> int | None:
    return request.auth.pk if isinstance(request.auth, DeviceToken) else None


class DeviceListView(ListAPIView):
    serializer_class = DeviceOut
    queryset = DeviceToken.objects.none()  # for the schema only: get_queryset is what lists

    def get_queryset(self):
        return live_devices(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "current_id": _current_id(self.request)}

    @extend_schema(
        tags=[TAG],
        summary="我的登录设备",
        description="仍有效的令牌，每台设备一个：设备名称、登录与最近使用时间、过期时间；"
        "`current` 标出本次请求所用的令牌。",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DeviceRevokeView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="退出某台设备",
        description="作废该设备的令牌，该设备需重新登录。只能作废自己的设备，其他的一律 404。",
        request=None,
        responses={204: OpenApiResponse(description="已退出该设备")},
    )
    def post(self, request, pk: int):
        device_token_revoke(user=request.user, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DevicesRevokeAllView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="退出全部设备",
        description="作废自己的全部令牌，包括本次请求所用的令牌；所有设备都需重新登录。网页的会话不受影响。",
        request=None,
        responses={204: OpenApiResponse(description="已退出全部设备")},
    )
    def post(self, request):
        device_tokens_revoke_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
