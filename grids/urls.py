"""The H5 pages of the organisation, all ``grids:`` (首页 is ``portal.urls``; 点单 · 接单 ``orders.urls``)."""

from django.urls import path

from grids import views

app_name = "grids"

urlpatterns = [
    path("me/join/", views.member_join, name="member_create"),
    path("me/edit/", views.member_edit, name="member_edit"),
    path("register/", views.registration, name="registration"),
    path("register/withdraw/", views.registration_withdraw_view, name="registration_withdraw"),
    path("grids/", views.browser, name="browser"),
    path("grids/community/<int:community_id>/", views.community_detail, name="community"),
    path("grids/<int:grid_id>/", views.grid_detail, name="grid"),
    path("grids/registrations/<int:registration_id>/place/", views.registration_place_view, name="registration_place"),
    path(
        "grids/registrations/<int:registration_id>/decline/",
        views.registration_decline_view,
        name="registration_decline",
    ),
]
