from django.urls import path

from accounts import api

urlpatterns = [
    path("auth/code/", api.CodeSendView.as_view(), name="api-auth-code"),
    path("auth/token/", api.TokenView.as_view(), name="api-auth-token"),
    path("auth/logout/", api.LogoutView.as_view(), name="api-auth-logout"),
    path("auth/wechat/", api.WechatSignInView.as_view(), name="api-auth-wechat"),
    path("auth/wechat/bind/", api.WechatBindView.as_view(), name="api-auth-wechat-bind"),
    path("auth/devices/", api.DeviceListView.as_view(), name="api-auth-devices"),
    path("auth/devices/<int:pk>/revoke/", api.DeviceRevokeView.as_view(), name="api-auth-device-revoke"),
    path("auth/devices/revoke-all/", api.DevicesRevokeAllView.as_view(), name="api-auth-devices-revoke-all"),
]
