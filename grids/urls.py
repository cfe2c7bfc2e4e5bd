"""The H5 pages of the organisation, all ``grids:`` (首页 is ``portal.urls``; 点单 · 接单 ``orders.urls``)."""

from django.urls import path

from grids.views import staff, volunteers

app_name = "grids"

urlpatterns = [
    path("me/join/", volunteers.member_join, name="member_create"),
    path("me/edit/", volunteers.member_edit, name="member_edit"),
    path("register/", volunteers.registration, name="registration"),
    path("register/withdraw/", volunteers.registration_withdraw_view, name="registration_withdraw"),
    path("grids/", staff.browser, name="browser"),
    path("grids/community/<int:community_id>/", staff.community_detail, name="community"),
    path("grids/<int:grid_id>/", staff.grid_detail, name="grid"),
    path("grids/registrations/<int:registration_id>/place/", staff.registration_place_view, name="registration_place"),
    path(
        "grids/registrations/<int:registration_id>/decline/",
        staff.registration_decline_view,
        name="registration_decline",
    ),
]
