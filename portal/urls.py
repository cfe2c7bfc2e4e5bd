from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("me/", views.profile, name="profile"),
    path("me/devices/", views.devices, name="devices"),
    path("me/devices/<int:pk>/revoke/", views.device_revoke, name="device_revoke"),
    path("me/devices/revoke-all/", views.devices_revoke_all, name="devices_revoke_all"),
]
