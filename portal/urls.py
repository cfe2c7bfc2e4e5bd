from django.urls import path

from core import views as core_views
from portal import views
from portal.teams import views as teams

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("me/", views.profile, name="profile"),
    path("view/", views.switch_view, name="switch_view"),
    path("me/devices/", views.devices, name="devices"),
    path("me/devices/<int:pk>/revoke/", views.device_revoke, name="device_revoke"),
    path("me/devices/revoke-all/", views.devices_revoke_all, name="devices_revoke_all"),
    path("me/teams/", teams.my_teams, name="my_teams"),
    path("me/teams/<int:team_id>/leave/", teams.team_leave_view, name="team_leave"),
    path("teams/<int:team_id>/", teams.team_page, name="team"),
    path("teams/<int:team_id>/members/add/", teams.team_add, name="team_add"),
    path("teams/<int:team_id>/members/<int:member_id>/remove/", teams.team_remove, name="team_remove"),
    path("teams/<int:team_id>/whistle/", teams.team_whistle, name="team_whistle"),
    path("teams/<int:team_id>/tasks/<int:team_task_id>/cancel/", teams.team_task_cancel, name="team_task_cancel"),
    path("teams/<int:team_id>/tasks/<int:team_task_id>/complete/", teams.team_task_complete, name="team_task_complete"),
]
